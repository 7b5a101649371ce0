"""Every response carries a Content-Security-Policy and a Permissions-Policy; the CSRF cookie is not
readable by scripts. Pages we do not write (admin, API docs) get only the relaxation they need."""

import re

import pytest

pytestmark = pytest.mark.django_db

PAGES = ["/", "/models/", "/check", "/rules/", "/search?q=llama", "/no-such-page", "/admin/login/", "/api/v1/models", "/api/v1/ping",
         "/api/v1/no-such-endpoint", "/api/v1/schema", "/api/v1/docs", "/api/v1/docs?script=", "/api/v1/redoc"]


def directives(response):
    return {d.split()[0]: d.split()[1:] for d in response["Content-Security-Policy"].split("; ")}


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_content_security_policy_without_inline_or_foreign_scripts(client, kb_db, path):
    response = client.get(path)
    csp = directives(response)
    assert csp["script-src"] == ["'self'"] and csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    assert csp["default-src"] == ["'self'"] and csp["frame-ancestors"] == ["'none'"]
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.parametrize("path", ["/", "/check", "/rules/", "/models/", "/api/v1/models"])
def test_the_portals_own_pages_allow_no_inline_styles_either(client, kb_db, path):
    assert directives(client.get(path))["style-src"] == ["'self'"]


def test_the_api_docs_run_no_inline_script(client, kb_db):
    for path in ("/api/v1/docs", "/api/v1/redoc"):
        page = client.get(path).content.decode()
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
        assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts), (path, scripts)
        assert "googleapis" not in page
    script = client.get("/api/v1/docs?script=")
    assert script["Content-Type"].startswith("application/javascript") and b"SwaggerUIBundle" in script.content


def test_the_csrf_cookie_is_http_only(client, kb_db):
    response = client.get("/check")
    cookie = response.cookies["csrftoken"]
    assert cookie["httponly"] is True
    # The form still works: the token travels in the page, not read from the cookie by a script.
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()
