"""Run the license drift audit over the knowledge base and the registry, and store the results.

`audit_lineage` lists every model with weight parents (curated kb.AIModel through LineageEdge;
registry HubModel through HubEdge, except repositories a curated record stands for), computes what
each result depends on (policies.audit.fingerprint, plus the policy version) and, with
`only_changed`, re-audits just the models whose fingerprint or policy version differs from the stored
result. Models that share their parents and declared license are evaluated together
(policies.audit.audit_group). Each group's results are written in one transaction.
"""

from dataclasses import dataclass, field

from django.db import transaction
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
    groups: int = 0
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
    """Registry models with parents; `keys` (repo_keys) limits the listing."""
    from kb.models import AIModel
    from registry.licenses import load_mapping, terms_for
    from registry.models import HubEdge, HubModel

    mapping = load_mapping()
    curated = {hf.lower() for hf in AIModel.objects.exclude(hf_id="").exclude(hf_id__isnull=True).values_list("hf_id", flat=True)}
    edges = HubEdge.objects.order_by("child_id", "id")
    if keys is not None:
        edges = edges.filter(child_key__in=keys)
    parents = {}
    for child_id, parent, relation, evidence in edges.values_list("child_id", "parent_repo_id", "relation", "evidence"):
        parents.setdefault(child_id, []).append((parent, relation, evidence))
    licenses = {}
    rows = HubModel.objects.filter(id__in=list(parents)).values("id", "repo_id", "repo_key", "license", "license_name", "license_link")
    rows = [r for r in rows if r["repo_key"] not in curated]
    parent_keys = {p.lower() for ps in parents.values() for p, _, _ in ps}
    for repo_key, lic, name, link in HubModel.objects.filter(repo_key__in=parent_keys).values_list("repo_key", "license", "license_name", "license_link"):
        licenses[repo_key] = f"{lic}|{name}|{link}"
    for row in rows:
        spdx, _ = terms_for(row["license"], row["license_name"], row["license_link"], mapping)
        mine = parents[row["id"]]
        yield Subject(
            owner=(row["repo_key"].split("/", 1)[0],), key=f"hub:{row['repo_key']}", source=AuditResult.Source.REGISTRY, name=row["repo_id"],
            student_name=row["repo_id"].split("/", 1)[-1], parents=tuple(mine), declared=(spdx,) if spdx else (),
            parent_licenses=tuple(licenses.get(p.lower(), "") for p, _, _ in mine),
        )


WRITE_BATCH = 2000


def audit_lineage(*, only_changed=False, as_of=None, snapshot=None):
    """Audit every model with weight parents; store one AuditResult each. Returns an AuditRun."""
    from kb.models import TermsDocument

    snapshot = snapshot or snapshots.current()
    as_of = as_of or timezone.now().date().isoformat()
    run = AuditRun(policy_version=snapshot.policy_version)
    subjects = [*curated_subjects(), *registry_subjects()]
    prints = {
        s.key: audit.fingerprint(name=s.student_name, parents=s.parents, declared=s.declared, parent_licenses=s.parent_licenses)
        for s in subjects
    }
    stored = dict(AuditResult.objects.values_list("model_key", "fingerprint" if only_changed else "policy_version"))
    if only_changed:
        current = set(AuditResult.objects.filter(policy_version=snapshot.policy_version).values_list("model_key", flat=True))
        todo = [s for s in subjects if s.key not in current or stored[s.key] != prints[s.key]]
        run.unchanged = len(subjects) - len(todo)
    else:
        todo = subjects
    # A model no longer listed (deleted, or its parents removed) keeps no stale result.
    _delete([key for key in stored if key not in prints])
    groups = {}
    for subject in todo:
        groups.setdefault((subject.parents, subject.declared, subject.declared_known), []).append(subject)
    licensors = dict(TermsDocument.objects.filter(publisher__isnull=False).values_list("spdx_id", "publisher__name"))
    now, pending = timezone.now(), []
    for (parents, declared, declared_known), members in groups.items():
        results = audit.audit_group(
            members=[(m.key, m.student_name, m.owner) for m in members], parents=parents, declared=declared, as_of=as_of,
            declared_known=declared_known, licensors=licensors, snapshot=snapshot,
        )
        for member in members:
            conflicts = results[member.key]["conflicts"]
            pending.append(AuditResult(
                model_key=member.key, source=member.source, name=member.name, declared_license=" AND ".join(declared),
                conflicts=conflicts, unknowns=results[member.key]["unknowns"], conflict_count=len(conflicts),
                fingerprint=prints[member.key], policy_version=snapshot.policy_version, audited_at=now,
            ))
            run.with_conflicts += bool(conflicts)
            run.keys.append(member.key)
        run.groups += 1
        if len(pending) >= WRITE_BATCH:
            _replace(pending)
            pending = []
    _replace(pending)
    run.audited = len(todo)
    return run


def _replace(results):
    """Store results, replacing the models' previous ones, in one transaction (a batch is all or nothing)."""
    with transaction.atomic():
        _delete([r.model_key for r in results])
        AuditResult.objects.bulk_create(results, batch_size=500)


def _delete(keys):
    for start in range(0, len(keys), 500):
        AuditResult.objects.filter(model_key__in=keys[start:start + 500]).delete()
