"""OpenAPI 3 at /api/v1/schema; interactive docs served from our own static files."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_schema_describes_the_endpoints_and_the_error_body(api, kb_db):
    response = api.get("/api/v1/schema")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/models", "/api/v1/models/{slug}/lineage", "/api/v1/terms/{spdx_id}", "/api/v1/provisions"} <= set(schema["paths"])
    assert "Error" in schema["components"]["schemas"]
    assert schema["paths"]["/api/v1/models"]["get"]["responses"]["429"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"}
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"


@pytest.mark.parametrize("page", ["/api/v1/docs", "/api/v1/redoc"])
def test_docs_load_their_assets_from_our_static_files_not_a_cdn(api, kb_db, page):
    html = api.get(page).content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    assets = re.findall(r'(?:src|href)="(/static/drf_spectacular_sidecar/[^"]+)"', html)
    assert assets
    for asset in assets:  # each is one of our static files (collectstatic ships it; whitenoise serves it)
        assert finders.find(asset.removeprefix("/static/").split("?")[0]), asset
