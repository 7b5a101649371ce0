"""Index pages: every kind of record has one, with facets that narrow it and pages that stay small."""

import datetime
import re

import pytest

from kb import models as kb
from kb.portal.browse import PAGE_SIZE

pytestmark = pytest.mark.django_db


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def rows(body):
    return re.findall(r'<tr><td><a href="/(?:models|datasets)/([^"]+)"', body)


def facet(body, name):
    """{label: count} of one facet's values."""
    section = re.search(rf'data-facet="{name}">(.*?)</section>', body, re.S).group(1)
    return {label: int(count) for label, count in re.findall(r'<a href="[^"]*"[^>]*>([^<]+)</a> <span class="count">(\d+)</span>', section)}


def test_the_home_page_counts_link_to_their_index_pages(client, kb_db):
    body = get(client, "/")
    assert f'<a href="/models/"><strong>{kb.AIModel.objects.count()}</strong> models</a>' in body
    assert f'<a href="/datasets/"><strong>{kb.Dataset.objects.count()}</strong> datasets</a>' in body
    assert f'<a href="/terms/"><strong>{kb.TermsDocument.objects.count()}</strong> terms documents</a>' in body
    assert f'<a href="/provisions/"><strong>{kb.Provision.objects.count()}</strong> provisions</a>' in body


def test_the_datasets_index_lists_datasets_with_their_licenses(client, kb_db):
    body = get(client, "/datasets/")
    dataset = kb.Dataset.objects.filter(license__isnull=False).select_related("license").order_by("slug").first()
    assert f'href="/datasets/{dataset.slug}"' in body and dataset.license.name in body
    assert f"{kb.Dataset.objects.count()} datasets" in body


def test_models_are_paged_in_the_database(client, kb_db):
    total = kb.AIModel.objects.count()
    first, second = rows(get(client, "/models/")), rows(get(client, "/models/?page=2"))
    assert len(first) == PAGE_SIZE and not set(first) & set(second)
    assert first == sorted(first)
    body = get(client, "/models/")
    assert f"{total} models, 1–{PAGE_SIZE} shown (page 1 of {-(-total // PAGE_SIZE)})" in body
    assert 'rel="next" href="?page=2"' in body


def test_the_organization_facet_counts_and_narrows(client, kb_db):
    meta = kb.AIModel.objects.filter(organization__slug="meta")
    body = get(client, "/models/")
    assert facet(body, "org")["Meta Platforms, Inc."] == meta.count()
    narrowed = get(client, "/models/?org=meta")
    assert sorted(rows(narrowed)) == sorted(meta.values_list("slug", flat=True))
    assert 'href="?" aria-current="true"' in narrowed  # the selected value links to the unfiltered list


def test_facets_combine_and_keep_each_other(client, kb_db):
    body = get(client, "/models/?org=meta&access=open_weights")
    expected = kb.AIModel.objects.filter(organization__slug="meta", access="open_weights")
    assert sorted(rows(body)) == sorted(expected.values_list("slug", flat=True))
    license_links = re.findall(r'href="(\?[^"]*license=[^"]*)"', body)
    assert license_links and all("org=meta" in link and "access=open_weights" in link for link in license_links)


def test_license_and_modality_facets(client, kb_db):
    llama31 = kb.AIModel.objects.filter(weights_terms__spdx_id="LicenseRef-Llama-3.1-Community")
    assert sorted(rows(get(client, "/models/?license=LicenseRef-Llama-3.1-Community"))) == sorted(llama31.values_list("slug", flat=True))
    image = [m.slug for m in kb.AIModel.objects.all() if "image" in m.modalities]
    body = get(client, "/models/?modality=image")
    # The first page (50 rows) holds image models only, as many as there are up to a page.
    assert image and set(rows(body)) <= set(image) and len(rows(body)) == min(len(image), 50)
    assert facet(get(client, "/models/"), "modality")["image"] == len(image)


def test_a_bad_filter_value_is_a_400_naming_the_parameter(client, kb_db):
    body = get(client, "/models/?access=torrent", status=400)
    assert "<code>access</code>" in body and "torrent" in body


def test_the_query_count_does_not_grow_with_the_rows(client, kb_db, django_assert_max_num_queries):
    meta = kb.Organization.objects.get(slug="meta")
    with django_assert_max_num_queries(12) as before:
        get(client, "/models/?page=2")
    kb.AIModel.objects.bulk_create(
        kb.AIModel(slug=f"bulk-{i:04d}", name=f"Bulk {i}", organization=meta, access="api", source_url="https://example.org",
                   checked_on=datetime.date(2026, 12, 1))
        for i in range(3 * PAGE_SIZE)
    )
    with django_assert_max_num_queries(len(before.captured_queries)):
        body = get(client, "/models/?page=2")
    assert len(rows(body)) == PAGE_SIZE


def test_terms_and_provisions_have_facets_too(client, kb_db):
    body = get(client, "/terms/?kind=service_terms")
    assert "LicenseRef-OpenAI-Terms-of-Use" in body and "LicenseRef-Llama-3-Community" not in body
    assert facet(get(client, "/terms/"), "kind")["Service terms (contract)"] == kb.TermsDocument.objects.filter(kind="service_terms").count()
    eu = kb.Provision.objects.filter(instrument__jurisdiction__code="EU").order_by("instrument__short_name", "ref")
    body = get(client, "/provisions/?jurisdiction=EU")
    assert f'href="/provisions/{eu.first().ref}"' in body
    other = kb.Provision.objects.exclude(instrument__jurisdiction__code="EU").first()
    assert f'href="/provisions/{other.ref}"' not in body


def test_datasets_index_offers_the_imported_records_facets_and_counts_each_value_once(client, kb_db):
    # Two datasets with languages from an outside record; one generated with an OpenAI model.
    import datetime

    common = {"source_url": "https://example.org/record", "checked_on": datetime.date(2026, 12, 6), "verification": "declared", "imported_from": "dpi"}
    one = kb.Dataset.objects.create(slug="facet-one", name="Facet one", **common)
    two = kb.Dataset.objects.create(slug="facet-two", name="Facet two", **common)
    for dataset, values in ((one, ["English", "German"]), (two, ["English"])):
        for value in values:
            kb.DatasetFacet.objects.create(dataset=dataset, facet="language", value=value)
    kb.DatasetFacet.objects.create(dataset=two, facet="task", value="German")  # another facet's value never counts as a language
    kb.LineageEdge.objects.create(child_dataset=one, relation="generated_by", parent_model=kb.AIModel.objects.get(slug="gpt-4o"),
                                  evidence_kind="declared", **{k: common[k] for k in ("source_url", "checked_on", "verification")})
    body = get(client, "/datasets/?imported_from=dpi")
    assert facet(body, "language") == {"English": 2, "German": 1}
    assert facet(body, "generated_by")["OpenAI"] == 1
    assert sorted(rows(get(client, "/datasets/?language=German"))) == ["facet-one"]
    assert sorted(rows(get(client, "/datasets/?generated_by=openai&imported_from=dpi"))) == ["facet-one"]
