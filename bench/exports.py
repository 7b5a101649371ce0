"""Benchmark the exports of one check: what each document costs next to the decision itself.

    .venv/bin/python bench/exports.py [--runs 7] [--pure-python-jsonschema]

Sets Django up on a temporary SQLite database with the shipped fixtures, decides the workflow of
tests/exports (a base model with its lineage, two teachers, three datasets, one generated), then times,
median over `--runs`: the decision (`evaluate_workflow`, the baseline), each export built from it
(CycloneDX, SPDX 3.0.1, EU summary Markdown, obligations pack) and the SPDX schema validation alone
(jsonschema-rs, as served). With --pure-python-jsonschema it also times one validation by the
pure-Python `jsonschema` (over a minute: why the export uses jsonschema-rs). No target: the figures
say what a download costs; each export should stay within a small multiple of the decision.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _django import setup_django  # bench/ is sys.path[0] when run as a script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def median_seconds(function, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pure-python-jsonschema", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp) / "bench.sqlite3")
        from policies.engine.evaluate import evaluate_workflow
        from policies.exports import spdx
        from policies.exports.documents import build_export
        from tests.exports.test_cyclonedx import WORKFLOW

        decision = evaluate_workflow(WORKFLOW).to_json()
        baseline = median_seconds(lambda: evaluate_workflow(WORKFLOW), args.runs)
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; median of {args.runs} runs")
        print(f"{'decision (baseline)':28} {baseline * 1000:8.1f} ms")
        for name in ("cyclonedx", "spdx", "eu-summary", "obligations-pack"):
            seconds = median_seconds(lambda name=name: build_export(name=name, workflow=WORKFLOW, decision=decision), args.runs)
            print(f"{name:28} {seconds * 1000:8.1f} ms  ({seconds / baseline:.1f}x the decision)")
        document = build_export(name="spdx", workflow=WORKFLOW, decision=decision)
        spdx.validate(document)  # compile the validators once, as a served process does
        seconds = median_seconds(lambda: spdx.validate(document), args.runs)
        print(f"{'spdx validation (rs)':28} {seconds * 1000:8.1f} ms  ({len(document['@graph'])} elements)")
        if args.pure_python_jsonschema:
            from jsonschema import Draft202012Validator

            validator = Draft202012Validator(json.loads(spdx.SCHEMA_PATH.read_text(encoding="utf-8")))
            started = time.perf_counter()
            errors = list(validator.iter_errors(document))
            print(f"{'spdx validation (jsonschema)':28} {(time.perf_counter() - started):8.1f} s  (one run, {len(errors)} errors)")


if __name__ == "__main__":
    main()
