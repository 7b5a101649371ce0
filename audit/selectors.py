"""Reads of stored drift results: one flat row per conflict, filters and counts (for the page, API, CSV)."""

from collections import Counter

from audit.models import AuditResult

FILTERS = ("kind", "licensor", "relation", "source", "terms", "model")


def conflict_rows(*, filters=None):
    """Every stored conflict as a flat dict, filtered by exact `kind`, `licensor`, `relation`,
    `source`, `terms`, and `model` (a case-insensitive substring of the model's name)."""
    filters = {k: v for k, v in (filters or {}).items() if k in FILTERS and v}
    results = AuditResult.objects.filter(conflict_count__gt=0)
    if filters.get("source"):
        results = results.filter(source=filters["source"])
    if filters.get("model"):
        results = results.filter(name__icontains=filters["model"])
    rows = []
    for result in results.order_by("model_key"):
        for conflict in result.conflicts:
            row = {
                "model": result.name, "model_key": result.model_key, "source": result.source, "declared_license": result.declared_license,
                **{k: conflict[k] for k in ("kind", "rule", "effect", "ancestor", "licensor", "terms", "relation", "path", "evidence", "message", "fix")},
                "citation": conflict["citations"][0] if conflict["citations"] else None,
                "policy_version": result.policy_version, "audited_at": result.audited_at.isoformat(),
            }
            if all(row[k] == filters[k] for k in ("kind", "licensor", "relation", "terms") if k in filters):
                rows.append(row)
    return rows


def counts(rows):
    return {key: sorted(Counter(row[key] for row in rows).items(), key=lambda kv: (-kv[1], kv[0])) for key in ("kind", "licensor", "relation")}


def result_for(model_key):
    return AuditResult.objects.filter(model_key=model_key).first()
