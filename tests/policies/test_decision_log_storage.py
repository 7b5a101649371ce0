"""What the decision log reads back is what was logged: text, large numbers and all, on SQLite and
PostgreSQL, for single checks and batches alike."""

import pytest
from django.db import connection

from policies.models import Check
from policies.services import decide_and_record, decide_and_record_batch

pytestmark = pytest.mark.django_db

WORKFLOW = {
    "as_of": "2026-11-28",
    # FLOP written out as a whole number beyond 64 bits: must come back exactly, not as a float.
    "student": {"name": "acme – naïve “bot” \u2028 \U0001f600", "purpose": "commercial", "release": "internal", "training_compute_flop": 3 * 10**25},
    "organization": {"monthly_active_users": 120000},
    "deployment": {"jurisdictions": ["EU"]},
}


def test_what_is_read_back_is_what_was_logged_text_numbers_and_all():
    decision, check = decide_and_record(WORKFLOW, channel=Check.Channel.API)
    stored = Check.objects.get(pk=check.pk)
    assert stored.input == WORKFLOW
    assert stored.input["student"]["training_compute_flop"] == 3 * 10**25
    assert stored.decision == decision.to_json() == check.decision


def test_a_batch_is_stored_as_each_of_its_checks_would_be():
    single_decision, single = decide_and_record(WORKFLOW, channel=Check.Channel.API)
    decisions, batch = decide_and_record_batch([WORKFLOW, WORKFLOW], channel=Check.Channel.API)
    stored = [Check.objects.get(pk=c.pk) for c in (single, *batch)]
    assert [s.input for s in stored] == [WORKFLOW] * 3
    assert len({s.input_hash for s in stored}) == 1
    assert [s.decision for s in stored[1:]] == [d.to_json() for d in decisions]
    assert {s.decision["verdict"] for s in stored} == {single_decision.verdict}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's column storage; run with DATABASE_URL=postgres://…")
def test_on_postgresql_the_json_columns_are_compressed_with_lz4():
    """Migration 0005: lz4 compresses a logged decision for a fifth of pglz's server CPU (docs/benchmarks.md)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)")
        if cursor.fetchone() is None:
            pytest.skip("this PostgreSQL was built without lz4")
        cursor.execute(
            "SELECT attname, attcompression FROM pg_attribute WHERE attrelid = 'policies_check'::regclass AND attname IN ('input', 'decision')"
        )
        assert dict(cursor.fetchall()) == {"input": "l", "decision": "l"}
