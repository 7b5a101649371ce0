"""Read-side queries on the registry: lookups by repo id, prefix and similarity search, lineage above
a model (one recursive query), and a family head's descendants (counts per relation, paginated lists).

Everything returns plain dicts and lists, so that the engine's loader, the pages and the API share them
without holding model instances. SQL is parameterized; the only text put into it is fixed here.
"""

import json

from django.db import connection

from registry.models import FamilyTotal, HubModel, Relation

MODEL_COLUMNS = ["repo_id", "repo_key", "sha", "license", "license_name", "license_link", "gated", "author", "pipeline_tag"]
EDGE_COLUMNS = ["child", "parent_key", "parent_repo_id", "relation", "evidence", "relation_basis", "pattern", "depth"]
PAGE_SIZE = 50
MAX_DEPTH = 8  # generations followed up or down a family (the engine's lineage bound too)


def _rows(sql, params):
    """All rows of a parameterized query. (PostgreSQL connections run without JIT: config/settings.py.)"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def lookup(repo_id):
    """The registry row for a repo id (case-insensitive) with its parent edges, or None."""
    model = HubModel.objects.filter(repo_key=repo_id.strip().lower()).first()
    if model is None:
        return None
    return {"model": model, "parents": list(model.parent_edges.order_by("parent_key").values(*EDGE_COLUMNS[1:-1]))}


def exact(repo_id):
    """The registry row for a repo id (case-insensitive) as a dict, in one query; None when absent."""
    names = MODEL_COLUMNS + ["downloads"]
    found = _rows(f"SELECT {', '.join(names)} FROM registry_hubmodel WHERE repo_key = %s", [repo_id.strip().lower()])
    return dict(zip(names, found[0], strict=True)) if found else None


def _upper_bound(prefix):
    """The smallest string above every string that starts with prefix, in code-point order."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def prefix(text, limit=10):
    """Models whose repo id starts with text (case-insensitive), in repo id order: [{repo_id, ...}]."""
    text = text.strip().lower()
    if not text:
        return []
    columns = ", ".join(MODEL_COLUMNS + ["downloads"])
    if connection.vendor == "postgresql":
        # The pattern operators use the varchar_pattern_ops index Django makes for the unique repo_key,
        # for the range and the order alike, whatever the database's collation.
        sql = f"SELECT {columns} FROM registry_hubmodel WHERE repo_key ~>=~ %s AND repo_key ~<~ %s ORDER BY repo_key USING ~<~ LIMIT %s"
    else:
        # SQLite compares text bytewise (BINARY), which for UTF-8 is code-point order: the unique index serves the range.
        sql = f"SELECT {columns} FROM registry_hubmodel WHERE repo_key >= %s AND repo_key < %s ORDER BY repo_key LIMIT %s"
    names = MODEL_COLUMNS + ["downloads"]
    return [dict(zip(names, row, strict=True)) for row in _rows(sql, [text, _upper_bound(text), limit])]


def similar(text, limit=10):
    """Models whose repo id resembles text: trigram similarity on PostgreSQL, substring match elsewhere."""
    text = text.strip().lower()
    if not text:
        return []
    names = MODEL_COLUMNS + ["downloads"]
    columns = ", ".join(names)
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT {columns} FROM registry_hubmodel WHERE repo_key %% %s "
            "ORDER BY similarity(repo_key, %s) DESC, downloads DESC, repo_key LIMIT %s"
        )
        params = [text, text, limit]
    else:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        sql = f"SELECT {columns} FROM registry_hubmodel WHERE repo_key LIKE %s ESCAPE '\\' ORDER BY downloads DESC, repo_key LIMIT %s"
        params = [f"%{escaped}%", limit]
    return [dict(zip(names, row, strict=True)) for row in _rows(sql, params)]


