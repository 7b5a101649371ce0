"""A workflow (or a knowledge-base model) in, an SPDX 3.0.1 AI-BOM out, valid by the official JSON schema."""

import json

import pytest

from kb.models import AIModel
from policies.engine.evaluate import evaluate_workflow
from policies.exports.cyclonedx import model_cyclonedx_bom
from policies.exports.cyclonedx import validate as validate_cyclonedx
from policies.exports.spdx import SpdxValidationError, model_spdx_bom, relationship_for, spdx_bom, validate
from tests.exports.test_cyclonedx import WORKFLOW

CHECK_ID = "0b9f0000-0000-0000-0000-000000000001"


@pytest.fixture
def document(kb_db):
    decision = evaluate_workflow(WORKFLOW).to_json()
    decision["check_id"] = CHECK_ID
    return spdx_bom(workflow=WORKFLOW, decision=decision), decision


def elements(document, type_):
    return [e for e in document["@graph"] if e["type"] == type_]


def named(document, name):
    return next(e for e in document["@graph"] if e.get("name") == name)


def relations(document, kind):
    return [(r["from"], r["to"], r.get("comment", "")) for r in elements(document, "Relationship") if r["relationshipType"] == kind]


def declared_license(document, element_id):
    licenses = {e["spdxId"]: e["simplelicensing_licenseExpression"] for e in elements(document, "simplelicensing_LicenseExpression")}
    return [licenses[t] for f, to, _ in relations(document, "hasDeclaredLicense") if f == element_id for t in to]


def test_the_document_is_spdx_3_0_1_json_ld_valid_by_the_official_schema(document):
    doc, _ = document
    assert doc["@context"] == "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
    assert elements(doc, "CreationInfo")[0]["specVersion"] == "3.0.1"
    spdx_document = elements(doc, "SpdxDocument")[0]
    assert {"ai", "dataset"} <= set(spdx_document["profileConformance"])
    validate(doc)  # raises if invalid


def test_the_schema_refuses_what_spdx_does_not_define(document):
    doc, _ = document
    elements(doc, "Relationship")[0]["relationshipType"] = "distilledFrom"
    with pytest.raises(SpdxValidationError, match=r"@graph\[\d+\] \(Relationship\)"):
        validate(doc)
    fresh = json.loads(json.dumps(document[0]))
    named(fresh, "acme-support-7b")["ai_favouriteColour"] = "blue"
    with pytest.raises(SpdxValidationError, match=r"\(ai_AIPackage\)"):
        validate(fresh)


def test_models_are_ai_packages_and_datasets_dataset_packages_with_their_licenses(document):
    doc, _ = document
    student = named(doc, "acme-support-7b")
    assert student["type"] == "ai_AIPackage" and student["software_primaryPurpose"] == "model"
    assert elements(doc, "SpdxDocument")[0]["rootElement"] == [student["spdxId"]]
    assert declared_license(doc, student["spdxId"]) == ["Apache-2.0"]
    alpaca = named(doc, "Stanford Alpaca data (alpaca_data.json, 52K)")
    assert alpaca["type"] == "dataset_DatasetPackage" and declared_license(doc, alpaca["spdxId"]) == ["CC-BY-NC-4.0"]
    scraped = named(doc, "scraped-forum")
    assert declared_license(doc, scraped["spdxId"]) == [] and scraped["comment"].startswith("License unknown")
    gpt4o = named(doc, "GPT-4o")
    assert gpt4o["type"] == "ai_AIPackage" and "provider's service" in gpt4o["comment"]


def test_training_generation_and_weight_lineage_use_the_specs_relationship_types(document):
    doc, _ = document
    student, synthetic = named(doc, "acme-support-7b")["spdxId"], named(doc, "vendor-synthetic-qa")["spdxId"]
    trained_on = {t for f, to, _ in relations(doc, "trainedOn") if f == student for t in to}
    assert synthetic in trained_on and named(doc, "scraped-forum")["spdxId"] in trained_on
    assert (named(doc, "GPT-4")["spdxId"], [synthetic]) in [(f, to) for f, to, _ in relations(doc, "generates")]
    base = named(doc, "Qwen2.5-7B-Instruct")["spdxId"]
    assert (student, [base]) in [(f, to) for f, to, _ in relations(doc, "descendantOf")]
    # The base's own fine-tune lineage from the knowledge base follows it.
    assert any(f == base for f, _, _ in relations(doc, "descendantOf"))


