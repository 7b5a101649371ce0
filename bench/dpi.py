"""Benchmark: the whole Data Provenance Initiative import (`import_dpi`, 2,311 records) on SQLite and
PostgreSQL, and a check naming an imported dataset against one naming a curated dataset.

Each database gets a fresh copy of the shipped knowledge base (migrate, load_kb). A round deletes what
the last import wrote, then times a full import (every dataset, license, facet, edge and history row
written) and a second import over it (which compares and writes nothing). Medians of --rounds.
Then the engine: `evaluate_workflow` for a workflow naming `lmsys/chatbot_arena_conversations`
(imported) against the same workflow naming `tatsu-lab/alpaca` (curated), alternating, medians.

Targets: the full import under 60 s on each database; the imported-dataset check within 1.5 times
the curated one's (measured in the same process, so the machine's drift cancels). Exit status 1 when
a target is missed. Skips (exit 0) when ../shared/data/dpi is absent.

    .venv/bin/python bench/dpi.py [--rounds 3] [--pg-url postgres://postgres@127.0.0.1:5432/bench_dpi] [--skip postgres]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DPI = ROOT.parent / "shared" / "data" / "dpi"
IMPORT_TARGET_S = 60.0
CHECK_RATIO_TARGET = 1.5


def worker(database_url, rounds, checks):
    """Runs in its own process (Django binds one database per process); prints JSON."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    # Production settings: with DEBUG on, Django logs every query, which would be measured too.
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + os.urandom(16).hex())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction

    from kb import models as kb
    from kb.ingest.dpi import SOURCE, import_dpi

    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("load_kb", fixtures=str(settings.KB_FIXTURES_DIR), verbosity=0, stdout=devnull)

    def forget_import():
        with transaction.atomic():
            kb.Dataset.objects.filter(imported_from=SOURCE).delete()  # cascades to its edges and facets
            kb.DatasetFacet.objects.all().delete()
            kb.Dataset.objects.filter(imported_record__source=SOURCE).update(imported_record={})

    full, again = [], []
    for _ in range(rounds):
        forget_import()
        started = time.perf_counter()
        report = import_dpi(directory=DPI)
        full.append(time.perf_counter() - started)
        started = time.perf_counter()
        second = import_dpi(directory=DPI)
        again.append(time.perf_counter() - started)
        assert report.created and not second.changed, "the second import must change nothing"

    from policies.engine import snapshot
    from policies.engine.evaluate import evaluate_workflow

    def workflow(name):
        return {
            "as_of": "2026-11-28",
            "student": {"name": "acme-7b", "purpose": "commercial", "release": "api", "competes_with_teachers": True},
            "datasets": [{"dataset": name}],
        }

    snap = snapshot.current()
    curated, imported = [], []
    for i in range(checks):
        for name, sink in (("tatsu-lab/alpaca", curated), ("lmsys/chatbot_arena_conversations", imported))[:: 1 if i % 2 else -1]:
            started = time.perf_counter()
            evaluate_workflow(workflow(name), snapshot=snap)
            sink.append(time.perf_counter() - started)
    print(json.dumps({
        "datasets": kb.Dataset.objects.count(),
        "full": full,
        "again": again,
        "check_curated": curated,
        "check_imported": imported,
    }))


def pg_database(url):
    import psycopg

    base, _, name = url.rpartition("/")
    try:
        with psycopg.connect(base + "/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return True
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL not reachable at {base}: {exc}; PostgreSQL skipped")
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--checks", type=int, default=200)
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/bench_dpi"))
    parser.add_argument("--skip", default="", help="comma-separated: sqlite,postgres")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args.rounds, args.checks)
    if not (DPI / "data_summaries").is_dir():
        print(f"{DPI} not found: the DPI records are not beside this checkout; skipped")
        return 0
    skip = set(filter(None, args.skip.split(",")))
    missed = []
    with tempfile.TemporaryDirectory() as scratch:
        targets = []
        if "sqlite" not in skip:
            targets.append(("SQLite", f"sqlite:///{Path(scratch) / 'bench.sqlite3'}"))
        if "postgres" not in skip and pg_database(args.pg_url):
            targets.append(("PostgreSQL", args.pg_url))
        print(f"{'database':<11} {'full import s':>14} {'second run s':>13} {'check curated ms':>17} {'check imported ms':>18} {'ratio':>6}")
        for label, url in targets:
            run = subprocess.run(
                [sys.executable, __file__, "--worker", url, "--rounds", str(args.rounds), "--checks", str(args.checks)],
                capture_output=True, text=True, cwd=ROOT,
            )
            if run.returncode:
                print(f"{label}: the worker failed\n{run.stderr[-3000:]}")
                missed.append(f"{label} failed")
                continue
            result = json.loads(run.stdout.strip().splitlines()[-1])
            full, again = statistics.median(result["full"]), statistics.median(result["again"])
            curated, imported = statistics.median(result["check_curated"]), statistics.median(result["check_imported"])
            ratio = imported / curated
            print(f"{label:<11} {full:>14.1f} {again:>13.1f} {curated * 1000:>17.2f} {imported * 1000:>18.2f} {ratio:>6.2f}")
            print(f"{'':<11} rounds: {', '.join(f'{t:.1f}' for t in result['full'])} s; {result['datasets']} datasets after the import")
            if full >= IMPORT_TARGET_S:
                missed.append(f"{label}: the full import took {full:.1f} s (target < {IMPORT_TARGET_S:.0f} s)")
            if ratio > CHECK_RATIO_TARGET:
                missed.append(f"{label}: a check naming an imported dataset took {ratio:.2f}x the curated one's (target <= {CHECK_RATIO_TARGET})")
    for line in missed:
        print("MISSED:", line)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
