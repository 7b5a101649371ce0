"""Writing services for policies: deciding and logging checks, and the snapshot's revision token."""

import uuid

from django.db import transaction

from policies.engine import snapshot as snapshots
from policies.engine.evaluate import evaluate_workflow
from policies.engine.workflow import WorkflowError
from policies.models import Check, PolicyRevision


class BatchError(ValueError):
    """Some workflows of a batch are invalid: `errors` is a list of (index, WorkflowError)."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} invalid workflow(s)")
        self.errors = errors


def decide_and_record(workflow_input, *, channel, requester=None, as_of=None, counterfactuals=False):
    """Decide a workflow and log the decision: (decision, check). Raises WorkflowError, logging nothing.
    With `counterfactuals`, the logged decision lists what would make it allowed."""

    def decide(snapshot):
        return [evaluate_workflow(workflow_input, as_of=as_of, snapshot=snapshot, counterfactuals=counterfactuals)]

    [decision], [check] = _decide_and_log([workflow_input], decide, channel=channel, requester=requester)
    return decision, check


def decide_and_record_batch(workflows, *, channel, requester=None):
    """Decide workflows and log every decision, all or nothing: (decisions, checks).

    Raises BatchError naming every invalid workflow by its index; then nothing is logged.
    """

    def decide(snapshot):
        decisions, errors = [], []
        for index, workflow in enumerate(workflows):
            try:
                decisions.append(evaluate_workflow(workflow, snapshot=snapshot))
            except WorkflowError as exc:
                errors.append((index, exc))
        if errors:
            raise BatchError(errors)
        return decisions

    return _decide_and_log(workflows, decide, channel=channel, requester=requester)


def _decide_and_log(workflows, decide, *, channel, requester):
    """(decisions, checks): `decide(snapshot)` -> one decision per workflow, logged with the revision guarantee.

    The decisions are first made with the snapshot this process last read, which costs no query;
    Check.objects.record writes them only if that snapshot's revision is still the database's, in the
    insert itself. If the rules or the knowledge base changed meanwhile, nothing was written, and the
    workflows are decided again with the current revision while it is locked (no change can commit
    until the log entries have), so that second attempt is logged.
    """
    token, snapshot = snapshots.last_read()
    decisions = decide(snapshot)
    checks = Check.objects.record(list(zip(workflows, decisions, strict=True)), channel=channel, requester=requester, revision_token=token)
    if checks is not None:
        return decisions, checks
    with transaction.atomic():
        PolicyRevision.objects.lock()
        token, snapshot = snapshots.current_with_token()
        decisions = decide(snapshot)
        checks = Check.objects.record(list(zip(workflows, decisions, strict=True)), channel=channel, requester=requester, revision_token=token)
    return decisions, checks


def bump_revision(**kwargs):
    """Something the engine reads changed: give the revision a fresh token (see PolicyRevision)."""
    updated = PolicyRevision.objects.filter(pk=1).update(token=uuid.uuid4().hex)
    if not updated:
        PolicyRevision.objects.get_or_create(pk=1, defaults={"token": uuid.uuid4().hex})
