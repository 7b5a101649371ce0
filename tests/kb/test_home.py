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
