"""Malformed input gets a clear error, never a 500 or a traceback: every API error is the JSON error
body (400, 404, 413, 500 alike), and the CLI exits 2 with a message."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from policies.models import Check
from tests.api.conftest import client_with_token, errors_of

pytestmark = pytest.mark.django_db

WORKFLOW = {"as_of": "2026-11-28", "student": {"name": "acme-7b", "purpose": "commercial", "release": "internal"}}
DEEP = "[" * 1000 + "]" * 1000


def raw_post(client, path, body, **extra):
    return client.post(path, body, content_type="application/json", **extra)


@pytest.mark.parametrize("path, body", [
    ("/api/v1/checks", DEEP),
    ("/api/v1/checks", '{"name": ' + DEEP + "}"),
    ("/api/v1/checks", '{"name": "\\u00e9", "x": ' + DEEP + "}"),  # the body has an escape, so its strings are walked too
    ("/api/v1/checks", '{"name": ' + "[" * 40 + "]" * 40 + "}"),  # parses, but deeper than the API reads
    ("/api/v1/checks/batch", '{"workflows": [' + DEEP + "]}"),
])  # fmt: skip
def test_deeply_nested_json_is_a_400_saying_so(alice, path, body):
    response = raw_post(alice, path, body)
    assert response.status_code == 400
    assert errors_of(response) == [(None, "JSON parse error - JSON nested more than 32 levels deep")]


def test_deeply_nested_json_on_replay_is_a_400_saying_so(alice):
    check_id = alice.post("/api/v1/checks", WORKFLOW, format="json").json()["check_id"]
    response = raw_post(alice, f"/api/v1/checks/{check_id}/replay", DEEP)
    assert response.status_code == 400 and errors_of(response) == [(None, "JSON parse error - JSON nested more than 32 levels deep")]


@pytest.mark.parametrize("size", [1_500_000, 3_000_000])  # below and above Django's own 2.5 MB limit
def test_a_body_over_the_limit_is_a_413_json_error(alice, size):
    response = raw_post(alice, "/api/v1/checks", json.dumps({**WORKFLOW, "name": "x" * size}))
    assert response.status_code == 413
    assert errors_of(response) == [(None, "Request body too large: the limit is 1048576 bytes.")]


def test_1e999_is_called_too_large_not_a_number_that_is_not_a_number(alice):
    body = json.dumps(WORKFLOW)[:-1] + ', "organization": {"annual_revenue_usd": 1e999}}'
    [(field, message)] = errors_of(raw_post(alice, "/api/v1/checks", body))
    assert field == "organization.annual_revenue_usd"
    assert "too large to represent" in message and "got a number" not in message


def test_an_integer_of_thousands_of_digits_is_a_400_in_plain_words(alice):
    body = json.dumps(WORKFLOW)[:-1] + ', "organization": {"monthly_active_users": %s}}' % ("9" * 4400)
    assert errors_of(raw_post(alice, "/api/v1/checks", body)) == [(None, "JSON parse error - a number has more than 4,300 digits")]
    big = {**WORKFLOW, "student": {**WORKFLOW["student"], "training_compute_flop": 10**400}}
    assert errors_of(alice.post("/api/v1/checks", big, format="json")) == [("student.training_compute_flop", "must be at most 1e+40, got a 401-digit number")]


def test_a_post_with_a_trailing_slash_is_a_json_404_pointing_at_the_right_path(kb_db):
    for client in (Client(enforce_csrf_checks=True), client_with_token("carol")):
        response = client.post("/api/v1/checks/", json.dumps(WORKFLOW), content_type="application/json")
        assert response.status_code == 404
        [(field, message)] = errors_of(response)
        assert "Did you mean /api/v1/checks " in message


def test_a_csrf_failure_under_the_api_is_the_json_error_body(django_user_model, kb_db):
    """A logged-in browser session posting without the CSRF token (the API's session authentication)."""
    django_user_model.objects.create_user("dora", password="pw")
    client = Client(enforce_csrf_checks=True)
    client.login(username="dora", password="pw")
    response = client.post("/api/v1/checks", json.dumps(WORKFLOW), content_type="application/json")
    assert response.status_code == 403 and errors_of(response)[0][0] is None and "CSRF" in errors_of(response)[0][1]


@pytest.mark.parametrize("path, field", [("/api/v1/search?q=a%00b", "q"), ("/api/v1/models?search=%00", "search")])
def test_a_nul_in_an_api_parameter_is_a_400_naming_it(client, kb_db, path, field):
    response = client.get(path)
    assert response.status_code == 400
    [(got, message)] = errors_of(response)
    assert got == field and "NUL character" in message


@pytest.mark.parametrize("path", ["/api/v1/models/a%00b", "/api/v1/search%00", "/api/v1/checks/%00/replay"])
def test_a_nul_in_an_api_path_is_a_json_404(client, kb_db, path):
    response = client.get(path)
    assert response.status_code == 404 and errors_of(response)[0][0] is None


@pytest.mark.parametrize("path, status", [("/models/a%00b", 404), ("/terms/x%00", 404), ("/checks/%00", 404), ("/search?q=a%00b", 400),
                                          ("/models/?q=%00", 400)])
def test_a_nul_in_a_portal_path_or_parameter_is_refused_before_any_query(client, kb_db, django_assert_num_queries, path, status):
    with django_assert_num_queries(0):
        response = client.get(path)
    assert response.status_code == status


def test_an_unexpected_failure_under_the_api_is_a_json_500(monkeypatch, kb_db):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("policies.api.views.decide_and_record", broken)
    client = client_with_token("erin")
    client.raise_request_exception = False
    response = client.post("/api/v1/checks", WORKFLOW, format="json")
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert errors_of(response)[0][0] is None and "Internal server error" in errors_of(response)[0][1]


def run_cli(tmp_path, raw):
    path = tmp_path / "workflow.json"
    path.write_bytes(raw)
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("check_workflow", str(path), stdout=io.StringIO(), stderr=err)
    return exit_info.value.code, err.getvalue()


@pytest.mark.parametrize("raw, words", [
    (DEEP.encode(), "JSON nested more than 32 levels deep"),
    (('{"name": %s}' % ("[" * 40 + "]" * 40)).encode(), "JSON nested more than 32 levels deep"),
    (json.dumps(WORKFLOW)[:-1].encode() + b', "organization": {"monthly_active_users": ' + b"9" * 4400 + b"}}", "a number has more than 4,300 digits"),
    (b'{"name": "caf\xe9", "student": {}}', "not UTF-8 text: byte 0xe9 at position 13"),
    (b'{"name": ', "invalid JSON: Expecting value"),
])  # fmt: skip
def test_the_cli_exits_2_with_a_message_not_a_traceback(tmp_path, kb_db, raw, words):
    before = Check.objects.count()
    code, err = run_cli(tmp_path, raw)
    assert code == 2 and words in err and "Traceback" not in err
    assert err.startswith("error: ") and "workflow.json" in err
    assert Check.objects.count() == before
