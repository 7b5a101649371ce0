"""`import_dpi`: Data Provenance Initiative records in, declared datasets, licenses and lineage out.

These tests write small DPI-shaped directories of their own; tests/kb/test_dpi_conformance.py runs the
real records (../shared/data/dpi) when they sit beside the repository."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from kb import models as kb
from kb.commercial_use import dataset_class
from kb.ingest.dpi import DpiError, import_dpi
from kb.references import dataset_index
from kb.selectors import dataset_conflicts

pytestmark = pytest.mark.django_db

CLASSES = {
    "CC BY-NC 4.0": ["NC", "1", "0"],
    "OpenAI": ["NC", "?", "?"],
    "MIT License": ["All", "1", "0"],
    "BSD 3-Clause License": ["All", "1", "0"],
    "Unspecified": ["Unspecified", "0", "0"],
    "No License": ["All", "0", "0"],
}


def record(uid, name, licenses, generated=(), hf=None, **extra):
    return {
        "Unique Dataset Identifier": uid,
        "Dataset Name": name,
        "Collection": "Test Collection",
        "Hugging Face URL": f"https://huggingface.co/datasets/{hf}" if hf else "",
        "Licenses": [{"License": n, "License URL": ""} for n in licenses],
        "Model Generated": list(generated),
        "Languages": ["English"],
        "Task Categories": ["Dialog Generation"],
        "Text Sources": ["reddit"],
        "Creators": ["Example Lab"],
        "License Verified By": "A. Checker",
        **extra,
    }


def write_dpi(root, files):
    (root / "constants").mkdir(parents=True)
    (root / "constants" / "license_classes.json").write_text(json.dumps(CLASSES))
    (root / "constants" / "custom_license_classes.json").write_text("{}")
    (root / "data_summaries").mkdir()
    (root / "data_summaries" / "_template.json").write_text(json.dumps({"template": {"Licenses": "not a record"}}))
    for name, records in files.items():
        (root / "data_summaries" / name).write_text(json.dumps({r["Unique Dataset Identifier"]: r for r in records}))
    return root


@pytest.fixture
def dpi_dir(tmp_path):
    return write_dpi(tmp_path / "dpi", {
        "Chat Set.json": [
            record("chatset-gpt4", "ChatSet GPT-4", ["CC BY-NC 4.0", "OpenAI"], ["OpenAI GPT-4"], hf="example/chatset-gpt4"),
            record("chatset-mixed", "ChatSet mixed", ["MIT License", "BSD 3-Clause License"], ["BART", "templates"]),
            record("chatset-nolicense", "ChatSet plain", ["Unspecified"]),
        ],
        "Alpaca.json": [record("alpaca", "Alpaca", ["OpenAI", "CC BY-NC 4.0"], ["OpenAI GPT-3"], hf="tatsu-lab/alpaca")],
    })


def test_each_record_becomes_a_declared_dataset_cited_to_its_dpi_record(kb_db, dpi_dir):
    report = import_dpi(directory=dpi_dir, revision="abc1234")
    dataset = kb.Dataset.objects.get(slug="dpi-chatset-gpt4")
    assert (dataset.name, dataset.hf_id, dataset.imported_from, dataset.verification) == (
        "ChatSet GPT-4", "example/chatset-gpt4", "dpi", "declared"
    )
    assert dataset.source_url == "https://github.com/Data-Provenance-Initiative/Data-Provenance-Collection/blob/abc1234/data_summaries/Chat%20Set.json"
    assert dataset.imported_record["records"][0]["license_verified_by"] == "A. Checker"
    assert (report.created, report.updated, report.records) == (3, 0, 4)
    assert dataset_index().resolve("example/chatset-gpt4").target.slug == "dpi-chatset-gpt4"


def test_licenses_map_to_terms_documents_and_the_expression_keeps_them_all(kb_db, dpi_dir):
    import_dpi(directory=dpi_dir)
    dataset = kb.Dataset.objects.get(slug="dpi-chatset-gpt4")
    assert dataset.license.spdx_id == "CC-BY-NC-4.0"
    assert [d.spdx_id for d in dataset.other_licenses.all()] == ["LicenseRef-OpenAI-Terms-of-Use"]
    assert dataset.license_expression == "CC-BY-NC-4.0 AND LicenseRef-OpenAI-Terms-of-Use"
    assert dataset_class(dataset).use == "non-commercial"


def test_a_license_without_a_terms_document_stays_unknown_and_says_so(kb_db, dpi_dir):
    report = import_dpi(directory=dpi_dir)
    mixed = kb.Dataset.objects.get(slug="dpi-chatset-mixed")
    assert (mixed.license.spdx_id, mixed.licenses_unmapped) == ("MIT", ["BSD 3-Clause License"])
    assert dataset_class(mixed).use == "unknown"
    assert report.unmapped_licenses == {"BSD 3-Clause License": 1}


def test_unspecified_is_no_license_stated_not_unknown_terms(kb_db, dpi_dir):
    import_dpi(directory=dpi_dir)
    plain = kb.Dataset.objects.get(slug="dpi-chatset-nolicense")
    assert (plain.license, plain.license_expression, dataset_class(plain).use) == (None, "NOASSERTION", "unspecified")


def test_generators_become_declared_generated_by_edges_and_unresolved_ones_are_reported(kb_db, dpi_dir):
    report = import_dpi(directory=dpi_dir)
    edge = kb.LineageEdge.objects.get(child_dataset__slug="dpi-chatset-gpt4")
    assert (edge.relation, edge.parent_model.slug, edge.evidence_kind, edge.verification) == ("generated_by", "gpt-4", "declared", "declared")
    assert edge.evidence == 'DPI lists "OpenAI GPT-4" under "Model Generated".'
    assert not kb.LineageEdge.objects.filter(child_dataset__slug="dpi-chatset-mixed").exists()
    assert report.unresolved_generators == {"BART": 1}  # "templates" is listed as not a model


def test_a_curated_dataset_with_the_same_hf_id_keeps_its_fields_and_shows_the_conflict(kb_db, dpi_dir):
    before = kb.Dataset.objects.get(hf_id="tatsu-lab/alpaca")
    edges_before = list(before.parent_edges.values_list("pk", flat=True))
    report = import_dpi(directory=dpi_dir)
    alpaca = kb.Dataset.objects.get(hf_id="tatsu-lab/alpaca")
    assert not kb.Dataset.objects.filter(slug="dpi-alpaca").exists()
    assert (alpaca.slug, alpaca.imported_from, alpaca.license_id, alpaca.verification) == (before.slug, "", before.license_id, before.verification)
    assert list(alpaca.parent_edges.values_list("pk", flat=True)) == edges_before
    assert report.attached == {"alpaca": ["alpaca"]}
    assert {"field": "licenses", "curated": ["CC-BY-NC-4.0"], "imported": ["CC-BY-NC-4.0", "LicenseRef-OpenAI-Terms-of-Use"], "record": "alpaca"} in dataset_conflicts(alpaca)


def test_a_second_run_changes_nothing(kb_db, dpi_dir):
    import_dpi(directory=dpi_dir)
    history = (kb.Dataset.history.count(), kb.LineageEdge.history.count(), kb.DatasetFacet.objects.count())
    again = import_dpi(directory=dpi_dir)
    assert not again.changed
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert (kb.Dataset.history.count(), kb.LineageEdge.history.count(), kb.DatasetFacet.objects.count()) == history


def test_a_changed_record_updates_only_what_changed(kb_db, tmp_path, dpi_dir):
    import_dpi(directory=dpi_dir)
    changed = write_dpi(tmp_path / "later", {
        "Chat Set.json": [
            record("chatset-gpt4", "ChatSet GPT-4", ["MIT License"], ["OpenAI GPT-4-Turbo"], hf="example/chatset-gpt4"),
            record("chatset-mixed", "ChatSet mixed", ["MIT License", "BSD 3-Clause License"], ["BART", "templates"]),
            record("chatset-nolicense", "ChatSet plain", ["Unspecified"]),
        ],
    })
    report = import_dpi(directory=changed)
    dataset = kb.Dataset.objects.get(slug="dpi-chatset-gpt4")
    assert (report.updated, report.unchanged) == (1, 2)
    assert (dataset.license.spdx_id, list(dataset.other_licenses.all())) == ("MIT", [])
    assert [e.parent_model.slug for e in dataset.parent_edges.all()] == ["gpt-4-turbo"]
    assert report.edges == {"created": 1, "updated": 0, "deleted": 1}
    assert kb.Dataset.objects.get(slug="alpaca").imported_record == {}  # the record left: nothing attached any more


def test_a_bad_record_names_file_record_and_field_and_nothing_is_written(kb_db, tmp_path):
    bad = record("broken", "Broken", [])
    bad["Licenses"] = "MIT"
    root = write_dpi(tmp_path / "bad", {"A.json": [record("fine", "Fine", ["MIT License"])], "B.json": [bad]})
    count = kb.Dataset.objects.count()
    with pytest.raises(DpiError, match=r"B\.json: broken: field 'Licenses': must be a list"):
        import_dpi(directory=root)
    assert kb.Dataset.objects.count() == count


def test_the_command_reports_and_refuses_bad_input(kb_db, dpi_dir, tmp_path):
    out = io.StringIO()
    call_command("import_dpi", str(dpi_dir), stdout=out, stderr=io.StringIO())
    assert "datasets: 3 created, 0 updated, 0 unchanged" in out.getvalue()
    assert "unresolved generator 'BART': 1 records" in out.getvalue()
    with pytest.raises(CommandError, match="not a directory.*\nNothing was written"):
        call_command("import_dpi", str(tmp_path / "missing"), stdout=io.StringIO(), stderr=io.StringIO())


def test_the_datasets_api_filters_by_class_generator_language_and_source(kb_db, dpi_dir, client):
    import_dpi(directory=dpi_dir)

    def slugs(query):
        response = client.get(f"/api/v1/datasets?imported_from=dpi&{query}")
        assert response.status_code == 200, response.content
        return sorted(r["slug"] for r in response.json()["results"])

    assert slugs("license_class=non-commercial") == ["dpi-chatset-gpt4"]
    assert slugs("license_class=unknown") == ["dpi-chatset-mixed"]
    assert slugs("generated_by=openai") == ["dpi-chatset-gpt4"]
    assert slugs("language=english&source=reddit") == ["dpi-chatset-gpt4", "dpi-chatset-mixed", "dpi-chatset-nolicense"]
    assert slugs("source=wikipedia") == []
    assert client.get("/api/v1/datasets?license_class=maybe").status_code == 400


def test_dataset_page_credits_dpi_and_shows_the_generator(kb_db, dpi_dir, client):
    import_dpi(directory=dpi_dir)
    page = client.get("/datasets/dpi-chatset-gpt4").content.decode()
    assert "Data Provenance Initiative" in page and "Apache-2.0" in page
    assert "GPT-4" in page and "Declared, not checked by us" in page
    curated = client.get("/datasets/alpaca").content.decode()
    assert "Where the imported record differs" in curated


def test_dump_kb_leaves_imported_datasets_out(kb_db, dpi_dir, tmp_path):
    import_dpi(directory=dpi_dir)
    call_command("dump_kb", str(tmp_path / "dump"), stdout=io.StringIO())
    dumped = (tmp_path / "dump" / "datasets.yaml").read_text() + (tmp_path / "dump" / "lineage.yaml").read_text()
    assert "chatset" not in dumped and "alpaca" in dumped


def test_an_import_that_writes_tells_the_engine_and_one_that_does_not_stays_quiet(kb_db, tmp_path):
    from policies.engine.snapshot import current_token

    # Bulk writes send no per-row signals; no record here matches a curated dataset (saved row by row).
    root = write_dpi(tmp_path / "dpi", {"A.json": [record("only", "Only", ["MIT License"], ["OpenAI GPT-4"])]})
    before = current_token()
    import_dpi(directory=root)
    after = current_token()
    import_dpi(directory=root)
    assert before != after == current_token()


def test_only_http_urls_from_a_record_become_links(kb_db, tmp_path, client):
    hostile = record("hostile", "Hostile", ["Custom"], **{"Dataset URL": "javascript:alert(1)"})
    hostile["Licenses"] = [{"License": "Custom", "License URL": " JavaScript:alert(2)"}]
    root = write_dpi(tmp_path / "dpi", {"A.json": [hostile]})
    import_dpi(directory=root)
    kept = kb.Dataset.objects.get(slug="dpi-hostile").imported_record["records"][0]
    assert (kept["dataset_url"], kept["licenses"]) == ("", [{"name": "Custom", "url": "", "url_text": "JavaScript:alert(2)"}])
    page = client.get("/datasets/dpi-hostile").content.decode().lower()
    assert 'href="javascript' not in page and "href=\" javascript" not in page
