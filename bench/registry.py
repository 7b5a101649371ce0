"""Registry benchmark: a synthetic Hugging Face Hub imported, re-imported and queried.

    .venv/bin/python bench/registry.py [--models 2000000] [--sqlite-models 200000] [--queries 400]

PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/bench_registry, created
and migrated here) at --models, then SQLite (a fresh file) at --sqlite-models; 0 skips either.

Shape of the synthetic Hub, from published statistics of the real one:
- 1.86 million models in mid-2025 (Laufer, Oderinwale and Kleinberg, "Anatomy of a Machine Learning
  Ecosystem: 2 Million Models on Hugging Face", arXiv:2508.06811): hence the default of 2,000,000.
- About 400,000 documented parent edges, "over 60%" of the repository undocumented (Horwitz et al.,
  "Charting and Navigating Hugging Face's Model Atlas", arXiv:2503.10633): 38% of the models here
  declare a parent.
- 99.41% of quantized models are leaves (the same paper): quantized models here are never parents.
- Family sizes vary widely and are heavy-tailed (both papers; the Llama connected component alone
  holds almost a third of the atlas's models): parents are drawn from N/1000 family heads with a
  Zipf(1) law, which at 2M gives the largest heads more than 50,000 descendants.
- Fine-tuning lineages run several generations deep: a derived model attaches to its head or, half
  the time, to an earlier member of its family, up to depth 8.
The mix of relations (finetune 45%, quantized 30%, adapter 20%, merge 5%, merges with two parents) is
our assumption, as is that 70% of cards leave base_model_relation out (as the real cards in
../shared/data/hub-cards mostly do), so that the import infers it from the file list.

Baselines measured in the same run, on the same rows: a plain COPY (PostgreSQL) or executemany
INSERT (SQLite) of the already-parsed rows into tables shaped and indexed like the registry's.
Targets (the issue's): import from JSON lines >= 10,000 models/s; re-import unchanged >= 50,000/s;
ancestors of a random model p95 < 5 ms; a family head's descendant counts p95 < 50 ms; repo-id
lookup, exact and prefix, p95 < 20 ms; a warm check naming three registry models at most 2 ms more
than the same check naming three curated ones (medians, alternating); an API-like worker's resident
memory (a fresh process that compiled the policy and decided 200 checks) at most 50 MB more with the
registry full than empty. Exits 1 when a target is missed.
Also printed, without targets: a `SELECT 1` round trip (the floor under every query's latency on a
loaded machine), the descendant counts by a walk (what the kept family totals replace) and the
number of heads with kept totals. The import runs as `import_hf --jsonl` runs it: orjson decoding,
the garbage collector's view of what Django loaded frozen first.
"""

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_registry")

RELATIONS = [("finetune", 0.45), ("quantized", 0.30), ("adapter", 0.20), ("merge", 0.05)]
SHARE_WITH_PARENT = 0.38
MAX_DEPTH = 8
SHA = "0123456789abcdef0123456789abcdef01234567"
TARGETS = {"import": 10_000, "reimport": 50_000, "ancestors": 5.0, "family": 50.0, "children": 50.0, "exact": 20.0, "prefix": 20.0,
           "check_extra": 2.0, "rss_growth": 50.0}
CURATED = ["Qwen/Qwen2.5-7B-Instruct", "meta-llama/Llama-3.1-8B-Instruct", "deepseek-ai/DeepSeek-R1"]


def workflow_naming(models):
    """A check with a base model and two self-hosted teachers, by the given references."""
    base, *teachers = models
    return {"as_of": "2026-11-28", "student": {"name": "bench-student", "purpose": "commercial", "release": "open_weights", "base_model": base},
            "teachers": [{"model": t, "access": "self_hosted"} for t in teachers]}


