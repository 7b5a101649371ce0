"""Run the license drift audit over the knowledge base and the registry, and store the results.

`audit_lineage` lists every model with weight parents (curated kb.AIModel through LineageEdge;
registry HubModel through HubEdge, except repositories a curated record stands for), reads the
registry's lineage once (registry_graph), computes what each result depends on
(policies.audit.fingerprint: its whole ancestry and the parts of the policy it reads) and, with
`only_changed`, re-audits just the models whose fingerprint differs from the stored result. Weight
edges whose parents share a shape of ancestry (policies.audit.Ancestry) and declared license are
evaluated once and the findings fanned out, renamed (policies.audit.audit_edge). Results are written
in batches, each batch in one transaction. `audit_after_import` re-audits what an import touched.
"""

from dataclasses import dataclass, field

import orjson
from django.db import connection, transaction
from django.utils import timezone

from audit.models import AuditResult
from policies import audit
from policies.engine import snapshot as snapshots


@dataclass
class Subject:
    key: str
    source: str
    name: str  # shown (slug or repo id)
    student_name: str  # what naming clauses read
    parents: tuple  # (parent reference, relation, evidence)
    declared: tuple  # SPDX ids
    parent_licenses: tuple = ()
    owner: tuple = ()  # organization name and Hub owner, lower case
    declared_known: bool = True


@dataclass
class AuditRun:
    audited: int = 0
    unchanged: int = 0
    groups: int = 0  # evaluations: one per shape of ancestry, edge and declared license
    edges: int = 0  # weight edges of the models audited
    with_conflicts: int = 0
    policy_version: str = ""
    keys: list = field(default_factory=list)


def curated_subjects():
    from kb.models import AIModel, LineageEdge

    parents = {}
    edges = LineageEdge.objects.filter(child_model__isnull=False, parent_model__isnull=False, relation__in=LineageEdge.WEIGHT_DERIVED)
    for child_id, parent_name, relation, evidence in edges.order_by("id").values_list(
        "child_model_id", "parent_model__name", "relation", "evidence_kind"
    ):
        parents.setdefault(child_id, []).append((parent_name, relation, evidence or "documented"))
    terms = {}
    for model_id, spdx in AIModel.weights_terms.through.objects.values_list("aimodel_id", "termsdocument__spdx_id"):
        terms.setdefault(model_id, []).append(spdx)
    for model in AIModel.objects.filter(id__in=parents).values("id", "slug", "name", "hf_id", "organization__name", "weights_terms_unknown"):
        owner = {(model["organization__name"] or "").lower(), (model["hf_id"] or "").split("/", 1)[0].lower()} - {""}
        yield Subject(
            owner=tuple(sorted(owner)), declared_known=not model["weights_terms_unknown"] and model["id"] in terms,
            key=f"kb:{model['slug']}", source=AuditResult.Source.CURATED, name=model["name"], student_name=model["name"],
            parents=tuple(parents[model["id"]]), declared=tuple(sorted(terms.get(model["id"], ()))),
        )


def registry_subjects(*, keys=None):
    """Registry models with parents, except repositories a curated record stands for; `keys`
    (repo_keys) limits the listing."""
    from kb.models import AIModel
    from registry.licenses import load_mapping, terms_for

    mapping = load_mapping()
    curated = {hf.lower() for hf in AIModel.objects.exclude(hf_id="").exclude(hf_id__isnull=True).values_list("hf_id", flat=True)}
    parents, rows = {}, []
    columns = "m.id, m.repo_id, m.repo_key, m.license, m.license_name, m.license_link"
    edges = "SELECT e.child_id, e.parent_repo_id, e.relation, e.evidence FROM registry_hubedge e"
    for chunk in _chunks(keys):
        if chunk is None:
            found = _fetch(f"SELECT {columns} FROM registry_hubmodel m WHERE m.id IN (SELECT child_id FROM registry_hubedge)", [])
            edge_rows = _fetch(f"{edges} ORDER BY e.child_id, e.id", [])
        else:  # by the unique repo_key, then by child_id (the first column of an index): no scan of the tables
            found = _fetch(f"SELECT {columns} FROM registry_hubmodel m WHERE m.repo_key IN ({', '.join(['%s'] * len(chunk))})", chunk)
            ids = [row[0] for row in found]
            edge_rows = _fetch(f"{edges} WHERE e.child_id IN ({', '.join(['%s'] * len(ids))}) ORDER BY e.child_id, e.id", ids) if ids else []
        for child_id, parent, relation, evidence in edge_rows:
            parents.setdefault(child_id, []).append((parent, relation, evidence))
        rows += found
    for pk, repo_id, repo_key, lic, license_name, license_link in rows:
        if repo_key in curated or pk not in parents:
            continue
        spdx, _ = terms_for(lic, license_name, license_link, mapping)
        yield Subject(
            owner=(repo_key.split("/", 1)[0],), key=f"hub:{repo_key}", source=AuditResult.Source.REGISTRY, name=repo_id,
            student_name=repo_id.split("/", 1)[-1], parents=tuple(parents[pk]), declared=(spdx,) if spdx else (),
        )


