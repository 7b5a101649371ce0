"""Every real card of ../shared/data/hub-cards/cards.jsonl (66, front matter as published) imported, and
what each becomes: the relation to its parents, how that relation was found, whose word the parent is,
the parents themselves, and the terms document its license designates.

Cards that never name their repository are imported under `unnamed/card-N` (N: the line number).
Relation bases: `card` (the card states base_model_relation), `hub_rule` (inferred as the Hub documents
it), `name` (only the repository's name says the format). Evidence: `declared` (the card's base_model)
or `inferred` (no base_model; the name says the parent and a curated model has that name).
"""

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from registry import services
from registry.hub import record_from_card
from registry.licenses import load_mapping, terms_for
from registry.models import HubEdge, HubModel

CARDS = Path(settings.BASE_DIR).parent / "shared" / "data" / "hub-cards" / "cards.jsonl"
needs_cards = pytest.mark.skipif(not CARDS.exists(), reason="../shared/data/hub-cards/cards.jsonl is not on this machine")
pytestmark = pytest.mark.django_db

# repo id, relation, relation basis, evidence, parents (first three, then the count), terms document
EXPECTED = [
    ('TheBloke/Llama-2-7B-Chat-GPTQ', 'quantized', 'name', 'declared', ['meta-llama/Llama-2-7b-chat-hf'], 'LicenseRef-Llama-2-Community'),
    ('FinGPT/fingpt-forecaster_dow30_llama2-7b_lora', 'adapter', 'hub_rule', 'declared', ['meta-llama/Llama-2-7b-chat-hf'], 'Apache-2.0'),
    ('mlx-community/Llama-2-7b-chat-mlx', None, None, None, [], 'LicenseRef-Llama-2-Community'),
    ('lmstudio-community/Meta-Llama-3-8B-Instruct-GGUF', 'quantized', 'name', 'declared', ['meta-llama/Meta-Llama-3-8B-Instruct'], 'LicenseRef-Llama-3-Community'),
    ('mlx-community/Meta-Llama-3-8B-Instruct-4bit', 'quantized', 'name', 'inferred', ['meta-llama/Meta-Llama-3-8B-Instruct'], 'LicenseRef-Llama-3-Community'),
    ('neuralmagic/Meta-Llama-3-8B-Instruct-FP8', 'quantized', 'name', 'inferred', ['meta-llama/Meta-Llama-3-8B-Instruct'], 'LicenseRef-Llama-3-Community'),
    ('Casual-Autopsy/L3-Umbral-Mind-RP-v3.0-8B', 'merge', 'hub_rule', 'declared', ['Casual-Autopsy/L3-Umbral-Mind-RP-v2.0-8B', 'Cas-Warehouse/Llama-3-MopeyMule-Blackroot-8B', 'tannedbum/L3-Nymeria-Maid-8B', '... 21 in all'], None),
    ('OpenGVLab/InternVL2-Llama3-76B', 'merge', 'card', 'declared', ['OpenGVLab/InternViT-6B-448px-V1-5', 'NousResearch/Hermes-2-Theta-Llama-3-70B'], 'LicenseRef-Llama-3-Community'),
    ('hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4', None, None, None, [], 'LicenseRef-Llama-3.1-Community'),
    ('unsloth/Meta-Llama-3.1-70B-Instruct-bnb-4bit', 'quantized', 'card', 'declared', ['meta-llama/Meta-Llama-3.1-70B-Instruct'], 'LicenseRef-Llama-3.1-Community'),
    ('NousResearch/Hermes-3-Llama-3.1-8B', 'finetune', 'hub_rule', 'declared', ['meta-llama/Meta-Llama-3.1-8B'], 'LicenseRef-Llama-3-Community'),
    ('nvidia/Llama-3.1-Minitron-4B-Width-Base', None, None, None, [], 'LicenseRef-NVIDIA-Open-Model-License'),
    ('mlabonne/BigLlama-3.1-1T-Instruct', 'merge', 'hub_rule', 'declared', ['meta-llama/Meta-Llama-3.1-681B-Instruct'], None),
    ('bartowski/Llama-3.2-3B-Instruct-GGUF', 'quantized', 'name', 'declared', ['meta-llama/Llama-3.2-3B-Instruct'], 'LicenseRef-Llama-3.2-Community'),
    ('hugging-quants/Llama-3.2-1B-Instruct-Q8_0-GGUF', 'quantized', 'name', 'declared', ['meta-llama/Llama-3.2-1B-Instruct'], None),
    ('neuralmagic/Llama-3.2-11B-Vision-Instruct-FP8-dynamic', 'quantized', 'hub_rule', 'declared', ['meta-llama/Llama-3.2-11B-Vision-Instruct'], 'LicenseRef-Llama-3.2-Community'),
    ('Qwen/Qwen2.5-7B-Instruct', 'finetune', 'hub_rule', 'declared', ['Qwen/Qwen2.5-7B'], 'Apache-2.0'),
    ('Qwen/Qwen2.5-72B-Instruct', 'finetune', 'hub_rule', 'declared', ['Qwen/Qwen2.5-72B'], 'LicenseRef-Qwen'),
    ('Qwen/Qwen2.5-3B-Instruct-GGUF', 'quantized', 'name', 'declared', ['Qwen/Qwen2.5-3B-Instruct'], 'LicenseRef-Qwen-Research'),
    ('Qwen/Qwen2.5-14B-Instruct-AWQ', 'quantized', 'name', 'declared', ['Qwen/Qwen2.5-14B-Instruct'], 'Apache-2.0'),
    ('Qwen/Qwen2-VL-7B-Instruct-GPTQ-Int4', 'quantized', 'name', 'declared', ['Qwen/Qwen2-VL-7B-Instruct'], 'Apache-2.0'),
    ('arcee-ai/SuperNova-Medius', 'merge', 'hub_rule', 'declared', ['Qwen/Qwen2.5-14B'], 'Apache-2.0'),
    ('allenai/Molmo-7B-D-0924', 'merge', 'hub_rule', 'declared', ['openai/clip-vit-large-patch14-336', 'Qwen/Qwen2-7B'], 'Apache-2.0'),
    ('bartowski/gemma-2-9b-it-GGUF', 'quantized', 'name', 'declared', ['google/gemma-2-9b-it'], 'LicenseRef-Gemma-Terms-of-Use'),
    ('unsloth/gemma-2-9b-it-bnb-4bit', 'quantized', 'name', 'inferred', ['google/gemma-2-9b-it'], 'LicenseRef-Gemma-Terms-of-Use'),
    ('princeton-nlp/gemma-2-9b-it-SimPO', 'finetune', 'hub_rule', 'declared', ['google/gemma-2-9b-it'], 'MIT'),
    ('deepseek-ai/DeepSeek-V2.5', None, None, None, [], 'LicenseRef-DeepSeek-License-1.0'),
    ('TheBloke/deepseek-coder-6.7B-instruct-GGUF', 'quantized', 'name', 'declared', ['deepseek-ai/deepseek-coder-6.7b-instruct'], 'LicenseRef-DeepSeek-License-1.0'),
    ('TheBloke/Mistral-7B-Instruct-v0.2-AWQ', 'quantized', 'name', 'declared', ['mistralai/Mistral-7B-Instruct-v0.2'], 'Apache-2.0'),
    ('neuralmagic/Mistral-7B-Instruct-v0.3-GPTQ-4bit', 'quantized', 'name', 'declared', ['mistralai/Mistral-7B-Instruct-v0.3'], 'Apache-2.0'),
    ('FlorianJc/Mistral-Nemo-Instruct-2407-vllm-fp8', 'quantized', 'name', 'inferred', ['mistralai/Mistral-Nemo-Instruct-2407'], 'Apache-2.0'),
    ('bartowski/Mistral-Small-Instruct-2409-GGUF', 'quantized', 'name', 'declared', ['mistralai/Mistral-Small-Instruct-2409'], 'LicenseRef-Mistral-MRL-0.1'),
    ('bartowski/Phi-3.5-mini-instruct-GGUF', 'quantized', 'name', 'declared', ['microsoft/Phi-3.5-mini-instruct'], 'MIT'),
    ('OpenGVLab/InternVL2-4B', 'merge', 'card', 'declared', ['OpenGVLab/InternViT-300M-448px', 'microsoft/Phi-3-mini-128k-instruct'], 'MIT'),
    ('OpenGVLab/InternVL2-1B', 'merge', 'card', 'declared', ['OpenGVLab/InternViT-300M-448px', 'Qwen/Qwen2-0.5B-Instruct'], 'MIT'),
    ('OpenGVLab/InternViT-6B-448px-V1-5', 'finetune', 'card', 'declared', ['OpenGVLab/InternViT-6B-448px-V1-2'], 'MIT'),
    ('meta-llama/Meta-Llama-3-8B', None, None, None, [], 'LicenseRef-Llama-3-Community'),
    ('google/gemma-7b', None, None, None, [], 'LicenseRef-Gemma-Terms-of-Use'),
    ('microsoft/Phi-3-mini-128k-instruct', None, None, None, [], 'MIT'),
    ('unsloth/Qwen3-8B-GGUF', 'quantized', 'name', 'declared', ['Qwen/Qwen3-8B'], 'Apache-2.0'),
    ('google/gemma-3-1b-it-qat-q4_0-gguf', 'quantized', 'name', 'declared', ['google/gemma-3-1b-it'], 'LicenseRef-Gemma-Terms-of-Use'),
    ('eaddario/gemma-3-12b-it-pruned-GGUF', 'quantized', 'hub_rule', 'declared', ['google/gemma-3-12b-it'], 'LicenseRef-Gemma-Terms-of-Use'),
    # No base_model on the card: the name says GGUF of Magistral Small 2506, which the curated knowledge base holds.
    ('lmstudio-community/Magistral-Small-2506-GGUF', 'quantized', 'name', 'inferred', ['mistralai/Magistral-Small-2506'], 'Apache-2.0'),
    ('deepcogito/cogito-v1-preview-qwen-14B', 'finetune', 'hub_rule', 'declared', ['Qwen/Qwen2.5-14B'], 'Apache-2.0'),
    ('mistralai/Devstral-Small-2507', 'finetune', 'hub_rule', 'declared', ['mistralai/Mistral-Small-3.1-24B-Instruct-2503'], 'Apache-2.0'),
    ('openai/gpt-oss-20b', None, None, None, [], 'Apache-2.0'),
    ('Youlln/1PARAMMYL-8B-ModelStock', 'merge', 'hub_rule', 'declared', ['arcee-ai/Llama-3.1-SuperNova-Lite'], None),
    ('unnamed/card-48', 'merge', 'hub_rule', 'declared', ['jpacifico/Chocolatine-3B-Instruct-DPO-Revised', 'microsoft/Phi-3-mini-4k-instruct'], 'Apache-2.0'),
    ('unnamed/card-49', 'finetune', 'hub_rule', 'declared', ['Qwen/Qwen2.5-Coder-1.5B'], 'Apache-2.0'),
    ('lmstudio-community/Qwen3-14B-4bit', 'quantized', 'name', 'declared', ['Qwen/Qwen3-14B'], 'Apache-2.0'),
    ('deepseek-ai/DeepSeek-R1', None, None, None, [], 'MIT'),
    ('google/gemma-3-1b-it', 'finetune', 'hub_rule', 'declared', ['google/gemma-3-1b-pt'], 'LicenseRef-Gemma-Terms-of-Use'),
    ('unnamed/card-53', 'adapter', 'hub_rule', 'declared', ['deepseek-ai/DeepSeek-R1-Distill-Qwen-14B'], None),
    ('EricSpencer00/chattla-20b', 'finetune', 'hub_rule', 'declared', ['openai/gpt-oss-20b'], 'Apache-2.0'),
    ('unnamed/card-55', 'adapter', 'hub_rule', 'declared', ['microsoft/Phi-4-mini-reasoning'], None),
    ('CourseGPT-Pro-DSAI-Lab-Group-6/router-gemma3-peft', 'adapter', 'hub_rule', 'declared', ['google/gemma-3-27b-it'], 'LicenseRef-Gemma-Terms-of-Use'),
    ('CourseGPT-Pro-DSAI-Lab-Group-6/router-qwen3-32b-peft', 'adapter', 'hub_rule', 'declared', ['Qwen/Qwen3-32B'], 'Apache-2.0'),
    ('bartowski/deepseek-ai_DeepSeek-R1-0528-Qwen3-8B-GGUF', 'quantized', 'card', 'declared', ['deepseek-ai/DeepSeek-R1-0528-Qwen3-8B'], 'MIT'),
    ('bartowski/Qwen_Qwen3-14B-GGUF', 'quantized', 'card', 'declared', ['Qwen/Qwen3-14B'], None),
    ('bartowski/deepseek-ai_DeepSeek-V3-0324-GGUF', 'quantized', 'card', 'declared', ['deepseek-ai/DeepSeek-V3-0324'], 'MIT'),
    ('Doctor-Shotgun/L3.3-70B-Magnum-Diamond-GGUF', 'quantized', 'name', 'declared', ['Doctor-Shotgun/L3.3-70B-Magnum-Diamond'], 'LicenseRef-Llama-3.3-Community'),
    ('ubergarm/DeepSeek-R1-0528-GGUF', 'quantized', 'card', 'declared', ['deepseek-ai/DeepSeek-R1-0528'], 'MIT'),
    ('jasjoiefs/amoral-gemma3-27B-v2-qat-Q4_K_S-GGUF', 'quantized', 'name', 'declared', ['soob3123/amoral-gemma3-27B-v2-qat'], 'Apache-2.0'),
    ('unsloth/DeepSeek-R1-Distill-Llama-8B-GGUF', 'quantized', 'name', 'declared', ['deepseek-ai/DeepSeek-R1-Distill-Llama-8B'], 'LicenseRef-Llama-3.1-Community'),
    ('Mithun501/KannadaGPT-0.6B', 'adapter', 'hub_rule', 'declared', ['Qwen/Qwen3-0.6B'], 'Apache-2.0'),
    ('jxia58/SonoMed-VLM-MedGemma-1.5-4B-LoRA', 'adapter', 'card', 'declared', ['google/medgemma-1.5-4b-it'], None),
]


