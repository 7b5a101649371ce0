"""Draft and publish: a draft does not affect checks until someone allowed to publish publishes it."""

import pytest
from django.contrib.auth.models import Permission, User

from policies.engine import snapshot as snapshots
from policies.engine.evaluate import evaluate_workflow
from policies.models import Rule
from policies.publishing import PublishRefused, publish_rule

pytestmark = pytest.mark.django_db

WORKFLOW = {"as_of": "2026-11-28", "student": {"name": "acme", "purpose": "commercial", "release": "internal"}}


def user(name, publish=False):
    person = User.objects.create_user(name, password="pw", is_staff=True)
    if publish:
        person.user_permissions.add(Permission.objects.get(codename="publish_rule"))
        person = User.objects.get(pk=person.pk)  # fresh permission cache
    return person


def draft(editor, **fields):
    rule = Rule(slug="everything-needs-review", title="t", effect="prohibit", scope={}, message="stop", status=Rule.Status.DRAFT, **fields)
    rule._history_user = editor
    rule.save()
    return rule


def fired(slug):
    snapshots.clear_cache()
    return slug in {f.rule for f in evaluate_workflow(WORKFLOW).findings}


def test_a_draft_does_not_affect_checks_until_published():
    editor, publisher = user("editor"), user("publisher", publish=True)
    rule = draft(editor)
    assert not fired(rule.slug)
    assert evaluate_workflow(WORKFLOW).verdict != "prohibited"
    publish_rule(rule, publisher)
    assert fired(rule.slug)
    assert evaluate_workflow(WORKFLOW).verdict == "prohibited"
    assert rule.history.first().history_user == publisher
    assert rule.history.first().history_change_reason == "Published"


def test_publishing_needs_the_publish_permission():
    editor = user("editor")
    rule = draft(editor)
    with pytest.raises(PublishRefused, match="publish_rule"):
        publish_rule(rule, user("someone"))
    rule.refresh_from_db()
    assert rule.status == Rule.Status.DRAFT


def test_four_eyes_refuses_the_last_editor_and_accepts_another_publisher(settings):
    settings.POLICY_FOUR_EYES = True
    editor = user("editor", publish=True)
    rule = draft(editor)
    with pytest.raises(PublishRefused, match="someone who did not change it must publish it"):
        publish_rule(rule, editor)
    assert Rule.objects.get(pk=rule.pk).status == Rule.Status.DRAFT
    publish_rule(rule, user("second", publish=True))
    assert Rule.objects.get(pk=rule.pk).status == Rule.Status.PUBLISHED


def test_four_eyes_counts_everyone_who_changed_the_rule_since_it_was_published_not_only_the_last_saver(settings):
    settings.POLICY_FOUR_EYES = True
    author, colleague = user("author", publish=True), user("colleague", publish=True)
    rule = draft(author, description="the author's text")
    rule._history_user, rule._change_reason = colleague, "no-op save"
    rule.save()  # the colleague saves without changing anything: the last saver is now someone else
    for person in (author, colleague):
        with pytest.raises(PublishRefused, match="changed since its last publication by you"):
            publish_rule(rule, person)
    publish_rule(rule, user("reviewer", publish=True))
    assert Rule.objects.get(pk=rule.pk).status == Rule.Status.PUBLISHED
    # After publication the count starts again: the colleague's next edit may be published by the author.
    rule.description, rule.status, rule._history_user = "the colleague's edit", Rule.Status.DRAFT, colleague
    rule.save()
    publish_rule(rule, author)
    assert Rule.objects.get(pk=rule.pk).status == Rule.Status.PUBLISHED


def test_without_four_eyes_the_editor_may_publish_their_own_edit(settings):
    settings.POLICY_FOUR_EYES = False
    editor = user("editor", publish=True)
    rule = draft(editor)
    publish_rule(rule, editor)
    assert Rule.objects.get(pk=rule.pk).status == Rule.Status.PUBLISHED


def test_shipped_rules_are_published():
    assert Rule.objects.exists()
    assert not Rule.objects.filter(status=Rule.Status.DRAFT).exists()


def test_rule_pages_show_drafts_to_editors_marked_as_not_in_force_and_the_published_version_to_everyone_else(editor_client):
    from django.test import Client
    from django.utils.html import escape

    from policies.models import Rule

    client = Client()  # anonymous

    rule = Rule.objects.filter(status=Rule.Status.PUBLISHED).first()
    Rule.objects.filter(pk=rule.pk).update(status=Rule.Status.DRAFT, title="Draft title nobody approved")
    page = client.get("/rules/").content.decode()
    assert "Draft: this text is not in force" not in page and "Draft title nobody approved" not in page and escape(rule.title) in page
    api = client.get("/api/v1/rules", {"page_size": 200}).json()
    listed = {r["slug"]: (r["status"], r["title"]) for r in api["results"]}
    assert listed[rule.slug] == ("published", rule.title)

    page = editor_client.get("/rules/").content.decode()
    assert "Draft: this text is not in force" in page and "Draft title nobody approved" in page
    api = editor_client.get("/api/v1/rules", {"page_size": 200}).json()
    assert {r["slug"]: r["status"] for r in api["results"]}[rule.slug] == "draft"
