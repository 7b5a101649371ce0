"""Registry reads: lineage above models (one query, cycle-safe, bounded), family counts, pages of
children, and finding a model by repo id (exact, prefix, similar)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry import selectors, services

pytestmark = pytest.mark.django_db


def rec(repo_id, *bases, relation=None, downloads=0):
    card = {"license": "apache-2.0"}
    if bases:
        card["base_model"] = list(bases)
    if relation:
        card["base_model_relation"] = relation
    return {"id": repo_id, "downloads": downloads, "cardData": card}


@pytest.fixture
def family(kb_db):
    services.import_records(
        records=[
            rec("Qwen/Qwen3-8B-Base"),
            rec("Qwen/Qwen3-8B", "Qwen/Qwen3-8B-Base"),
            rec("unsloth/Qwen3-8B-GGUF", "Qwen/Qwen3-8B", relation="quantized", downloads=5),
            rec("bartowski/Qwen_Qwen3-8B-GGUF", "Qwen/Qwen3-8B", relation="quantized", downloads=9),
            rec("someone/qwen3-8b-lora", "Qwen/Qwen3-8B", relation="adapter"),
            rec("someone/qwen3-merge", "Qwen/Qwen3-8B", "someone/other-8b"),
            rec("someone/qwen3-merge-GGUF", "someone/qwen3-merge", relation="quantized"),
            rec("loop/a", "loop/b"),
            rec("loop/b", "loop/a"),
        ],
        known_names={},
    )


def test_ancestors_walk_up_every_declared_parent_in_one_query(family):
    with CaptureQueriesContext(connection) as queries:
        found = selectors.ancestors(["someone/qwen3-merge-gguf"])
    # One statement: the recursive walk returns the rows of the models it reached too (on PostgreSQL
    # it runs in a transaction of its own with JIT off: SAVEPOINT/SET LOCAL/RELEASE around it).
    statements = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "SET LOCAL"))]
    assert len(statements) == 1 and "WITH RECURSIVE" in statements[0]
    assert [(e["child"], e["parent_key"], e["relation"], e["depth"]) for e in found["edges"]] == [
        ("someone/qwen3-merge-gguf", "someone/qwen3-merge", "quantized", 1),
        ("someone/qwen3-merge", "qwen/qwen3-8b", "merge", 2),
        ("someone/qwen3-merge", "someone/other-8b", "merge", 2),
        ("qwen/qwen3-8b", "qwen/qwen3-8b-base", "finetune", 3),
    ]
    assert found["edges"][0]["evidence"] == "declared" and found["edges"][0]["relation_basis"] == "card"
    # A parent the registry lacks (someone/other-8b) has an edge but no model row.
    assert sorted(found["models"]) == ["qwen/qwen3-8b", "qwen/qwen3-8b-base", "someone/qwen3-merge", "someone/qwen3-merge-gguf"]
    assert found["models"]["qwen/qwen3-8b"]["repo_id"] == "Qwen/Qwen3-8B"
    assert set(found["models"]["qwen/qwen3-8b"]) == set(selectors.MODEL_COLUMNS)


def test_ancestors_stop_at_max_depth(family):
    found = selectors.ancestors(["someone/qwen3-merge-gguf"], max_depth=1)
    assert [e["parent_key"] for e in found["edges"]] == ["someone/qwen3-merge"]


def test_a_declared_cycle_ends(family):
    found = selectors.ancestors(["loop/a"])
    assert {(e["child"], e["parent_key"]) for e in found["edges"]} == {("loop/a", "loop/b"), ("loop/b", "loop/a")}


def test_ancestors_of_unknown_or_no_keys_are_empty(family):
    assert selectors.ancestors(["nobody/nothing"]) == {"edges": [], "models": {}}
    assert selectors.ancestors([]) == {"edges": [], "models": {}}


def test_a_family_head_counts_children_and_descendants_per_relation(family):
    counts = selectors.family_counts("Qwen/Qwen3-8B")
    assert counts["children"] == {"finetune": 0, "adapter": 1, "merge": 1, "quantized": 2}
    assert counts["descendants"] == {"finetune": 0, "adapter": 1, "merge": 1, "quantized": 3}
    assert selectors.family_counts("qwen/qwen3-8b-base")["descendants"]["finetune"] == 1


def test_children_come_a_page_at_a_time_most_downloaded_first(family):
    first = selectors.children("qwen/qwen3-8b", "quantized", page=1, per_page=1)
    second = selectors.children("qwen/qwen3-8b", "quantized", page=2, per_page=1)
    assert (first["total"], first["pages"]) == (2, 2)
    assert [first["items"][0]["repo_id"], second["items"][0]["repo_id"]] == ["bartowski/Qwen_Qwen3-8B-GGUF", "unsloth/Qwen3-8B-GGUF"]
    assert selectors.children("qwen/qwen3-8b", "quantized", page=99, per_page=1)["page"] == 2


def test_lookup_is_exact_and_ignores_case(family):
    assert selectors.lookup("qwen/QWEN3-8b")["model"].repo_id == "Qwen/Qwen3-8B"
    assert selectors.lookup("Qwen/Qwen3") is None


def test_prefix_finds_repo_ids_that_start_with_the_text_in_order(family):
    assert [r["repo_id"] for r in selectors.prefix("qwen/qwen3-8b")] == ["Qwen/Qwen3-8B", "Qwen/Qwen3-8B-Base"]
    assert [r["repo_id"] for r in selectors.prefix("SOMEONE/", limit=2)] == ["someone/qwen3-8b-lora", "someone/qwen3-merge"]
    assert selectors.prefix("%") == [] and selectors.prefix("") == []


def test_search_puts_the_exact_match_first_then_prefix_then_similar(family):
    found = [r["repo_id"] for r in selectors.search("qwen/qwen3-8b", limit=4)]
    assert found[:2] == ["Qwen/Qwen3-8B", "Qwen/Qwen3-8B-Base"]
    assert len(found) == len(set(found))
    # No exact or prefix match: similar ones fill in (trigrams on PostgreSQL, substrings elsewhere).
    assert {"unsloth/Qwen3-8B-GGUF", "bartowski/Qwen_Qwen3-8B-GGUF"} <= {r["repo_id"] for r in selectors.search("qwen3-8b-gguf")}
