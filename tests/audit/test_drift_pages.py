"""The drift report page, its CSV, the badge on model pages and GET /api/v1/drift, over a stored audit
of the shipped knowledge base and the sample cards."""

import csv
import io

import pytest

from audit import services
from tests.audit.test_drift import AS_OF, cards  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def audited(cards):  # noqa: F811
    services.audit_lineage(as_of=AS_OF)


def test_the_report_counts_by_kind_licensor_and_relation(client, audited):
    page = client.get("/drift/").content.decode()
    assert "11 conflicts" in page
    assert "By kind" in page and "By licensor" in page and "By relation" in page
    assert "princeton-nlp/gemma-2-9b-it-SimPO" in page and "Gemma Terms of Use" in page


def test_filters_narrow_the_report(client, audited):
    page = client.get("/drift/", {"licensor": "Google"}).content.decode()
    assert "3 conflicts" in page and "Meta-Llama-3-8B-Instruct-GGUF" not in page


def test_the_csv_has_one_line_per_conflict(client, audited):
    response = client.get("/drift/", {"format": "csv", "relation": "quantized"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 5 and {r["kind"] for r in rows} == {"naming"}
    assert rows[0]["path"] == "Meta-Llama-3-8B-Instruct-GGUF > meta-llama/Meta-Llama-3-8B-Instruct"


def test_the_api_lists_and_filters(client, audited):
    data = client.get("/api/v1/drift", {"kind": "naming", "source": "curated"}).json()
    assert data["count"] == 3
    assert data["counts"]["licensor"] == {"Meta Platforms, Inc.": 3}
    assert {r["model"] for r in data["results"]} == {"DeepSeek-R1-Distill-Llama-8B", "DeepSeek-R1-Distill-Llama-70B", "Hermes 3 Llama 3.1 8B"}


def test_the_api_names_a_bad_filter(client, audited):
    response = client.get("/api/v1/drift", {"kind": "bogus"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "kind"


def test_model_pages_carry_a_drift_badge(client, audited):
    assert "License drift: 3 conflicts" in client.get("/registry/princeton-nlp/gemma-2-9b-it-SimPO").content.decode()
    assert "No license drift found" in client.get("/registry/unsloth/Qwen3-8B-GGUF").content.decode()
    assert "License drift: 1 conflict" in client.get("/models/deepseek-r1-distill-llama-8b").content.decode()
