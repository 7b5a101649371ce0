"""GET /api/v1/checks/{id}/aibom, /eu-training-summary, /obligations-pack (and the older /bom): a check's exports, for those who may see it;
GET /api/v1/models/{slug}/aibom: a knowledge-base model's AI-BOM, for anyone."""

import io
import json
import zipfile

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from policies.exports import spdx
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
    for path, value, start in [("bom", "pdf", "'pdf' is not one of cyclonedx, spdx"), ("aibom", "eu-summary", "'eu-summary' is not one of cyclonedx, spdx"),
                               ("eu-training-summary", "docx", "'docx' is not one of markdown, json, html")]:
        response = get(users[0], f"/api/v1/checks/{check_id}/{path}?format={value}")
        assert response.status_code == 400, path
        error = json.loads(response.content)["errors"][0]
        assert error["field"] == "format" and error["message"].startswith(start), (path, error)


def test_the_aibom_comes_as_cyclonedx_by_default_or_spdx(users, check_id):
    default = get(users[0], f"/api/v1/checks/{check_id}/aibom")
    assert default.status_code == 200 and json.loads(default.content)["bomFormat"] == "CycloneDX"
    response = get(users[0], f"/api/v1/checks/{check_id}/aibom?format=spdx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/spdx+json")
    assert response["Content-Disposition"] == f'attachment; filename="{check_id}.spdx3.jsonld"'
    document = json.loads(response.content)
    spdx.validate(document)
    machine = next(a for a in document["@graph"] if a["type"] == "Annotation" and a.get("contentType") == "application/json")
    assert json.loads(machine["statement"])["check_id"] == check_id


def test_the_eu_training_summary_has_its_own_endpoint(users, check_id):
    markdown = get(users[0], f"/api/v1/checks/{check_id}/eu-training-summary")
    assert markdown.status_code == 200 and markdown["Content-Type"].startswith("text/markdown")
    assert "## 2. List of data sources" in markdown.content.decode()
    data = json.loads(get(users[0], f"/api/v1/checks/{check_id}/eu-training-summary?format=json").content)
    assert data["check_id"] == check_id
    html = get(users[0], f"/api/v1/checks/{check_id}/eu-training-summary?format=html")
    assert html["Content-Type"].startswith("text/html")


def test_the_obligations_pack_is_a_zip(users, check_id):
    response = get(users[0], f"/api/v1/checks/{check_id}/obligations-pack")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="{check_id}.obligations-pack.zip"'
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert "NOTICE" in archive.namelist() and json.loads(archive.read("pack.json"))["check_id"] == check_id


def test_the_new_endpoints_keep_the_checks_access_rules(users, check_id):
    for path in ("aibom?format=spdx", "eu-training-summary", "obligations-pack"):
        assert get(users[1], f"/api/v1/checks/{check_id}/{path}").status_code == 403, path
        assert get(None, f"/api/v1/checks/{check_id}/{path}").status_code in (401, 403), path


def test_anyone_downloads_a_knowledge_base_models_aibom(kb_db):
    cyclonedx = get(None, "/api/v1/models/qwen2-5-7b-instruct/aibom")
    assert cyclonedx.status_code == 200, cyclonedx.content
    bom = json.loads(cyclonedx.content)
    validate(bom)
    assert bom["metadata"]["component"]["name"] == "Qwen2.5-7B-Instruct" and bom["components"]
    document = json.loads(get(None, "/api/v1/models/qwen2-5-7b-instruct/aibom?format=spdx").content)
    spdx.validate(document)
    assert get(None, "/api/v1/models/no-such-model/aibom").status_code == 404
    error = json.loads(get(None, "/api/v1/models/qwen2-5-7b-instruct/aibom?format=xml").content)["errors"][0]
    assert error["field"] == "format"
