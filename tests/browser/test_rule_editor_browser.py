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


def login(page, portal, username):
    page.goto(portal.url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-browser-tests")
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_be_visible()


def test_two_editors_on_one_rule_the_second_save_is_refused_naming_the_first(chromium, portal):
    for name in ("alice", "bob"):
        person = User.objects.create_user(name, password="pw-for-browser-tests", is_staff=True)
        person.user_permissions.add(*Permission.objects.filter(codename__in=["view_rule", "change_rule", "view_ruleexample", "change_ruleexample", "add_ruleexample"]))
    rule = Rule.objects.get(slug="competing-models")
    url = f"{portal.url}/admin/policies/rule/{rule.pk}/change/"
    alice_context, bob_context = chromium.new_context(), chromium.new_context()
    try:
        alice, bob = alice_context.new_page(), bob_context.new_page()
        for page, name in ((alice, "alice"), (bob, "bob")):
            page.set_default_timeout(15000)
            login(page, portal, name)
            page.goto(url)  # both open the rule before either saves
        bob.fill("#id_title", "Bob's title")
        bob.fill("#id_change_reason", "Bob's fix")
        bob.click("input[name=_save]")
        expect(bob.locator(".messagelist .success")).to_be_visible()

        alice.fill("#id_title", "Alice's title")
        alice.fill("#id_change_reason", "Alice's fix")
        alice.click("input[name=_save]")
        error = alice.locator(".errorlist.nonfield")
        expect(error).to_be_visible()
        assert 'Rule "competing-models" was changed by bob at ' in error.inner_text()
        assert "Nothing was saved" in error.inner_text()
    finally:
        alice_context.close()
        bob_context.close()
    rule.refresh_from_db()
    assert (rule.title, rule.status) == ("Bob's title", Rule.Status.DRAFT)
