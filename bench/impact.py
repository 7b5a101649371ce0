"""Benchmark "Preview impact": a draft rule re-run against 10,000 stored decisions.

    .venv/bin/python bench/impact.py [--decisions 10000] [--runs 3]

Sets Django up itself, migrates a temporary SQLite database, loads the shipped fixtures, then logs
`--decisions` checks (real decisions of varied workflows: teachers, datasets, release, purpose,
jurisdictions, competition, dates within the last 90 days) and adds a draft clause rule. Timed:
`policies.impact.preview_impact` end to end (reading the log, building the candidate snapshot,
evaluating the draft's rule on every decision), median over `--runs` runs, and the per-decision time.
A sample of the decisions is then checked against full evaluations before and after.
Target: < 10 s wall for 10,000 decisions (judged only when --decisions is 10000; exit 1 when missed).

`--kb-change` also times the preview of a pending knowledge-base change (kbreview: GPT-4o's service
terms replaced) on the same decisions, which decides every check again in full (any rule may see the
changed record), and gives its median as a ratio to the rule preview's median of the same run.
"""

import argparse
import gc
import itertools
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _django import setup_django  # bench/ is sys.path[0] when run as a script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TEACHERS = [
    [{"model": "gpt-4o"}], [{"model": "claude-3-5-sonnet"}], [{"model": "deepseek-reasoner"}], [{"model": "deepseek-r1"}],
    [{"model": "gemini-2-5-pro"}], [{"model": "meta-llama/Llama-3.1-70B-Instruct", "access": "self_hosted", "signal": "logits"}],
    [{"model": "gpt-4o"}, {"model": "deepseek-r1"}], [],
]
DATASETS = [[], [{"dataset": "databricks/databricks-dolly-15k"}], [{"name": "vendor-qa", "license": "CC-BY-4.0", "generated_by": ["gpt-4o"]}]]
JURISDICTIONS = [["EU"], ["US"], ["JP"], ["EU", "US-CA", "KR"], ["CN"], []]
RELEASES = ["internal", "api", "open_weights"]
PURPOSES = ["commercial", "research"]
COMPETES = [True, False, None]
TARGET_DECISIONS, TARGET_SECONDS = 10_000, 10


def workflows(count, seed=7):
    rng = random.Random(seed)
    combos = list(itertools.product(TEACHERS, DATASETS, JURISDICTIONS, RELEASES, PURPOSES, COMPETES))
    for i in range(count):
        teachers, datasets, places, release, purpose, competes = rng.choice(combos)
        student = {"name": f"student-{i}", "purpose": purpose, "release": release}
        if competes is not None:
            student["competes_with_teachers"] = competes
        yield {
            "as_of": f"2026-{rng.randint(9, 11):02d}-{rng.randint(1, 28):02d}",
            "student": student,
            "teachers": teachers,
            "datasets": datasets,
            "deployment": {"jurisdictions": places},
        }


def log_decisions(count):
    from datetime import timedelta

    from django.utils import timezone

    from policies.engine.evaluate import evaluate_workflow
    from policies.models import Check, input_hash

    now, rows = timezone.now(), []
    for workflow in workflows(count):
        decision = evaluate_workflow(workflow)
        rows.append(
            Check(
                channel="api", input=workflow, input_hash=input_hash(workflow), as_of=decision.as_of,
                policy_version=decision.policy_version, verdict=decision.verdict, decision=decision.to_json(),
            )
        )
    Check.objects.bulk_create(rows, batch_size=1000)
    # Spread them over the last 89 days (auto_now_add stamped them all now).
    spread = list(Check.objects.only("pk"))
    for i, check in enumerate(spread):
        check.created_at = now - timedelta(days=i % 89, minutes=i % 1000)
    Check.objects.bulk_update(spread, ["created_at"], batch_size=1000)


def add_draft():
    from policies.models import Rule

    return Rule.objects.create(
        slug="bench-draft-competing-open-weights",
        title="Competing-model clauses also stop open-weights students",
        effect="prohibit",
        scope={"clause_types": ["competing_models"], "relations": ["distillation", "generated_by"]},
        condition="student.release == 'open_weights'",
        message="{document.name} ({clause.section}): {student.name} is released with open weights.",
        status=Rule.Status.DRAFT,
    )


