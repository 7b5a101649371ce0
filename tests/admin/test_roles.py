"""The roles created by migration: viewers look, editors edit drafts, publishers publish."""

import pytest
from django.contrib.auth.models import Group, User

from policies.models import Rule
from policies.publishing import PublishRefused, publish_rule
from tests.admin.conftest import rule_form

pytestmark = pytest.mark.django_db


def member(name, group):
    person = User.objects.create_user(name, password="pw", is_staff=True)
    person.groups.add(Group.objects.get(name=group))
    return User.objects.get(pk=person.pk)


@pytest.mark.parametrize(
    "group, allowed, denied",
    [
        ("Policy viewer", ["kb.view_aimodel", "kb.view_provision", "policies.view_rule", "policies.view_check"],
         ["kb.change_aimodel", "policies.add_rule", "policies.change_rule", "policies.publish_rule"]),
        ("Policy editor", ["kb.view_aimodel", "kb.change_licenseclause", "kb.add_termsversion", "policies.add_rule", "policies.change_rule",
                           "policies.change_ruleexample"],
         ["policies.publish_rule", "policies.delete_rule", "kb.delete_termsversion", "policies.change_check"]),
        ("Policy publisher", ["policies.change_rule", "kb.change_provision", "policies.publish_rule"], ["policies.delete_rule", "policies.add_check"]),
    ],
)
def test_each_role_has_exactly_the_permissions_its_name_promises(group, allowed, denied):
    person = member("someone", group)
    assert [p for p in allowed if not person.has_perm(p)] == []
    assert [p for p in denied if person.has_perm(p)] == []


def test_an_editor_edits_a_rule_in_the_admin_and_a_publisher_publishes_it(client, settings):
    settings.POLICY_FOUR_EYES = True
    editor, publisher, viewer = member("ed", "Policy editor"), member("pub", "Policy publisher"), member("vi", "Policy viewer")
    rule = Rule.objects.get(slug="competing-models")

    client.force_login(viewer)
    assert client.get(f"/admin/policies/rule/{rule.pk}/change/").status_code == 200  # read-only view
    assert client.post(f"/admin/policies/rule/{rule.pk}/change/", rule_form(rule, title="viewer edit")).status_code == 403

    client.force_login(editor)
    response = client.post(f"/admin/policies/rule/{rule.pk}/change/", rule_form(rule, title="Edited", change_reason="clearer"))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.title, rule.status) == ("Edited", Rule.Status.DRAFT)
    with pytest.raises(PublishRefused):
        publish_rule(rule, editor)

    publish_rule(rule, publisher)
    assert Rule.objects.get(pk=rule.pk).status == Rule.Status.PUBLISHED
