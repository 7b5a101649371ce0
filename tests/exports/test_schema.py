"""The export endpoints are in the OpenAPI schema under the issue's names, with their formats and media types."""

import pytest
import yaml
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def paths(kb_db):
    return yaml.safe_load(APIClient().get("/api/v1/schema").content)["paths"]


def format_enum(operation):
    return next(p["schema"]["enum"] for p in operation["parameters"] if p["name"] == "format")


def test_the_check_exports_are_described(paths):
    aibom = paths["/api/v1/checks/{id}/aibom"]["get"]
    assert sorted(format_enum(aibom)) == ["cyclonedx", "spdx"]
    assert {"application/vnd.cyclonedx+json", "application/spdx+json"} <= set(aibom["responses"]["200"]["content"])
    summary = paths["/api/v1/checks/{id}/eu-training-summary"]["get"]
    assert sorted(format_enum(summary)) == ["html", "json", "markdown"]
    assert {"text/markdown", "application/json", "text/html"} <= set(summary["responses"]["200"]["content"])
    pack = paths["/api/v1/checks/{id}/obligations-pack"]["get"]
    assert set(pack["responses"]["200"]["content"]) == {"application/zip"}
    assert paths["/api/v1/checks/{id}/bom"]["get"]["deprecated"] is True  # the older form, kept as an alias


def test_the_model_aibom_is_described(paths):
    operation = paths["/api/v1/models/{slug}/aibom"]["get"]
    assert sorted(format_enum(operation)) == ["cyclonedx", "spdx"]
    assert {"application/vnd.cyclonedx+json", "application/spdx+json"} <= set(operation["responses"]["200"]["content"])