def test_distillation_survives_as_other_with_its_name(document):
    doc, _ = document
    student = named(doc, "acme-support-7b")["spdxId"]
    others = {to[0]: comment for f, to, comment in relations(doc, "other") if f == student}
    assert others[named(doc, "GPT-4o")["spdxId"]].startswith("provenant:relation=teacher_outputs")
    assert others[named(doc, "DeepSeek-R1")["spdxId"]].startswith("provenant:relation=teacher_logits")
    assert "no distillation relationship type" in others[named(doc, "GPT-4o")["spdxId"]]


@pytest.mark.parametrize("relation, expected", [
    ("fine_tune", ("descendantOf", False)), ("merge", ("descendantOf", False)), ("quantized", ("hasVariant", True)),
    ("trained_on", ("trainedOn", False)), ("generated_by", ("generates", True)),
    ("output_distillation", ("other", False)), ("teacher_logits", ("other", False)),
])
def test_each_relation_maps_to_one_spdx_type(relation, expected):
    assert relationship_for(relation) == expected


def test_the_decision_travels_as_annotations_on_the_student(document):
    doc, decision = document
    student = named(doc, "acme-support-7b")["spdxId"]
    annotations = [a for a in elements(doc, "Annotation") if a["subject"] == student]
    review = [a for a in annotations if a["annotationType"] == "review"]
    assert len(review) == 1 and review[0]["statement"].startswith("Provenant verdict: prohibited") and CHECK_ID in review[0]["statement"]
    machine = json.loads(next(a["statement"] for a in annotations if a.get("contentType") == "application/json"))
    assert machine["verdict"] == "prohibited" and machine["policy_version"] == decision["policy_version"]
    assert machine["check_id"] == CHECK_ID and machine["obligations"] == decision["obligations"]
    assert sorted(a["statement"] for a in annotations if a["statement"].startswith("Obligation: ")) == sorted(
        f"Obligation: {o}" for o in decision["obligations"])


def test_a_knowledge_base_model_has_its_own_ai_bom(kb_db):
    model = AIModel.objects.get(hf_id="Qwen/Qwen2.5-7B-Instruct")
    doc = model_spdx_bom(model=model)
    validate(doc)
    root = named(doc, model.name)
    assert elements(doc, "SpdxDocument")[0]["rootElement"] == [root["spdxId"]]
    assert declared_license(doc, root["spdxId"]) == ["Apache-2.0"]
    assert [to for f, to, _ in relations(doc, "descendantOf") if f == root["spdxId"]]
    assert not elements(doc, "Annotation")  # no check, no decision
    assert model_spdx_bom(model=model)["@graph"][1]["spdxId"] == doc["@graph"][1]["spdxId"]  # stable ids per model


def test_a_distilled_knowledge_base_model_keeps_its_distillation_and_fine_tune(kb_db):
    model = AIModel.objects.get(slug="deepseek-r1-distill-qwen-7b")
    doc = model_spdx_bom(model=model)
    root = named(doc, model.name)["spdxId"]
    others = [(to, comment) for f, to, comment in relations(doc, "other") if f == root]
    assert any(comment.startswith("provenant:relation=output_distillation") for _, comment in others)
    assert [to for f, to, _ in relations(doc, "descendantOf") if f == root], "the Qwen base it was fine-tuned from"


def test_the_cyclonedx_bom_of_a_distilled_model_says_the_same(kb_db):
    bom = model_cyclonedx_bom(model=AIModel.objects.get(slug="deepseek-r1-distill-qwen-7b"))
    validate_cyclonedx(bom)
    subject = bom["metadata"]["component"]
    relations_of_subject = {p["value"].split(" ")[0] for p in subject["properties"] if p["name"] == "provenant:edge"}
    assert "output_distillation" in relations_of_subject and {"provenant:role", "subject"} <= {
        v for p in subject["properties"] for v in (p["name"], p["value"])}
