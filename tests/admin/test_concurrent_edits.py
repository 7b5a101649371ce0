"""Two editors on one rule: an edit based on a revision that is no longer the latest is refused, naming
who changed the rule and when, and nothing of it is written (optimistic concurrency, policies.publishing)."""

import html
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone

from policies.models import Rule
from policies.publishing import current_revision, publish_rule, refuse_stale_edit
from tests.admin.conftest import rule_form

pytestmark = pytest.mark.django_db

COMPETING = {"as_of": "2026-11-28", "student": {"name": "acme-chat", "purpose": "commercial", "release": "api", "competes_with_teachers": True}, "teachers": [{"model": "gpt-4o"}]}


def editor(name):
    user = get_user_model().objects.create_superuser(name, f"{name}@example.org", "pw-for-tests-only")
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def change_url(rule):
    return f"/admin/policies/rule/{rule.pk}/change/"


def open_form(client, rule):
    """GET the change form as the editor sees it; returns the revision it carries."""
    response = client.get(change_url(rule))
    assert response.status_code == 200
    revision = response.context["adminform"].form["based_on_revision"].value()
    assert f'name="based_on_revision" value="{revision}"' in response.content.decode()  # a hidden field the browser posts back
    return revision


def form_errors(response):
    return html.unescape(" ".join(response.context["adminform"].form.non_field_errors()))


def test_an_edit_over_a_newer_draft_is_refused_naming_who_changed_it_and_when(shipped_rule):
    alice, bob = editor("alice"), editor("bob")
    alices_revision = open_form(alice, shipped_rule)
    open_form(bob, shipped_rule)
    bobs = bob.post(change_url(shipped_rule), rule_form(shipped_rule, title="Bob's title", change_reason="Bob's fix"))
    assert bobs.status_code == 302
    records = shipped_rule.history.count()

    alices = alice.post(
        change_url(shipped_rule),
        rule_form(shipped_rule, title="Alice's title", change_reason="Alice's fix", based_on_revision=alices_revision,
                  examples=[{"name": "alice's example", "workflow": COMPETING, "expected": "prohibit"}]),
    )

    assert alices.status_code == 200
    latest = shipped_rule.history.order_by("-history_id").first()
    when = timezone.localtime(latest.history_date).strftime("%Y-%m-%d %H:%M")
    message = form_errors(alices)
    assert 'Rule "competing-models" was changed by bob at ' + when in message
    assert '("Bob\'s fix")' in message and "Nothing was saved" in message
    stored = Rule.objects.get(pk=shipped_rule.pk)
    assert stored.title == "Bob's title" and stored.status == Rule.Status.DRAFT  # Bob's draft is intact
    assert shipped_rule.history.count() == records  # nothing of Alice's edit was written
    assert not stored.examples.filter(name="alice's example").exists()


def test_after_reopening_the_rule_the_editor_saves_on_top_of_the_newer_draft(shipped_rule):
    alice, bob = editor("alice"), editor("bob")
    stale = open_form(alice, shipped_rule)
    bob.post(change_url(shipped_rule), rule_form(shipped_rule, title="Bob's title", change_reason="Bob's fix"))
    assert alice.post(change_url(shipped_rule), rule_form(shipped_rule, title="Alice's", based_on_revision=stale)).status_code == 200

    fresh = open_form(alice, shipped_rule)
    assert fresh != stale
    response = alice.post(change_url(shipped_rule), rule_form(Rule.objects.get(pk=shipped_rule.pk), remedy="Ask legal.", based_on_revision=fresh))
    assert response.status_code == 302
    stored = Rule.objects.get(pk=shipped_rule.pk)
    assert (stored.title, stored.remedy) == ("Bob's title", "Ask legal.")  # Bob's change kept, Alice's added


def test_a_publish_in_between_also_refuses_the_stale_edit(shipped_rule):
    alice, bob = editor("alice"), editor("bob")
    bob.post(change_url(shipped_rule), rule_form(shipped_rule, title="Bob's title", change_reason="Bob's fix"))
    alices_revision = open_form(alice, shipped_rule)
    publish_rule(Rule.objects.get(pk=shipped_rule.pk), bob.user)
    response = alice.post(change_url(shipped_rule), rule_form(shipped_rule, title="Alice's", based_on_revision=alices_revision))
    assert response.status_code == 200
    assert 'was changed by bob at' in form_errors(response) and '("Published")' in form_errors(response)
    assert Rule.objects.get(pk=shipped_rule.pk).status == Rule.Status.PUBLISHED


def test_a_form_without_its_revision_is_refused(shipped_rule):
    alice = editor("alice")
    data = rule_form(shipped_rule, title="Alice's")
    del data["based_on_revision"]
    response = alice.post(change_url(shipped_rule), data)
    assert response.status_code == 200
    assert "does not say which revision" in form_errors(response)
    assert Rule.objects.get(pk=shipped_rule.pk).title != "Alice's"


def test_restoring_an_earlier_version_from_a_stale_page_is_refused_too(shipped_rule):
    alice, bob = editor("alice"), editor("bob")
    first = shipped_rule.history.order_by("history_id").first()
    revert_url = f"/admin/policies/rule/{shipped_rule.pk}/history/{first.history_id}/"
    stale = alice.get(revert_url).context["adminform"].form["based_on_revision"].value()
    assert stale == current_revision(shipped_rule.pk)
    bob.post(change_url(shipped_rule), rule_form(shipped_rule, title="Bob's title", change_reason="Bob's fix"))
    response = alice.post(revert_url, rule_form(shipped_rule, change_reason="restore", based_on_revision=stale))
    assert response.status_code == 200
    assert "was changed by bob" in form_errors(response)
    assert Rule.objects.get(pk=shipped_rule.pk).title == "Bob's title"


def _try_lock(rule_id):
    """From another connection (a thread): can the rule's row be locked right now? (NOWAIT: no waiting, no timing.)"""
    outcome = {}

    def attempt():
        try:
            with transaction.atomic():
                Rule.objects.select_for_update(nowait=True).filter(pk=rule_id).exists()
            outcome["locked"] = True
        except DatabaseError:
            outcome["locked"] = False
        finally:
            connection.close()

    thread = threading.Thread(target=attempt)
    thread.start()
    thread.join()
    return outcome["locked"]


# Skipped at collection, not in the test: a transactional test empties the database when it ends
# (pytest-django runs such tests last; the browser tests that follow reload the knowledge base).
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's; run with DATABASE_URL=postgres://…")
@pytest.mark.django_db(transaction=True)
def test_the_stale_edit_check_holds_the_rule_row_until_the_edit_commits():
    # Two simultaneous saves: the second one's check must wait for the first to commit, then see its
    # revision. SQLite has no row locks (it serializes writers instead), so this is PostgreSQL's test.
    rule = Rule.objects.create(slug="lock-probe", title="t", effect="review", message="m")
    with transaction.atomic():
        refuse_stale_edit(rule.pk, current_revision(rule.pk))
        assert _try_lock(rule.pk) is False  # another editor's save waits here
    assert _try_lock(rule.pk) is True  # released once the edit committed
