"""The interactive API docs, reached from the portal, load and render with nothing fetched from
another host (the project promises no CDN). ReDoc's bundle asks for a logo on cdn.redoc.ly; the
page's Content-Security-Policy stops that request inside the browser, which Chromium reports as a
failure of kind "csp": nothing leaves the machine."""

from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def record_hosts(page):
    """The hosts requests went to, leaving out those the page's policy blocked in the browser."""
    hosts = set()
    page.on("requestfinished", lambda request: hosts.add(urlsplit(request.url).netloc) if request.url.startswith("http") else None)
    page.on("requestfailed", lambda request: hosts.add(urlsplit(request.url).netloc) if request.failure != "csp" else None)
    return hosts


def test_the_portal_links_the_swagger_docs_which_load_only_local_assets(page, portal):
    hosts = record_hosts(page)
    page.goto(portal.url + "/")
    page.locator("header.site nav a", has_text="API").click()
    page.wait_for_url("**/api/v1/docs")
    page.locator(".swagger-ui .info .title", has_text="Provenant API").wait_for()
    page.locator(".opblock-summary-path", has_text="/api/v1/checks").first.wait_for()
    assert hosts == {urlsplit(portal.url).netloc}


def test_the_redoc_reference_loads_only_local_assets(page, portal):
    hosts = record_hosts(page)
    page.goto(portal.url + "/api/v1/redoc")
    page.locator("h1", has_text="Provenant API").wait_for()
    page.wait_for_load_state("networkidle")
    assert hosts == {urlsplit(portal.url).netloc}
