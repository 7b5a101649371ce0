"""What the decision log and the history rely on is kept, never deleted: terms versions (superseded ones
included), clauses, provisions and rules ever published. Refused at the model, queryset and admin level."""

import pytest
from django.db.models import ProtectedError

from kb.models import Instrument, KeptForeverError, LicenseClause, Provision, TermsDocument, TermsVersion
from policies.models import Check, Rule, RuleExample
from policies.services import decide_and_record

pytestmark = pytest.mark.django_db

GEMINI = "LicenseRef-Gemini-API-Additional-Terms"


@pytest.fixture
def superseded():
    version = TermsVersion.objects.get(document__spdx_id=GEMINI, version="2024-02-15")
    assert version.effective_to is not None  # a later version replaced it
    return version


def test_deleting_a_superseded_terms_version_is_refused_with_what_to_do_instead(superseded):
    with pytest.raises(KeptForeverError) as refused:
        superseded.delete()
    message = str(refused.value)
    assert message.startswith("Terms versions are kept, never deleted (Gemini API Additional Terms of Service (2024-02-15)).")
    assert "set its effective_to and add the next version" in message
    assert TermsVersion.objects.filter(pk=superseded.pk).exists()


def test_a_queryset_delete_is_refused_and_deletes_nothing(superseded):
    versions = TermsVersion.objects.filter(document__spdx_id=GEMINI)
    count = versions.count()
    with pytest.raises(KeptForeverError):
        versions.delete()
    assert versions.count() == count


def test_deleting_the_document_does_not_cascade_to_its_versions(superseded):
    with pytest.raises(ProtectedError):
        TermsDocument.objects.get(spdx_id=GEMINI).delete()
    assert TermsVersion.objects.filter(pk=superseded.pk).exists()


def test_clauses_and_provisions_are_kept_too():
    clause = LicenseClause.objects.first()
    with pytest.raises(KeptForeverError, match="Decisions and rules cite clauses"):
        clause.delete()
    with pytest.raises(KeptForeverError, match="Decisions and rules cite provisions"):
        Provision.objects.filter(ref="EU-AIA-53-1-c").delete()
    with pytest.raises(ProtectedError):
        Instrument.objects.get(provisions__ref="EU-AIA-53-1-c").delete()
    assert LicenseClause.objects.filter(pk=clause.pk).exists() and Provision.objects.filter(ref="EU-AIA-53-1-c").exists()


def test_a_rule_ever_published_is_kept_but_a_draft_never_published_can_go():
    with pytest.raises(KeptForeverError, match="To retire it, untick enabled"):
        Rule.objects.get(slug="competing-models").delete()
    # Published once, now a draft: still named by stored decisions, still kept.
    edited = Rule.objects.get(slug="competing-models-unknown")
    edited.status = Rule.Status.DRAFT
    edited.save()
    with pytest.raises(KeptForeverError):
        edited.delete()
    mistake = Rule.objects.create(slug="typo-rule", title="t", effect="review", message="m", status=Rule.Status.DRAFT)
    RuleExample.objects.create(rule=mistake, name="e", workflow={}, expected="none")
    mistake.delete()
    assert not Rule.objects.filter(slug="typo-rule").exists() and not RuleExample.objects.filter(name="e", rule_id=mistake.pk).exists()


# --------------------------------------------------------------------------- the admin


def test_the_admin_offers_no_delete_for_a_terms_version_and_a_delete_link_explains(staff_client, superseded):
    change = staff_client.get(f"/admin/kb/termsversion/{superseded.pk}/change/").content.decode()
    assert f"/admin/kb/termsversion/{superseded.pk}/delete/" not in change
    assert 'value="delete_selected"' not in staff_client.get("/admin/kb/termsversion/").content.decode()
    for method in (staff_client.get, staff_client.post):
        response = method(f"/admin/kb/termsversion/{superseded.pk}/delete/", {"post": "yes"}, follow=True)
        assert response.redirect_chain[-1][0] == f"/admin/kb/termsversion/{superseded.pk}/change/"
        assert "Terms versions are kept, never deleted" in response.content.decode()
    assert TermsVersion.objects.filter(pk=superseded.pk).exists()


def test_the_documents_page_has_no_delete_box_for_its_versions(staff_client, superseded):
    page = staff_client.get(f"/admin/kb/termsdocument/{superseded.document_id}/change/").content.decode()
    assert "versions-0-DELETE" not in page
    # The versions are listed, read-only, each linking to its own page (edits there are reviewed, kbreview).
    assert f"/admin/kb/termsversion/{superseded.pk}/change/" in page and "versions-0-version" not in page


def test_deleting_a_document_with_versions_in_the_admin_names_the_protected_versions(staff_client, superseded):
    response = staff_client.get(f"/admin/kb/termsdocument/{superseded.document_id}/delete/")
    assert "would require deleting the following protected related objects" in response.content.decode()
    staff_client.post(f"/admin/kb/termsdocument/{superseded.document_id}/delete/", {"post": "yes"})
    assert TermsVersion.objects.filter(pk=superseded.pk).exists()


def test_the_admin_refuses_to_delete_a_published_rule_but_deletes_a_never_published_draft(staff_client, shipped_rule):
    response = staff_client.post(f"/admin/policies/rule/{shipped_rule.pk}/delete/", {"post": "yes"}, follow=True)
    assert "Rules are kept, never deleted (competing-models)." in response.content.decode()
    assert Rule.objects.filter(pk=shipped_rule.pk).exists()
    mistake = Rule.objects.create(slug="typo-rule", title="t", effect="review", message="m", status=Rule.Status.DRAFT)
    assert f"/admin/policies/rule/{mistake.pk}/delete/" in staff_client.get(f"/admin/policies/rule/{mistake.pk}/change/").content.decode()
    assert staff_client.post(f"/admin/policies/rule/{mistake.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Rule.objects.filter(pk=mistake.pk).exists()


def test_the_decision_log_cannot_be_deleted_in_the_admin(staff_client):
    workflow = {"as_of": "2026-11-28", "student": {"name": "acme", "purpose": "commercial", "release": "internal"}}
    _decision, check = decide_and_record(workflow, channel=Check.Channel.CLI)
    assert staff_client.post(f"/admin/policies/check/{check.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Check.objects.filter(pk=check.pk).exists()
