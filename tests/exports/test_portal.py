"""The check page offers the AI-BOM and the EU summary draft as downloads, to those who may see the check."""

import io
import json
import zipfile

import pytest

from policies.exports import spdx
from policies.exports.cyclonedx import validate
from policies.models import Check
from tests.portal.test_check import DISTIL_GPT4O


@pytest.fixture
def check_location(client, kb_db):
    return client.post("/check", DISTIL_GPT4O)["Location"]


def test_the_check_page_links_the_exports_and_they_download(client, check_location):
    check = Check.objects.get(pk=check_location.rsplit("/", 1)[1])
    body = client.get(check_location).content.decode()
    assert f'href="/checks/{check.pk}/export/cyclonedx"' in body and f'href="/checks/{check.pk}/export/eu-summary"' in body

    bom = client.get(f"/checks/{check.pk}/export/cyclonedx")
    assert bom["Content-Disposition"] == f'attachment; filename="provenant-check-{check.pk}.cdx.json"'
    document = json.loads(bom.content)
    validate(document)
    assert {"name": "provenant:verdict", "value": "prohibited"} in document["metadata"]["properties"]

    summary = client.get(f"/checks/{check.pk}/export/eu-summary").content.decode()
    assert "**Provider name and contact details:** Acme GmbH" in summary

    for name in ("spdx", "obligations-pack"):
        assert f'href="/checks/{check.pk}/export/{name}"' in body
    spdx_document = json.loads(client.get(f"/checks/{check.pk}/export/spdx").content)
    spdx.validate(spdx_document)
    pack = client.get(f"/checks/{check.pk}/export/obligations-pack")
    assert pack["Content-Type"] == "application/zip"
    assert pack["Content-Disposition"] == f'attachment; filename="provenant-check-{check.pk}.obligations-pack.zip"'
    assert "NOTICE" in zipfile.ZipFile(io.BytesIO(pack.content)).namelist()


def test_a_model_page_links_its_aibom(client, kb_db):
    body = client.get("/models/qwen2-5-7b-instruct").content.decode()
    assert 'href="/api/v1/models/qwen2-5-7b-instruct/aibom?format=spdx"' in body
    assert 'href="/api/v1/models/qwen2-5-7b-instruct/aibom?format=cyclonedx"' in body
    assert "not legal advice" in body.lower()


def test_someone_else_cannot_export_the_check(client, check_location, django_user_model):
    check_id = check_location.rsplit("/", 1)[1]
    client.logout()
    client.cookies.clear()  # another browser: not the session that made the check
    assert client.get(f"/checks/{check_id}/export/cyclonedx").status_code == 404


def test_an_unknown_export_is_404(client, check_location):
    check_id = check_location.rsplit("/", 1)[1]
    assert client.get(f"/checks/{check_id}/export/pdf").status_code == 404
