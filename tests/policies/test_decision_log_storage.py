"""How the decision log reaches PostgreSQL: its JSON encoded by orjson (kb.fastjson) with the standard
library as the fallback, its parameters sent apart from the SQL, its insert prepared on the server once
it has run DB_PREPARE_THRESHOLD times on a connection, its JSON columns compressed with lz4.
Whatever the path, what is read back is what was logged."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from psycopg import ClientCursor

from policies.models import Check
from policies.services import decide_and_record, record_check

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's storage; run with DATABASE_URL=postgres://…")

WORKFLOW = {
    "as_of": "2026-11-28",
    "student": {"name": "acme – naïve “bot” \u2028", "purpose": "commercial", "release": "internal",
                # FLOP written out as a whole number: beyond orjson's 64-bit integers, so the fallback encodes it
                "training_compute_flop": 3 * 10**25},
    "organization": {"monthly_active_users": 120000},
    "deployment": {"jurisdictions": ["EU"]},
}


def test_what_is_read_back_is_what_was_logged_text_numbers_and_all():
    decision, check = decide_and_record(WORKFLOW, channel=Check.Channel.API)
    stored = Check.objects.get(pk=check.pk)
    assert stored.input == WORKFLOW
    assert stored.input["student"]["training_compute_flop"] == 3 * 10**25  # exactly, not as a float
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


def prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE from_sql = false")
        return [statement for (statement,) in cursor.fetchall()]


@on_postgresql
def test_the_insert_is_prepared_on_the_server_once_it_has_run_the_threshold_times():
    threshold = connection.settings_dict["OPTIONS"]["prepare_threshold"]
    assert threshold == 5  # the default (config/settings.py, DB_PREPARE_THRESHOLD)
    # psycopg counts runs per connection and forgets them on rollback, as at the end of every test.
    for _ in range(threshold):
        decide_and_record(WORKFLOW, channel=Check.Channel.API)
    assert not any(s.startswith('INSERT INTO "policies_check"') for s in prepared_statements())
    decision, check = decide_and_record(WORKFLOW, channel=Check.Channel.API)
    decide_and_record(WORKFLOW, channel=Check.Channel.API)  # runs as prepared
    assert [s for s in prepared_statements() if s.startswith('INSERT INTO "policies_check"')]
    assert Check.objects.get(pk=check.pk).decision == decision.to_json()
    # Django's own queries bind on the client and are never prepared.
    for _ in range(threshold + 2):
        list(Check.objects.filter(verdict=decision.verdict)[:1])
    assert all(s.startswith('INSERT INTO "policies_check"') for s in prepared_statements())


ROOT = Path(__file__).resolve().parents[2]
PRINT_THRESHOLD = "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS', {}).get('prepare_threshold', 'unset'))"


def settings_process(database_url, threshold):
    env = {**os.environ, "DJANGO_DEBUG": "1", "DATABASE_URL": database_url, "DB_PREPARE_THRESHOLD": threshold}
    return subprocess.run([sys.executable, "-c", PRINT_THRESHOLD], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("value", "printed"), [("off", "None"), ("0", "0"), (" 12 ", "12")])
def test_db_prepare_threshold_sets_psycopgs_threshold(value, printed):
    run = settings_process("postgres://u@localhost/x", value)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == printed


def test_db_prepare_threshold_must_be_a_count_or_off():
    run = settings_process("postgres://u@localhost/x", "sometimes")
    assert run.returncode != 0
    assert "ImproperlyConfigured" in run.stderr and "DB_PREPARE_THRESHOLD" in run.stderr


def test_sqlite_has_no_threshold():
    run = settings_process("sqlite:///:memory:", "3")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "unset"