def check_cost(registry_models):
    """(curated ms, registry ms): warm medians of evaluate_workflow, alternating the two workflows."""
    from policies.engine.evaluate import evaluate_workflow

    curated, registry = workflow_naming(CURATED), workflow_naming(registry_models)
    assert not evaluate_workflow(registry).unresolved, "the registry models must resolve"
    times = {"curated": [], "registry": []}
    for _ in range(30):
        evaluate_workflow(curated), evaluate_workflow(registry)
    for _ in range(300):
        for name, wf in (("curated", curated), ("registry", registry)):
            started = time.perf_counter()
            evaluate_workflow(wf)
            times[name].append(time.perf_counter() - started)  # seconds, as percentile() takes them
    return percentile(times["curated"], 0.5), percentile(times["registry"], 0.5)


WORKER = """
import os, sys, json, django
django.setup()
from policies.engine import snapshot
from policies.engine.evaluate import evaluate_workflow
sys.path.insert(0, os.path.dirname(sys.argv[1]))
from registry_bench_workflow import workflow
snapshot.current()
refs = json.loads(sys.argv[2]) or %r
for _ in range(200):
    evaluate_workflow(workflow(refs))
rss = [line for line in open("/proc/self/status") if line.startswith("VmRSS")][0].split()[1]
print(int(rss) / 1024)
"""


