"""Rules in the database: validation on save, the snapshot cache and its invalidation, the decision log."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from kb.models import TermsDocument
from policies.engine import snapshot as snapshots
from policies.engine.evaluate import evaluate_workflow
from policies.models import Check, Rule, input_hash

pytestmark = pytest.mark.django_db

WORKFLOW = {"as_of": "2026-11-28", "student": {"name": "acme", "purpose": "commercial", "release": "internal"}}


def rule(**fields):
    values = {"slug": "r", "title": "t", "effect": "review", "scope": {}, "message": "m", **fields}
    return Rule(**values)


@pytest.mark.parametrize(
    "fields, field, words",
    [
        ({"condition": "student.nme == 'x'"}, "condition", "student has no field 'nme'"),
        ({"message": "{student.nme}"}, "message", 'student has no field "nme"'),
        ({"condition": "nobody == 1"}, "condition", "undeclared reference to 'nobody'"),
        ({"condition": "student.compute + 1.0"}, "condition", "must be a boolean"),
        ({"condition": "clause.type == 'naming'"}, "condition", "undeclared reference to 'clause.type'"),
        ({"scope": {"clause_types": ["nonsense"]}}, "scope", "is not one of"),
        ({"message": "{teacher.name}"}, "message", '"teacher" is not a fact here'),
        ({"remedy": "use {clause.key}"}, "remedy", '"clause" is not a fact here'),
    ],
)
def test_a_bad_rule_is_refused_with_the_field_named(fields, field, words):
    with pytest.raises(ValidationError) as caught:
        rule(**fields).full_clean()
    assert field in caught.value.message_dict
    assert words in " ".join(caught.value.message_dict[field])


def test_a_good_exposure_rule_validates():
    rule(scope={"clause_types": ["naming"]}, condition="!student.name_key.startsWith(clause.params_key.prefix)", message="{clause.params.prefix}").full_clean()


def test_the_snapshot_is_cached_until_something_changes():
    snapshots.clear_cache()
    first = snapshots.current()
    assert snapshots.current() is first
    Rule.objects.create(slug="new-rule", title="t", effect="review", message="m", scope={"jurisdictions": ["JP"]})
    second = snapshots.current()
    assert second is not first
    assert second.policy_version != first.policy_version
    assert "new-rule" in {r.slug for r in second.rules}
    assert snapshots.current() is second
    doc = TermsDocument.objects.get(spdx_id="MIT")
    doc.name = "MIT License (renamed)"
    doc.save()
    third = snapshots.current()
    assert third is not second and third.documents["MIT"]["name"] == "MIT License (renamed)"


def test_a_new_rule_takes_effect_on_the_next_check():
    assert evaluate_workflow({**WORKFLOW, "deployment": {"jurisdictions": ["JP"]}}).verdict == "allowed"
    Rule.objects.create(slug="jp-note", title="t", effect="review", message="Japan: {student.name}", scope={"jurisdictions": ["JP"]})
    decision = evaluate_workflow({**WORKFLOW, "deployment": {"jurisdictions": ["JP"]}})
    assert decision.verdict == "review"
    assert decision.findings[0].message == "Japan: acme" and decision.findings[0].subject == "student"


def test_disabled_rules_are_not_in_the_snapshot():
    Rule.objects.create(slug="off", title="t", effect="prohibit", message="m", enabled=False)
    assert "off" not in {r.slug for r in snapshots.current().rules}


def test_the_policy_version_is_stable_for_the_same_content():
    snapshots.clear_cache()
    assert snapshots.build().policy_version == snapshots.build().policy_version


def test_a_recorded_check_stores_the_input_decision_and_version():
    decision = evaluate_workflow(WORKFLOW)
    [check] = Check.objects.record([(WORKFLOW, decision)], channel=Check.Channel.CLI)
    stored = Check.objects.get(pk=check.pk)
    assert decision.check_id == str(stored.pk)
    assert stored.decision["check_id"] == str(stored.pk)
    assert stored.input == WORKFLOW and stored.input_hash == input_hash(WORKFLOW) and len(stored.input_hash) == 64
    assert stored.verdict == decision.verdict and stored.policy_version == decision.policy_version
    assert input_hash({"b": 1, "a": 2}) == input_hash({"a": 2, "b": 1})


def test_shipped_rules_load_with_their_examples_and_citations():
    shipped = Rule.objects.get(slug="eu-gpai-provider-from-scratch")
    assert shipped.examples.count() >= 2
    assert set(shipped.provisions.values_list("ref", flat=True)) >= {"EU-AIA-53-1-c", "EU-AIA-53-1-d"}


def test_a_rule_fixture_with_a_bad_condition_aborts_the_load(tmp_path):
    (tmp_path / "rules.yaml").write_text(
        "rules:\n  - {slug: broken, title: t, effect: review, message: m, condition: 'student.nope(1)'}\n", encoding="utf-8"
    )
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"rules\[0\] \(broken\): field condition"):
        call_command("load_kb", fixtures=str(tmp_path), stdout=io.StringIO(), stderr=io.StringIO())
    assert not Rule.objects.filter(slug="broken").exists()