GRAPH_ROW = "repo_key, repo_id, license, license_name, license_link, gated, pipeline_tag, author, sha"


def registry_graph(*, parent_keys=None):
    """The registry's lineage the audit reads (policies.audit.Graph): every edge and every parent's
    row, or, given parent_keys, those parents' declared ancestors (registry.selectors.ancestors)."""
    from registry import selectors
    from registry.licenses import load_mapping, terms_for

    edges, rows, shas = {}, {}, {}
    if parent_keys is None:
        for child, *edge in _fetch("SELECT child_key, parent_key, parent_repo_id, relation, evidence, relation_basis, pattern FROM registry_hubedge", []):
            edges.setdefault(child, []).append(tuple(edge))
        for key, *row, sha in _fetch(
            f"SELECT {GRAPH_ROW} FROM registry_hubmodel WHERE repo_key IN (SELECT parent_key FROM registry_hubedge)", []
        ):
            rows[key], shas[key] = tuple(row), sha
    else:
        for chunk in _chunks(sorted(parent_keys)):
            found = selectors.ancestors(chunk, max_depth=audit.MAX_DEPTH)
            for e in found["edges"]:
                edges.setdefault(e["child"], set()).add(
                    (e["parent_key"], e["parent_repo_id"], e["relation"], e["evidence"], e["relation_basis"], e["pattern"])
                )
            for key, m in found["models"].items():
                rows[key] = (m["repo_id"], m["license"], m["license_name"], m["license_link"], m["gated"], m["pipeline_tag"], m["author"])
                shas[key] = m["sha"]
    mapping, terms, seen = load_mapping(), {}, {}
    for key, (_, lic, license_name, license_link, *_) in rows.items():
        if (lic, license_name, license_link) not in seen:  # a few hundred distinct licenses among millions of rows
            spdx, reason = terms_for(lic, license_name, license_link, mapping)
            seen[lic, license_name, license_link] = ((spdx,), None) if spdx else ((), reason)
        terms[key] = seen[lic, license_name, license_link]
    return audit.Graph(rows=rows, edges={child: sorted(es) for child, es in edges.items()}, terms=terms, shas=shas)


def descendants(keys, *, max_depth=audit.MAX_DEPTH + 1):
    """The registry models below the given repo keys whose lineage view holds one of them, hence
    whose audit a change to them touches: a model's view starts at its parent and reads MAX_DEPTH
    levels above that, so MAX_DEPTH + 1 levels down."""
    found, frontier = set(), set(keys)
    for _ in range(max_depth):
        below = set()
        for chunk in _chunks(sorted(frontier)):
            marks = ", ".join(["%s"] * len(chunk))
            below.update(key for (key,) in _fetch(f"SELECT child_key FROM registry_hubedge WHERE parent_key IN ({marks})", chunk))
        frontier = below - found - set(keys)
        if not frontier:
            break
        found |= frontier
    return found


def _fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _chunks(keys, size=2000):
    if keys is None:
        yield None
        return
    keys = list(keys)
    for start in range(0, len(keys), size):
        yield keys[start:start + size]


WRITE_BATCH = 2000