def card_records():
    for number, line in enumerate(CARDS.read_text(encoding="utf-8").splitlines(), 1):
        card = json.loads(line)
        repo_id = card["repo_id"] or f"unnamed/card-{number}"
        yield record_from_card(text=f"---\n{card['front_matter']}\n---\n# {card['title']}\n", repo_id=repo_id)


@pytest.fixture
def imported(kb_db):
    if not CARDS.exists():
        pytest.skip("../shared/data/hub-cards/cards.jsonl is not on this machine")
    return services.import_records(records=list(card_records()))


def test_every_card_is_imported(imported):
    assert (imported.created, imported.invalid) == (66, [])
    assert HubModel.objects.count() == 66
    assert [e[0] for e in EXPECTED] == [r["id"] for r in card_records()]


@pytest.mark.parametrize(("repo_id", "relation", "basis", "evidence", "parents", "terms"), EXPECTED, ids=[e[0] for e in EXPECTED])
def test_what_each_card_becomes(imported, repo_id, relation, basis, evidence, parents, terms):
    model = HubModel.objects.get(repo_key=repo_id.lower())
    edges = list(model.parent_edges.order_by("id"))
    found = [e.parent_repo_id for e in edges]
    if len(found) > 3:
        found = found[:3] + [f"... {len(found)} in all"]
    assert found == parents
    assert {(e.relation, e.relation_basis, e.evidence) for e in edges} == ({(relation, basis, evidence)} if edges else set())
    assert all(e.parent_key == e.parent_repo_id.lower() for e in edges)
    assert terms_for(model.license, model.license_name, model.license_link, load_mapping())[0] == terms