def search(text, limit=10):
    """Exact match first, then prefix matches, then (to fill the limit) similar ones; no repeats."""
    found, seen = [], set()
    match = exact(text) if text.strip() else None
    if match:
        found.append(match)
        seen.add(match["repo_key"])
    for source in (prefix, similar):
        if len(found) >= limit:
            break
        for row in source(text, limit):
            if row["repo_key"] not in seen and len(found) < limit:
                seen.add(row["repo_key"])
                found.append(row)
    return found


# One statement walks the edges upwards and returns the rows of the models it reached with them
# (a round trip, not two): edge rows and model rows share ten text columns, told apart by the first.
# The models given and the models reached are two branches (an OR of the two would not use the
# index); a model in both comes twice and is kept once.
# UNION (not UNION ALL) drops an edge met again at the same depth, and the depth bound ends any
# cycle a card could declare (A -> B -> A).
ANCESTORS_SQL = """
WITH RECURSIVE up(child, parent_key, parent_repo_id, relation, evidence, relation_basis, pattern, depth) AS (
    SELECT m.repo_key, e.parent_key, e.parent_repo_id, e.relation, e.evidence, e.relation_basis, e.pattern, 1
    FROM registry_hubmodel m JOIN registry_hubedge e ON e.child_id = m.id
    WHERE m.repo_key IN ({placeholders})
  UNION
    SELECT m.repo_key, e.parent_key, e.parent_repo_id, e.relation, e.evidence, e.relation_basis, e.pattern, up.depth + 1
    FROM up
    JOIN registry_hubmodel m ON m.repo_key = up.parent_key
    JOIN registry_hubedge e ON e.child_id = m.id
    WHERE up.depth < %s
)
SELECT 'edge', child, parent_key, parent_repo_id, relation, evidence, relation_basis, pattern, CAST(MIN(depth) AS VARCHAR(10)), ''
FROM up GROUP BY child, parent_key, parent_repo_id, relation, evidence, relation_basis, pattern
UNION ALL
SELECT 'model', repo_id, repo_key, sha, license, license_name, license_link, gated, author, pipeline_tag
FROM registry_hubmodel WHERE repo_key IN ({placeholders})
UNION ALL
SELECT 'model', repo_id, repo_key, sha, license, license_name, license_link, gated, author, pipeline_tag
FROM registry_hubmodel WHERE repo_key IN (SELECT parent_key FROM up)
"""


def ancestors(keys, max_depth=MAX_DEPTH):
    """The registry's lineage above the given repo keys (lower-case repo ids), in one query.

    Returns {"edges": [{child, parent_key, parent_repo_id, relation, evidence, relation_basis,
    pattern, depth}] nearest first, "models": {repo_key: {repo_id, repo_key, sha, license,
    license_name, license_link, gated, author, pipeline_tag}}} where models holds every key given or
    reached that the registry has (a parent it lacks, e.g. one only the curated knowledge base knows,
    has edges but no row).
    """
    keys = sorted({k.strip().lower() for k in keys if k and k.strip()})
    if not keys:
        return {"edges": [], "models": {}}
    placeholders = ", ".join(["%s"] * len(keys))
    edges, models = [], {}
    for kind, *values in _rows(ANCESTORS_SQL.format(placeholders=placeholders), [*keys, int(max_depth), *keys]):
        if kind == "edge":
            edge = dict(zip(EDGE_COLUMNS, values[:-1], strict=True))
            edge["depth"] = int(edge["depth"])
            edges.append(edge)
        else:
            model = dict(zip(MODEL_COLUMNS, values, strict=True))
            models[model["repo_key"]] = model
    edges.sort(key=lambda e: (e["depth"], e["child"], e["parent_key"]))
    return {"edges": edges, "models": models}


DIRECT_COUNTS_SQL = "SELECT relation, COUNT(*) FROM registry_hubedge WHERE parent_key = %s GROUP BY relation"

