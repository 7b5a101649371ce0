"""The registry in the portal and the API: a model page (declared badge, card link at its sha, the
curated record and disagreements), a family head's counts and pages of children, search and the check
form's suggestions by repo id, and the API's registry endpoints with evidence grades."""

import pytest
from django.core.cache import cache

from registry import services

pytestmark = pytest.mark.django_db

SHA = "0123456789abcdef0123456789abcdef01234567"


def rec(repo_id, *bases, license="apache-2.0", relation=None, downloads=0, **extra):
    card = {"license": license, **extra}
    if bases:
        card["base_model"] = list(bases)
    if relation:
        card["base_model_relation"] = relation
    return {"id": repo_id, "sha": SHA, "downloads": downloads, "cardData": card}


@pytest.fixture(autouse=True)
def no_throttle():
    cache.clear()


@pytest.fixture
def registry(kb_db):
    quants = [rec(f"quant{i}/Llama-3.1-8B-Instruct-GGUF", "meta-llama/Llama-3.1-8B-Instruct", relation="quantized", downloads=i) for i in range(60)]
    services.import_records(
        records=[
            # Same id as a curated model, but the card declares another license: a conflict to show.
            rec("meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-8B", license="mit"),
            rec("someone/llama-lora", "meta-llama/Llama-3.1-8B-Instruct", relation="adapter"),
            rec("Qwen/Qwen3-8B", license="other", license_name="qwen"),
            *quants,
        ],
        known_names={},
    )


def test_a_registry_page_shows_the_declared_record_and_the_card_at_its_sha(client, registry):
    page = client.get("/registry/Qwen/Qwen3-8B").content.decode()
    assert "Declared by uploader" in page
    assert f"https://huggingface.co/Qwen/Qwen3-8B/blob/{SHA}/README.md" in page
    assert "LicenseRef-Qwen" in page and "license other, license_name qwen" in page


def test_the_curated_record_wins_and_the_disagreement_is_shown(client, registry):
    page = client.get("/registry/meta-llama/llama-3.1-8b-instruct").content.decode()
    assert "has a curated record" in page
    assert "Where the card disagrees with the curated record" in page
    assert "mit (MIT)" in page and "LicenseRef-Llama-3.1-Community" in page


def test_a_family_head_shows_counts_per_relation_and_a_page_of_children(client, registry):
    page = client.get("/registry/meta-llama/Llama-3.1-8B-Instruct").content.decode()
    assert '<a href="?relation=quantized">Quantized</a></th>\n    <td>60</td>' in page
    listing = client.get("/registry/meta-llama/Llama-3.1-8B-Instruct?relation=quantized&page=2").content.decode()
    assert "60 quantized children, page 2 of 2" in listing
    assert listing.count('class="registry-children"') == 1 and listing.count("<li><a href=\"/registry/quant") == 10


def test_an_unknown_repo_id_is_a_404(client, registry):
    assert client.get("/registry/nobody/nothing").status_code == 404


def test_the_search_page_finds_registry_models_by_repo_id(client, registry):
    page = client.get("/search", {"q": "qwen/qwen3"}).content.decode()
    assert 'href="/registry/Qwen/Qwen3-8B"' in page and "declared by uploader" in page


def test_the_check_forms_suggestions_include_registry_models(client, registry):
    form = client.get("/check").content.decode()
    assert 'data-suggest-url="/registry/suggest" data-list="kb-models"' in form and "registry/suggest.js" in form
    found = client.get("/registry/suggest", {"q": "quant1"}).json()["models"]
    assert found[0]["repo_id"] == "quant1/Llama-3.1-8B-Instruct-GGUF"
    assert client.get("/registry/suggest", {"q": "q"}).json()["models"] == []


def test_the_api_lists_registry_models_with_their_evidence_grade_and_pages_by_key(client, registry):
    first = client.get("/api/v1/registry/models", {"limit": 2}).json()
    assert [m["repo_id"] for m in first["results"]] == ["meta-llama/Llama-3.1-8B-Instruct", "quant0/Llama-3.1-8B-Instruct-GGUF"]
    assert {m["evidence"] for m in first["results"]} == {"declared"}
    second = client.get(first["next"]).json()
    assert second["results"][0]["repo_id"] == "quant1/Llama-3.1-8B-Instruct-GGUF"
    assert [m["repo_id"] for m in client.get("/api/v1/registry/models", {"q": "qwen/qwen3-8b"}).json()["results"]] == ["Qwen/Qwen3-8B"]


def test_the_api_reads_one_model_beside_its_curated_record(client, registry):
    data = client.get("/api/v1/registry/models/meta-llama/Llama-3.1-8B-Instruct").json()
    assert data["evidence"] == "declared" and data["curated"]["slug"]
    assert data["conflicts"][0]["field"] == "license"
    assert data["parents"] == [{"parent_repo_id": "meta-llama/Llama-3.1-8B", "parent_key": "meta-llama/llama-3.1-8b", "relation": "finetune",
                                "evidence": "declared", "relation_basis": "hub_rule", "pattern": ""}]
    assert data["family"]["children"] == {"finetune": 0, "adapter": 1, "merge": 0, "quantized": 60}


def test_the_api_gives_lineage_and_children(client, registry):
    lineage = client.get("/api/v1/registry/models/someone/llama-lora/~/lineage").json()
    assert [(e["parent_key"], e["depth"]) for e in lineage["edges"]] == [("meta-llama/llama-3.1-8b-instruct", 1), ("meta-llama/llama-3.1-8b", 2)]
    children = client.get("/api/v1/registry/models/meta-llama/Llama-3.1-8B-Instruct/~/children", {"relation": "quantized", "page": 6}).json()
    assert (children["total"], children["pages"], children["page"], len(children["items"])) == (60, 2, 2, 10)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/registry/models/nobody/nothing", 404),
        ("/api/v1/registry/models?limit=0", 400),
        ("/api/v1/registry/models?q=%00", 400),
        ("/api/v1/registry/models/Qwen/Qwen3-8B/~/children?relation=distilled", 400),
    ],
)
def test_the_api_answers_bad_requests_with_json_errors(client, registry, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
