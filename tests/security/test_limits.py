"""The contract's limits on counts and lengths (docs/check-contract.md, "Limits"): each is refused
with the field and the limit named, and outsize checks logged before the limits existed cannot
stall the impact preview."""

import copy
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from policies.engine import contract as W
from policies.engine.workflow import WorkflowError, build_licensing, parse_workflow
from policies.impact import preview_impact
from policies.models import Check, Rule
from tests.api.conftest import errors_of

pytestmark = pytest.mark.django_db

BASE = {"as_of": "2026-11-28", "student": {"name": "acme-7b", "purpose": "commercial", "release": "internal"}}
LICENSING = build_licensing([])


def parse(**changes):
    workflow = copy.deepcopy(BASE)
    for key, value in changes.items():
        if key.startswith("student_"):
            workflow["student"][key.removeprefix("student_")] = value
        else:
            workflow[key] = value
    return parse_workflow(workflow, LICENSING)


def refused(**changes):
    with pytest.raises(WorkflowError) as error:
        parse(**changes)
    return error.value.path, error.value.message


def adhoc(n_models=0):
    return {"name": "d", "generated_by": ["gpt-4o"] * n_models}


@pytest.mark.parametrize("changes, field, words", [
    ({"teachers": [{"model": "gpt-4o"}] * (W.MAX_TEACHERS + 1)}, "teachers", f"at most {W.MAX_TEACHERS} teachers, got {W.MAX_TEACHERS + 1}"),
    ({"teachers": [{"model": "gpt-4o"}] * 20_000}, "teachers", f"at most {W.MAX_TEACHERS} teachers, got 20000"),
    ({"datasets": [{"dataset": "x"}] * (W.MAX_DATASETS + 1)}, "datasets", f"at most {W.MAX_DATASETS} datasets"),
    ({"datasets": [adhoc(W.MAX_GENERATED_BY + 1)]}, "datasets[0].generated_by", f"at most {W.MAX_GENERATED_BY} models"),
    ({"deployment": {"jurisdictions": ["EU"] * (W.MAX_JURISDICTIONS + 1)}}, "deployment.jurisdictions", f"at most {W.MAX_JURISDICTIONS} jurisdictions"),
    ({"student_modalities": ["text"] * (W.MAX_MODALITIES + 1)}, "student.modalities", f"at most {W.MAX_MODALITIES} modalities"),
    ({"name": "n" * (W.MAX_TEXT + 1)}, "name", f"must be at most {W.MAX_TEXT} characters, got {W.MAX_TEXT + 1}"),
    ({"student_name": "s" * 100_000}, "student.name", f"must be at most {W.MAX_TEXT} characters, got 100000"),
    ({"teachers": [{"model": "m" * (W.MAX_TEXT + 1)}]}, "teachers[0].model", "characters"),
    ({"datasets": [{"name": "d", "source_url": "https://e.com/" + "a" * W.MAX_URL}]}, "datasets[0].source_url", f"at most {W.MAX_URL} characters"),
    ({"student_license": "MIT OR " * 100 + "MIT"}, "student.license", f"at most {W.MAX_LICENSE} characters"),
    ({"organization": {"name": "o" * 1000}}, "organization.name", "characters"),
    ({"organization": {"monthly_active_users": W.MAX_USERS + 1}}, "organization.monthly_active_users", "must be at most 1e+12"),
    ({"organization": {"annual_revenue_usd": 1e16}}, "organization.annual_revenue_usd", "must be at most 1e+15, got 1e+16"),
    ({"student_training_compute_flop": 1e41}, "student.training_compute_flop", "must be at most 1e+40"),
])  # fmt: skip
def test_each_limit_is_refused_naming_the_field_and_the_limit(changes, field, words):
    path, message = refused(**changes)
    assert path == field and words in message


def test_the_models_and_datasets_of_a_workflow_are_counted_together():
    """50 teachers, 13 datasets with 10 generating models each and 6 more: 1 + 50 + 143 + 6 = 200, the limit."""
    at_limit = {"student_base_model": "qwen2.5-7b", "teachers": [{"model": "gpt-4o"}] * 50, "datasets": [adhoc(10)] * 13 + [adhoc()] * 6}
    assert len(parse(**at_limit)["datasets"]) == 19
    path, message = refused(**{**at_limit, "datasets": [adhoc(10)] * 13 + [adhoc()] * 6 + [{"dataset": "x"}]})
    assert path == "datasets[19]" and f"at most {W.MAX_ASSETS} models and datasets in all" in message
    path, _ = refused(**{**at_limit, "datasets": [adhoc(10)] * 14})
    assert path == "datasets[13].generated_by[5]"


def test_a_workflow_at_every_limit_is_accepted():
    workflow = {"name": "n" * W.MAX_TEXT, "teachers": [{"model": "m" * W.MAX_TEXT}] * W.MAX_TEACHERS,
                "datasets": [{"dataset": "x"}] * W.MAX_DATASETS, "deployment": {"jurisdictions": ["EU"] * W.MAX_JURISDICTIONS},
                "organization": {"monthly_active_users": W.MAX_USERS, "annual_revenue_usd": W.MAX_USD},
                "student_training_compute_flop": W.MAX_FLOP, "student_modalities": ["text"] * W.MAX_MODALITIES}
    parsed = parse(**workflow)
    assert len(parsed["teachers"]) == W.MAX_TEACHERS and parsed["deployment"]["jurisdictions"] == ["EU"]


def test_the_api_names_the_field_and_the_limit(alice):
    response = alice.post("/api/v1/checks", {**BASE, "teachers": [{"model": "gpt-4o"}] * 20_000}, format="json")
    assert response.status_code == 400
    assert errors_of(response) == [("teachers", f"at most {W.MAX_TEACHERS} teachers, got 20000")]


def test_outsize_checks_logged_before_the_limits_are_skipped_by_the_impact_preview_at_once():
    """Five 20,000-teacher checks in the log (accepted before the limits) made every preview time out."""
    outsize = {**BASE, "teachers": [{"model": "gpt-4o"}] * 20_000}
    for _ in range(5):
        Check.objects.create(id=uuid.uuid4(), input=outsize, decision={"verdict": "review", "findings": []}, verdict="review",
                             as_of="2026-11-28", policy_version="sha256:old", input_hash="x", channel="api")
    Check.objects.create(id=uuid.uuid4(), input=["not", "a", "workflow"], decision={}, verdict="review", as_of="2026-11-28",
                         policy_version="sha256:old", input_hash="y", channel="api")
    Check.objects.update(created_at=timezone.now() - timedelta(days=1))
    rule = Rule.objects.create(slug="japan-needs-review", title="t", effect="prohibit", scope={"jurisdictions": ["JP"]}, message="m",
                               status=Rule.Status.DRAFT)
    report = preview_impact(rule)
    # Refused by the parser's count check before any teacher is looked at, so never evaluated.
    assert report.checked == 6 and report.invalid == 6 and report.changes == []
