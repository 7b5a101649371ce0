"""End-to-end scenarios against the shipped knowledge base and rules, written from the reference facts
(../shared/reference/licenses.md and regulations.md): a workflow in, the verdict, the rule and the
cited document or provision out.

Each scenario names the fact it checks. `fires` lists (rule, cited SPDX id or provision ref) pairs
that must appear among the findings; `quiet` lists rules that must not fire.
"""

import pytest

from policies.engine.evaluate import evaluate_workflow
from tests.scenarios.spec import assert_decision

pytestmark = pytest.mark.django_db

DAY = "2026-11-28"


def student(name="acme-7b", purpose="commercial", release="internal", **extra):
    return {"name": name, "purpose": purpose, "release": release, **extra}


def scenario(id, workflow, verdict, fires=(), quiet=(), as_of=None):
    workflow = {"as_of": DAY, **workflow}
    return pytest.param(workflow, as_of, verdict, fires, quiet, id=id)


SCENARIOS = [
    # --- closed-model service terms (licenses.md §A, cross-cutting fact 5) -------------------------
    scenario(
        "openai-competing-student-is-prohibited",
        {"student": student(release="api", competes_with_teachers=True), "teachers": [{"model": "gpt-4o"}]},
        "prohibited",
        fires=[("competing-models", "LicenseRef-OpenAI-Services-Agreement"), ("competing-models", "LicenseRef-OpenAI-Terms-of-Use")],
    ),
    # Mistral's terms restrict only image outputs (clause parameter output_modalities: [image]).
    scenario(
        "mistral-api-text-outputs-may-train-a-competing-text-model",
        {"student": student(release="api", competes_with_teachers=True, modalities=["text"]),
         "teachers": [{"model": "mistralai/Mistral-7B-v0.1", "access": "api"}]},
        "allowed",
        quiet=["competing-models", "competing-models-unknown"],
    ),
    scenario(
        "mistral-api-outputs-may-not-train-a-competing-image-model",
        {"student": student(name="acme-images", release="api", competes_with_teachers=True, modalities=["image"]),
         "teachers": [{"model": "mistralai/Mistral-7B-v0.1", "access": "api"}]},
        "prohibited",
        fires=[("competing-models", "LicenseRef-Mistral-Terms")],
    ),
    scenario(
        "openai-non-competing-internal-classifier-is-allowed",
        {"student": student(competes_with_teachers=False), "teachers": [{"model": "gpt-4o-mini"}]},
        "allowed",
        quiet=["competing-models", "competing-models-unknown"],
    ),
    scenario(
        "openai-competition-unknown-needs-review",
        {"student": student(release="api"), "teachers": [{"model": "gpt-4o"}]},
        "review",
        fires=[("competing-models-unknown", "LicenseRef-OpenAI-Terms-of-Use")],
    ),
    scenario(
        "anthropic-usage-policy-bans-distillation-even-without-competition",
        {"student": student(competes_with_teachers=False), "teachers": [{"model": "claude-3-5-sonnet"}]},
        "prohibited",
        fires=[("distillation-ban", "LicenseRef-Anthropic-Usage-Policy")],
        quiet=["competing-models"],
    ),
    scenario(
        "anthropic-commercial-terms-forbid-competing-models",
        {"student": student(release="api", competes_with_teachers=True), "teachers": [{"model": "claude-3-5-sonnet"}]},
        "prohibited",
        fires=[("competing-models", "LicenseRef-Anthropic-Commercial-Terms"), ("distillation-ban", "LicenseRef-Anthropic-Usage-Policy")],
    ),
    scenario(
        "gemini-api-terms-forbid-competing-models",
        {"student": student(release="api", competes_with_teachers=True), "teachers": [{"model": "gemini-2.0-flash"}]},
        "prohibited",
        fires=[("competing-models", "LicenseRef-Gemini-API-Additional-Terms")],
    ),
    scenario(
        "google-terms-of-service-forbid-developing-ml-models-from-ai-content",
        {"student": student(competes_with_teachers=False), "teachers": [{"model": "gemini-2.0-flash"}]},
        "prohibited",
        fires=[("output-training-ban", "LicenseRef-Google-ToS")],
        quiet=["competing-models"],
    ),
    scenario(
        "xai-bans-distilling",
        {"student": student(competes_with_teachers=False), "teachers": [{"model": "grok-3"}]},
        "prohibited",
        fires=[("distillation-ban", "LicenseRef-xAI-Terms")],
    ),
    scenario(
        "deepseek-api-expressly-allows-distillation",
        {"student": student(release="open_weights", competes_with_teachers=True, license="MIT"), "teachers": [{"model": "deepseek-reasoner"}]},
        "allowed",
        fires=[("distillation-permitted", "LicenseRef-DeepSeek-Platform-Terms")],
    ),
    scenario(
        "nvidia-open-model-license-output-is-not-a-derivative",
        {"student": student(competes_with_teachers=True), "teachers": [{"model": "nvidia/Nemotron-4-340B-Instruct"}]},
        "allowed",
        fires=[("distillation-permitted", "LicenseRef-NVIDIA-Open-Model-License")],
    ),
    # --- access: the same model through its API or its weights -------------------------------------
    scenario(
        "llama-3.3-through-metas-api-is-bound-by-the-competing-clause",
        {"student": student(name="Llama-acme", release="api", competes_with_teachers=True),
         "teachers": [{"model": "meta-llama/Llama-3.3-70B-Instruct", "access": "api"}]},
        "prohibited",
        fires=[("competing-models", "LicenseRef-Meta-Model-API-Terms")],
    ),
    scenario(
        "llama-3.3-self-hosted-only-asks-for-the-name-and-attribution",
        {"student": student(name="Llama-acme", release="api", competes_with_teachers=True),
         "teachers": [{"model": "meta-llama/Llama-3.3-70B-Instruct", "access": "self_hosted"}]},
        "conditional",
        fires=[("attribution-display", "LicenseRef-Llama-3.3-Community")],
        quiet=["competing-models", "naming-prefix"],
    ),
    scenario(
        "deepseek-r1-weights-self-hosted-are-mit",
        {"student": student(competes_with_teachers=True), "teachers": [{"model": "deepseek-ai/DeepSeek-R1", "access": "self_hosted"}]},
        "allowed",
        quiet=["unknown-terms"],
    ),
    scenario(
        "deepseek-r1-through-the-api-reads-the-platform-terms",
        {"student": student(competes_with_teachers=True), "teachers": [{"model": "deepseek-ai/DeepSeek-R1", "access": "api"}]},
        "allowed",
        fires=[("distillation-permitted", "LicenseRef-DeepSeek-Platform-Terms")],
    ),
    scenario(
        "a-base-whose-weights-license-is-unknown",
        {"student": student(purpose="research", base_model="microsoft/Orca-2-13b")},
        "review",
        fires=[("unknown-terms", None)],
    ),
    # --- Llama license versions (cross-cutting fact 1) ------------------------------------------------
    scenario(
        "llama-3-teacher-may-not-improve-another-llm",
        {"student": student(base_model="Qwen/Qwen2.5-7B-Instruct"), "teachers": [{"model": "meta-llama/Meta-Llama-3-70B-Instruct"}]},
        "prohibited",
        fires=[("output-training-ban", "LicenseRef-Llama-3-Community")],
    ),
    scenario(
        "llama-3.1-teacher-may-improve-another-llm-named-llama",
        {"student": student(name="acme-7b", base_model="Qwen/Qwen2.5-7B-Instruct", release="open_weights", license="Apache-2.0"),
         "teachers": [{"model": "meta-llama/Llama-3.1-70B-Instruct"}]},
        "conditional",
        fires=[("naming-prefix", "LicenseRef-Llama-3.1-Community"), ("attribution-display", "LicenseRef-Llama-3.1-Community")],
        quiet=["output-training-ban"],
    ),
    scenario(
        "llama-3-base-asks-for-the-llama-3-prefix",
        {"student": student(name="acme-8b", base_model="meta-llama/Meta-Llama-3-8B", release="open_weights")},
        "conditional",
        fires=[("naming-prefix", "LicenseRef-Llama-3-Community")],
    ),
    scenario(
        "llama-3.1-base-asks-for-the-llama-prefix",
        {"student": student(name="acme-8b", base_model="meta-llama/Llama-3.1-8B", release="open_weights")},
        "conditional",
        fires=[("naming-prefix", "LicenseRef-Llama-3.1-Community"), ("attribution-display", "LicenseRef-Llama-3.1-Community")],
    ),
    scenario(
        "llama-3-teacher-on-a-llama-3-base-is-the-same-family",
        {"student": student(name="Llama-3-acme-8b", base_model="meta-llama/Meta-Llama-3-8B"),
         "teachers": [{"model": "meta-llama/Meta-Llama-3-70B-Instruct"}]},
        "allowed",
        quiet=["output-training-ban", "naming-prefix"],
    ),
    scenario(
        "llama-2-teacher-may-not-improve-another-llm",
        {"student": student(base_model="mistralai/Mistral-7B-v0.3"), "teachers": [{"model": "meta-llama/Llama-2-70b-chat-hf"}]},
        "prohibited",
        fires=[("output-training-ban", "LicenseRef-Llama-2-Community")],
    ),
    # --- release: kept internal or distributed ---------------------------------------------------------
    scenario(
        "llama-3.1-fine-tune-kept-internal-has-no-naming-duty",
        {"student": student(name="acme-8b", base_model="meta-llama/Llama-3.1-8B", release="internal")},
        "allowed",
        quiet=["naming-prefix", "attribution-display"],
    ),
    scenario(
        "llama-3.1-fine-tune-offered-as-an-api-must-be-named-llama",
        {"student": student(name="acme-8b", base_model="meta-llama/Llama-3.1-8B", release="api")},
        "conditional",
        fires=[("naming-prefix", "LicenseRef-Llama-3.1-Community")],
    ),
    scenario(
        "r1-distill-llama-as-a-base-still-carries-llama-3.1",
        {"student": student(name="acme-reasoner", base_model="deepseek-ai/DeepSeek-R1-Distill-Llama-8B", release="open_weights")},
        "conditional",
        fires=[("naming-prefix", "LicenseRef-Llama-3.1-Community"), ("license-notice", "MIT")],
    ),
    # --- thresholds and territory (cross-cutting facts 8, 9) ------------------------------------------
    scenario(
        "llama-700-million-monthly-users",
        {"student": student(name="Llama-acme", base_model="meta-llama/Llama-3.1-8B"), "organization": {"country": "US", "monthly_active_users": 900000000}},
        "prohibited",
        fires=[("monthly-active-users-threshold", "LicenseRef-Llama-3.1-Community")],
    ),
    scenario(
        "eu-company-may-not-use-llama-3.2-vision",
        {"student": student(name="Llama-acme-vision", base_model="meta-llama/Llama-3.2-11B-Vision-Instruct", modalities=["text", "image"]),
         "organization": {"country": "DE"}},
        "prohibited",
        fires=[("jurisdiction-exclusion", "LicenseRef-Llama-3.2-Community")],
    ),
    scenario(
        "us-company-may-use-llama-3.2-vision",
        {"student": student(name="Llama-acme-vision", base_model="meta-llama/Llama-3.2-11B-Vision-Instruct", modalities=["text", "image"]),
         "organization": {"country": "US"}},
        "allowed",
        quiet=["jurisdiction-exclusion"],
    ),
    scenario(
        "eu-company-self-hosting-llama-4-scout-as-teacher",
        {"student": student(name="Llama-acme"), "teachers": [{"model": "meta-llama/Llama-4-Scout-17B-16E-Instruct", "access": "self_hosted"}],
         "organization": {"country": "FR"}},
        "prohibited",
        fires=[("jurisdiction-exclusion", "LicenseRef-Llama-4-Community")],
    ),
    scenario(
        "stability-community-license-revenue-cap",
        {"student": student(name="acme-img", base_model="stabilityai/stable-diffusion-3.5-large", modalities=["image"]),
         "organization": {"country": "GB", "annual_revenue_usd": 3000000}},
        "prohibited",
        fires=[("annual-revenue-threshold", "LicenseRef-Stability-AI-Community")],
    ),
    # --- derivative definitions, attribution, Qwen generations (facts 2, 3, 6) -----------------------
    scenario(
        "gemma-distilled-student-is-a-model-derivative",
        {"student": student(name="acme-2b", release="open_weights", competes_with_teachers=False), "teachers": [{"model": "google/gemma-2-9b-it"}]},
        "conditional",
        fires=[("derivative-carries-terms", "LicenseRef-Gemma-Terms-of-Use"), ("use-policy-flow-down", "LicenseRef-Gemma-Terms-of-Use")],
    ),
    scenario(
        "deepseek-license-1.0-distilled-student-carries-the-use-restrictions",
        {"student": student(release="api"), "teachers": [{"model": "deepseek-ai/deepseek-llm-67b-chat"}]},
        "conditional",
        fires=[("derivative-carries-terms", "LicenseRef-DeepSeek-License-1.0")],
    ),
    scenario(
        "qwen-license-asks-for-built-with-qwen",
        {"student": student(release="open_weights", license="Apache-2.0", competes_with_teachers=True), "teachers": [{"model": "Qwen/Qwen2.5-72B-Instruct"}]},
        "conditional",
        fires=[("attribution-display", "LicenseRef-Qwen")],
        quiet=["output-training-ban"],
    ),
    scenario(
        "qwen-100-million-monthly-users",
        {"student": student(), "teachers": [{"model": "Qwen/Qwen2.5-72B-Instruct"}], "organization": {"monthly_active_users": 150000000}},
        "prohibited",
        fires=[("monthly-active-users-threshold", "LicenseRef-Qwen")],
    ),
    scenario(
        "tongyi-qianwen-may-not-improve-another-llm",
        {"student": student(base_model="mistralai/Mistral-7B-v0.3"), "teachers": [{"model": "Qwen/Qwen-72B-Chat"}]},
        "prohibited",
        fires=[("output-training-ban", "LicenseRef-Tongyi-Qianwen")],
    ),
    # --- purpose against research-only and non-commercial terms ---------------------------------------
    scenario(
        "mistral-research-license-base-for-commercial-use",
        {"student": student(base_model="mistralai/Mistral-Large-Instruct-2407")},
        "prohibited",
        fires=[("non-commercial-terms", "LicenseRef-Mistral-MRL-0.1")],
    ),
    scenario(
        "mistral-research-license-base-for-research",
        {"student": student(purpose="research", base_model="mistralai/Mistral-Large-Instruct-2407")},
        "allowed",
        quiet=["non-commercial-terms"],
    ),
    scenario(
        "alpaca-data-is-non-commercial-and-came-from-openai",
        {"student": student(base_model="Qwen/Qwen2.5-7B"), "datasets": [{"dataset": "tatsu-lab/alpaca"}]},
        "prohibited",
        fires=[("non-commercial-terms", "CC-BY-NC-4.0"), ("competing-models-unknown", "LicenseRef-OpenAI-Terms-of-Use")],
    ),
    scenario(
        "llama-1-weights-are-non-commercial",
        {"student": student(base_model="huggyllama/llama-7b")},
        "prohibited",
        fires=[("non-commercial-terms", "LicenseRef-LLaMA-1-Noncommercial")],
    ),
    # --- datasets ----------------------------------------------------------------------------------------
    scenario(
        "dolly-share-alike-against-an-apache-release",
        {"student": student(release="open_weights", license="Apache-2.0"), "datasets": [{"dataset": "databricks/databricks-dolly-15k"}]},
        "conditional",
        fires=[("share-alike", "CC-BY-SA-3.0")],
    ),
    scenario(
        "dolly-share-alike-met-by-a-cc-by-sa-release",
        {"student": student(release="open_weights", license="CC-BY-SA-3.0"), "datasets": [{"dataset": "databricks/databricks-dolly-15k"}]},
        "allowed",
        quiet=["share-alike"],
    ),
    scenario(
        "magpie-llama-3-data-may-not-improve-another-llm",
        {"student": student(base_model="Qwen/Qwen2.5-7B"), "datasets": [{"dataset": "Magpie-Align/Magpie-Pro-300K-Filtered"}]},
        "prohibited",
        fires=[("output-training-ban", "LicenseRef-Llama-3-Community")],
    ),
    scenario(
        "ultrachat-mit-tag-does-not-settle-the-openai-terms",
        {"student": student(release="api", competes_with_teachers=True), "datasets": [{"dataset": "stingning/ultrachat"}]},
        "review",
        fires=[("competing-models", "LicenseRef-OpenAI-Terms-of-Use")],
    ),
    scenario(
        "ad-hoc-dataset-generated-with-gpt-4o-arrives-inherited",
        {"student": student(release="api", competes_with_teachers=True),
         "datasets": [{"name": "vendor-qa", "license": "CC-BY-4.0", "generated_by": ["gpt-4o"]}]},
        "review",
        fires=[("competing-models", "LicenseRef-OpenAI-Services-Agreement")],
    ),
    scenario(
        "dataset-with-unknown-license",
        {"student": student(purpose="research"), "datasets": [{"dataset": "teknium/OpenHermes-2.5"}]},
        "review",
        fires=[("unknown-terms", None)],
    ),
    scenario(
        "unknown-teacher-is-unresolved",
        {"student": student(purpose="research"), "teachers": [{"model": "acme-labs/frontier-secret"}]},
        "review",
        fires=[("unresolved-reference", None)],
    ),
    scenario(
        "unknown-api-model-id-is-unresolved-and-still-cited",
        {"student": student(purpose="research"), "teachers": [{"model": "claude-9-ultra", "access": "api"}]},
        "review",
        fires=[("unresolved-reference", None)],
    ),
    # --- EU AI Act as of the date ------------------------------------------------------------------
    scenario(
        "eu-gpai-from-scratch-before-chapter-v",
        {"student": student(name="acme-1b", release="open_weights", license="Apache-2.0", training_compute_flop=3e23), "organization": {"country": "DE"},
         "deployment": {"jurisdictions": ["DE"]}},
        "allowed",
        quiet=["eu-gpai-provider-from-scratch"],
        as_of="2025-07-15",
    ),
    scenario(
        "eu-gpai-from-scratch-after-chapter-v",
        {"student": student(name="acme-1b", release="open_weights", license="Apache-2.0", training_compute_flop=3e23), "organization": {"country": "DE"},
         "deployment": {"jurisdictions": ["DE"]}},
        "conditional",
        fires=[("eu-gpai-provider-from-scratch", "EU-AIA-53-1-c"), ("eu-gpai-provider-from-scratch", "EU-AIA-53-1-d"),
               ("eu-gpai-provider-from-scratch", "EU-GL-GPAI-17")],
        quiet=["eu-gpai-technical-documentation", "eu-gpai-authorised-representative"],
        as_of="2025-09-01",
    ),
    scenario(
        "eu-gpai-non-open-license-loses-the-documentation-exemption",
        {"student": student(name="acme-1b", release="open_weights", license="CC-BY-NC-4.0", training_compute_flop=3e23), "organization": {"country": "DE"},
         "deployment": {"jurisdictions": ["EU"]}},
        "conditional",
        fires=[("eu-gpai-technical-documentation", "EU-AIA-53-1-a"), ("eu-gpai-technical-documentation", "EU-AIA-53-1-b")],
    ),
    scenario(
        "eu-gpai-provider-outside-the-eu-appoints-a-representative",
        {"student": student(name="acme-1b", release="api", training_compute_flop=3e23), "organization": {"country": "US"},
         "deployment": {"jurisdictions": ["EU"]}},
        "conditional",
        fires=[("eu-gpai-authorised-representative", "EU-AIA-54"), ("eu-gpai-technical-documentation", "EU-AIA-53-1-a")],
    ),
    scenario(
        "eu-systemic-risk-above-1e25",
        {"student": student(name="acme-frontier", release="open_weights", license="Apache-2.0", training_compute_flop=2e25),
         "organization": {"country": "FR"}, "deployment": {"jurisdictions": ["EU"]}},
        "conditional",
        fires=[("eu-gpai-systemic-risk", "EU-AIA-52"), ("eu-gpai-systemic-risk", "EU-AIA-55"), ("eu-gpai-technical-documentation", "EU-AIA-53-2")],
    ),
    scenario(
        "eu-modifier-above-the-fallback-third-becomes-provider",
        {"student": student(release="api", base_model="Qwen/Qwen2.5-7B-Instruct", training_compute_flop=5e22), "organization": {"country": "DE"},
         "deployment": {"jurisdictions": ["EU"]}},
        "conditional",
        fires=[("eu-gpai-provider-modification", "EU-GL-GPAI-60")],
    ),
    scenario(
        "eu-modifier-below-the-fallback-third-is-not-provider",
        {"student": student(release="api", base_model="Qwen/Qwen2.5-7B-Instruct", training_compute_flop=2e22), "organization": {"country": "DE"},
         "deployment": {"jurisdictions": ["EU"]}},
        "conditional",
        fires=[("eu-ai-act-transparency-marking", "EU-AIA-50-2")],
        quiet=["eu-gpai-provider-modification", "eu-gpai-compute-unknown"],
    ),
    scenario(
        "eu-modifier-of-llama-405b-measured-against-its-known-compute",
        {"student": student(name="Llama-acme-405b", release="api", base_model="meta-llama/Llama-3.1-405B", training_compute_flop=5e24),
         "organization": {"country": "DE"}, "deployment": {"jurisdictions": ["EU"]}},
        "conditional",
        quiet=["eu-gpai-provider-modification", "eu-gpai-systemic-risk"],
    ),
    # Llama 3.1 8B Instruct's compute is estimated (6 x 8B x 15T = 7.2e23, GPAI guidelines Annex A.2),
    # so the fallback (10^23 / 3) no longer applies: the test is a third of 7.2e23, i.e. 2.4e23.
    scenario(
        "eu-modifier-of-llama-3-1-8b-below-a-third-of-its-estimated-compute-is-not-provider",
        {"student": student(name="Llama-acme-8b", release="api", base_model="meta-llama/Llama-3.1-8B-Instruct", training_compute_flop=5e22),
         "organization": {"country": "DE"}, "deployment": {"jurisdictions": ["EU"]}},
        "conditional",
        quiet=["eu-gpai-provider-modification", "eu-gpai-compute-unknown"],
    ),
    scenario(
        "eu-modifier-of-llama-3-1-8b-above-a-third-of-its-estimated-compute-becomes-provider",
        {"student": student(name="Llama-acme-8b", release="api", base_model="meta-llama/Llama-3.1-8B-Instruct", training_compute_flop=3e23),
         "organization": {"country": "DE"}, "deployment": {"jurisdictions": ["EU"]}},
        "conditional",
        fires=[("eu-gpai-provider-modification", "EU-GL-GPAI-60")],
    ),
    scenario(
        "eu-modifier-of-llama-405b-instruct-measured-against-its-base-pretraining-compute",
        {"student": student(name="Llama-acme-405b", release="api", base_model="meta-llama/Llama-3.1-405B-Instruct", training_compute_flop=5e24),
         "organization": {"country": "DE"}, "deployment": {"jurisdictions": ["EU"]}},
        "conditional",
        quiet=["eu-gpai-provider-modification", "eu-gpai-compute-unknown"],
    ),
    scenario(
        "eu-heavy-modifier-of-llama-405b-inherits-systemic-risk",
        {"student": student(name="Llama-acme-405b", release="api", base_model="meta-llama/Llama-3.1-405B", training_compute_flop=2e25),
         "organization": {"country": "DE"}, "deployment": {"jurisdictions": ["EU"]}},
        "conditional",
        fires=[("eu-gpai-provider-modification", "EU-GL-GPAI-60"), ("eu-gpai-systemic-risk", "EU-AIA-51")],
    ),
    scenario(
        "eu-compute-unknown-needs-review",
        {"student": student(release="api", base_model="Qwen/Qwen2.5-7B-Instruct"), "deployment": {"jurisdictions": ["IT"]}},
        "review",
        fires=[("eu-gpai-compute-unknown", "EU-GL-GPAI-60")],
    ),
    scenario(
        "eu-article-50-before-2-august-2026",
        {"student": student(release="api", base_model="Qwen/Qwen2.5-7B-Instruct", training_compute_flop=1e20), "deployment": {"jurisdictions": ["EU"]}},
        "allowed",
        quiet=["eu-ai-act-transparency-marking"],
        as_of="2026-07-01",
    ),
    scenario(
        "eu-article-50-from-2-august-2026",
        {"student": student(release="api", base_model="Qwen/Qwen2.5-7B-Instruct", training_compute_flop=1e20), "deployment": {"jurisdictions": ["EU"]}},
        "conditional",
        fires=[("eu-ai-act-transparency-marking", "EU-AIA-50-2")],
        as_of="2026-08-02",
    ),
    scenario(
        "eu-rules-do-not-apply-outside-the-eu",
        {"student": student(name="acme-1b", release="api", training_compute_flop=3e23), "deployment": {"jurisdictions": ["JP", "SG"]}},
        "allowed",
        quiet=["eu-gpai-provider-from-scratch", "eu-ai-act-transparency-marking"],
    ),
    # --- United States, China, Korea -----------------------------------------------------------------
    scenario(
        "california-ab-2013-before-2026",
        {"student": student(release="api"), "deployment": {"jurisdictions": ["US"]}},
        "allowed",
        quiet=["us-ca-ab2013-training-data"],
        as_of="2025-12-15",
    ),
    scenario(
        "california-ab-2013-from-2026",
        {"student": student(release="api"), "deployment": {"jurisdictions": ["US"]}},
        "conditional",
        fires=[("us-ca-ab2013-training-data", "US-CA-AB2013")],
        as_of="2026-01-15",
    ),
    scenario(
        "california-sb-53-large-frontier-developer",
        {"student": student(name="acme-frontier", release="api", training_compute_flop=3e26), "organization": {"country": "US", "annual_revenue_usd": 1e9},
         "deployment": {"jurisdictions": ["US-CA"]}},
        "conditional",
        fires=[("us-ca-sb53-frontier-developer", "US-CA-SB53"), ("us-ca-sb53-large-frontier-developer", "US-CA-SB53")],
    ),
    scenario(
        "china-public-generative-service",
        {"student": student(release="api"), "deployment": {"jurisdictions": ["CN"]}},
        "conditional",
        fires=[("cn-generative-ai-service", "CN-GENAI-2")],
    ),
    scenario(
        "china-measures-do-not-cover-an-internal-model",
        {"student": student(release="internal"), "deployment": {"jurisdictions": ["CN"]}},
        "allowed",
        quiet=["cn-generative-ai-service"],
    ),
    scenario(
        "korea-ai-basic-act-from-22-january-2026",
        {"student": student(release="api"), "deployment": {"jurisdictions": ["KR"]}},
        "conditional",
        fires=[("kr-ai-basic-act", "KR-AIBA")],
        as_of="2026-01-22",
    ),
    scenario(
        "korea-ai-basic-act-not-yet-on-21-january-2026",
        {"student": student(release="api"), "deployment": {"jurisdictions": ["KR"]}},
        "allowed",
        quiet=["kr-ai-basic-act"],
        as_of="2026-01-21",
    ),
    scenario(
        "terms-read-before-the-license-existed",
        {"student": student(name="Llama-acme", base_model="meta-llama/Llama-3.1-8B")},
        "review",
        fires=[("missing-terms-version", "LicenseRef-Llama-3.1-Community")],
        as_of="2024-03-01",
    ),
]


