"""List and detail endpoints cost the same number of queries whatever the page size."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb import models as kb

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 28)
ROWS = 30


@pytest.fixture
def many_rows(kb_db):
    """Enough rows of each kind (with related objects) that a page of 2 and a page of 30 differ."""
    org = kb.Organization.objects.get(slug="meta")
    mit = kb.TermsDocument.objects.get(spdx_id="MIT")
    common = {"source_url": "https://example.org", "checked_on": TODAY}
    instrument = kb.Instrument.objects.first()
    for i in range(ROWS):
        model = kb.AIModel.objects.create(slug=f"t-model-{i}", name=f"T model {i}", organization=org, access="both",
                                          modalities=["text"], **common)
        model.weights_terms.add(mit)
        model.service_terms.add(mit)
        kb.Dataset.objects.create(slug=f"t-data-{i}", name=f"T data {i}", organization=org, license=mit, **common)
        document = kb.TermsDocument.objects.create(spdx_id=f"LicenseRef-T-{i}", name=f"T terms {i}", kind="open_weights", publisher=org)
        for v in range(2):
            version = kb.TermsVersion.objects.create(document=document, version=f"v{v}", **common)
            kb.LicenseClause.objects.create(version=version, key="c", clause_type="other", summary="s", **common)
        kb.Provision.objects.create(ref=f"T-PROV-{i}", instrument=instrument, article="a", title="t", summary="s", roles=["provider"], **common)
        kb.Organization.objects.create(slug=f"t-org-{i}", name=f"T org {i}")


def count_queries(client, path, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params)
    assert response.status_code == 200, response.content
    return len(queries), response.json()


LISTS = [
    ("/api/v1/models", {"license": "MIT", "modality": "text"}),
    ("/api/v1/datasets", {"license": "MIT"}),
    ("/api/v1/terms", {"publisher": "meta"}),
    ("/api/v1/provisions", {"in_force_on": "2026-11-28", "role": "provider"}),
    ("/api/v1/organizations", {}),
]


@pytest.mark.parametrize(("path", "filters"), LISTS)
def test_list_queries_do_not_grow_with_the_page_size(api, many_rows, path, filters):
    small, small_body = count_queries(api, path, {**filters, "page_size": 2})
    large, large_body = count_queries(api, path, {**filters, "page_size": ROWS})
    assert len(small_body["results"]) == 2 and len(large_body["results"]) >= ROWS - 1
    assert small == large, f"{path}: {small} queries for 2 rows, {large} for {len(large_body['results'])}"


@pytest.mark.parametrize(
    ("few", "many"),
    [
        ("/api/v1/terms/MIT", "/api/v1/terms/LicenseRef-T-0"),
        ("/api/v1/models/t-model-0", "/api/v1/models/t-model-1"),
        ("/api/v1/models/deepseek-r1/lineage", "/api/v1/models/llama-3-1-8b/lineage"),
    ],
)
def test_detail_queries_do_not_grow_with_nested_rows(api, many_rows, few, many):
    assert count_queries(api, few, {})[0] == count_queries(api, many, {})[0]


def test_terms_detail_with_many_versions_costs_the_same_as_with_one(api, many_rows):
    common = {"source_url": "https://example.org", "checked_on": TODAY}
    document = kb.TermsDocument.objects.get(spdx_id="LicenseRef-T-1")
    before, _ = count_queries(api, "/api/v1/terms/LicenseRef-T-1", {})
    for v in range(2, 12):
        version = kb.TermsVersion.objects.create(document=document, version=f"v{v}", **common)
        for c in range(3):
            kb.LicenseClause.objects.create(version=version, key=f"c{c}", clause_type="other", summary="s", **common)
    after, body = count_queries(api, "/api/v1/terms/LicenseRef-T-1", {})
    assert len(body["versions"]) == 12 and before == after


def test_a_check_costs_two_queries_once_the_engine_is_warm(kb_db):
    """The token lookup, and the decision log's insert, which also confirms the rules' revision.

    The test runs inside a transaction, where the insert gets a savepoint (Check.objects.record); a
    served request runs in autocommit and sends neither SAVEPOINT nor RELEASE, so they are not counted."""
    from tests.api.conftest import client_with_token

    client = client_with_token("counter")
    workflow = {"as_of": "2026-11-28", "student": {"name": "acme", "purpose": "commercial", "release": "internal"}}
    assert client.post("/api/v1/checks", workflow, format="json").status_code == 201
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/checks", workflow, format="json")
    assert response.status_code == 201
    statements = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(statements) == 2, [sql[:80] for sql in statements]
