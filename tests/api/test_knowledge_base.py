"""The read-only knowledge base over HTTP: open to anonymous clients, filtered, paginated, sourced."""

import datetime

import pytest

from kb import models as kb

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 28)


def slugs(response):
    assert response.status_code == 200, response.content
    return [row.get("slug") or row.get("ref") or row.get("spdx_id") for row in response.json()["results"]]


def test_models_are_open_to_anonymous_clients_with_their_terms_and_source(api, kb_db):
    response = api.get("/api/v1/models/deepseek-r1-distill-llama-8b")
    assert response.status_code == 200
    body = response.json()
    assert body["organization"] == {"slug": "deepseek", "name": "DeepSeek"}
    assert sorted(body["weights_terms"]) == ["LicenseRef-Llama-3.1-Community", "MIT"]
    assert body["access"] == "open_weights"
    assert body["source_url"].startswith("https://") and body["checked_on"] and body["verification"] in {
        "verified", "partly_verified", "unverified"}
    # The size in the name ("8B"), not a count of the weights: the record says so.
    assert (body["parameter_count"], body["parameter_count_basis"]) == (8_000_000_000, "nominal")


def test_models_filter_by_organization_license_access_and_modality(api, kb_db):
    assert set(slugs(api.get("/api/v1/models", {"organization": "deepseek"}))) == set(
        kb.AIModel.objects.filter(organization__slug="deepseek").values_list("slug", flat=True)
    )
    # SPDX ids match case-insensitively, on weights or service terms.
    by_license = slugs(api.get("/api/v1/models", {"license": "mit"}))
    assert "deepseek-r1" in by_license and "deepseek-r1-distill-llama-8b" in by_license
    assert all(
        kb.AIModel.objects.filter(slug=s, weights_terms__spdx_id="MIT").exists()
        or kb.AIModel.objects.filter(slug=s, service_terms__spdx_id="MIT").exists()
        for s in by_license
    )
    api_only = slugs(api.get("/api/v1/models", {"access": "api"}))
    assert api_only and all(kb.AIModel.objects.get(slug=s).access == "api" for s in api_only)


def test_modality_filter_keeps_only_models_listing_it(api, kb_db):
    org = kb.Organization.objects.get(slug="meta")
    kb.AIModel.objects.create(slug="t-vision", name="T Vision", organization=org, access="open_weights",
                              modalities=["text", "image"], source_url="https://example.org", checked_on=TODAY)
    # The largest page, so that the assertion is about filtering, not about which page the row lands on.
    image = slugs(api.get("/api/v1/models", {"modality": "image", "page_size": 200}))
    assert "t-vision" in image
    assert all("image" in kb.AIModel.objects.get(slug=s).modalities for s in image)
    assert "t-vision" not in slugs(api.get("/api/v1/models", {"modality": "audio", "page_size": 200}))


def test_lineage_lists_ancestors_and_descendants_with_relation_evidence_and_source(api, kb_db):
    down = api.get("/api/v1/models/llama-3-1-8b/lineage").json()
    assert down["subject"] == {"kind": "model", "slug": "llama-3-1-8b", "name": kb.AIModel.objects.get(slug="llama-3-1-8b").name}
    child = next(s for s in down["descendants"] if s["child"]["slug"] == "deepseek-r1-distill-llama-8b")
    assert child["relation"] == "fine_tune" and child["depth"] == 1
    assert child["evidence_kind"] == "developer_documented" and "Llama3.1" in child["evidence"]
    assert child["source_url"].startswith("https://github.com/deepseek-ai/")

    up = api.get("/api/v1/models/deepseek-r1-distill-llama-8b/lineage").json()
    assert {(s["parent"]["slug"], s["relation"]) for s in up["ancestors"]} >= {
        ("llama-3-1-8b", "fine_tune"), ("deepseek-r1", "output_distillation")}


def test_terms_detail_nests_versions_and_their_clauses(api, kb_db):
    document = kb.TermsDocument.objects.filter(versions__clauses__isnull=False).distinct().first()
    body = api.get(f"/api/v1/terms/{document.spdx_id}").json()
    assert body["spdx_id"] == document.spdx_id
    clause = kb.LicenseClause.objects.filter(version__document=document).first()
    version = next(v for v in body["versions"] if v["version"] == clause.version.version)
    served = next(c for c in version["clauses"] if c["key"] == clause.key)
    assert served["clause_type"] == clause.clause_type and served["parameters"] == clause.parameters
    assert served["source_url"] == clause.source_url


