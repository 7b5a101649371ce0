"""Corrections found by the December 2026 audit (issue 17): each states the fact as the source gives it,
no more, and would fail on the knowledge base as it was before the fix."""

import datetime
import re

import pytest

from kb import models as kb
from policies.engine.evaluate import evaluate_workflow

pytestmark = pytest.mark.django_db


def version_on(spdx_id, day):
    day = datetime.date.fromisoformat(day)
    versions = [v for v in kb.TermsVersion.objects.filter(document__spdx_id=spdx_id) if v.in_force_on(day)]
    assert len(versions) == 1, (spdx_id, day, versions)
    return versions[0]


def clause_types(version):
    return {c.clause_type for c in version.clauses.all()}


# --- xAI Enterprise Terms of 2026-08-14: no training of any AI system on Output -----------------------

def test_xai_2026_08_14_terms_forbid_training_any_ai_system_on_output_unless_an_order_form_permits_it():
    version = version_on("LicenseRef-xAI-Terms", "2026-12-06")
    clause = version.clauses.get(key="enterprise-outputs-train-ai")
    assert clause.clause_type == "output_training"
    assert clause.parameters == {"permitted": "no", "scope": "any_model", "exception": "training expressly permitted in an Order Form"}
    assert "except as may be expressly permitted in an Order Form" in clause.quote
    assert "f136aa7c90d8b65ff68911006492307d47764e23" in clause.source_url and clause.verification == "verified"


def test_the_earlier_xai_windows_have_no_such_clause():
    for day in ("2025-07-01", "2026-08-13"):
        assert "output_training" not in clause_types(version_on("LicenseRef-xAI-Terms", day)), day


@pytest.mark.parametrize("as_of, fires", [("2026-12-06", True), ("2026-08-13", False)])
def test_a_grok_teacher_for_a_non_competing_student_meets_the_output_training_ban_from_2026_08_14(as_of, fires):
    workflow = {
        "as_of": as_of,
        "student": {"name": "acme-router", "purpose": "commercial", "release": "internal", "competes_with_teachers": False},
        "teachers": [{"model": "grok-4"}],
    }
    decision = evaluate_workflow(workflow)
    cited = {(f.rule, c.ref) for f in decision.findings for c in f.citations}
    assert (("output-training-ban", "LicenseRef-xAI-Terms") in cited) is fires, cited


# --- Gemini API Additional Terms and Gemma Terms of Use: the versions Google archived -----------------

@pytest.mark.parametrize("day, version", [
    ("2024-02-20", "2024-02-15"),
    ("2024-06-01", "2024-03-20"),
    ("2024-11-15", "2024-10-31"),
    ("2025-01-10", "2024-12-13"),
    ("2025-03-01", "2025-02-05"),
    ("2025-09-01", "2025-05-20"),
    ("2026-12-06", "2026-03-23"),
])
def test_gemini_api_additional_terms_version_in_force(day, version):
    found = version_on("LicenseRef-Gemini-API-Additional-Terms", day)
    assert found.version == version
    assert "competing_models" in clause_types(found), "every known version keeps the competing-models clause"


def test_gemini_versions_read_on_googles_pages_are_verified_and_the_2026_text_is_not():
    for day in ("2024-06-01", "2024-11-15", "2025-03-01"):
        assert version_on("LicenseRef-Gemini-API-Additional-Terms", day).verification == "verified"
    assert version_on("LicenseRef-Gemini-API-Additional-Terms", "2026-12-06").verification == "partly_verified"


@pytest.mark.parametrize("day, version", [("2024-06-01", "2024-04-01"), ("2025-06-01", "2025-03-24"), ("2026-06-01", "2026-04-01")])
def test_gemma_terms_version_in_force(day, version):
    found = version_on("LicenseRef-Gemma-Terms-of-Use", day)
    assert found.version == version
    derivative = found.clauses.get(key="model-derivatives")
    assert derivative.parameters == {"includes_distillation": True, "output_is_derivative": False}


# --- Reported Grok <- OpenAI lineage: at the level of detail the testimony gives ----------------------

def test_no_edge_claims_a_specific_grok_model_was_distilled_from_a_specific_openai_model():
    grok = kb.AIModel.objects.filter(organization__slug="xai").exclude(slug="xai-grok-models-unnamed")
    openai = kb.AIModel.objects.filter(organization__slug="openai").exclude(slug="openai-models-unnamed")
    assert not kb.LineageEdge.objects.filter(child_model__in=grok, parent_model__in=openai).exists()


def test_the_reported_edge_joins_the_unnamed_groups():
    edge = kb.LineageEdge.objects.get(child_model__slug="xai-grok-models-unnamed")
    assert edge.parent_model.slug == "openai-models-unnamed"
    assert edge.evidence_kind == "reported" and edge.relation == "output_distillation"


def test_the_grok_3_page_shows_no_openai_parent(client):
    body = client.get("/models/grok-3").content.decode()
    assert 'href="/models/gpt-4o"' not in body


def test_a_workflow_naming_grok_3_meets_no_lineage_finding_about_openai():
    workflow = {"as_of": "2026-12-06", "student": {"name": "acme", "purpose": "commercial", "release": "internal"},
                "teachers": [{"model": "grok-3"}]}
    decision = evaluate_workflow(workflow)
    refs = {c.ref for f in decision.findings for c in f.citations}
    assert not any(ref.startswith("LicenseRef-OpenAI") for ref in refs), refs


# --- Labels say what was checked ----------------------------------------------------------------------

def test_no_model_record_keeps_a_release_date_its_notes_call_recalled():
    recalled = re.compile(r"(?i)release date[^.;]*?as recalled|dates as recalled|\(as recalled\)\. |api launch as recalled")
    offenders = [
        m.slug for m in kb.AIModel.objects.exclude(release_date=None)
        if recalled.search(m.notes or "") and "not recorded" not in (m.notes or "")
    ]
    assert offenders == []


def test_r1_from_deepseek_v3_base_is_verified_with_the_readme_sentence():
    edge = kb.LineageEdge.objects.get(child_model__slug="deepseek-r1", parent_model__slug="deepseek-v3-base")
    assert edge.verification == "verified"
    assert "trained based on DeepSeek-V3-Base" in edge.evidence and "00f3296a" in edge.source_url


def test_phi_4_reasoning_from_phi_4_is_read_not_unverified():
    edge = kb.LineageEdge.objects.get(child_model__slug="phi-4-reasoning", parent_model__slug="phi-4", relation="fine_tune")
    assert edge.verification == "partly_verified" and "supervised fine-tuning of Phi-4" in edge.evidence


@pytest.mark.parametrize("child", ["llama-3-2-1b", "llama-3-2-3b"])
def test_llama_3_2_pruning_edges_quote_only_what_the_model_card_says(child):
    edge = kb.LineageEdge.objects.get(child_model__slug=child, relation="pruned")
    assert "pruning" in edge.evidence and "starting from Llama 3.1 8B" not in edge.evidence
    assert edge.verification == "partly_verified"
