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


def dataset_generators(dataset):
    """The models a dataset's generated_by lineage names, with each edge's evidence kind and status."""
    return list(
        dataset.parent_edges.filter(relation=kb.LineageEdge.Relation.GENERATED_BY, parent_model__isnull=False)
        .select_related("parent_model__organization")
        .order_by("parent_model__name")
    )


def dataset_conflicts(dataset):
    """Where a curated dataset and the imported records attached to it differ, field by field:
    [{"field", "curated", "imported", "record"}]. The curated value is the one the knowledge base uses."""
    records = (dataset.imported_record or {}).get("records") or []
    if not dataset.curated or not records:
        return []
    licenses = sorted({d.spdx_id for d in [dataset.license, *dataset.other_licenses.all()] if d is not None})
    generators = sorted({e.parent_model.slug for e in dataset_generators(dataset)})
    conflicts = []
    for record in records:
        mapped = record.get("mapped") or {}
        imported = sorted(set(mapped.get("licenses", [])) | set(mapped.get("unmapped", [])))
        if imported != licenses:
            conflicts.append({"field": "licenses", "curated": licenses, "imported": imported, "record": record["id"]})
        models = sorted(set(mapped.get("generators", [])) | set(mapped.get("unresolved", [])))
        if models != generators:
            conflicts.append({"field": "generated_by", "curated": generators, "imported": models, "record": record["id"]})
    return conflicts


def last_checked():
    """(newest, oldest) date on which a person checked a curated record (sources re-read), over every
    kind of sourced record: when the knowledge base was last looked at. Imported rows (declared or
    inferred) do not count: their date is when they were imported, not checked."""
    from django.db.models import Max, Min

    from kb.validation import SOURCED_MODELS

    imported = (kb.Verification.DECLARED, kb.Verification.INFERRED)
    dates = [m.objects.exclude(verification__in=imported).aggregate(newest=Max("checked_on"), oldest=Min("checked_on")) for m in SOURCED_MODELS]
    newest = [d["newest"] for d in dates if d["newest"]]
    oldest = [d["oldest"] for d in dates if d["oldest"]]
    return (max(newest) if newest else None, min(oldest) if oldest else None)