def worker_rss(database_url, registry_models):
    """Resident MB of a fresh process that compiled the policy and decided 200 checks, like an API worker."""
    folder = Path(tempfile.mkdtemp(prefix="bench-rss-"))
    try:
        (folder / "registry_bench_workflow.py").write_text(
            "def workflow(models):\n    base, *teachers = models\n"
            "    return {'as_of': '2026-11-28', 'student': {'name': 's', 'purpose': 'commercial', 'release': 'open_weights', 'base_model': base},"
            " 'teachers': [{'model': t, 'access': 'self_hosted'} for t in teachers]}\n")
        env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
        out = subprocess.run([sys.executable, "-c", WORKER % (CURATED,), str(folder / "x"), json.dumps(registry_models)],
                             env=env, cwd=ROOT, capture_output=True, text=True, check=True)
        return float(out.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------- the synthetic Hub


def generate(n, jsonl_path, rows_path, edges_path, seed=7):
    """Write n Hub records (JSON lines) and the same rows and edges as TSV for the baseline.

    Returns (family heads in order of size, repo ids of every 97th model for lookups)."""
    rng = random.Random(seed)
    heads = max(50, n // 1000)
    weights = [1 / (k + 1) for k in range(heads)]  # Zipf(1)
    cumulative, total = [], 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    authors = [f"org{a:05d}" for a in range(max(10, n // 20))]
    members = [[] for _ in range(heads)]  # (index, depth) of the non-quantized members of each family
    repo_ids = []
    sample = []
    from bisect import bisect_left

    with open(jsonl_path, "w") as jsonl, open(rows_path, "w", newline="") as rows_file, open(edges_path, "w", newline="") as edges_file:
        rows, edges = csv.writer(rows_file, delimiter="\t", lineterminator="\n"), csv.writer(edges_file, delimiter="\t", lineterminator="\n")
        for i in range(n):
            if i < heads:
                family, relation, parents, depth = i, None, [], 0
                repo_id = f"base{i:04d}/family{i:04d}-base"
            elif rng.random() < SHARE_WITH_PARENT:
                family = bisect_left(cumulative, rng.random() * total)
                r, relation = rng.random(), "finetune"
                for name, share in RELATIONS:
                    if r < share:
                        relation = name
                        break
                    r -= share
                if members[family] and rng.random() < 0.5:
                    parent_index, parent_depth = rng.choice(members[family])
                    if parent_depth >= MAX_DEPTH:
                        parent_index, parent_depth = family, 0
                else:
                    parent_index, parent_depth = family, 0
                parents, depth = [parent_index], parent_depth + 1
                if relation == "merge":
                    other = rng.choice(members[family])[0] if members[family] else rng.randrange(heads)
                    if other != parent_index:
                        parents.append(other)
                suffix = {"quantized": "-GGUF", "adapter": "-lora", "merge": "-merge", "finetune": "-ft"}[relation]
                repo_id = f"{rng.choice(authors)}/family{family:04d}-d{depth}-{i}{suffix}"
            else:
                family, relation, parents, depth = None, None, [], 0
                repo_id = f"{rng.choice(authors)}/model-{i}"
            repo_ids.append(repo_id)
            if relation and relation != "quantized":
                members[family].append((i, depth))
            if i % 97 == 0:
                sample.append(repo_id)
            card = {"license": "apache-2.0" if i % 3 else "llama3.1", "datasets": []}
            siblings = [{"rfilename": "README.md"}, {"rfilename": "config.json"}]
            if parents:
                bases = [repo_ids[p] for p in parents]
                card["base_model"] = bases[0] if len(bases) == 1 else bases
                if rng.random() < 0.3 or (relation == "finetune" and len(bases) > 1):
                    card["base_model_relation"] = relation
                if relation == "quantized":
                    siblings.append({"rfilename": "model-Q4_K_M.gguf"})
                elif relation == "adapter":
                    siblings.append({"rfilename": "adapter_config.json"})
            record = {
                "id": repo_id, "author": repo_id.partition("/")[0], "sha": SHA, "createdAt": "2025-03-01T12:00:00.000Z",
                "lastModified": "2025-06-01T12:00:00.000Z", "tags": ["transformers"], "downloads": rng.randrange(10_000),
                "gated": False, "pipeline_tag": "text-generation", "library_name": "transformers", "siblings": siblings, "cardData": card,
            }
            jsonl.write(json.dumps(record) + "\n")
            rows.writerow([i + 1, repo_id, repo_id.lower(), record["author"], SHA, card["license"], "", "", "text-generation",
                           "transformers", "", record["createdAt"], record["lastModified"], record["downloads"], "[]", "2026-01-01T00:00:00Z", ""])
            for p in parents:
                edges.writerow([i + 1, repo_id.lower(), repo_ids[p], repo_ids[p].lower(), relation, "card", "declared", ""])
    sizes = {}
    for family in range(heads):
        sizes[family] = len(members[family])
    biggest = sorted(range(heads), key=lambda f: -sizes[f])[:20]
    return [repo_ids[f].lower() for f in biggest], sample


# --------------------------------------------------------------------------- measuring


def percentile(samples, q):
    ordered = sorted(samples)
    return ordered[int(q * (len(ordered) - 1))] * 1000


def timed(f, args_list):
    samples = []
    for args in args_list:
        started = time.perf_counter()
        f(*args)
        samples.append(time.perf_counter() - started)
    return samples


MODEL_COLUMNS = ("id, repo_id, repo_key, author, sha, license, license_name, license_link, pipeline_tag, library_name, gated, "
                 "created_at, last_modified, downloads, datasets, imported_at, fingerprint")
EDGE_COLUMNS = "child_id, child_key, parent_repo_id, parent_key, relation, relation_basis, evidence, pattern"


def baseline(connection, rows_path, edges_path):
    """Seconds for a plain bulk load of the same rows into tables shaped and indexed like the registry's."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy_edge")
        cursor.execute("DROP TABLE IF EXISTS bench_copy_model")
        if connection.vendor == "postgresql":
            cursor.execute("CREATE TABLE bench_copy_model (LIKE registry_hubmodel INCLUDING ALL)")
            cursor.execute("CREATE TABLE bench_copy_edge (LIKE registry_hubedge INCLUDING ALL)")
        else:
            for table in ("model", "edge"):
                source = f"registry_hub{table}"
                cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [source])
                sql = cursor.fetchone()[0].replace(f'"{source}"', f'"bench_copy_{table}"', 1)
                cursor.execute(sql.replace('REFERENCES "registry_hubmodel"', 'REFERENCES "bench_copy_model"'))
                cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL", [source])
                for (index_sql,) in cursor.fetchall():
                    cursor.execute(index_sql.replace(f'"{source}"', f'"bench_copy_{table}"').replace('INDEX "', 'INDEX "bench_copy_'))
    from django.db import transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            for table, columns, path in (("bench_copy_model", MODEL_COLUMNS, rows_path), ("bench_copy_edge", EDGE_COLUMNS, edges_path)):
                with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy, open(path, "rb") as source:
                    while block := source.read(1 << 20):
                        copy.write(block)
        else:
            for table, columns, path in (("bench_copy_model", MODEL_COLUMNS, rows_path), ("bench_copy_edge", EDGE_COLUMNS, edges_path)):
                marks = ", ".join(["%s"] * len(columns.split(",")))
                with open(path, newline="") as source:
                    reader = csv.reader(source, delimiter="\t")
                    while chunk := [row for _, row in zip(range(10_000), reader, strict=False)]:
                        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", chunk)
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_copy_edge")
        cursor.execute("DROP TABLE bench_copy_model")
    return elapsed


def run_backend(backend, n, queries, workdir):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + os.urandom(16).hex())
    if backend == "postgresql":
        import psycopg

        url = urlparse(DATABASE_URL)
        admin = url._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.path.lstrip("/"),)).fetchone():
                conn.execute(f'CREATE DATABASE "{url.path.lstrip("/")}"')
        os.environ["DATABASE_URL"] = DATABASE_URL
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from registry import selectors, services

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM registry_hubedge")
        cursor.execute("DELETE FROM registry_hubmodel")
    call_command("load_kb", verbosity=0, stdout=open(os.devnull, "w"))  # the curated core a check starts from
    connection.close()
    rss_empty = worker_rss(os.environ["DATABASE_URL"], [])
    jsonl, rows, edges = workdir / "hub.jsonl", workdir / "rows.tsv", workdir / "edges.tsv"
    started = time.perf_counter()
    heads, sample = generate(n, jsonl, rows, edges)
    print(f"[{backend}] generated {n:,} models in {time.perf_counter() - started:.1f} s ({jsonl.stat().st_size / 1e6:.0f} MB of JSON lines)")

    copy_seconds = baseline(connection, rows, edges)

    import orjson

    def records():  # decoded as `import_hf --jsonl` decodes them
        with open(jsonl, "rb") as source:
            for line in source:
                yield orjson.loads(line)

    import gc

    gc.freeze()  # as `import_hf` does before it imports
    started = time.perf_counter()
    first = services.import_records(records=records(), batch_size=5000, known_names={})
    import_seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = services.import_records(records=records(), batch_size=5000, known_names={})
    reimport_seconds = time.perf_counter() - started
    assert (first.created, again.unchanged, again.updated, again.created) == (n, n, 0, 0), (first, again)
    if backend == "postgresql":  # what autovacuum does soon after an import: statistics and the visibility map
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE registry_hubmodel")
            cursor.execute("VACUUM ANALYZE registry_hubedge")
    edge_count, biggest = _family_sizes(connection, heads[0])

    from registry.models import FamilyTotal

    kept_heads = FamilyTotal.objects.count()
    rng = random.Random(11)
    picks = [rng.choice(sample).lower() for _ in range(queries)]
    prefixes = [k[: rng.randrange(6, 14)] for k in picks]
    samples = {
        # what any query costs on this machine at this load: one round trip, nothing to read
        "round_trip": timed(lambda: connection.cursor().execute("SELECT 1"), [() for _ in range(queries)]),
        "ancestors": timed(lambda k: selectors.ancestors([k]), [(k,) for k in picks]),
        "family": timed(selectors.family_counts, [(heads[i % len(heads)],) for i in range(min(queries, 40))]),
        # the walk the kept totals replace, for comparison: the 5 largest heads, once each
        "walk": timed(selectors.walk_descendants, [(head,) for head in heads[:5]]),
        "children": timed(lambda k: selectors.family_counts(k, descendants=False), [(heads[i % len(heads)],) for i in range(min(queries, 100))]),
        "exact": timed(selectors.exact, [(k,) for k in picks]),
        "prefix": timed(lambda p: selectors.prefix(p, 10), [(p,) for p in prefixes]),
    }
    results = {name: percentile(values, 0.95) for name, values in samples.items()}
    deep = [k for k in picks if selectors.ancestors([k])["edges"]][:3]
    curated_ms, registry_ms = check_cost(deep)
    results["check_extra"] = registry_ms - curated_ms
    connection.close()
    rss_full = worker_rss(os.environ["DATABASE_URL"], deep)
    results["rss_growth"] = rss_full - rss_empty
    import_rate, reimport_rate, copy_rate = n / import_seconds, n / reimport_seconds, n / copy_seconds
    results["import"], results["reimport"] = import_rate, reimport_rate
    print(f"[{backend}] {n:,} models, {edge_count:,} edges; largest family head {heads[0]} has {biggest:,} descendants")
    print(f"[{backend}] baseline bulk load of the same rows: {copy_rate:,.0f} models/s ({copy_seconds:.1f} s)")
    print(f"[{backend}] import from JSON lines: {import_rate:,.0f} models/s ({import_seconds:.1f} s; {import_rate / copy_rate:.2f} of the baseline)")
    print(f"[{backend}] re-import unchanged:    {reimport_rate:,.0f} models/s ({reimport_seconds:.1f} s; {reimport_rate / copy_rate:.2f} of the baseline)")
    print(f"[{backend}] load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores shared with other work)")
    print(f"[{backend}] family heads with kept descendant totals: {kept_heads:,}")
    for name, label in (("round_trip", "round trip of SELECT 1 (the machine's floor for any query)"),
                        ("ancestors", "ancestors of a random model"), ("family", "family head's descendant counts (the 20 largest heads)"),
                        ("walk", "the same counted by a walk (5 largest heads, no target)"),
                        ("children", "family head's direct children counts"),
                        ("exact", "repo-id lookup, exact"), ("prefix", "repo-id lookup, prefix")):
        print(f"[{backend}] {label}: p95 {results[name]:.2f} ms (p50 {percentile(samples[name], 0.5):.2f} ms)")
    print(f"[{backend}] warm check naming 3 registry models {registry_ms:.3f} ms against 3 curated models {curated_ms:.3f} ms: "
          f"{results['check_extra']:+.3f} ms (medians of 300)")
    print(f"[{backend}] API worker's resident memory after 200 checks: {rss_empty:.1f} MB with an empty registry, {rss_full:.1f} MB "
          f"with {n:,} models ({results['rss_growth']:+.1f} MB)")
    missed = [name for name, target in TARGETS.items() if (results[name] < target if name in ("import", "reimport") else results[name] > target)]
    for name in missed:
        print(f"[{backend}] MISSED {name}: {results[name]:,.2f} against {TARGETS[name]:,}")
    return not missed


def _family_sizes(connection, head):
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM registry_hubedge")
        edges = cursor.fetchone()[0]
    from registry import selectors

    counts = selectors.family_counts(head)["descendants"]
    return edges, sum(counts.values())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=2_000_000, help="models on PostgreSQL (0: skip)")
    parser.add_argument("--sqlite-models", type=int, default=200_000, help="models on SQLite (0: skip)")
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.backend:  # one backend per process: Django binds its database at setup
        n = args.models if args.backend == "postgresql" else args.sqlite_models
        workdir = Path(tempfile.mkdtemp(prefix="bench-registry-"))
        try:
            ok = run_backend(args.backend, n, args.queries, workdir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)  # the JSON lines, the TSVs, the SQLite file
        sys.exit(0 if ok else 1)
    ok = True
    for backend, n in (("postgresql", args.models), ("sqlite", args.sqlite_models)):
        if n:
            argv = [sys.executable, __file__, "--backend", backend, "--models", str(args.models),
                    "--sqlite-models", str(args.sqlite_models), "--queries", str(args.queries)]
            ok = subprocess.run(argv, cwd=ROOT).returncode == 0 and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
