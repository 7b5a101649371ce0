"""The audit at scale gives each model exactly what auditing it alone gives, and re-audits what a change
touches: an import (the imported models and everything below them), a license changed several
levels up, a rule or terms change.

The grouped audit evaluates each weight edge once per shape of ancestry and declared license and puts
each member's own names back; the reference here evaluates every model on its own
(policies.audit.audit_group with that model alone), so the two must agree finding for finding.
"""

import dataclasses
import io
import json
import random

import pytest
from django.core.management import call_command

from audit import services
from audit.models import AuditResult
from policies import audit
from policies.engine import snapshot as snapshots
from registry import services as registry_services
from registry.models import HubModel

pytestmark = pytest.mark.django_db
AS_OF = "2026-12-01"
# Weighted roughly as on the Hub: mostly Apache-2.0, then Llama, a few others and none.
LICENSES = ["apache-2.0"] * 6 + ["llama3.1"] * 3 + ["gemma", "cc-by-nc-4.0", "mit", ""]


def record(repo_id, license, bases=(), relation=None):
    card = {"license": license} if license else {}
    if bases:
        card["base_model"] = bases[0] if len(bases) == 1 else list(bases)
    if relation:
        card["base_model_relation"] = relation
    return {"id": repo_id, "author": repo_id.split("/")[0], "sha": "0" * 40, "cardData": card, "tags": [], "siblings": []}


def synthetic_tree(seed=11, families=6, size=260):
    """Families under curated bases (Llama 3.1 8B, Gemma 2 9B) and under registry heads, chains deeper
    than the view's 8 levels, merges across branches, quantizations named after their parent
    (inferred edges), licensors' own repositories, a parent nobody holds."""
    rng = random.Random(seed)
    heads = ["meta-llama/Llama-3.1-8B", "google/gemma-2-9b", *(f"head{f}/base-{f}" for f in range(families - 2))]
    records = [record(h, rng.choice(["apache-2.0", "llama3.1", "gemma", "cc-by-nc-4.0"])) for h in heads[2:]]
    members = {h: 0 for h in heads}
    for i in range(size):
        parent = rng.choice(heads if rng.random() < 0.6 else list(members))  # most models derive from a family's head
        depth = members[parent] + 1
        owner = rng.choice(["acme", "meta-llama", "org1", "org2", "org3", f"user{i}"])
        relation = rng.choice(["finetune", "quantized", "adapter", None, None, None, "merge"])
        if relation == "quantized" and rng.random() < 0.5:
            records.append(record(f"{owner}/{parent.split('/')[-1]}-GGUF", rng.choice(LICENSES)))  # parent inferred from the name
            continue
        bases = [parent]
        if relation == "merge":
            bases.append(rng.choice([*members, "nobody/unknown-base"]))
        name = f"{owner}/m{i}-d{depth}"
        records.append(record(name, rng.choice(LICENSES), bases=list(dict.fromkeys(bases)), relation=relation))
        members[name] = depth
    chain = "head2/base-2"
    for level in range(11):  # one chain of 11 levels, each by another owner: the view reads 8 up
        records.append(record(level_id(level), "apache-2.0" if level else "llama3.1", bases=[chain], relation="finetune"))
        chain = level_id(level)
    return records


def level_id(level):
    return f"deep{level}/level-{level}"


def level_key(level):
    return f"hub:{level_id(level)}"


def alone():
    """Each model audited on its own: {model key: (conflicts, unknowns)}."""
    snapshot = snapshots.current()
    licensors = dict(__import__("kb.models", fromlist=["TermsDocument"]).TermsDocument.objects.filter(
        publisher__isnull=False).values_list("spdx_id", "publisher__name"))
    out = {}
    for s in [*services.curated_subjects(), *services.registry_subjects()]:
        result = audit.audit_group(
            members=[(s.key, s.student_name, s.owner)], parents=s.parents, declared=s.declared, as_of=AS_OF,
            declared_known=s.declared_known, licensors=licensors, snapshot=snapshot,
        )[s.key]
        out[s.key] = (result["conflicts"], result["unknowns"])
    return out


