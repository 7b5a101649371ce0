"""import_records and `manage.py import_hf`: idempotent, all-or-nothing, precise about bad input."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from registry import services
from registry.models import HubEdge, HubModel

pytestmark = pytest.mark.django_db

SHA = "0123456789abcdef0123456789abcdef01234567"


def record(repo_id, **card):
    return {
        "id": repo_id, "author": repo_id.partition("/")[0], "sha": SHA, "createdAt": "2025-04-29T03:00:00.000Z",
        "lastModified": "2025-05-01T10:00:00.000Z", "tags": [], "downloads": 10, "gated": False,
        "pipeline_tag": "text-generation", "siblings": [], "cardData": card,
    }


RECORDS = [
    record("Qwen/Qwen3-8B", license="apache-2.0", base_model="Qwen/Qwen3-8B-Base"),
    record("unsloth/Qwen3-8B-GGUF", license="apache-2.0", base_model="Qwen/Qwen3-8B"),
    record("someone/qwen3-merge", license="apache-2.0", base_model=["Qwen/Qwen3-8B", "Qwen/Qwen3-8B-Base"]),
]


def snapshot():
    rows = sorted(HubModel.objects.values_list("repo_key", "license", "downloads", "imported_at"))
    edges = sorted(HubEdge.objects.values_list("child__repo_key", "parent_key", "relation", "evidence"))
    return rows, edges


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


def test_a_second_import_of_the_same_records_writes_nothing(kb_db):
    first = services.import_records(records=RECORDS)
    before = snapshot()
    second = services.import_records(records=RECORDS)
    assert (first.created, first.edges_written) == (3, 4)
    assert (second.created, second.updated, second.unchanged, second.edges_written) == (0, 0, 3, 0)
    assert snapshot() == before  # imported_at included: no row was rewritten


def test_a_changed_record_updates_its_row_and_replaces_its_edges(kb_db):
    services.import_records(records=RECORDS)
    changed = record("unsloth/Qwen3-8B-GGUF", license="apache-2.0", base_model="Qwen/Qwen3-8B", base_model_relation="finetune")
    result = services.import_records(records=[changed, RECORDS[0]])
    assert (result.updated, result.unchanged) == (1, 1)
    assert list(HubEdge.objects.filter(child__repo_key="unsloth/qwen3-8b-gguf").values_list("relation", "relation_basis")) == [
        ("finetune", "card")
    ]


def test_repo_ids_keep_their_case_and_match_without_it(kb_db):
    services.import_records(records=RECORDS)
    services.import_records(records=[record("QWEN/qwen3-8b", license="mit")])
    model = HubModel.objects.get(repo_key="qwen/qwen3-8b")
    assert (model.repo_id, model.license) == ("QWEN/qwen3-8b", "mit")


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"author": "x"}, "id"),
        (record("not a repo id!"), "id"),
        (record("a/b", base_model_relation="distilled", base_model="c/d"), "cardData.base_model_relation"),
        (record("a/b", base_model="./output/merged"), "cardData.base_model"),
        (record("a/b", base_model={"id": "c/d"}), "cardData.base_model"),
        ({**record("a/b"), "sha": "main"}, "sha"),
        ({**record("a/b"), "createdAt": "yesterday"}, "createdAt"),
        ({**record("a/b"), "downloads": -1}, "downloads"),
        ({**record("a/b"), "gated": "sometimes"}, "gated"),
    ],
)
def test_a_bad_record_names_its_field_and_nothing_is_written(kb_db, tmp_path, bad, field):
    path = write_jsonl(tmp_path / "models.jsonl", [RECORDS[0], bad, RECORDS[1]])
    with pytest.raises(CommandError, match=f"field {field}: .*\nNothing was written"):
        call_command("import_hf", jsonl=path, stdout=io.StringIO(), stderr=io.StringIO())
    assert HubModel.objects.count() == 0


def test_a_line_that_is_not_json_is_named_and_nothing_is_written(kb_db, tmp_path):
    path = tmp_path / "models.jsonl"
    path.write_text(json.dumps(RECORDS[0]) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(CommandError, match="field line 2: not valid JSON"):
        call_command("import_hf", jsonl=str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert HubModel.objects.count() == 0


def test_the_jsonl_command_imports_and_reports(kb_db, tmp_path):
    path = write_jsonl(tmp_path / "models.jsonl", RECORDS)
    out = io.StringIO()
    call_command("import_hf", jsonl=path, stdout=out, stderr=io.StringIO())
    assert "3 records: 3 created, 0 updated, 0 unchanged; 4 lineage edges written" in out.getvalue()
    out = io.StringIO()
    call_command("import_hf", jsonl=path, stdout=out, stderr=io.StringIO())
    assert "Registry already up to date." in out.getvalue()


def test_skipping_bad_records_writes_the_good_ones_and_lists_the_bad(kb_db):
    result = services.import_records(records=[RECORDS[0], {"id": "bad id!"}], on_invalid="skip")
    assert result.created == 1
    assert [e.field for e in result.invalid] == ["id"]


def test_a_self_reference_is_not_an_edge(kb_db):
    services.import_records(records=[record("a/b", base_model="A/B")])
    assert not HubEdge.objects.exists()


def test_a_base_model_given_as_a_hub_url_is_its_repo_id(kb_db):
    services.import_records(records=[record("a/b", base_model="https://huggingface.co/Qwen/Qwen3-8B/")])
    assert HubEdge.objects.get().parent_repo_id == "Qwen/Qwen3-8B"


def test_one_command_takes_one_source(kb_db, tmp_path):
    with pytest.raises(CommandError, match="exactly one source"):
        call_command("import_hf", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="--card needs exactly one --repo-id"):
        call_command("import_hf", card=str(tmp_path / "README.md"), stdout=io.StringIO(), stderr=io.StringIO())


def test_a_new_curated_name_is_seen_on_reimport_even_when_the_record_is_the_same(kb_db):
    gguf = record("someone/Foo-7B-GGUF", license="apache-2.0")
    services.import_records(records=[gguf], known_names={})
    assert not HubEdge.objects.exists()
    result = services.import_records(records=[gguf], known_names={"foo-7b": "FooLab/Foo-7B"})
    assert result.updated == 1
    assert list(HubEdge.objects.values_list("parent_repo_id", "evidence", "pattern")) == [("FooLab/Foo-7B", "inferred", "gguf")]


def test_a_change_in_a_field_the_registry_does_not_keep_rewrites_no_row(kb_db):
    services.import_records(records=RECORDS)
    before = snapshot()
    result = services.import_records(records=[{**RECORDS[0], "likes": 99}])
    assert (result.updated, result.unchanged) == (0, 1)
    assert snapshot() == before
