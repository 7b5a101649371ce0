"""What would make it allowed: a workflow in, the smallest verified changes that give a better verdict out.

Every suggestion is checked here the way a user would: apply its changes to the workflow as submitted,
run the check, and get the verdict the suggestion promised, which is better than the workflow's own.
"""

import json

import pytest

from policies.engine import counterfactuals as cf
from policies.engine import snapshot as snapshots
from policies.engine.decision import VERDICT_RANK
from policies.engine.evaluate import evaluate_parsed, evaluate_workflow
from policies.engine.workflow import parse_workflow

pytestmark = pytest.mark.django_db

DAY = "2026-11-28"

COMPETING_FROM_GPT_4O = {
    "as_of": DAY,
    "student": {"name": "acme-7b", "purpose": "commercial", "release": "open_weights", "competes_with_teachers": True,
                "base_model": "Qwen/Qwen2.5-7B-Instruct", "license": "Apache-2.0", "training_compute_flop": 1e21},
    "teachers": [{"model": "gpt-4o"}],
}


def suggestions_for(workflow, **options):
    decision = evaluate_workflow(workflow, counterfactuals=True) if not options else None
    if decision is None:
        snapshot = snapshots.current()
        parsed = parse_workflow(workflow, snapshot.licensing)
        decision = evaluate_parsed(parsed, snapshot)
        decision.counterfactuals = cf.search(parsed, snapshot, decision=decision, **options)
    return decision


def assert_each_is_verified_and_better(workflow, decision):
    for suggestion in decision.counterfactuals:
        changed = cf.apply_changes(workflow, suggestion["changes"])
        again = evaluate_workflow(changed)
        assert again.verdict == suggestion["verdict"], suggestion
        assert VERDICT_RANK[again.verdict] > VERDICT_RANK[decision.verdict], suggestion


def changes_of(suggestion):
    return {json.dumps(c, sort_keys=True) for c in suggestion["changes"]}


def test_a_competing_student_of_gpt_4o_is_offered_teachers_whose_terms_allow_distillation(kb_db):
    decision = suggestions_for(COMPETING_FROM_GPT_4O)
    assert decision.verdict == "prohibited"
    swaps = [s for s in decision.counterfactuals if [c["field"] for c in s["changes"]] == ["teachers[0].model"]]
    assert swaps, decision.counterfactuals
    snapshot = snapshots.current()
    for swap in swaps:
        assert swap["verdict"] in ("allowed", "conditional")
        assert "competing-models" in swap["resolves"]
        teacher = snapshot.model_index.resolve(swap["changes"][0]["to"]).target
        # Another text model of the knowledge base, of known (and large: gpt-4o's size is undisclosed) size.
        assert teacher["slug"] != "gpt-4o" and "text" in teacher["modalities"] and teacher["parameters"] >= 100e9
        assert not teacher["service_terms"] or teacher["open_weights"]
    assert_each_is_verified_and_better(COMPETING_FROM_GPT_4O, decision)


def test_suggestions_are_ranked_by_fewest_changes_and_none_contains_a_smaller_one_that_does_as_well(kb_db):
    decision = suggestions_for(COMPETING_FROM_GPT_4O)
    sizes = [len(s["changes"]) for s in decision.counterfactuals]
    assert sizes == sorted(sizes)
    for big in decision.counterfactuals:
        for small in decision.counterfactuals:
            if small is not big and changes_of(small) < changes_of(big):
                assert VERDICT_RANK[big["verdict"]] > VERDICT_RANK[small["verdict"]]


def test_an_unknown_fact_is_suggested_as_a_fact_to_state_only_if_true(kb_db):
    workflow = {"as_of": DAY, "student": {"name": "acme-bot", "purpose": "commercial", "release": "api"}, "teachers": [{"model": "gpt-4o"}]}
    decision = suggestions_for(workflow)
    assert decision.verdict == "review"
    first = decision.counterfactuals[0]
    assert first["changes"] == [{"field": "student.competes_with_teachers", "from": None, "to": False, "kind": "state_fact",
                                 "note": "Only if true: the student does not compete with the products of the teachers' providers."}]
    assert first["verdict"] == "allowed" and first["resolves"] == ["competing-models-unknown"]
    assert_each_is_verified_and_better(workflow, decision)


