"""POST /api/v1/checks and friends: a workflow in, the engine's decision out, logged with who asked."""

import copy
import io
import json
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.exceptions import ValidationError

from api.parsers import LimitedJSONParser
from kb.models import LicenseClause, Provision
from policies.models import Check, Rule
from tests.api.conftest import client_with_token, errors_of

pytestmark = pytest.mark.django_db

WORKFLOW = {
    "name": "Distil GPT-4o into a support bot",
    "as_of": "2026-11-28",
    "student": {"name": "acme-support-7b", "base_model": "Qwen/Qwen2.5-7B-Instruct", "purpose": "commercial",
                "release": "open_weights", "competes_with_teachers": True, "license": "Apache-2.0"},
    "teachers": [{"model": "gpt-4o", "signal": "outputs", "access": "api"}],
    "deployment": {"jurisdictions": ["EU", "US-CA"]},
}


def workflow(**student):
    data = copy.deepcopy(WORKFLOW)
    data["student"].update(student)
    return data


def test_a_competing_distillation_from_gpt_4o_is_prohibited_logged_and_returned_with_its_check_id(alice):
    response = alice.post("/api/v1/checks", WORKFLOW)
    assert response.status_code == 201, response.content
    decision = response.json()
    assert decision["verdict"] == "prohibited"
    finding = next(f for f in decision["findings"] if f["subject"] == "gpt-4o" and f["effect"] == "prohibit")
    assert finding["citations"] and all(c["url"].startswith("https://") for c in finding["citations"])
    check = Check.objects.get(pk=decision["check_id"])
    assert check.requester.username == "alice" and check.channel == "api"
    assert check.input == WORKFLOW and check.verdict == "prohibited"
    assert check.policy_version == decision["policy_version"] and check.decision["check_id"] == decision["check_id"]


def test_a_rejected_workflow_writes_nothing_to_the_log_and_names_the_field(alice):
    before = Check.objects.count()
    response = alice.post("/api/v1/checks", workflow(purpose="evil"))
    assert response.status_code == 400
    assert errors_of(response) == [("student.purpose", '"evil" is not one of commercial, non_commercial, research')]
    response = alice.post("/api/v1/checks", {**WORKFLOW, "teachers": [{"model": "gpt-4o"}, {"model": "x", "signal": "vibes"}]})
    assert response.status_code == 400 and errors_of(response)[0][0] == "teachers[1].signal"
    response = alice.post("/api/v1/checks", [WORKFLOW])
    assert response.status_code == 400 and errors_of(response)[0][0] is None
    assert Check.objects.count() == before


@pytest.mark.parametrize("bad", ["acme\x00bot", "acme\udc00bot"])
def test_text_that_cannot_be_stored_is_rejected_naming_the_field(alice, bad):
    # JSON can carry \u0000 and unpaired surrogates; they are not text, and PostgreSQL cannot store them.
    body = json.dumps({**WORKFLOW, "teachers": [{"model": "gpt-4o"}, {"model": bad}]})
    response = alice.post("/api/v1/checks", body, content_type="application/json")
    assert response.status_code == 400
    assert [field for field, _ in errors_of(response)] == ["teachers[1].model"]
    assert not Check.objects.exists()


@pytest.mark.parametrize("charset", ["utf-8", "utf-16"])
@pytest.mark.parametrize("bad", ["acme\x00bot", "acme\udc00bot"])
def test_the_parser_finds_such_text_in_any_declared_charset(bad, charset):
    # It skips looking in UTF-8 bodies without a \u escape; in UTF-16 the escape's bytes differ.
    body = json.dumps({"teachers": [{"model": bad}]}).encode(charset)
    request = SimpleNamespace(META={"CONTENT_LENGTH": str(len(body))})
    with pytest.raises(ValidationError) as raised:
        LimitedJSONParser().parse(io.BytesIO(body), "application/json", {"request": request, "encoding": charset})
    assert list(raised.value.detail) == ["teachers[0].model"]


def test_checks_need_a_token(api, kb_db):
    response = api.post("/api/v1/checks", WORKFLOW)
    assert response.status_code == 401
    assert errors_of(response) == [(None, "Authentication credentials were not provided.")]
    assert not Check.objects.exists()


def test_413_when_the_body_is_over_the_limit_and_nothing_is_logged(alice, settings):
    settings.API_MAX_BODY_BYTES = 2000
    big = {**WORKFLOW, "name": "x" * 3000}
    response = alice.post("/api/v1/checks", big)
    assert response.status_code == 413
    assert errors_of(response) == [(None, "Request body too large: the limit is 2000 bytes.")]
    assert alice.post("/api/v1/checks", WORKFLOW).status_code == 201  # under the limit
    assert Check.objects.count() == 1


