"""Publishing from the impact page publishes the draft exactly as reviewed: an edit saved after the
review is refused, so it cannot reach checks unseen."""

import re

import pytest
from django.contrib.auth.models import User

from policies.engine import snapshot as snapshots
from policies.models import Rule
from tests.admin.conftest import rule_form

pytestmark = pytest.mark.django_db


def impact_url(rule):
    return f"/admin/policies/rule/{rule.pk}/impact/"


def reviewed_revision(client, rule):
    page = client.get(impact_url(rule)).content.decode()
    match = re.search(r'name="revision" value="(\d+)"', page)
    assert match, "the impact page offers no publish form"
    return match.group(1)


@pytest.fixture
def edited_rule(staff_client, shipped_rule):
    """The shipped competing-models rule with a pending draft (a new title) saved in the admin."""
    response = staff_client.post(f"/admin/policies/rule/{shipped_rule.pk}/change/", rule_form(shipped_rule, title="Reviewed title"))
    assert response.status_code == 302
    return Rule.objects.get(pk=shipped_rule.pk)


def test_publishing_the_reviewed_draft_puts_it_in_force(staff_client, edited_rule):
    revision = reviewed_revision(staff_client, edited_rule)
    response = staff_client.post(impact_url(edited_rule), {"revision": revision}, follow=True)
    assert "Published &quot;competing-models&quot; as reviewed." in response.content.decode()
    rule = Rule.objects.get(pk=edited_rule.pk)
    assert (rule.status, rule.title) == (Rule.Status.PUBLISHED, "Reviewed title")
    snapshots.clear_cache()
    assert next(r for r in snapshots.current().rules if r.slug == "competing-models").title == "Reviewed title"


def test_an_edit_saved_after_the_review_is_not_published(staff_client, edited_rule, client):
    revision = reviewed_revision(staff_client, edited_rule)
    other = User.objects.create_superuser("bob", "bob@example.org", "pw-for-tests-only")
    client.force_login(other)
    client.post(f"/admin/policies/rule/{edited_rule.pk}/change/", rule_form(edited_rule, title="Unreviewed title", change_reason="late edit"))
    assert Rule.objects.get(pk=edited_rule.pk).title == "Unreviewed title"

    response = staff_client.post(impact_url(edited_rule), {"revision": revision}, follow=True)
    body = response.content.decode()
    assert "Not published" in body and "changed by bob" in body and "late edit" in body
    assert "Nothing was published: review the impact again" in body
    assert Rule.objects.get(pk=edited_rule.pk).status == Rule.Status.DRAFT


def test_a_publish_without_a_revision_is_refused(staff_client, edited_rule):
    response = staff_client.post(impact_url(edited_rule), {}, follow=True)
    assert "did not say which revision you reviewed" in response.content.decode()
    assert Rule.objects.get(pk=edited_rule.pk).status == Rule.Status.DRAFT


def test_an_editor_without_the_publish_permission_sees_no_publish_form_and_cannot_post_one(edited_rule, editor_client):
    page = editor_client.get(impact_url(edited_rule)).content.decode()
    assert "verdict" in page and 'id="publish-reviewed"' not in page
    assert editor_client.post(impact_url(edited_rule), {"revision": "1"}).status_code == 403
    assert Rule.objects.get(pk=edited_rule.pk).status == Rule.Status.DRAFT
