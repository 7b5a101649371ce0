"""Writing services for policies: the decision log and the snapshot's revision token."""

import hashlib
import json
import uuid

from policies.models import Check, PolicyRevision


def canonical_json(data):
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def input_hash(workflow_input):
    return hashlib.sha256(canonical_json(workflow_input).encode("utf-8")).hexdigest()


def record_check(workflow_input, decision, requester=None, channel=Check.Channel.API):
    """Store a check (input, decision, policy version) and stamp the decision with its id."""
    check = Check(
        channel=channel,
        requester=requester,
        input=workflow_input,
        input_hash=input_hash(workflow_input),
        as_of=decision.as_of,
        policy_version=decision.policy_version,
        verdict=decision.verdict,
    )
    decision.check_id = str(check.id)
    check.decision = decision.to_json()
    check.save()
    return check


def bump_revision(**kwargs):
    """Something the engine reads changed: give the revision a fresh token (see PolicyRevision)."""
    updated = PolicyRevision.objects.filter(pk=1).update(token=uuid.uuid4().hex)
    if not updated:
        PolicyRevision.objects.get_or_create(pk=1, defaults={"token": uuid.uuid4().hex})
