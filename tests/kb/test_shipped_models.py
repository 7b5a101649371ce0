"""The shipped knowledge base knows the models, datasets and lineages people ask about.

A workflow names its teachers, bases and datasets the way people write them (Hugging Face ids, API
ids, slugs); each of these must resolve to exactly one record, with the right publisher and terms.
"""

import pytest

from kb import models as kb
from kb.references import resolve_dataset, resolve_model

pytestmark = pytest.mark.django_db

REQUIRED_MODEL_REFERENCES = [
    # OpenAI
    "gpt-4o", "gpt-4o-mini", "gpt-4", "gpt-4-turbo", "gpt-4.1", "gpt-3.5-turbo", "text-davinci-003", "o1", "o3",
    "o4-mini", "gpt-5", "openai/gpt-oss-20b", "openai/gpt-oss-120b",
    # Anthropic
    "claude-3-opus", "claude-3-5-sonnet", "claude-3-5-haiku", "claude-3-7-sonnet", "claude-sonnet-4", "claude-opus-4",
    # Google
    "gemini-1.5-pro", "gemini-1.5-flash", "gemini-2.0-flash", "gemini-2.5-pro", "gemini-2.5-flash",
    "google/gemma-7b", "google/gemma-2-2b-it", "google/gemma-2-9b", "google/gemma-2-27b-it", "google/gemma-3-27b-it",
    # Meta
    "huggyllama/llama-7b", "meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-70b-chat-hf",
    "meta-llama/Meta-Llama-3-8B-Instruct", "meta-llama/Meta-Llama-3-70B-Instruct", "meta-llama/Llama-3.1-8B",
    "meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-70B-Instruct", "meta-llama/Llama-3.1-405B-Instruct",
    "meta-llama/Llama-3.2-1B", "meta-llama/Llama-3.2-3B", "meta-llama/Llama-3.2-11B-Vision-Instruct",
    "meta-llama/Llama-3.3-70B-Instruct", "meta-llama/Llama-4-Scout-17B-16E-Instruct",
    # Mistral
    "mistralai/Mistral-7B-v0.1", "mistralai/Mistral-7B-Instruct-v0.3", "mistralai/Mixtral-8x7B-Instruct-v0.1",
    "mistralai/Mistral-Nemo-Instruct-2407", "mistralai/Mistral-Large-Instruct-2407", "mistralai/Codestral-22B-v0.1",
    # Qwen
    "Qwen/Qwen-7B-Chat", "Qwen/Qwen-72B-Chat", "Qwen/Qwen2.5-3B-Instruct", "Qwen/Qwen2.5-7B", "Qwen/Qwen2.5-7B-Instruct",
    "Qwen/Qwen2.5-32B-Instruct", "Qwen/Qwen2.5-72B-Instruct", "Qwen/QwQ-32B-Preview", "Qwen/Qwen3-8B",
    # DeepSeek
    "deepseek-ai/deepseek-llm-67b-chat", "deepseek-ai/DeepSeek-V3", "deepseek-ai/DeepSeek-R1",
    "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B",
    "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B", "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B",
    "deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "deepseek-ai/DeepSeek-R1-Distill-Llama-70B",
    "deepseek-chat", "deepseek-reasoner",
    # Microsoft
    "microsoft/phi-1", "microsoft/phi-2", "microsoft/Phi-3-mini-4k-instruct", "microsoft/phi-4", "microsoft/Orca-2-13b",
    # xAI
    "xai-org/grok-1", "grok-2", "grok-3", "grok-4",
    # AI2, NVIDIA, Cohere, TII, BigScience, Stability
    "allenai/OLMo-2-1124-7B", "allenai/Llama-3.1-Tulu-3-8B",
    "nvidia/Nemotron-4-340B-Instruct", "nvidia/Llama-3.1-Minitron-4B-Width-Base",
    "CohereForAI/c4ai-command-r-v01", "CohereForAI/c4ai-command-r-plus",
    "tiiuae/falcon-40b", "tiiuae/falcon-180B", "bigscience/bloom", "stabilityai/stable-diffusion-3.5-large",
    # Community fine-tunes and distillations
    "lmsys/vicuna-13b-v1.5", "HuggingFaceH4/zephyr-7b-beta", "teknium/OpenHermes-2.5-Mistral-7B",
    "NousResearch/Hermes-3-Llama-3.1-8B", "simplescaling/s1-32B", "NovaSky-AI/Sky-T1-32B-Preview",
    "open-thoughts/OpenThinker-7B",
]

