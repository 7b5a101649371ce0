"""GET /api/v1/checks/{id}/bom?format=…: the check's exports, for those who may see the check."""

import json

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from policies.exports.cyclonedx import validate
from tests.exports.test_cyclonedx import WORKFLOW


@pytest.fixture
def users(kb_db):
    model = get_user_model()
    return model.objects.create_user("owner", password="pw-owner-1234"), model.objects.create_user("other", password="pw-other-1234")


@pytest.fixture
def check_id(users):
    client = APIClient()
    client.force_authenticate(users[0])
    response = client.post("/api/v1/checks", WORKFLOW, format="json")
    assert response.status_code == 201, response.content
    return response.json()["check_id"]


def get(user, url):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client.get(url)


def test_the_owner_downloads_a_valid_cyclonedx_bom_carrying_the_check_id(users, check_id):
    response = get(users[0], f"/api/v1/checks/{check_id}/bom?format=cyclonedx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.cyclonedx+json")
    assert response["Content-Disposition"] == f'attachment; filename="{check_id}.cdx.json"'
    bom = json.loads(response.content)
    validate(bom)
    assert {"name": "provenant:check_id", "value": check_id} in bom["metadata"]["properties"]


def test_without_a_format_the_bom_is_cyclonedx(users, check_id):
    response = get(users[0], f"/api/v1/checks/{check_id}/bom")
    assert response.status_code == 200 and json.loads(response.content)["bomFormat"] == "CycloneDX"


def test_the_eu_summary_comes_as_markdown_json_or_html(users, check_id):
    markdown = get(users[0], f"/api/v1/checks/{check_id}/bom?format=eu-summary")
    assert markdown.status_code == 200 and markdown["Content-Type"].startswith("text/markdown")
    assert "## 2. List of data sources" in markdown.content.decode()
    data = json.loads(get(users[0], f"/api/v1/checks/{check_id}/bom?format=eu-summary-json").content)
    assert data["check_id"] == check_id and data["to_fill"]
    html = get(users[0], f"/api/v1/checks/{check_id}/bom?format=eu-summary-html")
    assert html["Content-Type"].startswith("text/html") and "<h2>2. List of data sources</h2>" in html.content.decode()


def test_another_user_may_not_export_the_check(users, check_id):
    response = get(users[1], f"/api/v1/checks/{check_id}/bom?format=cyclonedx")
    assert response.status_code == 403 and response["Content-Type"] == "application/json"
    assert json.loads(response.content)["errors"][0]["message"] == "This check was made by another user."


def test_anonymous_users_are_refused(check_id):
    assert get(None, f"/api/v1/checks/{check_id}/bom?format=cyclonedx").status_code in (401, 403)


def test_an_unknown_format_is_refused_naming_the_parameter(users, check_id):
    response = get(users[0], f"/api/v1/checks/{check_id}/bom?format=spdx")
    assert response.status_code == 400
    error = json.loads(response.content)["errors"][0]
    assert error["field"] == "format" and error["message"].startswith("'spdx' is not one of cyclonedx")