def test_provisions_filter_by_jurisdiction_including_its_hierarchy(api, kb_db):
    # The EU's own provisions (asking for EU also lists its member states' laws, e.g. Italy's).
    eu = set(slugs(api.get("/api/v1/provisions", {"jurisdiction": "EU", "page_size": 200}))) & set(
        kb.Provision.objects.filter(instrument__jurisdiction__code="EU").values_list("ref", flat=True)
    )
    assert eu
    # A deployment in Germany is under EU law: DE's provisions include the EU's.
    assert set(slugs(api.get("/api/v1/provisions", {"jurisdiction": "de", "page_size": 200}))) >= eu
    # Nothing of the EU applies to a deployment in Japan.
    if kb.Jurisdiction.objects.filter(code="JP").exists():
        assert not eu & set(slugs(api.get("/api/v1/provisions", {"jurisdiction": "JP", "page_size": 200})))


def test_a_country_includes_its_regions_provisions(api, kb_db):
    us = kb.Jurisdiction.objects.get_or_create(code="US", defaults={"name": "United States"})[0]
    ca = kb.Jurisdiction.objects.get_or_create(code="US-CA", defaults={"name": "California", "parent": us})[0]
    instrument = kb.Instrument.objects.create(slug="t-ca-law", title="T", short_name="T CA", kind="statute", jurisdiction=ca,
                                              source_url="https://example.org", checked_on=TODAY)
    kb.Provision.objects.create(ref="T-CA-1", instrument=instrument, article="§1", title="t", summary="t",
                                source_url="https://example.org", checked_on=TODAY)
    assert "T-CA-1" in slugs(api.get("/api/v1/provisions", {"jurisdiction": "US", "page_size": 200}))
    assert "T-CA-1" in slugs(api.get("/api/v1/provisions", {"jurisdiction": "US-CA", "page_size": 200}))


def test_provisions_in_force_on_a_date_respect_the_effective_window(api, kb_db):
    instrument = kb.Instrument.objects.first()
    common = {"instrument": instrument, "article": "x", "title": "t", "summary": "s", "source_url": "https://example.org", "checked_on": TODAY}
    kb.Provision.objects.create(ref="T-OLD", effective_from=datetime.date(2020, 1, 1), effective_to=datetime.date(2025, 8, 2), **common)
    kb.Provision.objects.create(ref="T-NEW", effective_from=datetime.date(2025, 8, 2), **common)
    before = slugs(api.get("/api/v1/provisions", {"in_force_on": "2025-08-01", "page_size": 200}))
    on = slugs(api.get("/api/v1/provisions", {"in_force_on": "2025-08-02", "page_size": 200}))
    assert "T-OLD" in before and "T-NEW" not in before
    assert "T-NEW" in on and "T-OLD" not in on  # effective_to is the first day it no longer applies


def test_lookups_use_natural_keys(api, kb_db):
    provision = kb.Provision.objects.first()
    organization = kb.Organization.objects.first()
    assert api.get(f"/api/v1/provisions/{provision.ref}").json()["ref"] == provision.ref
    assert api.get(f"/api/v1/organizations/{organization.slug}").json()["name"] == organization.name
    assert api.get("/api/v1/terms/MIT").json()["name"] == "MIT License"


def test_datasets_with_unknown_license_are_filtered_as_unknown(api, kb_db):
    common = {"source_url": "https://example.org", "checked_on": TODAY}
    kb.Dataset.objects.create(slug="t-unknown", name="T unknown", **common)
    kb.Dataset.objects.create(slug="t-mit", name="T mit", license=kb.TermsDocument.objects.get(spdx_id="MIT"), **common)
    unknown = slugs(api.get("/api/v1/datasets", {"license": "unknown", "page_size": 200}))
    mit = slugs(api.get("/api/v1/datasets", {"license": "MIT", "page_size": 200}))
    assert "t-unknown" in unknown and "t-mit" not in unknown
    assert "t-mit" in mit and "t-unknown" not in mit
    assert set(unknown) == set(kb.Dataset.objects.filter(license__isnull=True).values_list("slug", flat=True))
    assert set(mit) == set(kb.Dataset.objects.filter(license__spdx_id="MIT").values_list("slug", flat=True))
    assert api.get("/api/v1/datasets/t-unknown").json()["license"] is None


def test_detail_renders_markdown_with_the_one_renderer(api, kb_db):
    model = kb.AIModel.objects.first()
    model.description = "**bold** <script>alert(1)</script>"
    model.save()
    body = api.get(f"/api/v1/models/{model.slug}").json()
    assert "<strong>bold</strong>" in body["description_html"] and "<script>" not in body["description_html"]


def test_pagination_is_everywhere(api, kb_db):
    for path in ("models", "datasets", "terms", "provisions", "organizations"):
        body = api.get(f"/api/v1/{path}", {"page_size": 1}).json()
        assert set(body) == {"count", "next", "previous", "results"}, path
        assert len(body["results"]) <= 1