REQUIRED_DATASET_REFERENCES = [
    "tatsu-lab/alpaca", "anon8231489123/ShareGPT_Vicuna_unfiltered", "databricks/databricks-dolly-15k",
    "OpenAssistant/oasst1", "stingning/ultrachat", "HuggingFaceH4/ultrachat_200k", "openbmb/UltraFeedback",
    "teknium/OpenHermes-2.5", "Open-Orca/OpenOrca", "Open-Orca/SlimOrca", "Magpie-Align/Magpie-Pro-300K-Filtered",
    "simplescaling/s1K", "open-thoughts/OpenThoughts-114k", "bespokelabs/Bespoke-Stratos-17k",
    "NovaSky-AI/Sky-T1_data_17k", "lmsys/lmsys-chat-1m", "allenai/tulu-3-sft-mixture", "HuggingFaceFW/fineweb",
    "allenai/dolma",
]


def spdx_ids(manager):
    return {terms.spdx_id for terms in manager.all()}


@pytest.mark.parametrize("reference", REQUIRED_MODEL_REFERENCES)
def test_every_commonly_named_model_resolves(kb_db, reference):
    assert resolve_model(reference) is not None, f"{reference!r} does not resolve to exactly one model"


@pytest.mark.parametrize("reference", REQUIRED_DATASET_REFERENCES)
def test_every_commonly_named_dataset_resolves(kb_db, reference):
    assert resolve_dataset(reference) is not None, f"{reference!r} does not resolve to exactly one dataset"


@pytest.mark.parametrize(
    ("reference", "slug", "organization", "access", "weights", "service"),
    [
        ("meta-llama/Llama-3.1-8B-Instruct", "llama-3-1-8b-instruct", "meta", "open_weights",
         {"LicenseRef-Llama-3.1-Community"}, set()),
        ("claude-3-5-sonnet-20241022", "claude-3-5-sonnet", "anthropic", "api",
         set(), {"LicenseRef-Anthropic-Commercial-Terms", "LicenseRef-Anthropic-Usage-Policy", "LicenseRef-Anthropic-Consumer-Terms"}),
        ("gemini-2.5-pro", "gemini-2-5-pro", "google", "api",
         set(), {"LicenseRef-Gemini-API-Additional-Terms", "LicenseRef-Google-ToS"}),
        ("gpt-4.1", "gpt-4-1", "openai", "api",
         set(), {"LicenseRef-OpenAI-Services-Agreement", "LicenseRef-OpenAI-Terms-of-Use"}),
        ("deepseek-reasoner", "deepseek-reasoner", "deepseek", "api", set(), {"LicenseRef-DeepSeek-Platform-Terms"}),
        ("deepseek-ai/DeepSeek-R1-Distill-Llama-70B", "deepseek-r1-distill-llama-70b", "deepseek", "open_weights",
         {"MIT", "LicenseRef-Llama-3.3-Community"}, set()),
        ("nvidia/Llama-3.1-Minitron-4B-Width-Base", "llama-3-1-minitron-4b-width-base", "nvidia", "open_weights",
         {"LicenseRef-NVIDIA-Open-Model-License", "LicenseRef-Llama-3.1-Community"}, set()),
        ("CohereForAI/c4ai-command-r-v01", "c4ai-command-r-v01", "cohere", "both",
         {"CC-BY-NC-4.0", "LicenseRef-C4AI-Acceptable-Use-Policy"}, set()),
        ("Qwen/Qwen2.5-3B-Instruct", "qwen2-5-3b-instruct", "alibaba-qwen", "open_weights", {"LicenseRef-Qwen-Research"}, set()),
        ("Qwen/Qwen2.5-72B-Instruct", "qwen2-5-72b-instruct", "alibaba-qwen", "both", {"LicenseRef-Qwen"}, set()),
        ("mistralai/Mistral-Large-Instruct-2407", "mistral-large-instruct-2407", "mistral", "both",
         {"LicenseRef-Mistral-MRL-0.1"}, {"LicenseRef-Mistral-Terms"}),
        ("huggyllama/llama-7b", "llama-7b", "meta", "open_weights", {"LicenseRef-LLaMA-1-Noncommercial"}, set()),
        ("xai-org/grok-1", "grok-1", "xai", "open_weights", {"Apache-2.0"}, set()),
    ],
)
def test_models_carry_their_publisher_and_terms(kb_db, reference, slug, organization, access, weights, service):
    model = resolve_model(reference)
    assert (model.slug, model.organization.slug, model.access) == (slug, organization, access)
    assert spdx_ids(model.weights_terms) == weights
    assert spdx_ids(model.service_terms) == service