# Down a family on the edges alone: (parent_key, relation, child_key) is one index, read index-only.
# PostgreSQL misjudges how many rows each step brings and would sort the whole edge table at every
# level; LATERAL makes each step a probe of the index per model reached.
DESCENDANT_COUNTS_SQL = """
WITH RECURSIVE down(repo_key, relation, depth) AS (
    SELECT e.child_key, e.relation, 1 FROM registry_hubedge e WHERE e.parent_key = %s
  UNION
    SELECT e.child_key, e.relation, down.depth + 1
    FROM down {join} registry_hubedge e {on}
    WHERE down.depth < %s
)
SELECT relation, COUNT(DISTINCT repo_key) FROM down GROUP BY relation
"""
_DOWN_JOIN = {
    # OFFSET 0 keeps the planner from pulling the subquery up into the join it is meant to avoid.
    "postgresql": {"join": ", LATERAL (SELECT child_key, relation FROM", "on": "WHERE parent_key = down.repo_key OFFSET 0) e"},
    "other": {"join": "JOIN", "on": "ON e.parent_key = down.repo_key"},
}


def family_counts(repo_key, max_depth=MAX_DEPTH, descendants=True):
    """{"children": {relation: n}, "descendants": {relation: n}, "counted_at": datetime or None}: the
    models that name repo_key as their parent (one index-only count, what the Hub's model tree shows),
    and every model below it to max_depth, counted by the relation of their own edge. A large family
    head's descendants come from its FamilyTotal row (kept by each import, `counted_at`); any other
    head's from a walk, whose cost grows with the family. descendants=False leaves them out, as zeros.
    """
    key = repo_key.strip().lower()
    children = {relation: 0 for relation in Relation.values}
    for relation, n in _rows(DIRECT_COUNTS_SQL, [key]):
        children[relation] = n
    if not descendants:
        return {"children": children, "descendants": dict.fromkeys(Relation.values, 0), "counted_at": None}
    if max_depth == MAX_DEPTH:
        kept = FamilyTotal.objects.filter(head_key=key).first()
        if kept is not None:
            return {"children": children, "descendants": kept.by_relation(), "counted_at": kept.counted_at}
    return {"children": children, "descendants": walk_descendants(key, max_depth=max_depth), "counted_at": None}


def walk_descendants(repo_key, max_depth=MAX_DEPTH):
    """{relation: n} of the models below repo_key to max_depth, by walking the edges down (each model
    once, counted under the relation of its own edge)."""
    below = dict.fromkeys(Relation.values, 0)
    sql = DESCENDANT_COUNTS_SQL.format(**_DOWN_JOIN["postgresql" if connection.vendor == "postgresql" else "other"])
    for relation, n in _rows(sql, [repo_key.strip().lower(), int(max_depth)]):
        below[relation] = n
    return below


# Up from many keys at once (the parents an import changed), on the keys alone: one array parameter
# on PostgreSQL, one JSON parameter on SQLite (no limit on the number of keys either way).
ANCESTOR_KEYS_SQL = """
WITH RECURSIVE up(repo_key, depth) AS (
    SELECT k, 0 FROM {source}
  UNION
    SELECT e.parent_key, up.depth + 1
    FROM up JOIN registry_hubmodel m ON m.repo_key = up.repo_key JOIN registry_hubedge e ON e.child_id = m.id
    WHERE up.depth < %s
)
SELECT DISTINCT repo_key FROM up
"""
_KEY_SOURCE = {"postgresql": "unnest(CAST(%s AS text[])) AS given(k)", "other": "(SELECT value AS k FROM json_each(%s))"}


def _keys_param(keys):
    return list(keys) if connection.vendor == "postgresql" else json.dumps(list(keys))


def ancestor_keys(keys, max_depth=MAX_DEPTH):
    """The given keys and every key above them to max_depth (registry edges only), as a set."""
    keys = sorted({k.strip().lower() for k in keys if k and k.strip()})
    if not keys:
        return set()
    sql = ANCESTOR_KEYS_SQL.format(source=_KEY_SOURCE["postgresql" if connection.vendor == "postgresql" else "other"])
    return {key for (key,) in _rows(sql, [_keys_param(keys), int(max_depth)])}


