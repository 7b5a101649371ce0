"""The decision log: a check (or a batch) is decided with the snapshot this process last read, and
logged only if the rules and facts have not changed since; otherwise it is decided again and logged
(decide_and_record, decide_and_record_batch, Check.objects.record)."""

import psycopg
import pytest
from django.db import connection, transaction

from policies.engine import snapshot as snapshots
from policies.engine.evaluate import evaluate_workflow
from policies.engine.workflow import WorkflowError
from policies.models import Check, PolicyRevision, Rule
from policies.services import BatchError, decide_and_record, decide_and_record_batch

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


def test_a_decision_is_not_logged_against_a_revision_that_was_replaced():
    token, snapshot = snapshots.current_with_token()
    decision = evaluate_workflow(WORKFLOW, snapshot=snapshot)
    another_worker_publishes_a_rule()

    assert Check.objects.record([(WORKFLOW, decision)], channel=Check.Channel.CLI, revision_token=token) is None
    assert not Check.objects.exists()


def test_a_decision_made_with_the_current_revision_is_logged():
    token, snapshot = snapshots.current_with_token()
    decision = evaluate_workflow(WORKFLOW, snapshot=snapshot)

    [check] = Check.objects.record([(WORKFLOW, decision)], channel=Check.Channel.CLI, revision_token=token)

    assert Check.objects.get().pk == check.pk and decision.check_id == str(check.pk)


def test_a_batch_decided_under_rules_replaced_meanwhile_is_decided_again_and_logged_whole():
    decide_and_record(WORKFLOW, channel=Check.Channel.CLI)  # this process reads the current rules
    another_worker_publishes_a_rule()
    research = {**WORKFLOW, "student": {**WORKFLOW["student"], "purpose": "research"}}

    decisions, checks = decide_and_record_batch([WORKFLOW, research], channel=Check.Channel.API)

    assert [d.verdict for d in decisions] == ["review", "review"]
    stored = [Check.objects.get(pk=c.pk) for c in checks]
    assert [s.input for s in stored] == [WORKFLOW, research]
    assert {s.policy_version for s in stored} == {snapshots.current().policy_version}


def test_a_batch_with_an_invalid_workflow_logs_nothing_and_names_each_bad_index():
    bad = {**WORKFLOW, "student": {**WORKFLOW["student"], "purpose": "sometimes"}}
    with pytest.raises(BatchError) as raised:
        decide_and_record_batch([WORKFLOW, bad, WORKFLOW, bad], channel=Check.Channel.API)
    assert [(index, error.path) for index, error in raised.value.errors] == [(1, "student.purpose"), (3, "student.purpose")]
    assert not Check.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: run with DATABASE_URL=postgres://…")
@pytest.mark.django_db(transaction=True)
def test_while_a_check_is_logged_under_the_revision_lock_a_rule_change_waits():
    """The second attempt (after the revision changed under the first) holds the revision's row lock
    until its log entry commits: a change to the rules from another connection cannot commit meanwhile."""
    PolicyRevision.objects.update_or_create(pk=1, defaults={"token": "before"})
    other = psycopg.connect(**{k: v for k, v in connection.get_connection_params().items() if k in ("dbname", "user", "password", "host", "port")}, autocommit=True)
    with other, transaction.atomic():
        assert PolicyRevision.objects.lock() == "before"
        other.execute("SET lock_timeout = '200ms'")
        with pytest.raises(psycopg.errors.LockNotAvailable):
            other.execute("UPDATE policies_policyrevision SET token = 'after' WHERE id = 1")
    assert PolicyRevision.objects.token() == "before"


@pytest.mark.django_db(transaction=True)
def test_in_autocommit_a_stale_decision_is_refused_and_the_next_check_is_logged():
    """Outside any transaction (as a request is served), the single INSERT itself refuses the stale
    decision; nothing is left half-done and the connection goes on working."""
    PolicyRevision.objects.update_or_create(pk=1, defaults={"token": "before"})
    token, snapshot = snapshots.current_with_token()
    decision = evaluate_workflow(WORKFLOW, snapshot=snapshot)
    another_worker_publishes_a_rule()
    assert transaction.get_autocommit()

    assert Check.objects.record([(WORKFLOW, decision)], channel=Check.Channel.CLI, revision_token=token) is None
    decision, check = decide_and_record(WORKFLOW, channel=Check.Channel.CLI)

    assert Check.objects.get().pk == check.pk and decision.verdict == "review"
