"""An editor saves a rule with a broken condition and sees the error at the field, in a real browser."""

import pytest
from django.contrib.auth.models import Permission, User
from playwright.sync_api import expect

from policies.models import Rule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_editor_saving_a_broken_condition_sees_the_error_at_the_field(page, portal):
    editor = User.objects.create_user("editor", password="pw-for-browser-tests", is_staff=True)
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["view_rule", "change_rule", "view_ruleexample", "change_ruleexample", "add_ruleexample"]))
    rule = Rule.objects.get(slug="competing-models")

    page.goto(portal.url + "/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-for-browser-tests")
    page.click("input[type=submit]")
    page.goto(f"{portal.url}/admin/policies/rule/{rule.pk}/change/")
    page.fill("#id_condition", "student.competes_with_teachers == ")
    page.fill("#id_change_reason", "trying a broken condition")
    page.click("input[name=_save]")

    errors = page.locator(".field-condition .errorlist")
    # The save is a full page load: wait for the answer page rather than reading the old one.
    expect(errors).to_be_visible(timeout=15000)
    assert "<input>:1:" in errors.inner_text()  # where the mistake is
    assert page.locator(".errornote").is_visible()
    rule.refresh_from_db()
    assert rule.condition.startswith("student.competes_with_teachers == true") and rule.status == Rule.Status.PUBLISHED
