"""Throughput and latency of `POST /api/v1/checks` against the framework's floor, in one run.

    .venv/bin/python bench/api.py [--clients 16] [--seconds 8] [--rounds 3]

Starts gunicorn (2 sync workers, production settings) on a free loopback port against PostgreSQL
(BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/bench_api, created, migrated and
loaded here), then drives it with N concurrent keep-nothing HTTP/1.1 clients on loopback for a
bounded time per round. Each round measures the trivial authenticated endpoint (`GET ping`: token
auth + throttling + JSON, the floor) and `POST checks` (validate, decide, log) back to back; the
report gives the median over rounds. Targets: checks reach at least half the floor's throughput,
and p99 of checks stays under 50 ms at 16 clients. Exits 1 when a target is missed.
"""

import argparse
import asyncio
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_api")

# The contract's own example (../shared/design/check-contract.md).
WORKFLOW = {
    "name": "Distil GPT-4o into a support bot",
    "as_of": "2026-11-28",
    "student": {
        "name": "acme-support-7b",
        "base_model": "Qwen/Qwen2.5-7B-Instruct",
        "purpose": "commercial",
        "release": "open_weights",
        "competes_with_teachers": True,
        "license": "Apache-2.0",
        "modalities": ["text"],
        "training_compute_flop": 3e22,
    },
    "teachers": [{"model": "gpt-4o", "signal": "outputs", "access": "api"}],
    "datasets": [
        {"dataset": "tatsu-lab/alpaca"},
        {"name": "vendor-synthetic-qa", "license": "CC-BY-4.0", "generated_by": ["gpt-4"]},
    ],
    "organization": {"name": "Acme GmbH", "country": "DE", "monthly_active_users": 120000, "annual_revenue_usd": 4000000},
    "deployment": {"jurisdictions": ["EU", "US-CA"]},
}


def server_env():
    env = dict(os.environ)
    env.update(
        DATABASE_URL=DATABASE_URL,
        DJANGO_DEBUG="0",
        SECRET_KEY="bench-" + secrets.token_hex(32),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        # The bench measures the work, not the throttle's refusals.
        API_THROTTLE_ANON="100000000/minute",
        API_THROTTLE_USER="100000000/minute",
        LOG_LEVEL="ERROR",
    )
    return env


def prepare_database(env):
    import psycopg

    url = urlparse(DATABASE_URL)
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    manage = [str(PYTHON), str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run([*manage, "load_kb"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    token = subprocess.run(
        [*manage, "create_api_token", "bench-client", "--expires-in-days", "1"],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    return token


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def request(port, raw):
    """One request on its own connection (gunicorn's sync workers close after each response)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(raw)
    await writer.drain()
    response = await reader.read()
    writer.close()
    status = int(response[9:12]) if response.startswith(b"HTTP/1.") else 0
    return status, response


def build_request(method, path, token, body=None):
    payload = json.dumps(body).encode() if body is not None else b""
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Authorization: Bearer {token}", "Connection: close"]
    if body is not None:
        head += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + payload


async def drive(port, raw, expected, clients, seconds, max_requests):
    """`clients` concurrent loops for `seconds` (and at most max_requests in all); latencies in ms."""
    latencies, failures = [], []
    deadline = time.perf_counter() + seconds

    async def client():
        while time.perf_counter() < deadline and len(latencies) + len(failures) < max_requests:
            started = time.perf_counter()
            status, response = await request(port, raw)
            elapsed = (time.perf_counter() - started) * 1000
            if status == expected:
                latencies.append(elapsed)
            else:
                failures.append((status, response[:300]))

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    wall = time.perf_counter() - started
    return latencies, failures, wall


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def measure(port, name, raw, expected, clients, seconds):
    latencies, failures, wall = asyncio.run(drive(port, raw, expected, clients, seconds, max_requests=50_000))
    if failures:
        raise SystemExit(f"{name}: {len(failures)} unexpected responses, first: {failures[0]}")
    return {"rps": len(latencies) / wall, "p50": percentile(latencies, 50), "p99": percentile(latencies, 99), "n": len(latencies)}


def wait_until_up(port, raw, process, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited during startup")
        try:
            if asyncio.run(request(port, raw))[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in time")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=8.0, help="per endpoint per round (bounded)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (1 = gunicorn's sync worker)")
    args = parser.parse_args()
    if not (1 <= args.clients <= 64 and 0 < args.seconds <= 30 and 1 <= args.rounds <= 7 and 1 <= args.threads <= 16):
        raise SystemExit("keep it bounded: 1-64 clients, up to 30 s, 1-7 rounds")

    load_before = os.getloadavg()[0]
    env = server_env()
    token = prepare_database(env)
    port = free_port()
    server = subprocess.Popen(
        [str(GUNICORN), "config.wsgi", "--workers", "2", "--threads", str(args.threads), "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        env=env, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    ping = build_request("GET", "/api/v1/ping", token)
    check = build_request("POST", "/api/v1/checks", token, WORKFLOW)
    try:
        wait_until_up(port, ping, server)
        # Warm both workers (imports, the engine's snapshot, connections) before measuring.
        measure(port, "warm-up ping", ping, 200, args.clients, 1.5)
        measure(port, "warm-up checks", check, 201, args.clients, 2.0)
        rounds = {"ping": [], "checks": []}
        for r in range(args.rounds):
            rounds["ping"].append(measure(port, "ping", ping, 200, args.clients, args.seconds))
            rounds["checks"].append(measure(port, "checks", check, 201, args.clients, args.seconds))
            print(f"round {r + 1}: " + "  ".join(
                f"{k} {v[-1]['rps']:.0f} req/s p50 {v[-1]['p50']:.1f} ms p99 {v[-1]['p99']:.1f} ms (n={v[-1]['n']})" for k, v in rounds.items()
            ))  # fmt: skip
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)

    med = {k: {m: statistics.median(r[m] for r in v) for m in ("rps", "p50", "p99")} for k, v in rounds.items()}
    ratio = med["checks"]["rps"] / med["ping"]["rps"]
    worker = "sync" if args.threads == 1 else f"gthread x{args.threads}"
    print(f"\nmedians over {args.rounds} rounds, {args.clients} clients, gunicorn 2 {worker} workers, PostgreSQL")
    # Other processes compete for the 2 cores; the load average says how much.
    print(f"load average before/after: {load_before:.1f} / {os.getloadavg()[0]:.1f}")
    for name in ("ping", "checks"):
        m = med[name]
        print(f"  {name:7s} {m['rps']:7.1f} req/s   p50 {m['p50']:6.1f} ms   p99 {m['p99']:6.1f} ms")
    print(f"  checks / ping throughput: {ratio:.2f} (target >= 0.50)")
    print(f"  checks p99: {med['checks']['p99']:.1f} ms (target < 50 ms)")
    ok = ratio >= 0.5 and med["checks"]["p99"] < 50
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
