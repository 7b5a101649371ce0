"""The Terms changes pages, the Atom feed, validate_kb's warning and the signed webhook, on a small
repository made in the test (the real bundle's xAI case is in test_bundle.py)."""

import hashlib
import hmac
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.management import call_command
from django.urls import reverse

from kb.models import LicenseClause
from termswatch.models import TrackedDocument, WatchRun
from termswatch.services import run_watch

pytestmark = pytest.mark.django_db

JUNE = """xAI Acceptable Use Policy
=========================

*   Using the Service or any Output to develop machine learning models or related AI services that compete with xAI

*   Scraping, harvesting or reselling any Input or Output, or distilling model data or Outputs

### Report a violation

Email us. <script>alert("outside text")</script>
"""
AUGUST = JUNE.replace("xAI Acceptable Use Policy\n=========================", "SpaceXAI Acceptable Use Policy\n==============================").replace(
    "develop machine learning models or related AI services that compete with xAI",
    "develop (or assist anyone in developing) machine learning models or any products or services that compete with SpaceXAI, whether directly or indirectly",
)


@pytest.fixture
def watched(kb_db, fake_repo):
    """A June text, the competing-models clause read in it, a watch run, then the August text."""
    june = fake_repo.record("Grok", "Acceptable Use Policy", JUNE, when="2026-06-26T10:00:00+00:00")
    call_command("import_terms_versions", str(fake_repo.path), "--name", "genai-eu-versions", stdout=io.StringIO())
    clause = LicenseClause.objects.get(version__document__spdx_id="LicenseRef-xAI-Terms", version__version="2026-08-14", key="competing-models")
    clause.quote = "Using the Service or any Output to develop machine learning models or related AI services that compete with xAI"
    clause.source_url = f"https://github.com/OpenTermsArchive/genai-eu-versions/blob/{june}/Grok/Acceptable%20Use%20Policy.md"
    clause.save()
    run_watch()
    fake_repo.record("Grok", "Acceptable Use Policy", AUGUST, when="2026-08-14T22:32:23+00:00")
    call_command("import_terms_versions", str(fake_repo.path), "--name", "genai-eu-versions", stdout=io.StringIO())
    document = TrackedDocument.objects.get(service="Grok", document_type="Acceptable Use Policy")
    return clause, document


def test_watch_terms_reports_the_new_version_its_sections_and_the_clause(watched):
    out = io.StringIO()
    call_command("watch_terms", stdout=out)
    report = out.getvalue()
    assert "1 new version(s) since the last run." in report
    assert "section changed: SpaceXAI Acceptable Use Policy" in report
    assert "clause affected: LicenseRef-xAI-Terms/2026-08-14/competing-models" in report
    assert "{+(or assist anyone in developing)+}" in report
    assert "LicenseRef-xAI-Terms/2026-08-14/competing-models in Grok / Acceptable Use Policy: vanished in 2026-08-14" in report
    out = io.StringIO()
    call_command("watch_terms", stdout=out)
    assert out.getvalue().startswith("0 new version(s) since the last run.")