def test_a_missing_training_compute_is_suggested_below_the_threshold_that_applies(kb_db):
    workflow = {"as_of": DAY, "student": {"name": "acme-7b", "purpose": "commercial", "release": "open_weights", "license": "Apache-2.0",
                                          "competes_with_teachers": False}, "deployment": {"jurisdictions": ["EU"]}}
    decision = suggestions_for(workflow)
    assert decision.verdict == "review"
    [stated] = [s for s in decision.counterfactuals if [c["field"] for c in s["changes"]] == ["student.training_compute_flop"]]
    change = stated["changes"][0]
    assert change["from"] is None and change["to"] < 1e23 and "10^23 FLOP" in change["note"]
    assert "eu-gpai-compute-unknown" in stated["resolves"]
    # Leaving the EU is the other single change; stating a fact keeps more of the workflow, so it comes first.
    fields = [[c["field"] for c in s["changes"]] for s in decision.counterfactuals]
    assert fields.index(["student.training_compute_flop"]) < fields.index(["deployment.jurisdictions"])
    assert_each_is_verified_and_better(workflow, decision)


def test_a_non_commercial_dataset_is_dropped_and_data_generated_with_gpt_4o_is_generated_again(kb_db):
    workflow = {
        "as_of": DAY,
        "student": {"name": "acme-7b", "purpose": "commercial", "release": "api", "competes_with_teachers": True},
        "datasets": [{"dataset": "tatsu-lab/alpaca"}, {"name": "vendor-qa", "license": "CC-BY-4.0", "generated_by": ["gpt-4o"]}],
    }
    decision = suggestions_for(workflow)
    assert decision.verdict == "prohibited"  # Alpaca is CC BY-NC 4.0; both datasets carry OpenAI's terms
    first, second = decision.counterfactuals[:2]
    assert first["changes"] == [{"field": "datasets[0]", "from": {"dataset": "tatsu-lab/alpaca"}, "to": None, "kind": "drop_dataset"}]
    assert first["verdict"] == "review" and "non-commercial-terms" in first["resolves"]
    assert [c["field"] for c in second["changes"]] == ["datasets[1].generated_by[0]", "datasets[0]"]
    assert second["verdict"] == "allowed" and second["changes"][0]["from"] == "gpt-4o"
    assert_each_is_verified_and_better(workflow, decision)


def test_an_allowed_workflow_needs_nothing(kb_db):
    workflow = {"as_of": DAY, "student": {"name": "acme-7b", "purpose": "commercial", "release": "internal", "competes_with_teachers": False},
                "teachers": [{"model": "gpt-4o-mini"}]}
    decision = suggestions_for(workflow)
    assert decision.verdict == "allowed" and decision.counterfactuals == []
    assert decision.to_json()["counterfactuals"] == []
    assert "counterfactuals" not in evaluate_workflow(workflow).to_json()  # only when asked for


def test_the_search_runs_the_engine_at_most_its_budget(kb_db, monkeypatch):
    runs = []
    real = cf.evaluate_parsed
    monkeypatch.setattr(cf, "evaluate_parsed", lambda *a, **k: runs.append(1) or real(*a, **k))
    snapshot = snapshots.current()
    parsed = parse_workflow(COMPETING_FROM_GPT_4O, snapshot.licensing)
    decision = real(parsed, snapshot)
    for budget in (0, 3, 12):
        runs.clear()
        found = cf.search(parsed, snapshot, decision=decision, budget=budget)
        assert len(runs) <= budget
        assert all(VERDICT_RANK[s["verdict"]] > VERDICT_RANK["prohibited"] for s in found)
    assert cf.search(parsed, snapshot, decision=decision, budget=0) == []


def test_alternative_teachers_have_the_same_role_and_comparable_size(kb_db):
    snapshot = snapshots.current()
    # Llama 3.1 70B (70B parameters) self-hosted, giving logits: others with weights, within a factor 10.
    found = cf.alternative_models(snapshot, cf.EMPTY_VIEW, "meta-llama/Llama-3.1-70B-Instruct", modalities=["text"], signal="logits",
                                  access="self_hosted")
    assert found
    for model in found:
        assert model["open_weights"] and "text" in model["modalities"]
        assert model["parameters"] is None or 7e9 <= model["parameters"] <= 700e9
    assert len({(tuple(m["weights_terms"]), tuple(m["service_terms"])) for m in found}) == len(found)  # one per set of terms


def test_changes_apply_to_the_workflow_as_submitted(kb_db):
    workflow = {"student": {"name": "s", "purpose": "research", "release": "api"},
                "teachers": [{"model": "a"}, {"model": "b"}, {"model": "c"}]}
    changed = cf.apply_changes(workflow, [{"field": "teachers[0]", "to": None}, {"field": "teachers[1].model", "to": "x"},
                                          {"field": "deployment.jurisdictions", "to": ["US"]}])
    assert changed["teachers"] == [{"model": "x"}, {"model": "c"}]  # indexes name the original items
    assert changed["deployment"] == {"jurisdictions": ["US"]}
    assert workflow["teachers"][0] == {"model": "a"} and "deployment" not in workflow  # the original is untouched
    with pytest.raises(ValueError, match=r"teachers\[7\]"):
        cf.apply_changes(workflow, [{"field": "teachers[7].model", "to": "x"}])
