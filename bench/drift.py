"""License drift audit benchmark: a full audit of a synthetic Hub, then an incremental one after an import.

    .venv/bin/python bench/drift.py [--models 2000000] [--new 10000] [--postgres postgres://…/NAME]

SQLite (a fresh file), or with --postgres that PostgreSQL database, dropped and created again (it
must be one of your own); the shipped knowledge base loaded. The synthetic Hub is bench/registry.py's
generator (same shape and seed): the first --models records are imported and audited in full
(`audit.services.audit_lineage`), then the next --new records are imported and the audit re-run with
what `import_hf` does after an import (`audit.services.audit_after_import`: the imported models and
every model below them, re-audited where their fingerprint changed). The generator gives every third
model a Llama 3.1 license and the rest Apache-2.0, so the audit meets naming, carried-terms and
use-policy conflicts along the declared lineage.

Baseline, same run: evaluating one release workflow (a fine-tune of a registry model) per
model-with-parents, without grouping or storing: the audit is reported as a ratio to it.
Targets (the issue's): full audit of 2M models under 10 minutes; incremental after 10,000 new models
under 10 s. Exits 1 when a target is missed at the size run (absolute targets are for 2M).
"""

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _django import setup_django  # bench/ is sys.path[0] when run as a script

ROOT = Path(__file__).resolve().parent.parent
# The project root instead of bench/: bench/registry.py would otherwise shadow the registry app.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p).resolve() != ROOT / "bench")]

TARGETS = {"full_seconds_at_2m": 600.0, "incremental_seconds": 10.0}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=2_000_000)
    parser.add_argument("--new", type=int, default=10_000)
    parser.add_argument("--postgres", help="a PostgreSQL URL of a database this run may drop and create")
    parser.add_argument("--baseline-sample", type=int, default=2000, help="workflows evaluated one by one for the baseline")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-drift-"))
    try:
        ok = run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(0 if ok else 1)


def run(args, workdir):
    import importlib.util

    if args.postgres:
        recreate(args.postgres)
    setup_django(workdir / "bench.sqlite3", database_url=args.postgres)
    import orjson

    # bench/registry.py's generator (loaded by path: its module name is the registry app's).
    spec = importlib.util.spec_from_file_location("bench_registry", ROOT / "bench" / "registry.py")
    hub_bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hub_bench)

    from audit import services as audit_services
    from audit.models import AuditResult
    from policies import audit
    from policies.engine import snapshot as snapshots
    from registry import services
    from registry.models import HubEdge

    jsonl = workdir / "hub.jsonl"
    hub_bench.generate(args.models + args.new, jsonl, workdir / "rows.tsv", workdir / "edges.tsv")
    lines = jsonl.read_bytes().splitlines()
    started = time.perf_counter()
    services.import_records(records=(orjson.loads(line) for line in lines[: args.models]), batch_size=5000, known_names={})
    print(f"imported {args.models:,} models in {time.perf_counter() - started:.1f} s")

    snapshot = snapshots.current()
    started = time.perf_counter()
    full = audit_services.audit_lineage(as_of="2026-12-01", snapshot=snapshot)
    full_seconds = time.perf_counter() - started
    conflicts = sum(AuditResult.objects.values_list("conflict_count", flat=True))
    print(f"full audit: {full.audited:,} models with parents, {full.edges:,} weight edges in {full.groups:,} evaluations, {full_seconds:.1f} s "
          f"({full.audited / full_seconds:,.0f} models/s); {full.with_conflicts:,} with conflicts, {conflicts:,} conflicts")

    # Baseline: one evaluation per model, no grouping, nothing stored.
    sample = list(HubEdge.objects.order_by("id").values_list("child_key", "parent_repo_id", "relation", "evidence")[: args.baseline_sample])
    started = time.perf_counter()
    for child, parent, relation, evidence in sample:
        audit.audit_group(members=[(child, child.split("/", 1)[-1], ())], parents=((parent, relation, evidence),), declared=("Apache-2.0",),
                          as_of="2026-12-01", snapshot=snapshot)
    per_model = (time.perf_counter() - started) / max(1, len(sample))
    baseline_seconds = per_model * full.audited
    print(f"baseline (one evaluation per model, {len(sample):,} timed): {per_model * 1000:.2f} ms/model, "
          f"{baseline_seconds:.1f} s projected for {full.audited:,}; the full audit took {full_seconds / baseline_seconds:.2f} of it")

    new = [orjson.loads(line) for line in lines[args.models:]]
    services.import_records(records=new, batch_size=5000, known_names={})
    started = time.perf_counter()
    again = audit_services.audit_after_import(keys=[r["id"] for r in new], as_of="2026-12-01", snapshot=snapshot)
    incremental_seconds = time.perf_counter() - started
    print(f"incremental audit after {args.new:,} new models: {again.audited:,} re-audited, {again.unchanged:,} unchanged, {incremental_seconds:.1f} s")

    projected = full_seconds / full.audited * full.audited * (2_000_000 / args.models)
    print(f"full audit projected linearly to 2,000,000 models: {projected:,.0f} s")
    missed = []
    if projected > TARGETS["full_seconds_at_2m"]:
        missed.append(f"full audit projected {projected:,.0f} s against {TARGETS['full_seconds_at_2m']:,.0f}")
    if incremental_seconds > TARGETS["incremental_seconds"]:
        missed.append(f"incremental {incremental_seconds:.1f} s against {TARGETS['incremental_seconds']:.0f}")
    for line in missed:
        print("MISSED", line)
    return not missed


def recreate(url):
    """Drop and create the database `url` names (connecting to the server's `postgres` database)."""
    from urllib.parse import urlsplit

    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    main()
