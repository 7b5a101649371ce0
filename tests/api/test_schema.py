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


@pytest.mark.parametrize("page", ["/api/v1/docs", "/api/v1/redoc"])
def test_docs_pages_name_no_other_host_and_forbid_loading_from_one(api, kb_db, page):
    response = api.get(page)
    assert re.findall(r"https?://[^\s\"'<>]+", response.content.decode()) == []
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'" and policy["img-src"] == "'self' data:" and policy["connect-src"] == "'self'"


def test_the_api_root_links_the_docs_the_schema_and_the_collections(api, kb_db):
    response = api.get("/api/v1/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    links = response.json()["links"]
    assert links["docs"] == "http://testserver/api/v1/docs" and links["schema"] == "http://testserver/api/v1/schema"
    assert links["redoc"] == "http://testserver/api/v1/redoc" and links["models"] == "http://testserver/api/v1/models"
    for name, url in links.items():
        assert api.get(url.removeprefix("http://testserver")).status_code in (200, 400 if name == "search" else 200, 401, 403), url


def test_the_portal_links_the_api_docs(client, kb_db):
    body = client.get("/").content.decode()
    assert 'href="/api/v1/docs"' in body and 'href="/api/v1/schema"' in body
