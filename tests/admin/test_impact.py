"""Preview impact: which stored checks of the last 90 days a draft would change, before and after, and why."""

from datetime import timedelta

import pytest
from django.utils import timezone

from policies.engine import snapshot as snapshots
from policies.engine.evaluate import evaluate_workflow
from policies.impact import preview_impact
from policies.models import Check, Rule
from policies.services import bump_revision, decide_and_record
from tests.admin.conftest import rule_form

pytestmark = pytest.mark.django_db

INTERNAL = {"as_of": "2026-11-28", "student": {"name": "acme-router", "purpose": "commercial", "release": "internal"}, "deployment": {"jurisdictions": ["DE"]}}
JAPAN = {"as_of": "2026-11-28", "student": {"name": "acme-jp", "purpose": "commercial", "release": "internal"}, "deployment": {"jurisdictions": ["JP"]}}


def logged(workflow, days_ago=0):
    _decision, check = decide_and_record(workflow, channel=Check.Channel.API)
    Check.objects.filter(pk=check.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return check


def draft(**fields):
    values = {"slug": "japan-needs-review", "title": "t", "effect": "prohibit", "scope": {"jurisdictions": ["JP"]},
              "message": "Japan: {student.name} is stopped", "status": Rule.Status.DRAFT, **fields}
    return Rule.objects.create(**values)


def test_a_draft_lists_exactly_the_checks_whose_verdict_it_would_change():
    snapshots.clear_cache()
    japan, elsewhere, old_japan = logged(JAPAN, days_ago=3), logged(INTERNAL, days_ago=3), logged(JAPAN, days_ago=120)
    rule = draft()

    report = preview_impact(rule)

    assert report.checked == 2  # the 120-day-old check is outside the window
    assert [c.check.id for c in report.changes] == [str(japan.id)]
    change = report.changes[0]
    assert (change.before, change.after) == (japan.verdict, "prohibited")
    assert japan.verdict != "prohibited"
    assert [f["message"] for f in change.added] == ["Japan: acme-jp is stopped"]
    assert change.removed == ()
    assert str(elsewhere.id) not in {c.check.id for c in report.changes} and str(old_japan.id) not in {c.check.id for c in report.changes}
    # The preview changes nothing: the draft still does not affect checks.
    assert evaluate_workflow(JAPAN).verdict == japan.verdict


def test_an_edit_of_a_published_rule_stays_out_of_checks_and_its_preview_shows_the_finding_that_disappears(staff_client):
    snapshots.clear_cache()
    competing = {"as_of": "2026-11-28", "student": {"name": "acme-chat", "purpose": "commercial", "release": "api", "competes_with_teachers": True},
                 "teachers": [{"model": "gpt-4o"}]}
    check = logged(competing, days_ago=1)
    assert check.verdict == "prohibited"
    rule = Rule.objects.get(slug="competing-models")
    # An editor narrows the rule so it never fires: saved as a draft.
    response = staff_client.post(f"/admin/policies/rule/{rule.pk}/change/", rule_form(rule, condition="false", change_reason="try"))
    assert response.status_code == 200  # refused: its "fires" examples now fail
    Rule.objects.filter(pk=rule.pk).update(condition="false", status=Rule.Status.DRAFT)  # as if the examples were changed too
    rule.refresh_from_db()
    bump_revision()

    # Checks still use the published version...
    assert evaluate_workflow(competing).verdict == "prohibited"
    # ...and the preview says which verdict publishing would change, and which finding goes.
    report = preview_impact(rule)
    [change] = [c for c in report.changes if c.check.id == str(check.id)]
    assert (change.before, change.after) == ("prohibited", change.after)
    assert change.after != "prohibited"
    assert change.added == ()
    assert {f["rule"] for f in change.removed} == {"competing-models"}


def test_the_admin_impact_page_lists_the_change(staff_client):
    snapshots.clear_cache()
    japan = logged(JAPAN, days_ago=1)
    rule = draft()
    page = staff_client.get(f"/admin/policies/rule/{rule.pk}/change/").content.decode()
    assert f"/admin/policies/rule/{rule.pk}/impact/" in page
    body = staff_client.get(f"/admin/policies/rule/{rule.pk}/impact/").content.decode()
    assert "1 verdict would change" in body
    assert str(japan.id)[:12] in body and "Japan: acme-jp is stopped" in body and "prohibited" in body


def test_a_decision_made_with_an_older_policy_version_is_re_run_not_trusted():
    from policies.impact import StoredDecision, changed_verdicts, draft_snapshot

    snapshots.clear_cache()
    rule = draft()
    before = snapshots.current()
    # Logged under other rules, as "prohibited"; today the published rules say otherwise, and so does the draft-free run.
    stale = StoredDecision("old", None, JAPAN, "2026-11-28", "prohibited", policy_version="sha256:older")
    changes, invalid = changed_verdicts([stale], rule.slug, before, draft_snapshot(rule, base=before))
    assert invalid == 0
    assert [(c.before, c.after) for c in changes] == [(evaluate_workflow(JAPAN).verdict, "prohibited")]


def test_a_logged_check_through_a_registry_model_is_previewed_with_that_model_not_as_unresolved():
    # A draft that stops any naming-prefix finding: the logged check reached the Llama 3 naming clause
    # only through the registry adapter's declared base, so the preview must read the registry too.
    from registry import services

    snapshots.clear_cache()
    services.import_records(records=[{
        "id": "someone/llama3-support-lora", "author": "someone", "sha": "b" * 40, "tags": [], "downloads": 1, "gated": False,
        "pipeline_tag": "text-generation", "siblings": [],
        "cardData": {"license": "apache-2.0", "base_model": "meta-llama/Meta-Llama-3-8B-Instruct", "base_model_relation": "adapter"},
    }])
    workflow = {"as_of": "2026-11-28", "student": {"name": "acme-chat", "purpose": "commercial", "release": "open_weights",
                                                  "base_model": "someone/llama3-support-lora"}}
    check = logged(workflow, days_ago=1)
    assert "naming-prefix" in {f["rule"] for f in check.decision["findings"]}
    rule = Rule.objects.get(slug="naming-prefix")
    rule.effect, rule.status = "prohibit", Rule.Status.DRAFT
    rule.save()

    report = preview_impact(rule)

    assert [(c.check.id, c.after) for c in report.changes] == [(str(check.id), "prohibited")]