def audit_lineage(*, only_changed=False, keys=None, as_of=None, snapshot=None):
    """Audit every model with weight parents (or, given `keys`, just those registry repo keys); store
    one AuditResult each. Returns an AuditRun.

    Each weight edge is evaluated once per shape of ancestry (policies.audit.Ancestry) and declared
    license, and the result fanned out to every model with an edge of that shape, renamed."""
    from kb.models import TermsDocument

    snapshot = snapshot or snapshots.current()
    as_of = as_of or timezone.now().date().isoformat()
    run = AuditRun(policy_version=snapshot.policy_version)
    subjects = [*(curated_subjects() if keys is None else ()), *registry_subjects(keys=keys)]
    graph = registry_graph(parent_keys=None if keys is None else {p.strip().lower() for s in subjects for p, _, _ in s.parents})
    keep_names = audit.names_read_by_rules(snapshot)
    resolved = {}

    def named(name):
        if name not in resolved:
            found = snapshot.model_index.resolve(name)
            resolved[name] = bool(found.resolved or found.candidates or found.target is not None)
        return resolved[name]

    ancestries, digests, reads = {}, {}, {}
    policy = audit.PolicyParts(snapshot)
    for subject in subjects:
        for parent, _, _ in subject.parents:
            if parent not in ancestries:
                ancestries[parent] = audit.ancestry(parent=parent, graph=graph, named=named, keep_names=keep_names)
                digests[parent] = audit.ancestry_digest(ancestries[parent])
                reads[parent] = policy.of_ancestry(ancestries[parent], graph)
    prints = {
        s.key: audit.fingerprint(
            name=s.student_name, parents=s.parents, declared=s.declared, ancestries=[digests[p] for p, _, _ in s.parents],
            policy=[policy.rules, *(policy.document(d) for d in s.declared), *(reads[p] for p, _, _ in s.parents)],
        )
        for s in subjects
    }
    listed = AuditResult.objects.all() if keys is None else AuditResult.objects.filter(model_key__in=[f"hub:{k}" for k in keys])
    stored = dict(listed.values_list("model_key", "fingerprint"))
    if only_changed:  # the fingerprint covers the parts of the policy a result reads, not its version
        todo = [s for s in subjects if stored.get(s.key) != prints[s.key]]
        run.unchanged = len(subjects) - len(todo)
    else:
        todo = subjects
    # A model no longer listed (deleted, or its parents removed) keeps no stale result.
    _delete([key for key in stored if key not in prints])
    # One unit per (shape of the parent's ancestry, edge, declared license): evaluated once.
    units = {}
    for subject in todo:
        for number, (parent, relation, evidence) in enumerate(subject.parents):
            shape = ancestries[parent].shape
            units.setdefault((shape, relation, evidence, subject.declared, subject.declared_known), []).append((subject, number, parent))
    licensors = dict(TermsDocument.objects.filter(publisher__isnull=False).values_list("spdx_id", "publisher__name"))
    prefixes = audit.naming_prefixes(snapshot)
    found = {}  # (model key, parent number) -> that edge's findings
    for (_, relation, evidence, declared, declared_known), members in units.items():
        representative = members[0][2]
        nodes = ancestries[representative].nodes
        view = audit.lineage_view(ancestry=ancestries[representative], graph=graph, snapshot=snapshot) if nodes else None
        results = audit.audit_edge(view=view,
            parent=representative, relation=relation, evidence=evidence, declared=declared, as_of=as_of, declared_known=declared_known,
            licensors=licensors, snapshot=snapshot, prefixes=prefixes,
            members=[((s.key, n), s.student_name, s.owner, _rename(nodes, ancestries[p].nodes)) for s, n, p in members],
        )
        found.update(results)
    run.groups = len(units)
    run.edges = sum(len(m) for m in units.values())
    now, pending = timezone.now(), []
    for subject in todo:  # each model's findings in the order of its parents, as evaluated one by one
        edges = [found[subject.key, number] for number in range(len(subject.parents))]
        conflicts = [c for edge in edges for c in edge["conflicts"]]
        pending.append(AuditResult(
            model_key=subject.key, source=subject.source, name=subject.name, declared_license=" AND ".join(subject.declared),
            conflicts=conflicts, unknowns=[u for edge in edges for u in edge["unknowns"]], conflict_count=len(conflicts),
            fingerprint=prints[subject.key], policy_version=snapshot.policy_version, audited_at=now,
        ))
        run.with_conflicts += bool(conflicts)
        run.keys.append(subject.key)
        if len(pending) >= WRITE_BATCH:
            _replace(pending)
            pending = []
    _replace(pending)
    run.audited = len(todo)
    return run


def _rename(representative, member):
    """The representative's registry ancestors -> the member's (repo id, organization, and the two
    card commits), by position."""
    if representative is member:
        return {}
    return {old: (new, org, old_sha, new_sha) for (old, _, old_sha), (new, org, new_sha) in zip(representative, member, strict=True)}


def audit_after_import(*, keys, as_of=None, snapshot=None):
    """Re-audit what an import touched: the imported registry models and every model below them
    whose lineage view reaches them (their results' fingerprints say which changed)."""
    keys = {k.strip().lower() for k in keys}
    if not keys:
        return AuditRun(policy_version="")
    return audit_lineage(only_changed=True, keys=keys | descendants(keys), as_of=as_of, snapshot=snapshot)


RESULT_COLUMNS = [
    "model_key", "source", "name", "declared_license", "conflicts", "unknowns", "conflict_count", "fingerprint", "policy_version", "audited_at",
]
JSON_COLUMNS = {"conflicts", "unknowns"}


def _replace(results):
    """Store results, replacing the models' previous ones, in one transaction (a batch is all or nothing).
    One parameterized INSERT sent with executemany: bulk_create's per-field preparation cost more
    than the database at hundreds of thousands of rows."""
    if not results:
        return
    ops = connection.ops
    json_value = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    marks = ", ".join(json_value if c in JSON_COLUMNS else "%s" for c in RESULT_COLUMNS)
    sql = f"INSERT INTO {AuditResult._meta.db_table} ({', '.join(RESULT_COLUMNS)}) VALUES ({marks})"
    rows = [
        [
            orjson.dumps(getattr(r, c)).decode() if c in JSON_COLUMNS
            else ops.adapt_datetimefield_value(r.audited_at) if c == "audited_at" else getattr(r, c)
            for c in RESULT_COLUMNS
        ]
        for r in results
    ]
    with transaction.atomic():
        _delete([r.model_key for r in results])
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def _delete(keys):
    for start in range(0, len(keys), 500):
        AuditResult.objects.filter(model_key__in=keys[start:start + 500]).delete()
