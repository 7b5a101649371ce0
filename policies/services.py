"""Writing services for policies: the decision log and the snapshot's revision token."""

import functools
import hashlib
import json
import uuid

from django.db import DEFAULT_DB_ALIAS, connections

from policies.engine import snapshot as snapshots
from policies.engine.evaluate import evaluate_workflow
from policies.models import Check, PolicyRevision


def canonical_json(data):
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def input_hash(workflow_input):
    return hashlib.sha256(canonical_json(workflow_input).encode("utf-8")).hexdigest()


def record_check(workflow_input, decision, requester=None, channel=Check.Channel.API):
    """Store a check (input, decision, policy version) and stamp the decision with its id."""
    check = _new_check(workflow_input, decision, requester, channel)
    _insert(check)
    return check


RECORD_ATTEMPTS = 3  # decide again at most this often when rules change under a check


def decide_and_record(workflow_input, *, channel, requester=None, as_of=None):
    """Decide a workflow and log the decision: (decision, check). Raises WorkflowError, logging nothing.

    One round trip to the database as a rule: the decision is made with the snapshot this process
    last read, and the insert confirms in the same statement that the revision token is still that
    snapshot's. If the knowledge base or the rules changed since, nothing is written; the snapshot
    is read again and the workflow decided again. So no logged decision was made with a revision
    that had already been replaced when it was stored, as with reading the token first, one round
    trip fewer.
    """
    for attempt in range(RECORD_ATTEMPTS):
        token, snapshot = snapshots.last_read() if attempt == 0 else snapshots.current_with_token()
        decision = evaluate_workflow(workflow_input, as_of=as_of, snapshot=snapshot)
        check = _new_check(workflow_input, decision, requester, channel)
        if _insert(check, revision_token=token):
            return decision, check
    # Rules changing under every attempt: decide with what the database holds now, and store that.
    decision = evaluate_workflow(workflow_input, as_of=as_of)
    return decision, record_check(workflow_input, decision, requester, channel)


def _new_check(workflow_input, decision, requester, channel):
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
    return check


def _insert(check, revision_token=None):
    """INSERT the check; with `revision_token`, only if PolicyRevision's token still equals it. True if written.

    Written out rather than check.save(): the ORM cannot make an insert conditional, and building
    its insert statement cost a tenth of a check. Values go through each field's own conversion
    (get_db_prep_save), as the ORM's insert does; Check has no signal receivers to skip.
    """
    # The connection itself, not the `django.db.connection` proxy: each attribute read through the
    # proxy is a context-local lookup (asgiref), ten per insert, 2.3 % of a check's instructions (callgrind).
    db = connections[DEFAULT_DB_ALIAS]
    fields = Check._meta.concrete_fields
    values = [f.get_db_prep_save(f.pre_save(check, add=True), db) for f in fields]
    sql = _insert_sql(db.vendor, conditional=revision_token is not None)
    if revision_token is not None:
        values.append(revision_token)
    # PostgreSQL (config.postgresql): send the ~10 KB of JSON as parameters, not escaped into the SQL.
    cursor = db.server_binding_cursor() if hasattr(db, "server_binding_cursor") else db.cursor()
    with cursor:
        cursor.execute(sql, values)
        written = cursor.rowcount == 1
    if written:
        check._state.adding, check._state.db = False, db.alias
    return written


@functools.cache
def _insert_sql(vendor, conditional):
    """_insert's statement, built once per database vendor (quoting every column on every check cost
    0.7 % of its instructions)."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    table, columns = quote(Check._meta.db_table), ", ".join(quote(f.column) for f in Check._meta.concrete_fields)
    placeholders = ", ".join(["%s"] * len(Check._meta.concrete_fields))
    if not conditional:
        return f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
    revision = quote(PolicyRevision._meta.db_table)
    return f"INSERT INTO {table} ({columns}) SELECT {placeholders} WHERE COALESCE((SELECT token FROM {revision} WHERE id = 1), '') = %s"


def bump_revision(**kwargs):
    """Something the engine reads changed: give the revision a fresh token (see PolicyRevision)."""
    updated = PolicyRevision.objects.filter(pk=1).update(token=uuid.uuid4().hex)
    if not updated:
        PolicyRevision.objects.get_or_create(pk=1, defaults={"token": uuid.uuid4().hex})
