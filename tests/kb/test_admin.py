import pytest
from django.contrib.auth import get_user_model

from kb import models as kb

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw-for-tests-only")
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", [
    "/admin/kb/aimodel/", "/admin/kb/termsdocument/", "/admin/kb/termsversion/", "/admin/kb/licenseclause/",
    "/admin/kb/dataset/", "/admin/kb/lineageedge/", "/admin/kb/provision/", "/admin/kb/instrument/",
    "/admin/kb/organization/", "/admin/kb/jurisdiction/",
])
def test_every_kb_admin_list_loads_and_searches(staff_client, kb_db, url):
    assert staff_client.get(url).status_code == 200
    assert staff_client.get(url, {"q": "llama"}).status_code == 200


def test_a_version_page_shows_its_clauses_inline_with_a_markdown_preview(staff_client, kb_db):
    version = kb.TermsVersion.objects.get(document__spdx_id="LicenseRef-Llama-3.1-Community")
    body = staff_client.get(f"/admin/kb/termsversion/{version.pk}/change/").content.decode()
    assert "naming-llama-prefix" in body
    assert 'class="markdown-preview"' in body


def test_a_model_page_shows_its_lineage_inline(staff_client, kb_db):
    model = kb.AIModel.objects.get(slug="deepseek-r1-distill-llama-8b")
    body = staff_client.get(f"/admin/kb/aimodel/{model.pk}/change/").content.decode()
    assert "lineage: made from" in body.lower() and "llama 3.1 8b" in body.lower()


def test_markdown_preview_renders_sanitized_html_for_staff_only(client, staff_client):
    response = staff_client.post("/admin/markdown-preview", {"text": "**x** <script>bad()</script>"})
    assert response.status_code == 200
    assert "<strong>x</strong>" in response.content.decode() and "<script>" not in response.content.decode()
    client.logout()
    assert client.post("/admin/markdown-preview", {"text": "x"}).status_code == 302  # to the login page


def test_history_records_who_changed_what(staff_client, kb_db):
    model = kb.AIModel.objects.get(slug="gpt-4o")
    response = staff_client.get(f"/admin/kb/aimodel/{model.pk}/history/")
    assert response.status_code == 200
