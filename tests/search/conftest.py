import datetime

import pytest
from django.db import connection

from kb import models as kb
from kb.search.base import get_backend
from kb.search.sync import rebuild_index

CHECKED = datetime.date(2026, 11, 28)


def ensure_model(slug, name, hf_id, organization="meta", terms=(), **extra):
    """A model for the test (reused if the shipped knowledge base already has it under that HF id)."""
    existing = kb.AIModel.objects.filter(hf_id=hf_id).first()
    if existing:
        return existing
    model = kb.AIModel.objects.create(
        slug=slug,
        name=name,
        hf_id=hf_id,
        organization=kb.Organization.objects.get(slug=organization),
        access="open_weights",
        source_url=f"https://huggingface.co/{hf_id}",
        checked_on=CHECKED,
        verification="verified",
        **extra,
    )
    model.weights_terms.set(kb.TermsDocument.objects.filter(spdx_id__in=terms))
    return model


def make_dataset(slug, name, description="", verification="verified", license_id=None):
    return kb.Dataset.objects.create(
        slug=slug,
        name=name,
        description=description,
        license=kb.TermsDocument.objects.get(spdx_id=license_id) if license_id else None,
        source_url=f"https://example.org/{slug}",
        checked_on=CHECKED,
        verification=verification,
    )


@pytest.fixture
def search_data(kb_db):
    """The shipped knowledge base plus what the search specification needs to be meaningful."""
    ensure_model("llama-3-1-8b-instruct", "Llama 3.1 8B Instruct", "meta-llama/Llama-3.1-8B-Instruct", terms=["LicenseRef-Llama-3.1-Community"])
    ensure_model("llama-3-1-70b-instruct", "Llama 3.1 70B Instruct", "meta-llama/Llama-3.1-70B-Instruct", terms=["LicenseRef-Llama-3.1-Community"])
    # 23 datasets sharing an unusual word, for pagination.
    for i in range(23):
        make_dataset(f"zephyrquill-{i:02d}", f"Zephyrquill corpus {i:02d}", "Synthetic zephyrquill records for paging tests.")
    make_dataset("tricky-markup", "Tricky markup set", "Contains <script>alert(1)</script> and the word glimmerfax.", verification="unverified")
    make_dataset("glimmerfax-mit", "Glimmerfax MIT set", "Glimmerfax records under MIT.", license_id="MIT")
    return None


@pytest.fixture(params=["whoosh", "postgres"])
def backend(request, search_data, settings, tmp_path):
    """Each search specification runs against both backends (PostgreSQL only on a PostgreSQL database)."""
    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("PostgreSQL full-text search needs DATABASE_URL=postgres://…")
    settings.SEARCH_BACKEND = request.param
    settings.SEARCH_INDEX_DIR = tmp_path / "search-index"
    backend = get_backend()
    rebuild_index(backend)
    return backend
