"""A workflow in, a CycloneDX 1.6 ML-BOM out: components, licenses, pedigree, dependencies and the decision."""

import json

import pytest

from policies.engine.evaluate import evaluate_workflow
from policies.exports.cyclonedx import BomValidationError, cyclonedx_bom, validate

WORKFLOW = {
    "name": "Distil GPT-4o into a support bot",
    "as_of": "2026-11-28",
    "student": {
        "name": "acme-support-7b",
        "base_model": "Qwen/Qwen2.5-7B-Instruct",
        "purpose": "commercial",
        "release": "open_weights",
        "competes_with_teachers": True,
        "license": "Apache-2.0",
        "training_compute_flop": 3e22,
    },
    "teachers": [{"model": "gpt-4o", "signal": "outputs", "access": "api"}, {"model": "DeepSeek-R1", "signal": "logits"}],
    "datasets": [
        {"dataset": "tatsu-lab/alpaca"},
        {"name": "vendor-synthetic-qa", "license": "CC-BY-4.0", "generated_by": ["gpt-4"]},
        {"name": "scraped-forum", "license": None},
    ],
    "organization": {"name": "Acme GmbH", "country": "DE"},
    "deployment": {"jurisdictions": ["EU"]},
}


def props(node, name):
    return [p["value"] for p in node.get("properties", []) if p["name"] == f"provenant:{name}"]


def component(bom, ref):
    return next(c for c in bom["components"] if c["bom-ref"] == ref)


def depends_on(bom, ref):
    return set(next((d.get("dependsOn", []) for d in bom["dependencies"] if d["ref"] == ref), []))


@pytest.fixture
def bom(kb_db):
    decision = evaluate_workflow(WORKFLOW).to_json()
    decision["check_id"] = "0b9f0000-0000-0000-0000-000000000001"
    return cyclonedx_bom(workflow=WORKFLOW, decision=decision), decision


def test_the_bom_is_cyclonedx_1_6_and_valid_by_the_library_schema_validator(bom):
    document, _ = bom
    assert document["bomFormat"] == "CycloneDX" and document["specVersion"] == "1.6"
    validate(document)  # raises if invalid


def test_an_invalid_document_is_refused_by_the_validator(bom):
    document, _ = bom
    document["metadata"]["component"]["type"] = "not-a-type"
    with pytest.raises(BomValidationError):
        validate(document)


def test_the_student_is_a_model_component_with_its_license_and_model_card(bom):
    document, _ = bom
    student = document["metadata"]["component"]
    assert student["type"] == "machine-learning-model" and student["name"] == "acme-support-7b"
    assert student["licenses"] == [{"expression": "Apache-2.0"}]
    card = student["modelCard"]
    assert card["modelParameters"]["datasets"] == [
        {"ref": "dataset:alpaca"}, {"ref": "dataset:vendor-synthetic-qa"}, {"ref": "dataset:scraped-forum"},
    ]
    assert {"name": "provenant:release", "value": "open_weights"} in card["properties"]


def test_base_teachers_and_datasets_are_components_with_their_licenses(bom):
    document, _ = bom
    roles = {c["bom-ref"]: props(c, "role")[0] for c in document["components"]}
    base = next(ref for ref, role in roles.items() if role == "base")
    assert component(document, base)["licenses"] == [{"expression": "Apache-2.0"}]  # Qwen2.5-7B-Instruct's weights
    assert component(document, base)["type"] == "machine-learning-model"
    synthetic = component(document, "dataset:vendor-synthetic-qa")
    assert synthetic["type"] == "data" and synthetic["licenses"] == [{"expression": "CC-BY-4.0"}]
    assert props(synthetic, "license-source") == ["workflow"]
    scraped = component(document, "dataset:scraped-forum")
    assert "licenses" not in scraped and props(scraped, "license")[0].startswith("unknown")
    assert sorted(role for role in roles.values() if role == "teacher") == ["teacher", "teacher"]
    gpt4o = next(c for c in document["components"] if c["name"] == "GPT-4o")
    assert "licenses" not in gpt4o and props(gpt4o, "license")[0].startswith("none known for weights")
    assert props(gpt4o, "service-terms") and props(gpt4o, "service-terms")[0].startswith("LicenseRef-")


def test_distillation_and_generated_data_edges_survive(bom):
    document, _ = bom
    student = document["metadata"]["component"]
    relations = {props(p, "bom-ref")[0]: props(p, "relation")[0] for p in student["pedigree"]["ancestors"]}
    teachers = [ref for ref, rel in relations.items() if rel == "teacher_outputs"]
    assert len(teachers) == 1 and component(document, teachers[0])["name"] == "GPT-4o"
    assert "teacher_logits" in relations.values() and "base_model" in relations.values()
    assert relations["dataset:vendor-synthetic-qa"] == "trained_on"
    synthetic = component(document, "dataset:vendor-synthetic-qa")
    generators = [props(a, "relation")[0] for a in synthetic["pedigree"]["ancestors"]]
    assert generators == ["generated_by"]
    assert len(depends_on(document, "dataset:vendor-synthetic-qa")) == 1
    assert depends_on(document, "student") == set(relations)


def test_the_base_models_known_lineage_is_its_pedigree(bom):
    document, _ = bom
    base = next(c for c in document["components"] if props(c, "role") == ["base"])
    ancestors = base.get("pedigree", {}).get("ancestors", [])
    assert ancestors, "Qwen2.5-7B-Instruct is a fine-tune of Qwen2.5-7B in the knowledge base"
    assert {props(a, "relation")[0] for a in ancestors} <= {"fine_tune", "continued_pretraining", "trained_on"}
    assert depends_on(document, base["bom-ref"]) == {props(a, "bom-ref")[0] for a in ancestors}


def test_the_decision_travels_as_properties(bom):
    document, decision = bom
    meta = document["metadata"]
    assert props(meta, "verdict") == [decision["verdict"]] == ["prohibited"]
    assert props(meta, "policy_version") == [decision["policy_version"]]
    assert props(meta, "check_id") == ["0b9f0000-0000-0000-0000-000000000001"]
    assert decision["obligations"] and sorted(props(meta, "obligation")) == sorted(decision["obligations"])


def test_assumptions_travel_as_properties(kb_db):
    workflow = {"name": "quantized base", "as_of": "2026-11-28", "student": {
        "name": "s", "base_model": "bartowski/openai_gpt-oss-120b-GGUF", "purpose": "research", "release": "internal"}}
    decision = evaluate_workflow(workflow).to_json()
    assert decision["assumptions"], "a parent guessed from a name is an assumption"
    document = cyclonedx_bom(workflow=workflow, decision=decision)
    assumptions = [json.loads(value) for value in props(document["metadata"], "assumption")]
    assert sorted(a["subject"] for a in assumptions) == sorted(a["subject"] for a in decision["assumptions"])
    assert {a["evidence"] for a in assumptions} == {"inferred"}
