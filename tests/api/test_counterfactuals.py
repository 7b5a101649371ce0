"""The API's "what would make it allowed": `"counterfactuals": true` beside the workflow in
POST /api/v1/checks, and POST /api/v1/checks/{id}/counterfactuals for a logged check."""

import copy

import pytest

from policies.engine.counterfactuals import apply_changes
from policies.engine.decision import VERDICT_RANK
from policies.engine.evaluate import evaluate_workflow
from policies.models import Check
from tests.api.conftest import errors_of

pytestmark = pytest.mark.django_db

WORKFLOW = {
    "as_of": "2026-11-28",
    "student": {"name": "acme-support-7b", "base_model": "Qwen/Qwen2.5-7B-Instruct", "purpose": "commercial",
                "release": "open_weights", "competes_with_teachers": True, "license": "Apache-2.0", "training_compute_flop": 1e21},
    "teachers": [{"model": "gpt-4o", "signal": "outputs"}],
}


def test_asking_for_counterfactuals_adds_verified_suggestions_and_logs_the_workflow_without_the_option(alice):
    response = alice.post("/api/v1/checks", {**copy.deepcopy(WORKFLOW), "counterfactuals": True}, format="json")
    assert response.status_code == 201, response.content
    decision = response.json()
    assert decision["verdict"] == "prohibited"
    suggestions = decision["counterfactuals"]
    assert any([c["field"] for c in s["changes"]] == ["teachers[0].model"] and s["verdict"] in ("allowed", "conditional") for s in suggestions)
    for suggestion in suggestions:
        assert VERDICT_RANK[suggestion["verdict"]] > VERDICT_RANK["prohibited"]
        assert evaluate_workflow(apply_changes(WORKFLOW, suggestion["changes"])).verdict == suggestion["verdict"]
        assert all({"field", "from", "to", "kind"} <= set(c) for c in suggestion["changes"])
    check = Check.objects.get(pk=decision["check_id"])
    assert check.input == WORKFLOW and check.decision["counterfactuals"] == suggestions


def test_without_the_option_the_decision_has_no_counterfactuals(alice):
    decision = alice.post("/api/v1/checks", WORKFLOW, format="json").json()
    assert "counterfactuals" not in decision


def test_the_option_must_be_a_boolean(alice):
    before = Check.objects.count()
    response = alice.post("/api/v1/checks", {**WORKFLOW, "counterfactuals": "yes"}, format="json")
    assert response.status_code == 400 and errors_of(response) == [("counterfactuals", "must be true or false")]
    assert Check.objects.count() == before


def test_a_logged_check_s_counterfactuals_for_its_owner_and_not_for_another_user(alice, bob):
    check_id = alice.post("/api/v1/checks", WORKFLOW, format="json").json()["check_id"]
    response = alice.post(f"/api/v1/checks/{check_id}/counterfactuals")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["check_id"] == check_id and body["verdict"] == "prohibited" and body["as_of"] == "2026-11-28"
    assert body["counterfactuals"] and body["counterfactuals"] == evaluate_workflow(WORKFLOW, counterfactuals=True).counterfactuals
    assert bob.post(f"/api/v1/checks/{check_id}/counterfactuals").status_code == 403
    assert Check.objects.get(pk=check_id).decision.get("counterfactuals") is None  # computed, not logged


def test_the_schema_documents_the_option_and_the_endpoint(api, kb_db):
    schema = api.get("/api/v1/schema?format=json").json()
    create = schema["paths"]["/api/v1/checks"]["post"]
    assert "counterfactuals" in str(create["requestBody"])
    assert "/api/v1/checks/{id}/counterfactuals" in schema["paths"]
    assert "counterfactuals" in str(schema["paths"]["/api/v1/checks/{id}/counterfactuals"]["post"]["responses"]["200"])
