"""A workflow built on Llama 3.1 in, a zip of what must ship with the model out: the knowledge base's own texts, never made up."""

import io
import json
import zipfile

import pytest

from policies.engine.evaluate import evaluate_workflow
from policies.exports.obligations_pack import license_ids, obligations_pack

LLAMA_BASED = {
    "name": "Fine-tune Llama 3.1 for support",
    "as_of": "2026-11-28",
    "student": {"name": "Llama-acme-8b", "purpose": "commercial", "release": "open_weights",
                "base_model": "meta-llama/Llama-3.1-8B", "license": "llama3.1"},
    "datasets": [{"dataset": "tatsu-lab/alpaca"}],
    "deployment": {"jurisdictions": ["EU"]},
}
LLAMA_SOURCE = "https://github.com/meta-llama/llama-models/blob/a9c89c471f793423afd4cc3ca8671d6e56fe64cb/models/llama3_1/LICENSE"


def unzip(data):
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


@pytest.fixture
def pack(kb_db):
    decision = evaluate_workflow(LLAMA_BASED).to_json()
    decision["check_id"] = "0b9f0000-0000-0000-0000-000000000002"
    return unzip(obligations_pack(workflow=LLAMA_BASED, decision=decision)), decision


def test_the_pack_holds_the_readme_the_texts_and_the_same_as_data(pack):
    files, _ = pack
    assert sorted(files) == ["ATTRIBUTION.md", "LICENSES.md", "NOTICE", "OBLIGATIONS.md", "README.md", "USE-RESTRICTIONS.md", "pack.json"]
    assert "Not legal advice" in files["README.md"]
    data = json.loads(files["pack.json"])
    assert data["check_id"] == "0b9f0000-0000-0000-0000-000000000002" and data["student"] == "Llama-acme-8b"


def test_built_with_llama_and_the_naming_rule_are_in_the_attribution_with_their_source(pack):
    files, _ = pack
    attribution = files["ATTRIBUTION.md"]
    assert "## Display: “Built with Llama”" in attribution and "## Name: must start with “Llama”" in attribution
    assert f"<{LLAMA_SOURCE}>, checked 2026-11-28, verified" in attribution


def test_the_notice_file_is_the_licences_recorded_notice_text(pack):
    files, _ = pack
    notice = files["NOTICE"].splitlines()
    assert notice[3] == "Llama 3.1 is licensed under the Llama 3.1 Community License, Copyright © Meta Platforms, Inc. All Rights Reserved."
    assert notice[4].startswith("  [quoted from: Llama 3.1 Community License Agreement (2024-07-23) §1.b.iii") and LLAMA_SOURCE in notice[4]


def test_the_use_policy_to_pass_on_is_named_and_no_url_is_made_up(pack):
    files, _ = pack
    restrictions = files["USE-RESTRICTIONS.md"]
    assert "## Llama 3.1 Acceptable Use Policy" in restrictions
    # The knowledge base has no record (so no URL) of the policy itself: the pack says so instead of guessing one.
    assert "Policy text: the knowledge base has no URL for it" in restrictions


def test_licences_are_named_with_where_their_text_is_never_with_invented_text(pack):
    files, _ = pack
    licenses = files["LICENSES.md"]
    assert "- Llama 3.1 Community License Agreement (LicenseRef-Llama-3.1-Community): <https://www.llama.com/llama3_1/license/>" in licenses
    assert "(CC-BY-NC-4.0): <https://creativecommons.org/licenses/by-nc/4.0/legalcode>" in licenses  # Alpaca's licence
    assert "llama3.1" not in licenses  # the Hub's id is read as the knowledge base's licence, not listed as one of its own
    assert "EU-GL-GPAI" not in licenses  # provisions of law cited by findings are not licences


def test_the_obligations_are_the_decisions_with_their_citations(pack):
    files, decision = pack
    obligations = files["OBLIGATIONS.md"]
    assert all(f"- {o}" in obligations for o in decision["obligations"]) and decision["obligations"]
    assert "## attribution-display (meta-llama/Llama-3.1-8B)" in obligations


def test_a_workflow_without_such_terms_gets_an_honest_empty_pack(kb_db):
    workflow = {"name": "from scratch", "as_of": "2026-11-28", "student": {"name": "tiny", "purpose": "research", "release": "internal"}}
    files = unzip(obligations_pack(workflow=workflow, decision=evaluate_workflow(workflow).to_json()))
    assert "No notice text is required" in files["NOTICE"]
    assert "ask for no displayed attribution" in files["ATTRIBUTION.md"]
    assert "ask for no use policy" in files["USE-RESTRICTIONS.md"]


def test_the_students_own_licence_brings_its_notice_clause(kb_db):
    workflow = {"name": "from scratch", "as_of": "2026-11-28",
                "student": {"name": "tiny", "purpose": "research", "release": "open_weights", "license": "MIT"}}
    files = unzip(obligations_pack(workflow=workflow, decision=evaluate_workflow(workflow).to_json()))
    assert "[quoted from: MIT License (MIT)" in files["NOTICE"]
    assert "- MIT License (MIT): <" in files["LICENSES.md"]


def test_the_same_check_gives_the_same_bytes(kb_db):
    decision = evaluate_workflow(LLAMA_BASED).to_json()
    assert obligations_pack(workflow=LLAMA_BASED, decision=decision) == obligations_pack(workflow=LLAMA_BASED, decision=decision)


def test_license_ids_reads_the_ids_of_an_expression():
    assert license_ids("(Apache-2.0 OR MIT) AND GPL-2.0-only WITH Classpath-exception-2.0") == [
        "Apache-2.0", "MIT", "GPL-2.0-only", "Classpath-exception-2.0"]
    assert license_ids(None) == []
