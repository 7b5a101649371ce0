import pytest

pytestmark = pytest.mark.django_db


def test_home_shows_counts_and_the_legal_notice(client, kb_db):
    from kb.models import AIModel

    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Not legal advice" in body
    assert f"<strong>{AIModel.objects.count()}</strong> models" in body
    assert AIModel.objects.count() > 0


def test_the_home_page_says_when_curated_records_were_last_checked_and_ignores_imported_ones(client, kb_db):
    import datetime

    from kb import models as kb

    newest = max(m.objects.exclude(verification__in=["declared", "inferred"]).latest("checked_on").checked_on
                 for m in (kb.TermsVersion, kb.LicenseClause, kb.AIModel, kb.Dataset, kb.LineageEdge, kb.Instrument, kb.Provision))
    # An imported record dated later (its import day) does not make the knowledge base look fresher.
    kb.Dataset.objects.create(slug="imported-later", name="Imported later", source_url="https://example.org/r",
                              checked_on=newest + datetime.timedelta(days=30), verification="declared", imported_from="dpi")
    body = client.get("/").content.decode()
    assert f"Curated records were last checked against their sources on {newest:%Y-%m-%d}" in body
