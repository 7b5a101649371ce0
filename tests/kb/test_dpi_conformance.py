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