def test_the_document_page_shows_an_escaped_side_by_side_diff_and_the_flag(watched, client):
    clause, document = watched
    run_watch()
    page = client.get(reverse("termswatch:document", args=[document.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<ins>(or assist anyone in developing)</ins>" in html
    assert "Needs re-verification" in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(&quot;outside text&quot;)&lt;/script&gt;" in html
    versions = list(document.versions.order_by("sequence"))
    same = client.get(reverse("termswatch:document", args=[document.pk]), {"from": versions[0].pk, "to": versions[0].pk})
    assert "The two versions are identical." in same.content.decode()
    assert client.get(reverse("termswatch:document", args=[document.pk]), {"from": "x", "to": versions[0].pk}).status_code == 404
    against_previous = client.get(reverse("termswatch:document", args=[document.pk]), {"to": versions[1].pk}).content.decode()
    assert "<ins>(or assist anyone in developing)</ins>" in against_previous
    listing = client.get(reverse("termswatch:documents")).content.decode()
    assert 'data-flagged="1"' in listing


def test_the_atom_feed_lists_the_change_with_escaped_text(watched, client):
    response = client.get(reverse("termswatch:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert "Grok / Acceptable Use Policy: new version captured 2026-08-14" in body
    assert "competing-models" in body


def test_validate_kb_warns_without_failing(watched):
    run_watch()
    out, err = io.StringIO(), io.StringIO()
    call_command("validate_kb", stdout=out, stderr=err)
    assert "warning: license clauses LicenseRef-xAI-Terms/2026-08-14/competing-models: checked_on: needs re-verification" in out.getvalue()


class Receiver(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_the_webhook_gets_a_signed_json_body_on_loopback(watched, settings):
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Receiver.received = []
    try:
        settings.TERMS_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/hook"
        settings.TERMS_WEBHOOK_SECRET = "s3cret"
        report = run_watch()
    finally:
        server.shutdown()
        server.server_close()
    assert report.webhook == "sent: HTTP 204"
    headers, body = Receiver.received[0]
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["X-Provenant-Signature"] == expected
    payload = json.loads(body)
    assert payload["event"] == "terms.changed"
    assert payload["changes"][0]["terms"] == "LicenseRef-xAI-Terms"
    assert {"document": "LicenseRef-xAI-Terms", "version": "2026-08-14", "key": "competing-models"} in payload["changes"][0]["clauses"]
    assert WatchRun.objects.order_by("-pk").first().webhook_status == "sent: HTTP 204"


def test_a_failing_webhook_is_reported_and_the_run_is_kept(watched, settings):
    settings.TERMS_WEBHOOK_URL = "http://127.0.0.1:9/unreachable"

    def refuse(url, data, headers, timeout):
        raise ConnectionRefusedError("connection refused")

    from termswatch import services

    report = services.run_watch(send=refuse)
    assert report.webhook == "failed: connection refused"
    assert report.changes and WatchRun.objects.filter(pk=report.run.pk).exists()


def test_the_admin_marks_the_clause_and_lists_its_open_flag(watched, client):
    from django.contrib.auth import get_user_model

    clause, _ = watched
    run_watch()
    client.force_login(get_user_model().objects.create_superuser("admin", "admin@example.org", "pw-for-tests-only"))
    clauses = client.get(reverse("admin:kb_licenseclause_changelist"), {"version__document__id__exact": clause.version.document_id})
    assert clauses.status_code == 200
    assert "Needs re-verification" in clauses.content.decode()
    change = client.get(reverse("admin:kb_licenseclause_change", args=[clause.pk])).content.decode()
    assert "Needs re-verification" in change
    flags = client.get(reverse("admin:termswatch_clauseflag_changelist"), {"open": "yes"})
    assert flags.status_code == 200
    assert "competing-models" in flags.content.decode() or str(clause) in flags.content.decode()


def test_watch_terms_json_names_the_change_and_the_stale_quote(watched):
    out = io.StringIO()
    call_command("watch_terms", "--format", "json", stdout=out)
    body = json.loads(out.getvalue())
    assert [c["document_type"] for c in body["changes"]] == ["Acceptable Use Policy"]
    assert body["stale"][0]["clause"] == "LicenseRef-xAI-Terms/2026-08-14/competing-models"
    assert body["attribution"].startswith("Texts: Open Terms Archive contributors")


def test_a_repository_url_that_is_not_http_never_becomes_a_link(watched, client):
    """The capture links are built from the repository's recorded URL, which comes from outside data."""
    _clause, document = watched
    document.repository.url = "javascript:alert(1)//"
    document.repository.save()
    versions = list(document.versions.order_by("captured_at"))
    page = client.get(reverse("termswatch:document", args=[document.pk]), {"from": versions[0].pk, "to": versions[1].pk}).content.decode()
    feed = client.get(reverse("termswatch:feed")).content.decode()
    assert "2026-06-26" in page
    assert "javascript:" not in page
    assert "javascript:" not in feed
