"""End-to-end scenarios for the models and terms of 2025-2026 (../shared/reference/updates-2026.md): a
workflow names a new model by its Hugging Face id or its API alias, and the verdict and citations follow
from that model's own terms. Same shape as test_scenarios.py: `fires` lists (rule, cited SPDX id) pairs
that must appear, `quiet` rules that must not fire.
"""

import pytest

from policies.engine.evaluate import evaluate_workflow
from tests.scenarios.spec import assert_decision

pytestmark = pytest.mark.django_db

DAY = "2026-12-06"


def student(name="acme-7b", purpose="commercial", release="internal", **extra):
    return {"name": name, "purpose": purpose, "release": release, **extra}


def scenario(id, workflow, verdict, fires=(), quiet=()):
    return pytest.param({"as_of": DAY, **workflow}, verdict, fires, quiet, id=id)


SCENARIOS = [
    # --- xAI Community License (Grok 2 weights), M-XA-02..04 ----------------------------------------
    scenario(
        "grok-2-weights-may-not-teach-another-general-purpose-model",
        {"student": student(base_model="Qwen/Qwen3-8B"), "teachers": [{"model": "xai-org/grok-2", "access": "self_hosted"}]},
        "prohibited",
        fires=[("output-training-ban", "LicenseRef-xAI-Community-License")],
    ),
    scenario(
        "fine-tuning-grok-2-itself-stays-allowed-within-the-aup",
        {"student": student(name="grok-2-acme", base_model="xai-org/grok-2", release="open_weights"),
         "teachers": [{"model": "xai-org/grok-2", "access": "self_hosted"}]},
        "conditional",
        fires=[("use-policy-flow-down", "LicenseRef-xAI-Community-License")],
        quiet=["output-training-ban"],
    ),
    # --- OpenAI, Anthropic, Google, by API alias ---------------------------------------------------
    scenario(
        "gpt-5-snapshot-distilled-into-a-competing-model",
        {"student": student(release="api", competes_with_teachers=True), "teachers": [{"model": "gpt-5-2025-08-07"}]},
        "prohibited",
        fires=[("competing-models", "LicenseRef-OpenAI-Services-Agreement"), ("competing-models", "LicenseRef-OpenAI-Terms-of-Use")],
    ),
    scenario(
        "gpt-5-1-and-gpt-5-4-snapshots-carry-the-same-openai-terms",
        {"student": student(release="api", competes_with_teachers=True),
         "teachers": [{"model": "gpt-5.1-2025-11-13"}, {"model": "gpt-5.4-mini"}]},
        "prohibited",
        fires=[("competing-models", "LicenseRef-OpenAI-Services-Agreement")],
        quiet=["unresolved-reference"],
    ),
    scenario(
        "gpt-5-nano-teaching-an-internal-router-that-does-not-compete",
        {"student": student(competes_with_teachers=False), "teachers": [{"model": "gpt-5-nano"}]},
        "allowed",
        quiet=["competing-models", "competing-models-unknown"],
    ),
    scenario(
        "claude-sonnet-4-5-outputs-are-under-the-distillation-ban",
        {"student": student(competes_with_teachers=False), "teachers": [{"model": "claude-sonnet-4-5-20250929"}]},
        "prohibited",
        fires=[("distillation-ban", "LicenseRef-Anthropic-Usage-Policy")],
    ),
    scenario(
        "gemini-3-pro-preview-may-not-teach-a-competing-model",
        {"student": student(release="api", competes_with_teachers=True), "teachers": [{"model": "gemini-3-pro-preview"}]},
        "prohibited",
        fires=[("competing-models", "LicenseRef-Gemini-API-Additional-Terms")],
    ),
    # --- consumer services: Microsoft Services Agreement (S-MS-01), Perplexity (S-PX-02) ------------
    scenario(
        "copilot-outputs-may-train-no-ai-even-a-non-competing-one",
        {"student": student(competes_with_teachers=False), "teachers": [{"model": "Microsoft Copilot"}]},
        "prohibited",
        fires=[("output-training-ban", "LicenseRef-Microsoft-Services-Agreement")],
        quiet=["competing-models"],
    ),
    scenario(
        "perplexity-sonar-outputs-may-not-be-distilled",
        {"student": student(competes_with_teachers=False), "teachers": [{"model": "sonar-pro"}]},
        "prohibited",
        fires=[("distillation-ban", "LicenseRef-Perplexity-AUP")],
    ),
    # --- Kimi K2 Modified MIT: display only above 100M monthly users (M-KM-01, M-KM-03) -------------
    scenario(
        "kimi-k2-fine-tune-in-a-product-above-100-million-users-shows-kimi-k2",
        {"student": student(name="acme-agent", base_model="moonshotai/Kimi-K2-Instruct", release="api"),
         "organization": {"monthly_active_users": 150000000}},
        "conditional",
        fires=[("attribution-display", "LicenseRef-Kimi-K2-Modified-MIT")],
    ),
    scenario(
        "kimi-k2-fine-tune-below-the-threshold-owes-no-display",
        {"student": student(name="acme-agent", base_model="moonshotai/Kimi-K2-Instruct", release="api"),
         "organization": {"monthly_active_users": 2000000}},
        "allowed",
        quiet=["attribution-display"],
    ),
    scenario(
        "kimi-k2-through-moonshots-api-needs-review-its-platform-terms-are-unread",
        {"student": student(competes_with_teachers=True), "teachers": [{"model": "Kimi K2", "access": "api"}]},
        "review",
        fires=[("unknown-terms", None)],
    ),
    scenario(
        "kimi-k2-weights-self-hosted-as-a-teacher-are-fine",
        {"student": student(competes_with_teachers=True), "teachers": [{"model": "moonshotai/Kimi-K2-Instruct", "access": "self_hosted"}]},
        "allowed",
        quiet=["unknown-terms", "attribution-display"],
    ),
    scenario(
        "kimi-k2.5-shows-its-own-name",
        {"student": student(name="acme-agent", base_model="Kimi K2.5", release="api"), "organization": {"monthly_active_users": 150000000}},
        "conditional",
        fires=[("attribution-display", "LicenseRef-Kimi-K2.5-Modified-MIT")],
    ),
    # --- DeepSeek: licenses differ by checkpoint (M-DS-01..07) ---------------------------------------
    scenario(
        "deepseek-v3-0324-weights-are-mit",
        {"student": student(competes_with_teachers=True), "teachers": [{"model": "deepseek-ai/DeepSeek-V3-0324"}]},
        "allowed",
        quiet=["unknown-terms", "derivative-carries-terms"],
    ),
    scenario(
        "deepseek-v3-original-checkpoint-keeps-the-deepseek-license",
        {"student": student(release="api", competes_with_teachers=True), "teachers": [{"model": "deepseek-ai/DeepSeek-V3", "access": "self_hosted"}]},
        "conditional",
        fires=[("derivative-carries-terms", "LicenseRef-DeepSeek-License-1.0")],
    ),
    scenario(
        "deepseek-v3-1-license-not-read-needs-review",
        {"student": student(competes_with_teachers=True), "teachers": [{"model": "DeepSeek V3.1"}]},
        "review",
        fires=[("unknown-terms", None)],
    ),
    scenario(
        "deepseek-v3-2-exp-and-its-terminus-base-are-mit",
        {"student": student(competes_with_teachers=True), "teachers": [{"model": "deepseek-ai/DeepSeek-V3.2-Exp"}]},
        "allowed",
        quiet=["unknown-terms"],
    ),
    scenario(
        "r1-0528-qwen3-8b-as-a-base-carries-mit-and-the-qwen3-apache-license",
        {"student": student(base_model="deepseek-ai/DeepSeek-R1-0528-Qwen3-8B", release="open_weights")},
        "conditional",
        fires=[("license-notice", "MIT"), ("license-notice", "Apache-2.0")],
    ),
    # --- Qwen3, GLM, MiniMax -----------------------------------------------------------------------
    scenario(
        "qwen3-8b-fine-tune-released-as-open-weights-keeps-the-apache-notice",
        {"student": student(base_model="Qwen/Qwen3-8B", release="open_weights", license="Apache-2.0")},
        "conditional",
        fires=[("license-notice", "Apache-2.0")],
        quiet=["unknown-terms", "attribution-display"],
    ),
    scenario(
        "qwen3-2507-by-name-fine-tuned-behind-an-api",
        {"student": student(base_model="Qwen3 30B A3B Instruct 2507", release="api")},
        "allowed",
        quiet=["unknown-terms", "unresolved-reference"],
    ),
    scenario(
        "qwen3-coder-480b-as-a-self-hosted-teacher",
        {"student": student(competes_with_teachers=True), "teachers": [{"model": "Qwen/Qwen3-Coder-480B-A35B-Instruct"}]},
        "allowed",
        quiet=["unknown-terms", "output-training-ban"],
    ),
    scenario(
        "glm-4-5-air-base-is-mit",
        {"student": student(base_model="zai-org/GLM-4.5-Air", release="open_weights", license="MIT")},
        "conditional",
        fires=[("license-notice", "MIT")],
        quiet=["unknown-terms"],
    ),
    scenario(
        "glm-4-6-license-not-found-needs-review",
        {"student": student(base_model="zai-org/GLM-4.6")},
        "review",
        fires=[("unknown-terms", None)],
    ),
    scenario(
        "minimax-m2-base-is-mit",
        {"student": student(base_model="MiniMaxAI/MiniMax-M2", release="open_weights", license="MIT")},
        "conditional",
        fires=[("license-notice", "MIT")],
    ),
    scenario(
        "minimax-m1-weights-license-conflicts-so-review",
        {"student": student(base_model="MiniMaxAI/MiniMax-M1-80k")},
        "review",
        fires=[("unknown-terms", None)],
    ),
    # --- Gemma 3 / Gemma 4 (M-GM-01, M-GM-02) ------------------------------------------------------
    scenario(
        "gemma-3-4b-teacher-makes-the-student-a-gemma-derivative",
        {"student": student(release="open_weights", competes_with_teachers=False), "teachers": [{"model": "google/gemma-3-4b-it"}]},
        "conditional",
        fires=[("derivative-carries-terms", "LicenseRef-Gemma-Terms-of-Use")],
    ),
    scenario(
        "gemma-4-is-apache-and-not-a-gemma-terms-derivative",
        {"student": student(release="open_weights", competes_with_teachers=False), "teachers": [{"model": "google/gemma-4-26B-A4B-it"}]},
        "allowed",
        quiet=["derivative-carries-terms", "use-policy-flow-down"],
    ),
    # --- Llama 4, Mistral, Microsoft, NVIDIA, IBM ---------------------------------------------------
    scenario(
        "eu-company-self-hosting-llama-4-maverick",
        {"student": student(name="Llama-acme"), "teachers": [{"model": "meta-llama/Llama-4-Maverick-17B-128E-Instruct"}],
         "organization": {"country": "FR"}},
        "prohibited",
        fires=[("jurisdiction-exclusion", "LicenseRef-Llama-4-Community")],
    ),
    scenario(
        "magistral-small-fine-tune-is-apache",
        {"student": student(base_model="mistralai/Magistral-Small-2506", release="open_weights", license="Apache-2.0", modalities=["text"])},
        "conditional",
        fires=[("license-notice", "Apache-2.0")],
        quiet=["unknown-terms", "competing-models"],
    ),
    scenario(
        "phi-4-mini-reasoning-base-inherits-deepseek-r1s-permission",
        {"student": student(base_model="microsoft/Phi-4-mini-reasoning", release="open_weights", license="MIT")},
        "conditional",
        fires=[("license-notice", "MIT"), ("distillation-permitted", "LicenseRef-DeepSeek-R1-MIT")],
    ),
    scenario(
        "nemotron-nano-9b-v2-outputs-are-not-derivatives",
        {"student": student(competes_with_teachers=True), "teachers": [{"model": "nvidia/NVIDIA-Nemotron-Nano-9B-v2"}]},
        "allowed",
        fires=[("distillation-permitted", "LicenseRef-NVIDIA-Open-Model-License")],
    ),
    scenario(
        "smollm3-and-olmo-3-bases-are-apache",
        {"student": student(base_model="HuggingFaceTB/SmolLM3-3B", release="open_weights", license="Apache-2.0"),
         "teachers": [{"model": "allenai/Olmo-3-7B-Think"}]},
        "conditional",
        fires=[("license-notice", "Apache-2.0")],
        quiet=["unknown-terms"],
    ),
    scenario(
        "olmo-3-base-license-not-read-needs-review",
        {"student": student(base_model="allenai/Olmo-3-1025-7B")},
        "review",
        fires=[("unknown-terms", None)],
    ),
    scenario(
        "granite-4-base-is-apache",
        {"student": student(base_model="ibm-granite/granite-4.0-h-small", release="open_weights", license="Apache-2.0")},
        "conditional",
        fires=[("license-notice", "Apache-2.0")],
    ),
]


