"""Conformance against the Data Provenance Initiative's records (../shared/data/dpi, Apache-2.0):
a dataset that DPI says was generated with OpenAI models must carry that lineage in our knowledge
base, so the OpenAI terms reach whoever trains on it."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from kb import models as kb

DPI = Path(settings.BASE_DIR).parent / "shared" / "data" / "dpi"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not (DPI / "data_summaries").is_dir(), reason="the DPI records are not beside this checkout"),
]


def dpi_records_by_hf_id():
    records = {}
    for path in sorted((DPI / "data_summaries").glob("*.json")):
        for record in json.loads(path.read_text()).values():
            url = (record.get("Hugging Face URL") or "").rstrip("/")
            if "huggingface.co/datasets/" in url:
                records.setdefault(url.split("huggingface.co/datasets/", 1)[1].lower(), []).append(record)
    return records


def test_datasets_dpi_says_openai_generated_have_openai_lineage(kb_db):
    openai_generators = set(json.loads((DPI / "constants" / "model_groups.json").read_text())["OpenAI"])
    by_hf_id = dpi_records_by_hf_id()
    checked, missing = 0, []
    for dataset in kb.Dataset.objects.exclude(hf_id=None):
        records = by_hf_id.get(dataset.hf_id.lower(), [])
        generators = {g for r in records for g in r.get("Model Generated", [])}
        if not generators & openai_generators:
            continue
        checked += 1
        edges = kb.LineageEdge.objects.filter(child_dataset=dataset, relation="generated_by", parent_model__organization__slug="openai")
        if not edges.exists():
            missing.append(f"{dataset.slug}: DPI lists {sorted(generators & openai_generators)}")
    assert checked >= 10, "expected the knowledge base to share at least 10 OpenAI-generated datasets with DPI"
    assert not missing, "no generated_by edge to an OpenAI model:\n" + "\n".join(missing)


# --------------------------------------------------------------------------- the whole import


@pytest.fixture(scope="module")
def imported(django_db_setup, django_db_blocker):
    """Every DPI record imported once for this module, inside a transaction rolled back at its end
    (each test's own transaction nests in it as a savepoint)."""
    from django.db import transaction

    from kb.ingest.dpi import import_dpi

    class Rollback(Exception):
        pass

    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                yield import_dpi(directory=DPI)
                raise Rollback
        except Rollback:
            pass


def test_every_record_is_imported_or_attached_to_the_curated_dataset_it_matches(imported):
    unique = imported.records - len(imported.duplicates)
    attached = sum(len(v) for v in imported.attached.values())
    assert imported.records == 2311
    assert imported.created + imported.unchanged + imported.updated + attached == unique
    assert kb.Dataset.objects.filter(imported_from="dpi").count() == unique - attached


def test_workflow_names_resolve_to_the_curated_datasets(imported):
    from kb.references import dataset_index

    index = dataset_index()
    for hf_id, slug in (("HuggingFaceH4/ultrachat_200k", "ultrachat-200k"), ("tatsu-lab/alpaca", "alpaca")):
        dataset = index.resolve(hf_id).target
        assert (dataset.slug, dataset.imported_from) == (slug, "")
        assert dataset.imported_record["records"], f"the DPI record for {hf_id} is attached"


def test_a_second_import_changes_nothing(imported):
    from kb.ingest.dpi import import_dpi

    again = import_dpi(directory=DPI)
    assert not again.changed and again.unchanged == imported.created + imported.updated + imported.unchanged


def test_dpi_classes_computed_at_import_match_dpis_published_counts(imported):
    """landscape.md §1.1 recomputed DPI's rules over the 2,311 records: 1,118 / 627 / 479 / 87; one
    record (pii-masking-200k) is in two files and is imported once, so non-commercial counts 478."""
    from kb.ingest.dpi_conformance import conformance

    report = conformance()
    assert report.dpi_counts == {"commercial": 1118, "unspecified": 627, "non-commercial": 478, "academic-only": 87}


def test_every_difference_has_a_named_reason_and_the_agreement_is_counted(imported):
    from kb.ingest.dpi_conformance import REASONS, conformance, markdown

    report = conformance()
    assert len(report.rows) == 2310
    assert report.agree == sum(1 for r in report.rows if r.dpi == r.provenant)
    assert {r.reason for r in report.rows if r.dpi != r.provenant} <= set(REASONS)
    assert all(r.reason for r in report.rows if r.dpi != r.provenant)
    assert f"**{report.agree} of 2310 records agree**" in markdown(report)


def test_dpi_openai_pseudo_license_is_a_generator_terms_difference_not_silence(imported):
    from kb.ingest.dpi_conformance import conformance

    rows = {r.record: r for r in conformance().rows}
    # MIT plus DPI's "OpenAI" pseudo-license: DPI says non-commercial, its IgnoreOpenAI view commercial.
    row = rows["CollectiveCognition"]
    assert (row.dpi, row.dpi_ignore_openai, row.provenant, row.reason) == ("non-commercial", "commercial", "commercial", "generator_terms")


def test_the_conformance_page_and_command_show_the_agreement(imported, client, tmp_path):
    import io

    from django.core.management import call_command

    page = client.get("/datasets/dpi-conformance").content.decode()
    assert "of 2310 records agree" in page and "generator_terms" in page
    out = io.StringIO()
    call_command("dpi_conformance", markdown=str(tmp_path / "c.md"), stdout=out)
    assert "of 2310 records agree" in out.getvalue()
    assert (tmp_path / "c.md").read_text().startswith("# Provenant against the Data Provenance Initiative")


def _check(workflow):
    from policies.engine import snapshot
    from policies.engine.evaluate import evaluate_workflow

    snapshot.clear_cache()
    return evaluate_workflow({"as_of": "2026-11-28", **workflow})


def test_a_curated_generated_dataset_passes_the_generators_terms_on(imported):
    decision = _check({"student": {"name": "acme-7b", "purpose": "commercial", "release": "api", "competes_with_teachers": True},
                       "datasets": [{"dataset": "tatsu-lab/alpaca"}]})
    inherited = [f for f in decision.findings if f.binding == "inherited"]
    assert any(c.ref == "LicenseRef-OpenAI-Terms-of-Use" for f in inherited for c in f.citations)
    # Curated lineage: the record a person checked wins over DPI's attached record, so nothing is assumed.
    assert all(f.evidence is None for f in inherited) and decision.assumptions == []


def test_an_imported_dataset_passes_its_declared_generators_terms_on(imported):
    # lmsys/chatbot_arena_conversations is not curated: DPI declares GPT-4 and GPT-3.5-Turbo generated it.
    decision = _check({"student": {"name": "acme-7b", "purpose": "commercial", "release": "api", "competes_with_teachers": True},
                       "datasets": [{"dataset": "lmsys/chatbot_arena_conversations"}]})
    inherited = [f for f in decision.findings if f.binding == "inherited"]
    openai = [f for f in inherited if any(c.ref == "LicenseRef-OpenAI-Terms-of-Use" for c in f.citations)]
    assert openai and {f.evidence for f in openai} == {"declared"}
    # The generator is DPI's word, not ours: the decision lists it for the user to confirm.
    assert any(a["evidence"] == "declared" and "generated with" in a["statement"] for a in decision.assumptions)


def test_an_imported_datasets_non_commercial_license_reaches_the_check(imported):
    # CC BY 4.0 and CC BY-NC 4.0 (and OpenAI's terms): the most restrictive data license is `license`.
    decision = _check({"student": {"name": "acme-7b", "purpose": "commercial", "release": "internal"},
                       "datasets": [{"dataset": "lmsys/chatbot_arena_conversations"}]})
    assert any(c.ref == "CC-BY-NC-4.0" for f in decision.findings for c in f.citations)
