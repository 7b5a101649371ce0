"""How the decision log reaches PostgreSQL: its JSON encoded by orjson (kb.fastjson) with the standard
library as the fallback, its parameters sent apart from the SQL, its JSON columns compressed with lz4.
Whatever the path, what is read back is what was logged."""

import pytest
from django.db import connection
from psycopg import ClientCursor

from policies.models import Check
from policies.services import decide_and_record, record_check

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's storage; run with DATABASE_URL=postgres://…")

WORKFLOW = {
    "as_of": "2026-11-28",
    "student": {"name": "acme – naïve “bot” \u2028", "purpose": "commercial", "release": "internal", "training_compute_flop": 3e22},
    "organization": {"monthly_active_users": 10**30},  # beyond orjson's 64-bit integers: the fallback encodes it
    "deployment": {"jurisdictions": ["EU"]},
}


def test_what_is_read_back_is_what_was_logged_text_numbers_and_all():
    decision, check = decide_and_record(WORKFLOW, channel=Check.Channel.API)
    stored = Check.objects.get(pk=check.pk)
    assert stored.input == WORKFLOW
    assert stored.input["organization"]["monthly_active_users"] == 10**30  # exactly, not as a float
    assert stored.decision == decision.to_json()


def test_the_orm_path_stores_the_same_json():
    decision, check = decide_and_record(WORKFLOW, channel=Check.Channel.CLI)
    copy = record_check(WORKFLOW, decision, channel=Check.Channel.CLI)  # Model.save-free insert, no revision token
    assert Check.objects.get(pk=copy.pk).input == Check.objects.get(pk=check.pk).input == WORKFLOW


@on_postgresql
def test_the_insert_sends_its_values_apart_from_the_sql():
    cursors = []

    def spy(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT"):
            cursors.append(context["cursor"].cursor)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        decide_and_record(WORKFLOW, channel=Check.Channel.API)
    assert len(cursors) == 1 and not isinstance(cursors[0], ClientCursor)


@on_postgresql
def test_the_json_columns_are_compressed_with_lz4():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)")
        if cursor.fetchone() is None:
            pytest.skip("this PostgreSQL was built without lz4")
        cursor.execute(
            "SELECT attname, attcompression FROM pg_attribute WHERE attrelid = 'policies_check'::regclass AND attname IN ('input', 'decision')"
        )
        assert dict(cursor.fetchall()) == {"input": "l", "decision": "l"}