def heads_with_children(min_children, among=None):
    """Keys named as parent by at least min_children models (among the given keys, or all)."""
    if among is None:
        sql, params = "SELECT parent_key FROM registry_hubedge GROUP BY parent_key HAVING COUNT(*) >= %s", [min_children]
    else:
        if not among:
            return set()
        source = _KEY_SOURCE["postgresql" if connection.vendor == "postgresql" else "other"]
        sql = (f"SELECT parent_key FROM registry_hubedge WHERE parent_key IN (SELECT k FROM {source}) "
               "GROUP BY parent_key HAVING COUNT(*) >= %s")
        params = [_keys_param(sorted(among)), min_children]
    return {key for (key,) in _rows(sql, params)}


def children(repo_key, relation, page=1, per_page=PAGE_SIZE):
    """One page of the models that name repo_key as their parent with that relation, most downloaded
    first: {"items": [...], "page", "pages", "total"}."""
    key = repo_key.strip().lower()
    total = _rows("SELECT COUNT(*) FROM registry_hubedge WHERE parent_key = %s AND relation = %s", [key, relation])[0][0]
    pages = max(1, -(-total // per_page))
    page = min(max(1, int(page)), pages)
    names = ["repo_id", "repo_key", "author", "license", "downloads", "evidence", "relation_basis", "pattern"]
    sql = (
        "SELECT m.repo_id, m.repo_key, m.author, m.license, m.downloads, e.evidence, e.relation_basis, e.pattern "
        "FROM registry_hubedge e JOIN registry_hubmodel m ON m.id = e.child_id "
        "WHERE e.parent_key = %s AND e.relation = %s ORDER BY m.downloads DESC, m.repo_key LIMIT %s OFFSET %s"
    )
    items = [dict(zip(names, row, strict=True)) for row in _rows(sql, [key, relation, per_page, (page - 1) * per_page])]
    return {"items": items, "page": page, "pages": pages, "total": total}


def curated_comparison(model, mapping):
    """The curated record with the same Hugging Face id (case-insensitive), if any, and where the
    uploader's card disagrees with it. Curated fields win; a disagreement is shown, never merged.

    Returns {"curated": AIModel or None, "declared_terms": (spdx_id or None, reason),
    "conflicts": [{"field", "declared", "curated"}]}.
    """
    from kb import models as kb
    from registry.licenses import terms_for

    declared_terms = terms_for(model.license, model.license_name, model.license_link, mapping)
    curated = (
        kb.AIModel.objects.filter(hf_id__iexact=model.repo_id).prefetch_related("weights_terms", "parent_edges__parent_model").first()
    )
    conflicts = []
    if curated is not None:
        curated_terms = sorted(t.spdx_id for t in curated.weights_terms.all())
        if declared_terms[0] and curated_terms and declared_terms[0] not in curated_terms:
            conflicts.append({"field": "license", "declared": f"{model.license} ({declared_terms[0]})", "curated": ", ".join(curated_terms)})
        if model.license and not declared_terms[0] and curated_terms:
            conflicts.append({"field": "license", "declared": f"{model.license} ({declared_terms[1]})", "curated": ", ".join(curated_terms)})
        curated_parents = {(e.parent_model.hf_id or e.parent_model.slug).lower() for e in curated.parent_edges.all() if e.parent_model}
        declared_parents = set(model.parent_edges.values_list("parent_key", flat=True))
        if declared_parents and curated_parents and declared_parents != curated_parents:
            conflicts.append(
                {"field": "parents", "declared": ", ".join(sorted(declared_parents)), "curated": ", ".join(sorted(curated_parents))}
            )
    return {"curated": curated, "declared_terms": declared_terms, "conflicts": conflicts}


def page_after(*, after="", author="", limit=PAGE_SIZE):
    """Registry models in repo-key order after a key (keyset paging: no count over millions of rows)."""
    rows = HubModel.objects.order_by("repo_key")
    if after:
        rows = rows.filter(repo_key__gt=after.lower())
    if author:
        rows = rows.filter(author=author)
    return list(rows[:limit])