@pytest.mark.parametrize("workflow, verdict, fires, quiet", SCENARIOS)
def test_scenario(workflow, verdict, fires, quiet):
    decision = evaluate_workflow(workflow)
    assert_decision(decision, verdict, fires, quiet)


def test_grok_2_outputs_were_barred_under_both_license_versions():
    """The training ban is in the August and the November 2025 texts alike; only the commercial condition changed."""
    workflow = {"student": student(base_model="Qwen/Qwen3-8B"), "teachers": [{"model": "xai-org/grok-2", "access": "self_hosted"}]}
    for day in ("2025-09-01", "2026-12-06"):
        decision = evaluate_workflow({"as_of": day, **workflow})
        assert decision.verdict == "prohibited", (day, decision.findings)


def test_grok_2_revenue_cap_applied_only_before_the_november_2025_text():
    workflow = {"student": student(name="grok-2-acme", base_model="xai-org/grok-2"), "organization": {"annual_revenue_usd": 5000000}}
    before = evaluate_workflow({"as_of": "2025-09-01", **workflow})
    after = evaluate_workflow({"as_of": "2026-12-06", **workflow})
    assert "annual-revenue-threshold" in {f.rule for f in before.findings}
    assert "annual-revenue-threshold" not in {f.rule for f in after.findings}
