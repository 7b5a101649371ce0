"""License drift: every model with weight parents checked as if released the way it is.

The sample cards (../shared/data/hub-cards/cards.jsonl, 66 real cards) and the shipped knowledge base
are audited; every conflict reported is listed below and was checked by hand against the clause it
cites (the quote travels in the citation):

- The three Meta Llama 3 8B Instruct quantizations keep the name "Meta-Llama-3-…": Llama 3 §1.b.i asks
  for "Llama 3" at the beginning of the name of a model built with the Llama Materials.
- unsloth's Llama 3.1 70B and DeepSeek-R1-Distill-Llama-8B quantizations: Llama 3.1 §1.b.i asks for
  "Llama" at the beginning (the terms are Meta's, met through DeepSeek's distill).
- princeton-nlp/gemma-2-9b-it-SimPO, a Gemma 2 fine-tune declared MIT: Gemma's terms say a Model
  Derivative carries them (§1.1(e)), must ship the notice (§3.1) and pass on the use restrictions (§3.1).
- Curated: DeepSeek-R1-Distill-Llama-8B and -70B and Hermes 3 Llama 3.1 8B do not begin with "Llama".

The relation (quantized) is shown: whether a quantization "creates or improves" a model is for a reader
of the report to weigh; the engine's naming rule looks at weights, as in a check.
"""

import dataclasses
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from audit import selectors, services
from audit.models import AuditResult
from policies.engine import snapshot as snapshots
from registry import services as registry_services
from registry.hub import record_from_card
from registry.models import HubModel

CARDS = Path(settings.BASE_DIR).parent / "shared" / "data" / "hub-cards" / "cards.jsonl"
pytestmark = pytest.mark.django_db
AS_OF = "2026-12-01"

