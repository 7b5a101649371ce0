"""Re-deciding: a curated clause re-verified with new text; which logged checks relied on it and which
would now get another verdict (admin page and API)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient

from kb.models import LicenseClause
from policies.services import decide_and_record
from termswatch.redecide import redecide

pytestmark = pytest.mark.django_db

# Dated inside the xAI window of 2025-11-04, where "distilling" is the only clause that bans this check
# (from 2026-08-14 the Enterprise Terms also ban training any AI on Output, a second ban).
GROK_TEACHER = {
    "as_of": "2026-06-01",
    "student": {"name": "acme-tagger", "purpose": "commercial", "release": "internal", "competes_with_teachers": False},
    "teachers": [{"model": "grok-3"}],
}
DEEPSEEK_TEACHER = {**GROK_TEACHER, "teachers": [{"model": "deepseek-reasoner"}]}


def distilling():
    return LicenseClause.objects.select_related("version__document").get(
        version__document__spdx_id="LicenseRef-xAI-Terms", version__version="2025-11-04", key="distilling"
    )


@pytest.fixture
def logged(kb_db):
    grok, _ = decide_and_record(GROK_TEACHER, channel="api")
    deepseek, _ = decide_and_record(DEEPSEEK_TEACHER, channel="api")
    assert grok.verdict == "prohibited"
    return grok.check_id, deepseek.check_id


def test_a_clause_re_read_as_no_longer_a_ban_changes_the_verdict_of_the_checks_that_cited_it(logged):
    grok_check, deepseek_check = logged
    clause = distilling()
    clause.clause_type = "other"  # a re-reading that found no distillation ban (hypothetical)
    clause.parameters = {}
    clause.quote = "Scraping, harvesting or reselling any Input or Output"
    clause.save()
    report = redecide(distilling())
    assert [r.check_id for r in report.relying] == [grok_check]
    relying = report.relying[0]
    assert (relying.stored, relying.before) == ("prohibited", "prohibited")
    assert relying.after != "prohibited" and relying.changes
    assert ("clause_type", "distillation_ban", "other") in report.differences
    assert deepseek_check not in [r.check_id for r in report.relying]


def test_a_new_date_alone_keeps_the_verdict(logged):
    grok_check, _ = logged
    clause = distilling()
    clause.checked_on = clause.checked_on.replace(year=clause.checked_on.year + 1)
    clause.save()
    report = redecide(distilling())
    assert [(r.check_id, r.before, r.after, r.changes) for r in report.relying] == [(grok_check, "prohibited", "prohibited", False)]


def test_the_admin_page_and_the_api_show_the_same_report(logged, client):
    grok_check, _ = logged
    clause = distilling()
    clause.clause_type, clause.parameters = "other", {}
    clause.save()
    admin = get_user_model().objects.create_superuser("admin", "admin@example.org", "pw-for-tests-only")
    client.force_login(admin)
    page = client.get(reverse("admin:termswatch_clause_redecide", args=[clause.pk]))
    assert page.status_code == 200
    assert grok_check[:8] in page.content.decode()
    change_page = client.get(reverse("admin:kb_licenseclause_change", args=[clause.pk])).content.decode()
    assert reverse("admin:termswatch_clause_redecide", args=[clause.pk]) in change_page
    api = APIClient()
    url = reverse("api:clause-redecide", args=["LicenseRef-xAI-Terms", "2025-11-04", "distilling"])
    assert api.get(url).status_code in (401, 403)
    api.force_authenticate(admin)
    body = api.get(url).json()
    assert [(r["check_id"], r["verdict_before_change"], r["changes"]) for r in body["relying"]] == [(grok_check, "prohibited", True)]
    assert api.get(url, {"days": "soon"}).status_code == 400
