"""The decision log: a check is decided with the snapshot this process last read, and stored only if
the rules and facts have not changed since; otherwise it is decided again (decide_and_record)."""

import pytest

from policies.engine import snapshot as snapshots
from policies.engine.workflow import WorkflowError
from policies.models import Check, PolicyRevision, Rule
from policies.services import decide_and_record

pytestmark = pytest.mark.django_db

WORKFLOW = {
    "as_of": "2026-11-28",
    "student": {"name": "acme", "purpose": "commercial", "release": "internal"},
    "deployment": {"jurisdictions": ["JP"]},
}


def another_worker_publishes_a_rule():
    """How a publish in another process looks from here: the rows and the token change, and no
    signal runs in this process to drop its cached snapshot."""
    Rule.objects.bulk_create([Rule(slug="jp-note", title="t", effect="review", message="Japan: {student.name}", scope={"jurisdictions": ["JP"]})])
    PolicyRevision.objects.filter(pk=1).update(token="changed-elsewhere")


def test_a_check_is_logged_with_the_decision_it_returns():
    decision, check = decide_and_record(WORKFLOW, channel=Check.Channel.CLI)
    stored = Check.objects.get(pk=check.pk)
    assert stored.decision == decision.to_json() and stored.decision["check_id"] == str(check.pk)
    assert (stored.verdict, stored.policy_version, stored.channel) == (decision.verdict, decision.policy_version, "cli")


def test_a_check_decided_under_rules_replaced_meanwhile_is_decided_again_before_it_is_logged():
    before, _ = decide_and_record(WORKFLOW, channel=Check.Channel.CLI)
    assert before.verdict == "allowed"
    another_worker_publishes_a_rule()
    assert snapshots.last_read()[1].policy_version == before.policy_version  # this process has not looked

    decision, check = decide_and_record(WORKFLOW, channel=Check.Channel.CLI)

    assert decision.verdict == "review" and decision.findings[0].message == "Japan: acme"
    assert Check.objects.count() == 2  # the stale decision was never written
    stored = Check.objects.get(pk=check.pk)
    assert stored.verdict == "review" and stored.policy_version == decision.policy_version != before.policy_version


def test_an_invalid_workflow_logs_nothing():
    with pytest.raises(WorkflowError, match="student.purpose"):
        decide_and_record({**WORKFLOW, "student": {**WORKFLOW["student"], "purpose": "sometimes"}}, channel=Check.Channel.CLI)
    assert not Check.objects.exists()


def test_rules_changing_under_every_attempt_still_log_one_decision_made_with_the_rules_in_the_database(monkeypatch):
    from policies import services

    _, snapshot = snapshots.current_with_token()
    # Every snapshot this process reads looks replaced by the time its insert arrives.
    monkeypatch.setattr(snapshots, "last_read", lambda: ("replaced", snapshot))
    monkeypatch.setattr(snapshots, "current_with_token", lambda: ("replaced", snapshot))
    inserts = []
    real_insert = services._insert
    monkeypatch.setattr(services, "_insert", lambda check, revision_token=None: inserts.append(revision_token) or real_insert(check, revision_token))

    decision, check = decide_and_record(WORKFLOW, channel=Check.Channel.CLI)

    assert inserts == ["replaced"] * services.RECORD_ATTEMPTS + [None]  # then stored unconditionally
    stored = Check.objects.get()
    assert stored.pk == check.pk and stored.decision == decision.to_json()
    assert stored.policy_version == decision.policy_version == snapshots.current().policy_version