# model, kind, ancestor, terms, relation, evidence of each edge
EXPECTED_REGISTRY = [
    ("lmstudio-community/Meta-Llama-3-8B-Instruct-GGUF", "naming", "meta-llama/Meta-Llama-3-8B-Instruct", "LicenseRef-Llama-3-Community", "quantized", ["declared"]),
    ("mlx-community/Meta-Llama-3-8B-Instruct-4bit", "naming", "meta-llama/Meta-Llama-3-8B-Instruct", "LicenseRef-Llama-3-Community", "quantized", ["inferred"]),
    ("neuralmagic/Meta-Llama-3-8B-Instruct-FP8", "naming", "meta-llama/Meta-Llama-3-8B-Instruct", "LicenseRef-Llama-3-Community", "quantized", ["inferred"]),
    ("princeton-nlp/gemma-2-9b-it-SimPO", "terms_not_carried", "google/gemma-2-9b-it", "LicenseRef-Gemma-Terms-of-Use", "finetune", ["declared"]),
    ("princeton-nlp/gemma-2-9b-it-SimPO", "license_not_carried", "google/gemma-2-9b-it", "LicenseRef-Gemma-Terms-of-Use", "finetune", ["declared"]),
    ("princeton-nlp/gemma-2-9b-it-SimPO", "use_policy_not_passed_on", "google/gemma-2-9b-it", "LicenseRef-Gemma-Terms-of-Use", "finetune", ["declared"]),
    ("unsloth/DeepSeek-R1-Distill-Llama-8B-GGUF", "naming", "deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "LicenseRef-Llama-3.1-Community", "quantized", ["declared"]),
    ("unsloth/Meta-Llama-3.1-70B-Instruct-bnb-4bit", "naming", "meta-llama/Meta-Llama-3.1-70B-Instruct", "LicenseRef-Llama-3.1-Community", "quantized", ["declared"]),
]
EXPECTED_CURATED = [
    ("DeepSeek-R1-Distill-Llama-70B", "naming", "Llama 3.3 70B Instruct", "LicenseRef-Llama-3.3-Community", "fine_tune", ["developer_documented"]),
    ("DeepSeek-R1-Distill-Llama-8B", "naming", "Llama 3.1 8B", "LicenseRef-Llama-3.1-Community", "fine_tune", ["developer_documented"]),
    ("Hermes 3 Llama 3.1 8B", "naming", "Llama 3.1 8B", "LicenseRef-Llama-3.1-Community", "fine_tune", ["model_card"]),
]


def card_records():
    for number, line in enumerate(CARDS.read_text(encoding="utf-8").splitlines(), 1):
        card = json.loads(line)
        yield record_from_card(text=f"---\n{card['front_matter']}\n---\n# {card['title']}\n", repo_id=card["repo_id"] or f"unnamed/card-{number}")


@pytest.fixture
def cards(kb_db):
    if not CARDS.exists():
        pytest.skip("../shared/data/hub-cards/cards.jsonl is not on this machine")
    registry_services.import_records(records=list(card_records()))


def summary(rows):
    return [(r["model"], r["kind"], r["ancestor"], r["terms"], r["relation"], r["evidence"]) for r in rows]


def test_every_conflict_on_the_sample_cards_and_the_knowledge_base_was_checked_by_hand(cards):
    services.audit_lineage(as_of=AS_OF)
    rows = selectors.conflict_rows()
    assert summary([r for r in rows if r["source"] == "registry"]) == EXPECTED_REGISTRY
    assert summary([r for r in rows if r["source"] == "curated"]) == EXPECTED_CURATED


def test_a_conflict_cites_the_clause_names_the_licensor_and_says_the_fix(cards):
    services.audit_lineage(as_of=AS_OF)
    row = next(r for r in selectors.conflict_rows(filters={"model": "SimPO", "kind": "terms_not_carried"}))
    assert row["licensor"] == "Google"
    assert row["declared_license"] == "MIT"
    assert row["path"] == ["gemma-2-9b-it-SimPO", "google/gemma-2-9b-it"]
    assert row["citation"]["document"] == "Gemma Terms of Use" and "Model Derivatives" in row["citation"]["section"]
    assert "ship a copy of Gemma Terms of Use" in row["fix"]
    naming = next(r for r in selectors.conflict_rows(filters={"model": "Meta-Llama-3.1-70B"}))
    assert naming["licensor"] == "Meta Platforms, Inc."
    assert '"Llama-Meta-Llama-3.1-70B-Instruct-bnb-4bit"' in naming["fix"]


def test_an_ancestor_nobody_knows_is_an_unknown_not_a_conflict(cards):
    # FinGPT's adapter (apache-2.0) names meta-llama/Llama-2-7b-chat-hf, which neither the knowledge base
    # nor the sample cards hold: the audit says it could not see that ancestor.
    services.audit_lineage(as_of=AS_OF)
    result = AuditResult.objects.get(model_key="hub:fingpt/fingpt-forecaster_dow30_llama2-7b_lora")
    assert result.conflicts == []
    assert [(u["rule"], u["ancestor"]) for u in result.unknowns] == [("unresolved-reference", "meta-llama/Llama-2-7b-chat-hf")]


def test_a_llama_2_adapter_under_apache_conflicts_once_its_base_is_known(cards):
    registry_services.import_records(records=[record_from_card(text="---\nlicense: llama2\n---\n", repo_id="meta-llama/Llama-2-7b-chat-hf")])
    services.audit_lineage(as_of=AS_OF)
    rows = selectors.conflict_rows(filters={"model": "fingpt"})
    assert {(r["kind"], r["terms"], r["relation"], tuple(r["evidence"])) for r in rows} == {
        ("license_not_carried", "LicenseRef-Llama-2-Community", "adapter", ("declared",)),
        ("use_policy_not_passed_on", "LicenseRef-Llama-2-Community", "adapter", ("declared",)),
    }
    assert all(r["citation"]["document"].startswith("Llama 2") for r in rows)


def test_a_licensor_deriving_from_its_own_model_is_not_drift(kb_db):
    # Meta releases Llama 3.2 (built on Llama 3.1) under the Llama 3.2 license: not a conflict.
    services.audit_lineage(as_of=AS_OF)
    assert not [r for r in selectors.conflict_rows() if r["model"].startswith(("Llama 3.2", "Meta Llama 3"))]


def test_a_permissive_license_over_a_permissive_base_is_no_conflict(cards):
    services.audit_lineage(as_of=AS_OF)
    for key in ("hub:deepcogito/cogito-v1-preview-qwen-14b", "hub:unsloth/qwen3-8b-gguf", "hub:arcee-ai/supernova-medius"):
        assert AuditResult.objects.get(model_key=key).conflicts == []


def test_only_changed_reaudits_what_a_license_change_touches(cards):
    first = services.audit_lineage(as_of=AS_OF)
    assert first.audited == AuditResult.objects.count() > 50
    again = services.audit_lineage(only_changed=True, as_of=AS_OF)
    assert (again.audited, again.unchanged) == (0, first.audited)
    HubModel.objects.filter(repo_key="unsloth/qwen3-8b-gguf").update(license="cc-by-nc-4.0")
    changed = services.audit_lineage(only_changed=True, as_of=AS_OF)
    assert changed.keys == ["hub:unsloth/qwen3-8b-gguf"]


def test_a_new_policy_version_that_changes_nothing_the_audit_reads_reaudits_nothing(cards):
    first = services.audit_lineage(as_of=AS_OF)
    other = dataclasses.replace(snapshots.current(), policy_version="sha256:another")
    run = services.audit_lineage(only_changed=True, as_of=AS_OF, snapshot=other)
    assert (run.audited, run.unchanged) == (0, first.audited)


def test_models_sharing_parents_and_license_are_evaluated_once(cards):
    run = services.audit_lineage(as_of=AS_OF)
    assert run.groups < run.edges
    # Grouped or not, each member keeps its own name in the path and the fix.
    for row in selectors.conflict_rows(filters={"kind": "naming"}):
        assert row["path"][0] in row["model"] and row["path"][0] in row["fix"]


def test_the_command_reports_json(cards):
    out = io.StringIO()
    call_command("audit_lineage", "--format", "json", "--as-of", AS_OF, stdout=out)
    data = json.loads(out.getvalue())
    assert data["audited"] > 50
    assert summary([r for r in data["conflicts"] if r["source"] == "registry"]) == EXPECTED_REGISTRY