def test_terms_not_in_the_knowledge_base_are_recorded_as_unknown_not_left_empty(kb_db):
    orca = resolve_model("microsoft/Orca-2-13b")  # Microsoft Research License + Llama 2
    v3_1 = resolve_model("deepseek-ai/DeepSeek-V3.1")  # its license text was not found
    command_r = resolve_model("CohereForAI/c4ai-command-r-v01")  # Cohere API terms not recorded
    assert orca.weights_terms_unknown and not orca.weights_terms.exists()
    assert v3_1.weights_terms_unknown and not v3_1.weights_terms.exists()
    assert command_r.service_terms_unknown


def test_grok_2_weights_carry_the_xai_community_license_and_its_api_the_xai_terms(kb_db):
    grok_2 = resolve_model("xai-org/grok-2")
    assert not grok_2.weights_terms_unknown
    assert spdx_ids(grok_2.weights_terms) == {"LicenseRef-xAI-Community-License"}
    assert spdx_ids(grok_2.service_terms) == {"LicenseRef-xAI-Terms"}


def test_every_shipped_model_names_terms_for_what_it_offers(kb_db):
    for model in kb.AIModel.objects.prefetch_related("weights_terms", "service_terms"):
        if model.has_open_weights:
            assert model.weights_terms.exists() or model.weights_terms_unknown, model.slug
        if model.has_service:
            assert model.service_terms.exists() or model.service_terms_unknown, model.slug


def test_vision_models_declare_image_input(kb_db):
    for reference in ("meta-llama/Llama-3.2-11B-Vision-Instruct", "meta-llama/Llama-4-Scout-17B-16E-Instruct", "google/gemma-3-27b-it"):
        assert "image" in resolve_model(reference).modalities, reference
    assert resolve_model("meta-llama/Llama-3.2-1B").modalities == ["text"]


def test_the_knowledge_base_is_large_enough_to_be_useful(kb_db):
    assert kb.AIModel.objects.count() >= 110
    assert kb.Dataset.objects.count() >= 24
    assert kb.LineageEdge.objects.count() >= 80


def edges_of(child, relation):
    return kb.LineageEdge.objects.filter(child_model=child, relation=relation)