@pytest.mark.parametrize("workflow, as_of, verdict, fires, quiet", SCENARIOS)
def test_scenario(workflow, as_of, verdict, fires, quiet):
    decision = evaluate_workflow(workflow, as_of=as_of)
    assert_decision(decision, verdict, fires, quiet)


def test_there_are_at_least_forty_scenarios():
    assert len(SCENARIOS) >= 40


def test_pairs_differ_in_one_input_only():
    by_id = {p.id: p.values[0] for p in SCENARIOS}
    pairs = [
        ("llama-3.3-through-metas-api-is-bound-by-the-competing-clause", "llama-3.3-self-hosted-only-asks-for-the-name-and-attribution"),
        ("llama-3.1-fine-tune-kept-internal-has-no-naming-duty", "llama-3.1-fine-tune-offered-as-an-api-must-be-named-llama"),
        ("llama-3-base-asks-for-the-llama-3-prefix", "llama-3.1-base-asks-for-the-llama-prefix"),
        ("eu-article-50-before-2-august-2026", "eu-article-50-from-2-august-2026"),
    ]
    for a, b in pairs:
        assert by_id[a] != by_id[b] or a.startswith("eu-article-50")


def test_the_provider_finding_says_which_base_compute_it_compared_with():
    base = {"release": "api", "training_compute_flop": 3e23}
    known = evaluate_workflow({"as_of": DAY, "student": student(name="Llama-acme-8b", base_model="meta-llama/Llama-3.1-8B-Instruct", **base),
                               "deployment": {"jurisdictions": ["EU"]}})
    unknown = evaluate_workflow({"as_of": DAY, "student": student(base_model="Qwen/Qwen2.5-7B-Instruct", **base),
                                 "deployment": {"jurisdictions": ["EU"]}})
    known_message, unknown_message = (
        next(f.message for f in d.findings if f.rule == "eu-gpai-provider-modification") for d in (known, unknown)
    )
    assert "(7.2e+23 FLOP as recorded;" in known_message
    assert "(unknown FLOP as recorded; 10^23 FLOP is used where it is unknown)" in unknown_message
