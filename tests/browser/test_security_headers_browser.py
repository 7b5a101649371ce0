"""With the Content-Security-Policy on, the portal, the admin (its scripts, the Markdown preview) and
the API docs (Swagger UI, Redoc from our own static files) still work, and the browser reports no
blocked script or style."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from kb.models import AIModel
from policies.models import Rule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def violations(messages):
    # Redoc's "powered by" logo is an image on its CDN: refusing it is the policy doing its job.
    return [m for m in messages if "Content Security Policy" in m and "cdn.redoc.ly" not in m]


def watch(page):
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.on("pageerror", lambda error: messages.append(f"page error: {error}"))
    return messages


def test_the_portal_and_the_api_docs_work_under_the_policy(page, portal):
    messages = watch(page)
    page.goto(portal.url + "/check")
    expect(page.locator("#run-check")).to_be_visible()
    page.goto(portal.url + "/models/deepseek-r1-distill-llama-8b")
    expect(page.locator("svg.lineage-graph")).to_be_visible()
    page.goto(portal.url + "/api/v1/docs")
    expect(page.locator(".opblock").first).to_be_visible()  # Swagger UI ran its start-up script (a file)
    page.goto(portal.url + "/api/v1/redoc")
    expect(page.locator("li[data-item-id]").first).to_be_visible()  # Redoc rendered the schema
    assert violations(messages) == [], messages
    assert page.evaluate("document.cookie") == ""  # csrftoken and sessionid are HttpOnly


def test_the_admin_works_under_the_policy_markdown_preview_included(page, portal):
    User.objects.create_superuser("root", "root@example.com", "pw-for-browser-tests")
    messages = watch(page)
    page.goto(portal.url + "/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "pw-for-browser-tests")
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_be_visible()
    rule = Rule.objects.get(slug="competing-models")
    page.goto(f"{portal.url}/admin/policies/rule/{rule.pk}/history/")
    expect(page.locator("#content")).to_be_visible()
    page.goto(f"{portal.url}/admin/kb/aimodel/{AIModel.objects.first().pk}/change/")
    # The preview posts with the CSRF token it reads from the form (the cookie is HttpOnly).
    page.fill("#id_notes", "Some **bold** words")
    expect(page.locator(".markdown-preview-body strong")).to_have_text("bold")
    assert violations(messages) == [], messages
