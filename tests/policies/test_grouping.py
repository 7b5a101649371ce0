"""One finding per point: the same rule on the same publisher's terms for the same asset, reached through
several documents or routes, is one finding with every citation and path. Grouping never changes a
verdict: every shipped scenario and every rule example is held to it."""

import importlib
import pkgutil

import pytest

import tests.scenarios
from policies.engine.decision import SEVERITY, verdict_of
from policies.engine.evaluate import evaluate_workflow
from policies.models import RuleExample

pytestmark = pytest.mark.django_db

DAY = "2026-11-28"


def student(**extra):
    return {"name": "acme-7b", "purpose": "commercial", "release": "open_weights", **extra}


def assert_grouping_keeps_everything(decision):
    """Every finding before grouping is in a grouped one: same rule, its path and citations among the
    group's, an effect at least as severe; and the verdict is the ungrouped findings' verdict."""
    assert decision.verdict == verdict_of(decision.ungrouped)
    for before in decision.ungrouped:
        # (Two points may share a rule and a path: a model under MIT and Llama 3.1 gives two notices.)
        groups = [g for g in decision.findings if g.rule == before.rule and before.path in g.paths and set(before.citations) <= set(g.citations)]
        assert groups, (before.rule, before.path)
        assert any(SEVERITY[g.effect] <= SEVERITY[before.effect] for g in groups)
    for group in decision.findings:
        assert group.path == group.paths[0] and group.subject == group.subjects[0]
    assert len(decision.findings) <= len(decision.ungrouped)


def test_openai_terms_through_two_documents_and_generated_data_are_one_finding(kb_db):
    decision = evaluate_workflow({
        "as_of": DAY,
        "student": student(competes_with_teachers=True),
        "teachers": [{"model": "gpt-4o"}],
        "datasets": [{"name": "synthetic-qa", "license": "CC-BY-4.0", "generated_by": ["gpt-4o"]}],
    })
    competing = [f for f in decision.findings if f.rule == "competing-models"]
    assert len(competing) == 1
    [finding] = competing
    assert finding.effect == "prohibit" and finding.binding == "direct"  # the worst route leads
    assert finding.path == ("acme-7b", "gpt-4o")
    assert finding.paths == (("acme-7b", "gpt-4o"), ("acme-7b", "synthetic-qa", "gpt-4o"))
    assert finding.subjects == ("gpt-4o", "synthetic-qa")
    assert {c.ref for c in finding.citations} == {"LicenseRef-OpenAI-Services-Agreement", "LicenseRef-OpenAI-Terms-of-Use"}
    assert len([f for f in decision.ungrouped if f.rule == "competing-models"]) == 4
    assert_grouping_keeps_everything(decision)
    data = finding.to_json()
    assert data["path"] == ["acme-7b", "gpt-4o"] and data["paths"][1] == ["acme-7b", "synthetic-qa", "gpt-4o"]


def test_different_providers_stay_apart(kb_db):
    decision = evaluate_workflow({
        "as_of": DAY,
        "student": student(release="api", competes_with_teachers=True),
        "teachers": [{"model": "gpt-4o"}, {"model": "gemini-2.0-flash"}],
    })
    competing = [f for f in decision.findings if f.rule == "competing-models"]
    assert sorted(f.subject for f in competing) == ["gemini-2.0-flash", "gpt-4o"]
    assert all(len(f.paths) == 1 for f in competing)


def test_obligations_keep_every_document_s_wording(kb_db):
    decision = evaluate_workflow({"as_of": DAY, "student": student(base_model="meta-llama/Llama-3.1-8B")})
    assert decision.obligations == list(dict.fromkeys(f.message for f in decision.ungrouped if f.effect == "require"))
    assert decision.obligations


def _scenario_modules():
    """Every scenario module that ships a SCENARIOS table, so a new one is held to this too."""
    for info in pkgutil.iter_modules(tests.scenarios.__path__):
        module = importlib.import_module(f"tests.scenarios.{info.name}")
        if hasattr(module, "SCENARIOS"):
            yield module


def _scenarios():
    for module in _scenario_modules():
        for param in module.SCENARIOS:
            workflow, as_of = param.values[0], (param.values[1] if len(param.values) == 5 else None)
            yield pytest.param(workflow, as_of, id=f"{module.__name__.rsplit('.', 1)[1]}-{param.id}")


@pytest.mark.parametrize("workflow, as_of", list(_scenarios()))
def test_grouping_never_changes_a_shipped_scenario_s_verdict(kb_db, workflow, as_of):
    assert_grouping_keeps_everything(evaluate_workflow(workflow, as_of=as_of))


def test_grouping_never_changes_a_rule_example_s_verdict(kb_db):
    examples = list(RuleExample.objects.all())
    assert len(examples) > 50
    for example in examples:
        assert_grouping_keeps_everything(evaluate_workflow(example.workflow, as_of=example.as_of))