def test_inferred_edges_name_the_pattern_and_declared_ones_do_not(imported):
    inferred = HubEdge.objects.get(child__repo_key="unsloth/gemma-2-9b-it-bnb-4bit")
    assert (inferred.evidence, inferred.pattern, inferred.parent_repo_id) == ("inferred", "bnb+bits", "google/gemma-2-9b-it")
    # A declared edge names a pattern only when its relation was read off the name.
    assert not HubEdge.objects.filter(evidence="declared").exclude(relation_basis="name").exclude(pattern="").exists()
    assert HubEdge.objects.get(child__repo_key="lmstudio-community/meta-llama-3-8b-instruct-gguf").pattern == "gguf"


def test_a_card_with_the_licence_typo_declares_no_license(imported):
    # The TRL template writes `licence: license`; the Hub reads only `license`.
    model = HubModel.objects.get(repo_key="unnamed/card-53")
    assert model.license == ""
    assert terms_for(model.license, model.license_name, model.license_link, load_mapping()) == (None, "the card declares no license")


def test_a_license_given_as_a_list_of_one_is_that_license(imported):
    assert HubModel.objects.get(repo_key="eaddario/gemma-3-12b-it-pruned-gguf").license == "gemma"


@needs_cards
def test_the_card_command_imports_one_card(kb_db, tmp_path):
    card = json.loads(CARDS.read_text(encoding="utf-8").splitlines()[0])
    path = tmp_path / "README.md"
    path.write_text(f"---\n{card['front_matter']}\n---\n# {card['title']}\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_hf", card=str(path), repo_id=[card["repo_id"]], stdout=out, stderr=io.StringIO())
    assert "1 records: 1 created" in out.getvalue()
    edge = HubEdge.objects.get(child__repo_key="thebloke/llama-2-7b-chat-gptq")
    assert (edge.parent_repo_id, edge.relation, edge.evidence) == ("meta-llama/Llama-2-7b-chat-hf", "quantized", "declared")


