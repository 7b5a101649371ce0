"""Read-side queries for the portal and the API."""

from kb import models as kb


def knowledge_base_counts():
    return {
        "models": kb.AIModel.objects.count(),
        "datasets": kb.Dataset.objects.count(),
        "terms documents": kb.TermsDocument.objects.count(),
        "clauses": kb.LicenseClause.objects.count(),
        "lineage edges": kb.LineageEdge.objects.count(),
        "provisions": kb.Provision.objects.count(),
    }
