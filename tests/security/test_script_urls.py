"""A URL a user supplies becomes a link only when it is http(s): refused on the way in (workflow
parser: API, portal form and CLI alike, naming the field) and dropped on the way out (templates)."""

import copy
import io
import json
import uuid

import pytest
from django.core.management import call_command

from policies.engine.workflow import WorkflowError, build_licensing, parse_workflow
from policies.models import Check
from tests.api.conftest import errors_of

pytestmark = pytest.mark.django_db

SCRIPT_URLS = [
    "javascript:alert(document.cookie)",
    "JAVASCRIPT:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    " javascript:alert(1)",  # browsers strip leading spaces
    "java\tscript:alert(1)",  # ... and tabs and newlines inside the scheme
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "//evil.example/x",  # no scheme: relative to the portal's own
    "https:/\\evil.example",
    "ftp://files.example/data.tar",
    "https://",
]
BASE = {"as_of": "2026-11-28", "student": {"name": "acme-7b", "purpose": "commercial", "release": "internal"}}


def with_source(url):
    workflow = copy.deepcopy(BASE)
    workflow["datasets"] = [{"name": "vendor-qa", "license": None, "source_url": url}]
    return workflow


@pytest.mark.parametrize("url", SCRIPT_URLS, ids=repr)
def test_the_parser_refuses_anything_but_an_http_url_naming_the_field(url):
    with pytest.raises(WorkflowError) as error:
        parse_workflow(with_source(url), build_licensing([]))
    assert error.value.path == "datasets[0].source_url"
    assert "is not an http(s) URL" in error.value.message


@pytest.mark.parametrize("url", ["https://example.com/data", "HTTP://Example.com/a?b=c#d", "https://user@example.com:8443/x"])
def test_the_parser_keeps_http_urls_as_given(url):
    assert parse_workflow(with_source(url), build_licensing([]))["datasets"][0]["source_url"] == url


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "vbscript:msgbox(1)"])
def test_the_api_refuses_a_script_url_naming_the_field_and_logs_nothing(alice, url):
    before = Check.objects.count()
    response = alice.post("/api/v1/checks", with_source(url), format="json")
    assert response.status_code == 400
    [(field, message)] = errors_of(response)
    assert field == "datasets[0].source_url" and "is not an http(s) URL" in message
    response = alice.post("/api/v1/checks/batch", {"workflows": [BASE, with_source(url)]}, format="json")
    assert response.status_code == 400 and errors_of(response)[0][0] == "workflows[1].datasets[0].source_url"
    assert Check.objects.count() == before


PORTAL_FORM = {"student_name": "acme-7b", "purpose": "commercial", "release": "internal", "modalities": ["text"], "dataset_0_name": "vendor-qa"}


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "vbscript:msgbox(1)"])
def test_the_portal_form_refuses_a_script_url_naming_the_field(client, kb_db, url):
    before = Check.objects.count()
    response = client.post("/check", {**PORTAL_FORM, "dataset_0_source_url": url})
    assert response.status_code == 400
    body = response.content.decode()
    assert "datasets[0].source_url" in body and "is not an http(s) URL" in body
    assert 'href="' + url not in body
    assert Check.objects.count() == before


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "vbscript:msgbox(1)"])
def test_the_cli_refuses_a_script_url_with_exit_2_naming_the_field(tmp_path, kb_db, url):
    path = tmp_path / "workflow.json"
    path.write_text(json.dumps(with_source(url)), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("check_workflow", str(path), stdout=io.StringIO(), stderr=err)
    assert exit_info.value.code == 2
    assert "datasets[0].source_url" in err.getvalue() and "is not an http(s) URL" in err.getvalue()


def test_an_http_source_url_from_the_portal_is_linked_and_labelled_as_the_users_not_the_knowledge_bases(client, kb_db):
    response = client.post("/check", {**PORTAL_FORM, "dataset_0_source_url": "https://example.com/vendor-qa"})
    assert response.status_code == 302, response.content.decode()[:2000]
    check = Check.objects.get(pk=response["Location"].rsplit("/", 1)[1])
    assert check.input["datasets"] == [{"name": "vendor-qa", "license": None, "generated_by": [], "source_url": "https://example.com/vendor-qa"}]
    citations = [c for f in check.decision["findings"] for c in f["citations"] if c["url"] == "https://example.com/vendor-qa"]
    assert citations, check.decision["findings"]
    assert all(c["document"] == "vendor-qa (source given in the workflow, not checked)" for c in citations)
    body = client.get(response["Location"]).content.decode()
    assert 'href="https://example.com/vendor-qa"' in body and "knowledge base record" not in body


def test_a_stored_decision_with_a_script_url_is_shown_without_the_link(admin_client, kb_db):
    """Decisions logged before URLs were checked are still rendered safely, to the auditor who opens them."""
    decision = {
        "verdict": "review", "as_of": "2026-11-28", "summary": "s", "obligations": [], "unresolved": [], "policy_version": "sha256:x",
        "findings": [{"rule": "r", "effect": "review", "subject": "vendor-qa", "path": ["acme-7b", "vendor-qa"], "binding": "direct",
                      "message": "m", "remedy": "", "citations": [
                          {"document": "vendor-qa (knowledge base record)", "section": "source", "url": "JaVaScRiPt:alert(document.cookie)"},
                          {"document": "vendor-qa", "section": "source", "url": "data:text/html,<script>alert(1)</script>"}]}],
    }  # fmt: skip
    check = Check.objects.create(id=uuid.uuid4(), input=with_source("javascript:alert(1)"), decision=decision, verdict="review",
                                 as_of="2026-11-28", policy_version="sha256:x", input_hash="x", channel="api")
    body = admin_client.get(f"/checks/{check.pk}").content.decode()
    assert "link withheld: not an http(s) URL" in body
    assert 'href="javascript' not in body.lower() and 'href="data:' not in body.lower()
