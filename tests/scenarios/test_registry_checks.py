"""Checks that name models the curated knowledge base does not hold, resolved through the registry.

Real model cards (../shared/data/hub-cards, read as the Hub publishes them) and Hub-shaped records go
in through the registry's one write path; a workflow names them; the decision must follow their
declared lineage into the curated core, say which findings rest on what an uploader declared or a
name implies, list those assumptions, and record the registry records it relied on.
"""

import json
from pathlib import Path

import pytest
from django.test import override_settings

from policies.engine.evaluate import evaluate_workflow
from registry import hub, services

pytestmark = pytest.mark.django_db

DAY = "2026-11-28"
CARDS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "hub-cards" / "cards.jsonl"
SHA = "0123456789abcdef0123456789abcdef01234567"


def record(repo_id, **card):
    return {"id": repo_id, "author": repo_id.partition("/")[0], "sha": SHA, "tags": [], "downloads": 1, "gated": False,
            "pipeline_tag": "text-generation", "siblings": [], "cardData": card}


def real_card(repo_id):
    if not CARDS.exists():
        pytest.skip("../shared/data/hub-cards is not beside the repository")
    for line in CARDS.read_text(encoding="utf-8").splitlines():
        card = json.loads(line)
        if card["repo_id"] == repo_id:
            rec = hub.record_from_card(text=f"---\n{card['front_matter']}\n---\n# {card['title']}\n", repo_id=repo_id)
            return {**rec, "sha": SHA}
    raise AssertionError(f"{repo_id} is not among the real cards")


def check(**workflow):
    return evaluate_workflow({"as_of": DAY, **workflow}).to_json()


def student(**extra):
    return {"name": "acme-assistant", "purpose": "commercial", "release": "open_weights", **extra}


def findings_of(decision, spdx_id):
    return [f for f in decision["findings"] if any(c.get("ref") == spdx_id for c in f["citations"])]


def test_a_community_gguf_of_a_curated_llama_carries_the_llama_license_as_declared_lineage():
    services.import_records(records=[real_card("lmstudio-community/Meta-Llama-3-8B-Instruct-GGUF")])
    decision = check(student=student(base_model="lmstudio-community/Meta-Llama-3-8B-Instruct-GGUF"))

    assert decision["unresolved"] == []
    llama = findings_of(decision, "LicenseRef-Llama-3-Community")
    assert llama, "the Llama 3 license reaches the student through the GGUF's declared base"
    assert {f["evidence"] for f in llama} == {"declared"}
    assert all(f["path"][:3] == ["acme-assistant", "lmstudio-community/Meta-Llama-3-8B-Instruct-GGUF", "Meta Llama 3 8B Instruct"] for f in llama
               if len(f["path"]) > 2)
    statements = [a["statement"] for a in decision["assumptions"]]
    assert statements == [
        'lmstudio-community/Meta-Llama-3-8B-Instruct-GGUF: license "llama3" as declared on its model card',
        "lmstudio-community/Meta-Llama-3-8B-Instruct-GGUF declares Meta Llama 3 8B Instruct as its base model on its model card; "
        'the relation, quantization, is inferred from its name (pattern "gguf")',
    ]
    assert decision["registry_records"] == [
        {"repo_id": "lmstudio-community/Meta-Llama-3-8B-Instruct-GGUF", "sha": SHA, "license": "llama3"}
    ]


def test_a_third_party_apache_label_on_a_llama_adapter_does_not_stop_the_llama_terms():
    # The uploader declares apache-2.0, but the adapter's declared base is Llama 3 8B Instruct: the
    # ancestor's license still flows, and both licenses appear (the mismatch is visible).
    services.import_records(records=[record("someone/llama3-support-lora", license="apache-2.0",
                                            base_model="meta-llama/Meta-Llama-3-8B-Instruct", base_model_relation="adapter")])
    decision = check(student=student(base_model="someone/llama3-support-lora"))
    assert findings_of(decision, "LicenseRef-Llama-3-Community")
    assert all(f.get("evidence") == "declared" for f in findings_of(decision, "LicenseRef-Llama-3-Community"))
    assert any('license "apache-2.0" as declared on its model card' in a["statement"] for a in decision["assumptions"])


def test_a_quantization_known_only_by_its_name_resolves_as_inferred_lineage():
    decision = check(student=student(base_model="bartowski/openai_gpt-oss-120b-GGUF"))
    assert decision["unresolved"] == []
    apache = findings_of(decision, "Apache-2.0")
    assert apache and {f["evidence"] for f in apache} == {"inferred"}
    assert [a["evidence"] for a in decision["assumptions"]] == ["inferred"]
    assert decision["assumptions"][0]["statement"] == (
        'bartowski/openai_gpt-oss-120b-GGUF is a quantization of gpt-oss-120b, judging by its name only (pattern "gguf")')
    assert decision["registry_records"] == []


def test_a_curated_record_wins_over_a_registry_row_for_the_same_repository():
    # A registry row for a curated model's repository declaring another license is never used in its place.
    services.import_records(records=[record("openai/gpt-oss-120b", license="cc-by-nc-4.0")])
    decision = check(student=student(base_model="openai/gpt-oss-120b"))
    assert findings_of(decision, "CC-BY-NC-4.0") == []
    assert decision["assumptions"] == [] and decision["registry_records"] == []
    assert all("evidence" not in f for f in decision["findings"])


def test_a_declared_base_that_nobody_knows_leaves_its_terms_unknown_not_assumed():
    services.import_records(records=[record("someone/mystery-finetune", license="mit", base_model="elsewhere/secret-base")])
    decision = check(student=student(base_model="someone/mystery-finetune"))
    assert decision["verdict"] == "review"
    unknown = [f for f in decision["findings"] if "elsewhere/secret-base" in f["message"]]
    assert unknown and unknown[0]["evidence"] == "declared"


def test_an_unknown_reference_stays_unresolved_and_says_the_registry_was_asked():
    decision = check(student=student(), teachers=[{"model": "nobody/nothing-at-all"}])
    assert decision["unresolved"][0]["reason"].startswith("matches nothing in the knowledge base or the model registry")


@override_settings(HUB_RESOLVE=True, HUB_RESOLVE_TIMEOUT=0.5)
def test_on_demand_resolution_stores_what_the_hub_returns_and_a_failure_is_a_reason_not_an_error(monkeypatch):
    asked = []

    def fake_fetch(*, repo_id, timeout):
        asked.append((repo_id, timeout))
        if repo_id == "newlab/new-model-7b":
            return record("newlab/new-model-7b", license="apache-2.0", base_model="Qwen/Qwen2.5-7B")
        raise hub.HubUnavailable(f"{repo_id}: the Hub did not answer (ConnectTimeout)")

    monkeypatch.setattr(hub, "fetch_model", fake_fetch)
    decision = check(student=student(base_model="newlab/new-model-7b"), teachers=[{"model": "offline/unreachable"}])

    assert ("newlab/new-model-7b", 0.5) in asked
    assert decision["registry_records"][0]["repo_id"] == "newlab/new-model-7b"
    assert findings_of(decision, "Apache-2.0")
    [unresolved] = decision["unresolved"]
    assert unresolved["reference"] == "offline/unreachable" and "Hub lookup failed" in unresolved["reason"]
    # Stored: the next check finds it in the registry without asking the Hub.
    asked.clear()
    again = check(student=student(base_model="newlab/new-model-7b"))
    assert again["registry_records"][0]["repo_id"] == "newlab/new-model-7b" and asked == []