@pytest.mark.parametrize(
    ("distill", "base"),
    [
        ("deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", "Qwen/Qwen2.5-Math-1.5B"),
        ("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "Qwen/Qwen2.5-Math-7B"),
        ("deepseek-ai/DeepSeek-R1-Distill-Qwen-14B", "Qwen/Qwen2.5-14B"),
        ("deepseek-ai/DeepSeek-R1-Distill-Qwen-32B", "Qwen/Qwen2.5-32B"),
        ("deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "meta-llama/Llama-3.1-8B"),
        ("deepseek-ai/DeepSeek-R1-Distill-Llama-70B", "meta-llama/Llama-3.3-70B-Instruct"),
    ],
)
def test_each_r1_distill_is_fine_tuned_from_its_base_and_distilled_from_r1(kb_db, distill, base):
    child = resolve_model(distill)
    assert {e.parent_model for e in edges_of(child, "fine_tune")} == {resolve_model(base)}
    assert {e.parent_model for e in edges_of(child, "output_distillation")} == {resolve_model("deepseek-ai/DeepSeek-R1")}
    assert all(e.evidence_kind == "developer_documented" and e.source_url for e in kb.LineageEdge.objects.filter(child_model=child))


def test_llama_3_2_small_models_are_pruned_and_logit_distilled_from_llama_3_1(kb_db):
    for reference in ("meta-llama/Llama-3.2-1B", "meta-llama/Llama-3.2-3B"):
        child = resolve_model(reference)
        assert {e.parent_model.slug for e in edges_of(child, "pruned")} == {"llama-3-1-8b"}
        assert {e.parent_model.slug for e in edges_of(child, "logit_distillation")} == {"llama-3-1-8b", "llama-3-1-70b"}


def test_synthetic_datasets_point_at_the_models_that_generated_them(kb_db):
    expected = {
        "tatsu-lab/alpaca": {"text-davinci-003"},
        "stingning/ultrachat": {"gpt-3-5-turbo"},
        "openbmb/UltraFeedback": {"gpt-4", "gpt-3-5-turbo"},
        "Open-Orca/OpenOrca": {"gpt-4", "gpt-3-5-turbo"},
        "open-thoughts/OpenThoughts-114k": {"deepseek-reasoner"},
        "simplescaling/s1K": {"gemini-2-0-flash-thinking-exp"},
        "NovaSky-AI/Sky-T1_data_17k": {"qwq-32b-preview", "gpt-4o-mini"},
        "Magpie-Align/Magpie-Pro-300K-Filtered": {"meta-llama-3-70b-instruct"},
    }
    for reference, generators in expected.items():
        dataset = resolve_dataset(reference)
        found = {e.parent_model.slug for e in kb.LineageEdge.objects.filter(child_dataset=dataset, relation="generated_by")}
        assert found == generators, reference


def test_zephyr_is_a_mistral_fine_tune_trained_on_chatgpt_and_gpt4_annotated_data(kb_db):
    zephyr = resolve_model("HuggingFaceH4/zephyr-7b-beta")
    assert {e.parent_model.hf_id for e in edges_of(zephyr, "fine_tune")} == {"mistralai/Mistral-7B-v0.1"}
    assert {e.parent_dataset.hf_id for e in edges_of(zephyr, "trained_on")} == {"HuggingFaceH4/ultrachat_200k", "openbmb/UltraFeedback"}


def test_the_grok_distillation_claim_is_kept_apart_as_reported(kb_db):
    claims = kb.LineageEdge.objects.filter(
        child_model__organization__slug="xai", relation="output_distillation", parent_model__organization__slug="openai"
    )
    assert claims.count() == 1
    claim = claims.get()
    assert claim.evidence_kind == "reported"
    assert claim.verification == "partly_verified"
    assert "names neither" in claim.notes
    assert claim.source_url.startswith("https://")


def test_every_shipped_edge_and_record_cites_a_source(kb_db):
    for model in (kb.AIModel, kb.Dataset, kb.LineageEdge):
        assert not model.objects.filter(source_url="").exists(), model.__name__
        assert not model.objects.filter(checked_on__isnull=True).exists(), model.__name__


def test_every_shipped_parameter_count_says_where_it_comes_from(kb_db):
    counted = kb.AIModel.objects.exclude(parameter_count=None)
    assert counted.count() > 100
    assert not counted.filter(parameter_count_basis="").exists()
    assert not kb.AIModel.objects.filter(parameter_count=None).exclude(parameter_count_basis="").exists()


@pytest.mark.parametrize("slug, count, basis", [
    ("qwen2-5-7b-instruct", 7_610_000_000, "stated"),  # the model card's total, not the name's 7B
    ("llama-3-2-1b", 1_230_000_000, "stated"),
    ("mistral-7b-v0-1", 7_300_000_000, "stated"),
    ("gemma-2-2b-it", 2_610_000_000, "counted"),  # Ollama's listing of the weights; Google's own text rounds to 2.6B
    ("gemma-2-27b", 27_200_000_000, "counted"),
    ("llama-3-1-8b-instruct", 8_000_000_000, "nominal"),  # the size in the name; the exact total was not checked
    ("stable-diffusion-3-5-large", 8_100_000_000, "recalled"),  # not re-read in Stability AI's own text
])
def test_parameter_counts_and_their_basis(kb_db, slug, count, basis):
    model = kb.AIModel.objects.get(slug=slug)
    assert (model.parameter_count, model.parameter_count_basis) == (count, basis)