def stored():
    return {r.model_key: (r.conflicts, r.unknowns) for r in AuditResult.objects.all()}


@pytest.fixture
def tree(kb_db):
    registry_services.import_records(records=synthetic_tree())


def test_the_grouped_audit_gives_every_model_what_auditing_it_alone_gives(tree):
    run = services.audit_lineage(as_of=AS_OF)
    assert run.groups < run.edges * 0.7  # the point of grouping: fewer evaluations than edges
    assert sum(r.conflict_count for r in AuditResult.objects.all()) > 50
    expected = alone()
    assert stored().keys() == expected.keys()
    for key, result in stored().items():
        assert result == expected[key], key


def test_the_grouped_audit_matches_on_the_sample_cards(kb_db):
    from tests.audit.test_drift import CARDS, card_records

    if not CARDS.exists():
        pytest.skip("../shared/data/hub-cards/cards.jsonl is not on this machine")
    registry_services.import_records(records=[*card_records(), *synthetic_tree(seed=3, size=120)])
    services.audit_lineage(as_of=AS_OF)
    assert stored() == alone()


def test_a_license_changed_three_levels_up_reaudits_every_descendant(tree):
    services.audit_lineage(as_of=AS_OF)
    touched = {level_key(n) for n in range(3, 11)}
    gemma = "LicenseRef-Gemma-Terms-of-Use"
    assert not [c for c in AuditResult.objects.get(model_key=level_key(4)).conflicts if c["terms"] == gemma]
    # deep/level-3 is Apache-2.0 over Apache-2.0 over Llama 3.1: relicensed under Gemma, it and every
    # model below it (levels 4-10, up to seven levels down) is audited again, and nothing else.
    HubModel.objects.filter(repo_key=level_id(3)).update(license="gemma")
    run = services.audit_lineage(only_changed=True, as_of=AS_OF)
    assert set(run.keys) == touched
    assert not services.audit_lineage(only_changed=True, as_of=AS_OF).keys
    assert [c["ancestor"] for c in AuditResult.objects.get(model_key=level_key(4)).conflicts if c["kind"] == "terms_not_carried"] == [level_id(3)]
    assert stored() == alone()


def test_import_hf_reaudits_the_imported_models_and_their_descendants(tree, tmp_path):
    services.audit_lineage(as_of=AS_OF)
    before = {r.model_key: r.audited_at for r in AuditResult.objects.all()}
    jsonl = tmp_path / "changed.jsonl"
    jsonl.write_text(
        '{"id": "deep1/level-1", "author": "deep1", "cardData": {"license": "cc-by-nc-4.0", "base_model": "deep0/level-0"}}\n'
        '{"id": "newcomer/fresh-ft", "author": "newcomer", "cardData": {"license": "mit", "base_model": "meta-llama/Llama-3.1-8B"}}\n'
    )
    out = io.StringIO()
    call_command("import_hf", "--jsonl", str(jsonl), stdout=out)
    assert "license drift audit" in out.getvalue()
    changed = {k for k, r in ((r.model_key, r) for r in AuditResult.objects.all()) if before.get(k) != r.audited_at}
    # level-1 itself, levels 2-10 (level 10's view reads level-1's row: its parent's eighth ancestor)
    # and the new model; nothing else.
    assert changed == {*(level_key(n) for n in range(1, 11)), "hub:newcomer/fresh-ft"}
    nc = AuditResult.objects.get(model_key=level_key(2)).conflicts
    assert {c["kind"] for c in nc} >= {"non_commercial"}
    assert stored() == alone()


def test_import_hf_no_audit_leaves_the_results_alone(tree, tmp_path):
    services.audit_lineage(as_of=AS_OF)
    jsonl = tmp_path / "one.jsonl"
    jsonl.write_text('{"id": "newcomer/fresh-ft", "author": "newcomer", "cardData": {"license": "mit", "base_model": "meta-llama/Llama-3.1-8B"}}\n')
    out = io.StringIO()
    call_command("import_hf", "--jsonl", str(jsonl), "--no-audit", stdout=out)
    assert "license drift audit" not in out.getvalue()
    assert not AuditResult.objects.filter(model_key="hub:newcomer/fresh-ft").exists()