def test_415_for_anything_but_json(alice):
    response = alice.post("/api/v1/checks", "student=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert errors_of(response) == [(None, 'Unsupported media type "application/x-www-form-urlencoded" in request.')]
    assert not Check.objects.exists()


def test_400_for_malformed_json(alice):
    response = alice.post("/api/v1/checks", "{not json", content_type="application/json")
    assert response.status_code == 400 and errors_of(response)[0][0] is None
    assert not Check.objects.exists()


def test_405_for_methods_a_check_does_not_have(alice):
    check_id = alice.post("/api/v1/checks", WORKFLOW).json()["check_id"]
    assert alice.delete(f"/api/v1/checks/{check_id}").status_code == 405
    assert alice.put("/api/v1/checks", WORKFLOW).status_code == 405


def test_list_shows_only_the_callers_checks_and_auditors_see_all(alice, bob, django_user_model):
    alice.post("/api/v1/checks", WORKFLOW)
    alice.post("/api/v1/checks", workflow(purpose="research", release="internal", competes_with_teachers=False))
    bob.post("/api/v1/checks", WORKFLOW)
    assert alice.get("/api/v1/checks").json()["count"] == 2
    assert {c["requester"] for c in bob.get("/api/v1/checks").json()["results"]} == {"bob"}
    auditor = client_with_token("auditor")
    django_user_model.objects.filter(username="auditor").update(is_staff=True)
    assert auditor.get("/api/v1/checks").json()["count"] == 0  # staff alone is not enough (policies.access)
    django_user_model.objects.get(username="auditor").user_permissions.add(Permission.objects.get(codename="view_check"))
    assert auditor.get("/api/v1/checks").json()["count"] == 3


def test_list_filters_by_verdict_and_date(alice):
    alice.post("/api/v1/checks", WORKFLOW)
    alice.post("/api/v1/checks", workflow(purpose="research", release="internal", competes_with_teachers=False))
    verdicts = [c["verdict"] for c in alice.get("/api/v1/checks").json()["results"]]
    assert alice.get("/api/v1/checks", {"verdict": "prohibited"}).json()["count"] == verdicts.count("prohibited") >= 1
    today = Check.objects.first().created_at.date().isoformat()
    assert alice.get("/api/v1/checks", {"created_after": today, "created_before": today}).json()["count"] == 2
    assert alice.get("/api/v1/checks", {"created_after": "2999-01-01"}).json()["count"] == 0
    response = alice.get("/api/v1/checks", {"verdict": "fine"})
    assert response.status_code == 400 and errors_of(response)[0][0] == "verdict"


def test_a_check_is_visible_to_its_owner_and_auditors_403_for_others_404_when_unknown(alice, bob, django_user_model):
    check_id = alice.post("/api/v1/checks", WORKFLOW).json()["check_id"]
    mine = alice.get(f"/api/v1/checks/{check_id}")
    assert mine.status_code == 200 and mine.json()["input"] == WORKFLOW and mine.json()["decision"]["check_id"] == check_id
    other = bob.get(f"/api/v1/checks/{check_id}")
    assert other.status_code == 403 and errors_of(other) == [(None, "This check was made by another user.")]
    assert bob.post(f"/api/v1/checks/{check_id}/replay").status_code == 403
    django_user_model.objects.filter(username="bob").update(is_staff=True)
    assert bob.get(f"/api/v1/checks/{check_id}").status_code == 403
    django_user_model.objects.get(username="bob").user_permissions.add(Permission.objects.get(codename="view_check"))
    assert bob.get(f"/api/v1/checks/{check_id}").status_code == 200
    missing = alice.get("/api/v1/checks/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and errors_of(missing)[0][0] is None


def test_batch_decides_and_logs_every_workflow_in_order(alice):
    research = workflow(purpose="research", release="internal", competes_with_teachers=False)
    response = alice.post("/api/v1/checks/batch", {"workflows": [WORKFLOW, research]})
    assert response.status_code == 201
    results = response.json()["results"]
    assert [r["verdict"] for r in results] == [alice.post("/api/v1/checks", w).json()["verdict"] for w in (WORKFLOW, research)]
    assert Check.objects.filter(pk__in=[r["check_id"] for r in results]).count() == 2


def test_batch_with_an_invalid_workflow_logs_nothing_and_reports_every_bad_index(alice):
    response = alice.post("/api/v1/checks/batch", {"workflows": [WORKFLOW, workflow(purpose="evil"), WORKFLOW, workflow(release="moon")]})
    assert response.status_code == 400
    assert [field for field, _ in errors_of(response)] == ["workflows[1].student.purpose", "workflows[3].student.release"]
    assert not Check.objects.exists()


def test_batch_of_more_than_100_is_refused_naming_the_field(alice):
    response = alice.post("/api/v1/checks/batch", {"workflows": [WORKFLOW] * 101})
    assert response.status_code == 400
    assert errors_of(response) == [("workflows", "at most 100 workflows per batch, got 101")]
    assert alice.post("/api/v1/checks/batch", {"workflow": [WORKFLOW]}).status_code == 400
    assert not Check.objects.exists()


def test_replay_reevaluates_with_todays_rules_and_shows_what_changed(alice):
    decision = alice.post("/api/v1/checks", WORKFLOW).json()
    prohibiting = {f["rule"] for f in decision["findings"] if f["effect"] == "prohibit"}
    unchanged = alice.post(f"/api/v1/checks/{decision['check_id']}/replay").json()
    assert unchanged["before"] == decision and unchanged["after"]["verdict"] == decision["verdict"]
    assert (unchanged["added"], unchanged["removed"], unchanged["changed"], unchanged["verdict_changed"]) == ([], [], [], False)

    Rule.objects.filter(slug__in=prohibiting).update(enabled=False)  # the rules change after the check
    from policies.services import bump_revision

    bump_revision()
    replay = alice.post(f"/api/v1/checks/{decision['check_id']}/replay")
    assert replay.status_code == 200
    body = replay.json()
    assert {entry["rule"] for entry in body["removed"]} >= prohibiting
    assert all(entry["after"] is None and entry["before"]["effect"] for entry in body["removed"])
    assert body["verdict_changed"] and body["after"]["verdict"] != "prohibited"
    assert body["after"]["check_id"] is None
    assert Check.objects.count() == 1  # a replay is not logged


def test_replay_as_of_is_validated(alice):
    check_id = alice.post("/api/v1/checks", WORKFLOW).json()["check_id"]
    response = alice.post(f"/api/v1/checks/{check_id}/replay", {"as_of": "yesterday-ish"})
    assert response.status_code == 400 and errors_of(response)[0][0] == "as_of"
    assert alice.post(f"/api/v1/checks/{check_id}/replay", {"as_of": "today"}).status_code == 200


def test_the_same_input_gets_the_same_decision_through_the_cli_and_the_api(alice, tmp_path):
    path = tmp_path / "workflow.json"
    path.write_text(json.dumps(WORKFLOW))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_status:
        call_command("check_workflow", str(path), "--format", "json", stdout=out)
    cli = json.loads(out.getvalue())
    api = alice.post("/api/v1/checks", WORKFLOW).json()
    assert exit_status.value.code == 4 and api["verdict"] == "prohibited"
    assert {**cli, "check_id": None} == {**api, "check_id": None}
    assert Check.objects.get(pk=cli["check_id"]).input_hash == Check.objects.get(pk=api["check_id"]).input_hash


def test_rules_are_readable_by_anyone_with_what_they_rest_on(api, kb_db):
    body = api.get("/api/v1/rules", {"page_size": 200}).json()
    assert body["count"] == Rule.objects.count() > 0
    rule = Rule.objects.filter(clauses__isnull=False).first() or Rule.objects.first()
    detail = api.get(f"/api/v1/rules/{rule.slug}").json()
    assert detail["effect"] == rule.effect and len(detail["clauses"]) == rule.clauses.count()


def _queries(client, path, params):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, params).status_code == 200
    return len(queries)


def test_checks_and_rules_lists_cost_the_same_queries_at_any_page_size(alice, api):
    alice.post("/api/v1/checks/batch", {"workflows": [WORKFLOW] * 12})
    template = Rule.objects.first()
    clauses, provisions = list(LicenseClause.objects.all()[:3]), list(Provision.objects.all()[:3])
    for i in range(5):  # enough rules, each with cited clauses and provisions, to fill a large page
        template.pk, template.id, template.slug = None, None, f"t-copy-{i}"
        template.save()
        template.clauses.set(clauses)
        template.provisions.set(provisions)
    assert _queries(alice, "/api/v1/checks", {"page_size": 2}) == _queries(alice, "/api/v1/checks", {"page_size": 12})
    assert _queries(api, "/api/v1/rules", {"page_size": 1}) == _queries(api, "/api/v1/rules", {"page_size": 200})


def test_replay_says_which_registry_cards_changed_since_the_check(alice):
    from registry import services as registry

    def card(sha, license):
        return {"id": "someone/llama3-support-lora", "author": "someone", "sha": sha, "tags": [], "downloads": 1, "gated": False,
                "pipeline_tag": "text-generation", "siblings": [],
                "cardData": {"license": license, "base_model": "meta-llama/Meta-Llama-3-8B-Instruct", "base_model_relation": "adapter"}}

    registry.import_records(records=[card("a" * 40, "apache-2.0")])
    decision = alice.post("/api/v1/checks", workflow(base_model="someone/llama3-support-lora")).json()
    assert decision["registry_records"] == [{"repo_id": "someone/llama3-support-lora", "sha": "a" * 40, "license": "apache-2.0"}]
    assert alice.post(f"/api/v1/checks/{decision['check_id']}/replay").json()["registry_changes"] == []

    registry.import_records(records=[card("b" * 40, "llama3")])  # the uploader fixed the card since
    body = alice.post(f"/api/v1/checks/{decision['check_id']}/replay").json()
    assert body["registry_changes"] == [{
        "repo_id": "someone/llama3-support-lora",
        "before": {"repo_id": "someone/llama3-support-lora", "sha": "a" * 40, "license": "apache-2.0"},
        "after": {"repo_id": "someone/llama3-support-lora", "sha": "b" * 40, "license": "llama3"},
    }]
