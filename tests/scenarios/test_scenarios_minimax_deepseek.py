"""Scenarios for the licenses read on 2026-12-06 (issue #17): the MiniMax Model License of the MiniMax-01
weights, whose first text (14 January to 20 February 2025) banned improving other large language models with
the outputs and whose current text does not, and DeepSeek-V3.2 under MIT. The verdict follows the text in
force on the workflow's day."""

import pytest

from policies.engine.evaluate import evaluate_workflow
from tests.scenarios.spec import assert_decision

pytestmark = pytest.mark.django_db


def competing_student():
    return {"name": "acme-7b", "purpose": "commercial", "release": "internal", "competes_with_teachers": True}


MINIMAX_TEACHER = [{"model": "MiniMaxAI/MiniMax-Text-01", "access": "self_hosted"}]


def test_minimax_text_01_outputs_may_train_another_model_under_the_current_license():
    decision = evaluate_workflow({"as_of": "2026-12-06", "student": competing_student(), "teachers": MINIMAX_TEACHER})
    assert_decision(decision, "allowed", quiet=["output-training-ban", "unknown-terms", "competing-models"])


def test_minimax_text_01_outputs_were_barred_while_the_first_license_text_was_in_force():
    decision = evaluate_workflow({"as_of": "2025-02-01", "student": competing_student(), "teachers": MINIMAX_TEACHER})
    assert_decision(decision, "prohibited", fires=[("output-training-ban", "LicenseRef-MiniMax-Model")])


def test_the_first_minimax_text_ended_the_day_the_second_began():
    """20 February 2025 is the first day of the current text (the window is half-open)."""
    decision = evaluate_workflow({"as_of": "2025-02-20", "student": competing_student(), "teachers": MINIMAX_TEACHER})
    assert "output-training-ban" not in {f.rule for f in decision.findings}, decision.findings


def test_a_fine_tune_of_minimax_vl_01_carries_the_minimax_license_notice():
    decision = evaluate_workflow({
        "as_of": "2026-12-06",
        "student": {"name": "acme-vl", "purpose": "commercial", "release": "open_weights", "base_model": "MiniMaxAI/MiniMax-VL-01"},
    })
    assert_decision(decision, "conditional", fires=[("license-notice", "LicenseRef-MiniMax-Model")], quiet=["unknown-terms"])


def test_minimax_m1_stays_unknown_although_its_base_license_is_now_known():
    """M1's own weights license was not read (GitHub says Apache-2.0, the Hub ships a LICENSE-MODEL)."""
    decision = evaluate_workflow({
        "as_of": "2026-12-06",
        "student": {"name": "acme-7b", "purpose": "commercial", "release": "internal", "base_model": "MiniMaxAI/MiniMax-M1-80k"},
    })
    assert_decision(decision, "review", fires=[("unknown-terms", None)])


def test_deepseek_v3_2_as_a_base_is_mit():
    decision = evaluate_workflow({
        "as_of": "2026-12-06",
        "student": {"name": "acme-7b", "purpose": "commercial", "release": "open_weights", "base_model": "deepseek-ai/DeepSeek-V3.2",
                    "license": "MIT"},
    })
    assert_decision(decision, "conditional", fires=[("license-notice", "MIT")], quiet=["unknown-terms"])


def test_deepseek_v3_1_stays_unknown_because_only_uploaders_copies_say_mit():
    decision = evaluate_workflow({"as_of": "2026-12-06", "student": competing_student(), "teachers": [{"model": "deepseek-ai/DeepSeek-V3.1"}]})
    assert_decision(decision, "review", fires=[("unknown-terms", None)])