def audited_at():
    return dict(AuditResult.objects.values_list("model_key", "audited_at"))


def test_a_changed_terms_document_reaudits_only_the_models_whose_lineage_reaches_it(tree):
    services.audit_lineage(as_of=AS_OF)
    snapshot = snapshots.current()
    gemma = "LicenseRef-Gemma-Terms-of-Use"
    changed = dataclasses.replace(snapshot, documents={**snapshot.documents, gemma: {**snapshot.documents[gemma], "name": "Gemma Terms, edited"}})
    run = services.audit_lineage(only_changed=True, as_of=AS_OF, snapshot=changed)
    reaching = {r.model_key for r in AuditResult.objects.all() if gemma in json.dumps([r.conflicts, r.unknowns]) or gemma in r.declared_license}
    assert 0 < run.audited < run.audited + run.unchanged
    # Every model that names Gemma's terms in a finding, or declares them, was audited again; the
    # rest reach Gemma through an ancestor the audit reads without a finding, or not at all.
    assert reaching <= set(run.keys)
    declared = set(AuditResult.objects.filter(declared_license__contains=gemma).values_list("model_key", flat=True))
    assert [key for key in run.keys if key not in declared and not _reaches(key, gemma)] == []


def _reaches(model_key, spdx):
    """Whether a model's ancestors (any lineage relation) include one under `spdx` (its weights or
    its service terms): registry ancestors through the registry's own lineage query, curated ones
    through the knowledge base's lineage."""
    from registry import selectors
    from registry.licenses import load_mapping, terms_for

    snapshot = snapshots.current()

    def curated(name):
        model, seen = snapshot.model_index.resolve(name).target, set()
        queue = [model] if model else []
        while queue:
            model = queue.pop()
            if model is None or model["slug"] in seen:
                continue
            seen.add(model["slug"])
            if spdx in (*model["weights_terms"], *model["service_terms"]) and model["slug"] != model_key[3:]:
                return True
            queue += [snapshot.models.get(edge["slug"]) for edge in model["parents"]]
        return False

    if model_key.startswith("kb:"):
        return curated(snapshot.models[model_key[3:]]["name"])
    found = selectors.ancestors([model_key[4:]], max_depth=audit.MAX_DEPTH + 1)
    mapping = load_mapping()
    rows = [m for k, m in found["models"].items() if k != model_key[4:]]
    return any(terms_for(m["license"], m["license_name"], m["license_link"], mapping)[0] == spdx for m in rows) or any(
        curated(e["parent_repo_id"]) for e in found["edges"]
    )


def test_publishing_a_rule_the_audit_keeps_reaudits_and_one_it_ignores_does_not(tree, django_capture_on_commit_callbacks):
    from policies.models import Rule

    services.audit_lineage()
    before = audited_at()
    with django_capture_on_commit_callbacks(execute=True):
        rule = Rule.objects.get(slug="kr-ai-basic-act")  # a law's rule: no drift finding comes from it
        rule.title += " (edited)"
        rule.save()
    assert audited_at() == before
    with django_capture_on_commit_callbacks(execute=True):
        rule = Rule.objects.get(slug="naming-prefix")
        rule.remedy = "Rename the student: its name must start with \"{clause.params.prefix}\" ({student.name})."
        rule.save()
    after = audited_at()
    assert after.keys() == before.keys() and all(after[k] != before[k] for k in before)
    naming = [c for r in AuditResult.objects.all() for c in r.conflicts if c["kind"] == "naming"]
    assert naming and all(c["fix"].startswith("Rename the student: its name must start with") for c in naming)


def test_a_knowledge_base_load_that_changed_something_reaudits_what_it_touched(tree, django_capture_on_commit_callbacks):
    from kb.signals import knowledge_base_loaded

    services.audit_lineage()
    before = audited_at()

    class Stats:
        changed = True

    with django_capture_on_commit_callbacks(execute=True):
        knowledge_base_loaded.send(sender=None, stats=Stats())
    assert audited_at() == before  # the same knowledge base: no result reads anything that changed
