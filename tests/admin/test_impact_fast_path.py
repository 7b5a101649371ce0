"""Impact preview evaluates only the draft's rule; these tests hold it to what full evaluations say.

For many stored decisions (varied workflows over the shipped knowledge base and rules) and several
drafts (new rules, and edits of published rules that add, remove or soften findings), the changes
`changed_verdicts` reports must be exactly the ones found by evaluating every rule before and after.
"""

import random

import pytest

from policies.engine import contract
from policies.engine import snapshot as snapshots
from policies.engine.evaluate import evaluate_parsed, evaluate_workflow
from policies.engine.workflow import parse_workflow
from policies.impact import Change, StoredDecision, candidate_snapshot, changed_verdicts
from policies.models import Rule

pytestmark = pytest.mark.django_db


def random_workflows(snap, count, seed=11):
    rng = random.Random(seed)
    models = sorted(snap.models)
    datasets = sorted(snap.datasets)

    def model():
        return "acme/unknown-model" if rng.random() < 0.05 else rng.choice(models)

    for i in range(count):
        student = {"name": rng.choice(["acme-7b", "Llama-acme", "Gemma-x", f"s-{i}"]), "purpose": rng.choice(contract.PURPOSE.values),
                   "release": rng.choice(contract.RELEASE.values)}
        if rng.random() < 0.6:
            student["base_model"] = model()
        if rng.random() < 0.7:
            student["competes_with_teachers"] = rng.choice([True, False, None])
        if rng.random() < 0.5:
            student["license"] = rng.choice(["Apache-2.0", "CC-BY-SA-3.0", "MIT"])
        if rng.random() < 0.6:
            student["training_compute_flop"] = rng.choice([1e20, 5e22, 3e23, 2e25, 2e26])
        teachers = [{"model": model(), **({"access": rng.choice(["api", "self_hosted"])} if rng.random() < 0.3 else {})} for _ in range(rng.choice([0, 1, 1, 2]))]
        ds = [{"dataset": rng.choice(datasets)} if rng.random() < 0.7 else
              {"name": f"adhoc-{rng.randint(0, 3)}", "license": rng.choice([None, "CC-BY-4.0", "CC-BY-SA-4.0"]), "generated_by": [model()]}
              for _ in range(rng.choice([0, 1, 2]))]
        workflow = {"student": student, "teachers": teachers, "datasets": ds,
                    "deployment": {"jurisdictions": rng.sample(["EU", "DE", "US", "US-CA", "CN", "KR", "JP"], rng.choice([0, 1, 2]))},
                    "organization": {"country": rng.choice(["DE", "US", None]), "monthly_active_users": rng.choice([None, 1000, 800_000_000]),
                                     "annual_revenue_usd": rng.choice([None, 2e6, 1e9])}}
        if rng.random() < 0.9:  # the rest are dated by the check, as stored inputs without as_of are
            workflow["as_of"] = f"{rng.choice([2024, 2025, 2026])}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        yield workflow


def stored(workflows, before):
    decisions = []
    for i, workflow in enumerate(workflows):
        decision = evaluate_workflow(workflow, snapshot=before)
        if i % 3 == 1:
            # Logged under other rules: re-run in full, whatever verdict the log says.
            decisions.append(StoredDecision(f"stale-{i}", None, workflow, decision.as_of, "allowed", policy_version="sha256:older"))
        else:
            decisions.append(StoredDecision(str(i), None, workflow, decision.as_of, decision.verdict, policy_version=decision.policy_version))
    bad = {"student": {"name": "x", "purpose": "evil", "release": "api"}}
    decisions.append(StoredDecision("invalid", None, bad, "2026-11-28", "allowed", policy_version=before.policy_version))
    return decisions


def full_changes(decisions, slug, before, after):
    """The reference: every rule evaluated on both sides."""
    changes = []
    for decision in decisions[:-1]:
        old = evaluate_workflow(decision.input, as_of=decision.as_of, snapshot=before)
        new = evaluate_workflow(decision.input, as_of=decision.as_of, snapshot=after)
        if old.verdict != new.verdict:
            old_rule = [f.to_json() for f in old.findings if f.rule == slug]
            new_rule = [f.to_json() for f in new.findings if f.rule == slug]
            changes.append(Change(decision, old.verdict, new.verdict, tuple(f for f in new_rule if f not in old_rule), tuple(f for f in old_rule if f not in new_rule)))
    return changes


def new_rule(**fields):
    values = {"slug": "draft-rule", "title": "t", "effect": "prohibit", "scope": {}, "condition": "", "message": "{student.name}", "remedy": "",
              "status": Rule.Status.DRAFT, **fields}
    return Rule(**values), (), ()


def edited(slug, **fields):
    rule = Rule.objects.get(slug=slug)
    for name, value in fields.items():
        setattr(rule, name, value)
    return rule, rule.clauses.select_related("version__document"), rule.provisions.all()


DRAFTS = {
    "a new clause rule that prohibits": lambda: new_rule(
        scope={"clause_types": ["competing_models"], "relations": ["distillation", "generated_by"]}, condition="student.release == 'open_weights'",
        message="{document.name} ({clause.section}): {asset.name}"),
    "a new workflow rule that asks for review": lambda: new_rule(effect="review", scope={"jurisdictions": ["JP", "KR"]}),
    "a published prohibition that no longer fires": lambda: edited("competing-models", condition="false"),
    "a published review softened to an obligation": lambda: edited("competing-models-unknown", effect="require"),
    "a published permission turned into a prohibition": lambda: edited("distillation-permitted", effect="prohibit"),
    "a published obligation that fires more often": lambda: edited("license-notice", condition="true", scope={"clause_types": ["attribution_notice"]}),
    "a published rule saved unchanged": lambda: edited("use-policy-flow-down"),
}


@pytest.fixture(scope="module")
def published(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        snapshots.clear_cache()
        before = snapshots.current()
        return before, stored(random_workflows(before, 300), before)


@pytest.mark.parametrize("name", DRAFTS)
def test_the_fast_path_reports_exactly_the_changes_a_full_evaluation_finds(name, published):
    before, decisions = published
    rule, clauses, provisions = DRAFTS[name]()
    after = candidate_snapshot(rule, clauses, provisions, base=before)

    changes, invalid = changed_verdicts(decisions, rule.slug, before, after)

    assert invalid == 1
    assert changes == full_changes(decisions, rule.slug, before, after)
    if name == "a published rule saved unchanged":
        assert changes == []
    else:
        assert len(changes) >= 5, len(changes)  # the comparison is not vacuous
        assert any(c.check.id.startswith("stale") for c in changes) and any(not c.check.id.startswith("stale") for c in changes)


def test_evaluating_only_some_rules_gives_exactly_their_findings_in_a_full_evaluation(published):
    before, decisions = published
    slugs = sorted(rule.slug for rule in before.rules)
    fired = set()
    for decision in decisions[:150]:
        workflow = parse_workflow(decision.input, before.licensing, as_of=decision.as_of)
        full = [f.to_json() for f in evaluate_parsed(workflow, before).findings]
        for slug in slugs:
            only = [f.to_json() for f in evaluate_parsed(workflow, before, {slug}).findings]
            assert only == [f for f in full if f["rule"] == slug], (decision.id, slug)
            fired |= {slug} if only else set()
    assert len(fired) >= 20  # most shipped rules fire somewhere in the sample
