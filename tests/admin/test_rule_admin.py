"""Editing rules in the admin: validated on save, examples run, a reason recorded, drafts published by an action."""

import pytest

from policies.models import Rule
from tests.admin.conftest import rule_form

pytestmark = pytest.mark.django_db

COMPETING = {"as_of": "2026-11-28", "student": {"name": "acme-chat", "purpose": "commercial", "release": "api", "competes_with_teachers": True}, "teachers": [{"model": "gpt-4o"}]}


def change_url(rule):
    return f"/admin/policies/rule/{rule.pk}/change/"


def test_a_broken_condition_is_shown_at_the_condition_field_with_its_position(staff_client, shipped_rule):
    response = staff_client.post(change_url(shipped_rule), rule_form(shipped_rule, condition="student.competes_with_teachers == "))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "condition" in errors
    assert "<input>:1:" in errors["condition"][0]  # line:column of the mistake
    assert Rule.objects.get(pk=shipped_rule.pk).condition != "student.competes_with_teachers == "


def test_a_failing_example_blocks_the_save_and_names_the_example(staff_client, shipped_rule):
    # Narrowing the condition to non-competing students breaks the shipped "competing assistant" example.
    response = staff_client.post(change_url(shipped_rule), rule_form(shipped_rule, condition="student.competes_with_teachers == false"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'Example &quot;gpt-4o teaches a competing assistant&quot; fails: expected prohibit, produced nothing.' in body
    assert Rule.objects.get(pk=shipped_rule.pk).condition.startswith("student.competes_with_teachers == true")


def test_a_new_example_that_fails_is_refused_too(staff_client, shipped_rule):
    data = rule_form(shipped_rule, examples=[{"name": "wrongly quiet", "workflow": COMPETING, "expected": "none"}])
    response = staff_client.post(change_url(shipped_rule), data)
    assert response.status_code == 200
    assert "Example &quot;wrongly quiet&quot; fails: expected none, produced prohibit." in response.content.decode()
    assert not shipped_rule.examples.filter(name="wrongly quiet").exists()


def test_a_valid_edit_is_saved_as_a_draft_with_its_reason_in_history(staff_client, shipped_rule):
    data = rule_form(shipped_rule, title="Outputs may not train a competing model", change_reason="Shorter title")
    response = staff_client.post(change_url(shipped_rule), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    rule = Rule.objects.get(pk=shipped_rule.pk)
    assert rule.title == "Outputs may not train a competing model"
    assert rule.status == Rule.Status.DRAFT
    record = rule.history.first()
    assert record.history_change_reason == "Shorter title"
    assert record.history_user == staff_client.user


def test_a_reason_is_required(staff_client, shipped_rule):
    response = staff_client.post(change_url(shipped_rule), rule_form(shipped_rule, title="x", change_reason=""))
    assert response.status_code == 200
    assert "change_reason" in response.context["adminform"].form.errors


def test_history_shows_field_diffs_and_an_earlier_version_can_be_restored(staff_client, shipped_rule):
    old_title = shipped_rule.title
    staff_client.post(change_url(shipped_rule), rule_form(shipped_rule, title="Changed title", change_reason="try"))
    assert Rule.objects.get(pk=shipped_rule.pk).title == "Changed title"
    history = staff_client.get(f"/admin/policies/rule/{shipped_rule.pk}/history/").content.decode()
    assert "Changed title" in history and old_title in history  # the diff: old and new value of the field
    earlier = Rule.history.filter(id=shipped_rule.pk, title=old_title).order_by("-history_date").first()
    revert_url = f"/admin/policies/rule/{shipped_rule.pk}/history/{earlier.history_id}/"
    assert staff_client.get(revert_url).status_code == 200
    response = staff_client.post(revert_url, rule_form(shipped_rule, title=old_title, change_reason="restore"))
    assert response.status_code == 302
    restored = Rule.objects.get(pk=shipped_rule.pk)
    assert restored.title == old_title
    assert restored.status == Rule.Status.DRAFT  # a restore is an edit: published again by the action


def publish(client, rule):
    return client.post("/admin/policies/rule/", {"action": "publish", "_selected_action": [rule.pk]}, follow=True)


def test_the_publish_action_publishes_a_draft(staff_client, shipped_rule):
    Rule.objects.filter(pk=shipped_rule.pk).update(status=Rule.Status.DRAFT)
    response = publish(staff_client, shipped_rule)
    assert "Published &quot;competing-models&quot;." in response.content.decode()
    assert Rule.objects.get(pk=shipped_rule.pk).status == Rule.Status.PUBLISHED


def test_four_eyes_refusal_is_a_clear_error(staff_client, shipped_rule, settings):
    settings.POLICY_FOUR_EYES = True
    staff_client.post(change_url(shipped_rule), rule_form(shipped_rule, title="Edited by me", change_reason="edit"))
    response = publish(staff_client, shipped_rule)
    assert "someone who did not change it must publish it" in response.content.decode()
    assert Rule.objects.get(pk=shipped_rule.pk).status == Rule.Status.DRAFT


def test_an_editor_without_publish_permission_has_no_publish_action(editor_client, shipped_rule):
    page = editor_client.get("/admin/policies/rule/")
    assert page.status_code == 200
    assert 'value="publish"' not in page.content.decode()


def test_a_disabled_rules_examples_still_run_on_save(staff_client, shipped_rule):
    # Switching the rule off and breaking its condition in one edit: the examples still run (as if
    # the rule were on), so the broken condition cannot wait, disabled, for someone to re-enable it.
    data = rule_form(shipped_rule, enabled=None, condition="student.competes_with_teachers == false", change_reason="off")
    response = staff_client.post(change_url(shipped_rule), data)
    assert response.status_code == 200
    assert 'Example &quot;gpt-4o teaches a competing assistant&quot; fails: expected prohibit, produced nothing.' in response.content.decode()
    stored = Rule.objects.get(pk=shipped_rule.pk)
    assert stored.enabled and stored.condition.startswith("student.competes_with_teachers == true")


def test_a_new_disabled_rule_with_a_failing_example_is_refused(staff_client):
    data = rule_form(slug="off-by-default", enabled=None, examples=[{"name": "never quiet", "workflow": COMPETING, "expected": "none"}])
    response = staff_client.post("/admin/policies/rule/add/", data)
    assert response.status_code == 200
    assert "Example &quot;never quiet&quot; fails: expected none, produced review." in response.content.decode()
    assert not Rule.objects.filter(slug="off-by-default").exists()


def test_disabling_a_rule_with_passing_examples_saves_a_disabled_draft(staff_client, shipped_rule):
    response = staff_client.post(change_url(shipped_rule), rule_form(shipped_rule, enabled=None, change_reason="retire"))
    assert response.status_code == 302
    stored = Rule.objects.get(pk=shipped_rule.pk)
    assert (stored.enabled, stored.status) == (False, Rule.Status.DRAFT)


def test_the_scope_help_lists_its_keys_instead_of_pointing_at_a_source_file(staff_client, shipped_rule):
    body = staff_client.get(change_url(shipped_rule)).content.decode()
    assert "scope.py" not in body
    assert ("Keys: target (clause, unknown_terms, missing_version, unresolved, licensor_release, third_party_relicense, workflow); "
            "clause_types (") in body
    assert "release (open_weights, api, internal)" in body and "jurisdictions (any ids)" in body


def test_the_check_list_shows_requester_verdict_student_and_time(staff_client):
    from policies.services import decide_and_record

    _decision, check = decide_and_record(COMPETING, channel="portal", requester=staff_client.user)
    body = staff_client.get("/admin/policies/check/").content.decode()
    row = body.split(f'/admin/policies/check/{check.pk}/change/')[1].split("</tr>")[0]
    assert check.created_at.strftime("%Y") in body.split(f'/admin/policies/check/{check.pk}/change/')[1][:80]
    assert ">admin<" in row and ">prohibited<" in row and ">acme-chat<" in row