# 2025 cards found with the search tool (data/cards-2025.jsonl: the keys the registry reads, as
# published; the Mistral card's long gated-access prompt and form fields are left out).
CARDS_2025 = Path(__file__).parent / "data" / "cards-2025.jsonl"
EXPECTED_2025 = [
    ("Qwen/Qwen3-30B-A3B-GGUF", "quantized", "name", ["Qwen/Qwen3-30B-A3B"], "Apache-2.0"),
    ("bartowski/Mistral-Large-Instruct-2411-GGUF", "quantized", "name", ["mistralai/Mistral-Large-Instruct-2411"], "LicenseRef-Mistral-MRL-0.1"),
    ("unsloth/DeepSeek-V3-0324-GGUF", "quantized", "name", ["deepseek-ai/DeepSeek-V3-0324"], "MIT"),
]


@pytest.mark.parametrize(("repo_id", "relation", "basis", "parents", "terms"), EXPECTED_2025, ids=[e[0] for e in EXPECTED_2025])
def test_what_2025_cards_become(kb_db, repo_id, relation, basis, parents, terms):
    cards = {c["repo_id"]: c for c in map(json.loads, CARDS_2025.read_text(encoding="utf-8").splitlines())}
    services.import_records(records=[record_from_card(text=f"---\n{cards[repo_id]['front_matter']}\n---\n", repo_id=repo_id)])
    model = HubModel.objects.get(repo_key=repo_id.lower())
    edges = list(model.parent_edges.all())
    assert [e.parent_repo_id for e in edges] == parents
    assert {(e.relation, e.relation_basis, e.evidence) for e in edges} == {(relation, basis, "declared")}
    assert terms_for(model.license, model.license_name, model.license_link, load_mapping())[0] == terms