def time_kb_change(runs):
    """Median wall of kbreview's impact preview for one pending change (GPT-4o's service terms -> Mistral's)."""
    from django.contrib.contenttypes.models import ContentType

    from kb import models as kb
    from kbreview.models import KbChange
    from kbreview.services import preview_change_impact

    gpt4o = kb.AIModel.objects.get(slug="gpt-4o")
    live = sorted(gpt4o.service_terms.values_list("pk", flat=True))
    mistral = kb.TermsDocument.objects.get(spdx_id="LicenseRef-Mistral-Terms").pk
    change = KbChange.objects.create(
        content_type=ContentType.objects.get_for_model(kb.AIModel), object_id=gpt4o.pk, reason="bench",
        values={"service_terms": {"old": live, "new": [mistral]}},
    )
    totals, report = [], None
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        report = preview_change_impact(change=change)
        totals.append(time.perf_counter() - start)
    return statistics.median(totals), report


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=TARGET_DECISIONS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kb-change", action="store_true", help="also time a pending knowledge-base change's preview")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp) / "bench.sqlite3")
        started = time.perf_counter()
        log_decisions(args.decisions)
        print(f"setup: logged {args.decisions} decisions in {time.perf_counter() - started:.1f} s")
        rule = add_draft()

        from policies import impact
        from policies.engine import snapshot as snapshots
        from policies.engine.evaluate import evaluate_workflow

        snapshots.current()  # the published snapshot, as in a running server
        totals, cpu, report = [], [], None
        for _ in range(args.runs):
            gc.collect()
            start, start_cpu = time.perf_counter(), time.thread_time()
            report = impact.preview_impact(rule)
            totals.append(time.perf_counter() - start)
            cpu.append(time.thread_time() - start_cpu)
        start = time.perf_counter()
        decisions = impact.recent_decisions()
        read = time.perf_counter() - start

        wall, per = statistics.median(totals), statistics.median(totals) / max(report.checked, 1)
        print(f"checked {report.checked} stored decisions, {len(report.changes)} verdicts would change, {report.invalid} invalid")
        print(f"preview impact: median wall {wall:.2f} s (CPU {statistics.median(cpu):.2f} s) over {args.runs} runs; "
              f"{per * 1e3:.3f} ms per decision; reading the log alone {read:.2f} s ({len(decisions)} rows)")

        # The preview evaluates only the draft's rule; check a sample against every rule evaluated
        # before and after (outside the timing), as tests/admin/test_impact_fast_path.py does.
        sample = decisions[:: max(len(decisions) // 500, 1)]
        before, after = snapshots.current(), impact.draft_snapshot(rule)
        expected = set()
        for decision in sample:
            old = evaluate_workflow(decision.input, as_of=decision.as_of, snapshot=before).verdict
            new = evaluate_workflow(decision.input, as_of=decision.as_of, snapshot=after).verdict
            if old != new:
                expected.add((decision.id, old, new))
        changes, _ = impact.changed_verdicts(sample, rule.slug, before, after)
        assert {(c.check.id, c.before, c.after) for c in changes} == expected, "the preview disagrees with full evaluations"
        print(f"a sample of {len(sample)} agrees with full evaluations before and after ({len(expected)} verdicts change)")

        if args.kb_change:
            kb_wall, kb_report = time_kb_change(args.runs)
            print(f"kb change preview: median wall {kb_wall:.2f} s over {args.runs} runs, {len(kb_report.changes)} verdicts would change; "
                  f"{kb_wall / wall:.1f}x the rule preview's median")

        if args.decisions != TARGET_DECISIONS:
            print(f"target not judged: it is set for {TARGET_DECISIONS:,} decisions, this run logged {args.decisions:,}")
            return 0
        ok = report.checked == TARGET_DECISIONS and wall < TARGET_SECONDS
        print(f"target ({TARGET_DECISIONS:,} decisions in < {TARGET_SECONDS} s): {'met' if ok else 'NOT met'}")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
