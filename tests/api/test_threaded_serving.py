"""Threaded servers (runserver, gunicorn's gthread workers if a deployment picks them) run checks of one
process at the same time. They share the process's compiled policy (read-only; each check keeps its own cache); deciding
workflows concurrently must give exactly the decisions that deciding them one by one gives."""

import copy
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from policies.engine import snapshot as snapshots
from policies.engine.evaluate import evaluate_workflow

pytestmark = pytest.mark.django_db

BASE = {
    "name": "concurrent",
    "as_of": "2026-11-28",
    "student": {"name": "acme-7b", "base_model": "Qwen/Qwen2.5-7B-Instruct", "purpose": "commercial", "release": "open_weights", "license": "Apache-2.0"},
    "teachers": [{"model": "gpt-4o", "signal": "outputs", "access": "api"}],
    "deployment": {"jurisdictions": ["EU", "US-CA"]},
}  # fmt: skip


def variant(teachers=None, datasets=None, jurisdictions=None, **student):
    workflow = copy.deepcopy(BASE)
    workflow["student"].update(student)
    if teachers is not None:
        workflow["teachers"] = teachers
    if datasets is not None:
        workflow["datasets"] = datasets
    if jurisdictions is not None:
        workflow["deployment"]["jurisdictions"] = jurisdictions
    return workflow


WORKFLOWS = [
    BASE,
    variant(teachers=[{"model": "claude-3-5-sonnet"}], jurisdictions=["US"]),
    variant(teachers=[{"model": "deepseek-r1"}, {"model": "gpt-4o"}], purpose="research", release="internal"),
    variant(teachers=[{"model": "meta-llama/Llama-3.1-70B-Instruct", "access": "self_hosted", "signal": "logits"}], jurisdictions=["CN"]),
    variant(teachers=[], datasets=[{"dataset": "tatsu-lab/alpaca"}, {"name": "vendor-qa", "license": "CC-BY-4.0", "generated_by": ["gpt-4"]}]),
    variant(base_model=None, license="CC-BY-NC-4.0", jurisdictions=["EU", "US-CA", "KR"]),
]


def test_decisions_made_concurrently_in_threads_equal_those_made_one_by_one(kb_db):
    # Two compilations of the same revision: one decides sequentially, the threads share the other.
    sequential, shared = snapshots.build(), snapshots.build()
    expected = [evaluate_workflow(w, snapshot=sequential).to_json() for w in WORKFLOWS]
    assert len({e["verdict"] for e in expected}) > 1  # the workflows really differ

    tasks = [i for _ in range(15) for i in range(len(WORKFLOWS))]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, to interleave the evaluations
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(lambda i: (i, evaluate_workflow(WORKFLOWS[i], snapshot=shared).to_json()), tasks))
    finally:
        sys.setswitchinterval(interval)

    assert len(results) == len(tasks)
    for i, decision in results:
        assert decision == expected[i], WORKFLOWS[i]
