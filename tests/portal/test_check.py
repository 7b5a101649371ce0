"""The check form: ordinary fields in, the engine's decision out, stored, with a permalink and JSON.

"""

import json

import pytest

from policies.engine.evaluate import evaluate_workflow
from policies.models import Check

pytestmark = pytest.mark.django_db

DISTIL_GPT4O = {
    "student_name": "acme-support-7b",
    "purpose": "commercial",
    "release": "open_weights",
    "competes_with_teachers": "yes",
    "modalities": ["text"],
    "teacher_0_model": "gpt-4o",
    "teacher_0_signal": "outputs",
    "teacher_0_access": "api",
    "org_name": "Acme GmbH",
    "org_country": "de",
    "jurisdictions": "EU, US-CA",
}


def test_the_form_offers_knowledge_base_models_for_autocompletion(client, kb_db):
    body = client.get("/check").content.decode()
    assert "Not legal advice" in body
    assert '<datalist id="kb-models">' in body and 'value="meta-llama/Llama-3.1-8B"' in body
    assert 'list="kb-models"' in body and 'name="teacher_0_model"' in body


def test_distilling_gpt_4o_into_a_competing_model_is_prohibited_with_citations_and_a_permalink(client, kb_db):
    before = Check.objects.count()
    response = client.post("/check", DISTIL_GPT4O)
    assert response.status_code == 302
    check = Check.objects.get(pk=response["Location"].rsplit("/", 1)[1])
    assert Check.objects.count() == before + 1 and check.channel == "portal"

    # The same decision the CLI and the API give for the same workflow.
    expected = evaluate_workflow(check.input, counterfactuals=True).to_json()  # the portal also says what would make it allowed
    assert {**check.decision, "check_id": None} == {**expected, "check_id": None}
    assert check.decision["check_id"] == str(check.pk)
    assert check.decision["verdict"] == "prohibited"
    assert check.input["student"] == {
        "name": "acme-support-7b", "purpose": "commercial", "release": "open_weights", "modalities": ["text"], "competes_with_teachers": True,
    }
    assert check.input["deployment"] == {"jurisdictions": ["EU", "US-CA"]}

    body = client.get(response["Location"]).content.decode()
    assert 'id="verdict">PROHIBITED<' in body and "Not legal advice" in body
    for finding in check.decision["findings"]:
        assert finding["rule"] in body
        assert " → ".join(finding["path"]) in body
        for citation in finding["citations"]:
            assert citation["url"] in body
    assert f'href="/checks/{check.pk}.json"' in body


def test_the_json_download_is_the_stored_decision(client, kb_db):
    location = client.post("/check", DISTIL_GPT4O)["Location"]
    check = Check.objects.get(pk=location.rsplit("/", 1)[1])
    response = client.get(f"/checks/{check.pk}.json")
    assert response["Content-Disposition"] == f'attachment; filename="provenant-check-{check.pk}.json"'
    assert json.loads(response.content) == check.decision


def test_bad_input_names_the_field_and_stores_nothing(client, kb_db):
    before = Check.objects.count()
    response = client.post("/check", {**DISTIL_GPT4O, "student_license": "Apache-2.0 AND ((("})
    assert response.status_code == 400
    assert "student.license" in response.content.decode()
    assert Check.objects.count() == before


def test_an_unknown_teacher_is_listed_as_unresolved_not_guessed(client, kb_db):
    location = client.post("/check", {**DISTIL_GPT4O, "teacher_0_model": "gpt-4oo"})["Location"]
    check = Check.objects.get(pk=location.rsplit("/", 1)[1])
    assert [u["reference"] for u in check.decision["unresolved"]] == ["gpt-4oo"]
    assert "gpt-4oo" in client.get(location).content.decode()


def test_an_unknown_check_is_404(client, kb_db):
    assert client.get("/checks/00000000-0000-0000-0000-000000000000").status_code == 404


def test_a_check_through_a_registry_model_shows_the_evidence_and_the_assumptions_to_confirm(client, kb_db):
    from registry import services

    services.import_records(records=[{
        "id": "someone/llama3-support-lora", "author": "someone", "sha": "a" * 40, "tags": [], "downloads": 1, "gated": False,
        "pipeline_tag": "text-generation", "siblings": [],
        "cardData": {"license": "apache-2.0", "base_model": "meta-llama/Meta-Llama-3-8B-Instruct", "base_model_relation": "adapter"},
    }])
    form = {**DISTIL_GPT4O, "teacher_0_model": "", "base_model": "someone/llama3-support-lora"}
    response = client.post("/check", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    body = client.get(response["Location"]).content.decode()
    assert "Declared by an uploader:" in body
    assert "Assumptions to confirm" in body
    assert "someone/llama3-support-lora declares Meta Llama 3 8B Instruct as its base model on its model card" in body
    assert f'href="https://huggingface.co/someone/llama3-support-lora/tree/{"a" * 40}"' in body
def test_every_field_appears_once_and_the_workflow_name_typed_is_kept(client, kb_db):
    body = client.get("/check").content.decode()
    assert body.count('name="name"') == 1 and body.count('id="id_name"') == 1
    response = client.post("/check", {**DISTIL_GPT4O, "name": "support bot, round 2"})
    check = Check.objects.get(pk=response["Location"].rsplit("/", 1)[1])
    assert check.input["name"] == "support bot, round 2"


def test_the_license_fields_suggest_knowledge_base_and_hub_ids(client, kb_db):
    body = client.get("/check").content.decode()
    assert '<datalist id="kb-licenses">' in body
    assert '<option value="LicenseRef-Llama-3.1-Community">Llama 3.1 Community License Agreement</option>' in body
    assert '<option value="llama3.1">Llama 3.1 Community License Agreement (Hugging Face id)</option>' in body
    assert 'list="kb-licenses"' in body and 'name="student_license"' in body and 'name="dataset_0_license"' in body


@pytest.mark.parametrize("typed", ["llama3.1", "gemma", "apache-2.0"])
def test_a_hub_license_id_is_accepted(client, kb_db, typed):
    response = client.post("/check", {**DISTIL_GPT4O, "student_license": typed})
    assert response.status_code == 302, response.content.decode()
    check = Check.objects.get(pk=response["Location"].rsplit("/", 1)[1])
    assert check.input["student"]["license"] == typed


def test_each_citation_shows_why_its_version_was_read_and_links_provenants_clause_page(client, kb_db):
    # Acme GmbH is in Germany: OpenAI's Europe Terms of Use are read, and the page says why beside that citation.
    body = client.get(client.post("/check", DISTIL_GPT4O)["Location"]).content.decode()
    assert 'Version read: OpenAI Terms of Use &quot;EU 2026-01-16&quot; chosen because Acme GmbH is domiciled in DE' in body
    assert '<a href="/terms/LicenseRef-OpenAI-Terms-of-Use#clause-' in body
