"""Every portal page: it answers, shows its key facts with their sources, and carries the legal notice."""

import datetime
import re

import pytest
from django.core.management import call_command

from kb import models as kb

pytestmark = pytest.mark.django_db

NOTICE = "Not legal advice"
CHECKED = datetime.date(2026, 11, 28)


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    body = response.content.decode()
    assert NOTICE in body, f"{url} lacks the legal notice"
    return body


@pytest.fixture
def indexed(kb_db, settings, tmp_path):
    settings.SEARCH_BACKEND = "whoosh"
    settings.SEARCH_INDEX_DIR = tmp_path / "search-index"
    call_command("rebuild_index", stdout=None, stderr=None)


def test_home_has_the_search_box_and_counts(client, kb_db):
    body = page(client, "/")
    assert 'action="/search"' in body
    assert f"<strong>{kb.Provision.objects.count()}</strong> provisions" in body


def test_search_page_lists_results_with_snippets_facets_and_pages(client, indexed):
    body = page(client, "/search?q=llama+3.1+8b")
    assert 'href="/models/llama-3-1-8b"' in body
    assert "<mark>" in body
    assert 'data-facet="kind"' in body and "Models" in body
    body = page(client, "/search?q=lama")
    assert "Did you mean" in body and "llama" in body


def test_search_page_filters_through_facet_links(client, indexed):
    body = page(client, "/search?q=llama")
    link = re.search(r'href="(\?q=llama\+kind%3Amodel)"', body)
    assert link, "the kind facet links to the query with kind:model added"
    filtered = page(client, "/search" + link.group(1))
    assert 'class="hit kind-clause"' not in filtered and 'class="hit kind-model"' in filtered


def test_search_page_without_a_query_shows_the_form(client, kb_db):
    body = page(client, "/search")
    assert 'id="q"' in body and 'class="result-count"' not in body


def test_model_page_shows_facts_terms_sources_and_the_lineage_svg(client, kb_db):
    model = kb.AIModel.objects.get(slug="deepseek-r1-distill-llama-8b")
    body = page(client, f"/models/{model.slug}")
    assert model.hf_id in body
    assert 'href="/terms/LicenseRef-Llama-3.1-Community"' in body
    assert model.source_url in body
    assert '<svg class="lineage-graph"' in body
    assert 'href="/models/llama-3-1-8b"' in body and 'href="/models/deepseek-r1"' in body
    assert "Fine-tune" in body and "Output distillation" in body
    assert "Documented by the developer" in body
    for edge in kb.LineageEdge.objects.filter(child_model=model):
        assert edge.source_url in body


def test_a_model_page_shows_descendants_too(client, kb_db):
    body = page(client, "/models/llama-3-1-8b")  # four fine-tunes: grouped, the group opens them
    assert 'href="/models/llama-3-1-8b?expand=down.fine_tune#lineage"' in body
    body = page(client, "/models/llama-3-1-8b?expand=down.fine_tune")
    assert 'href="/models/deepseek-r1-distill-llama-8b"' in body


def test_reported_and_alleged_edges_are_drawn_differently_from_documented_ones(client, kb_db):
    child = kb.AIModel.objects.get(slug="deepseek-r1")
    for parent_slug, evidence in (("gpt-4o", "alleged"), ("meta-llama-3-8b-instruct", "reported")):
        kb.LineageEdge.objects.create(
            child_model=child,
            parent_model=kb.AIModel.objects.get(slug=parent_slug),
            relation="output_distillation",
            evidence_kind=evidence,
            evidence=f"A test {evidence} edge.",
            source_url=f"https://example.org/{evidence}",
            checked_on=CHECKED,
            verification="unverified",
        )
    body = page(client, "/models/deepseek-r1")
    svg = body.split('<svg class="lineage-graph"')[1].split("</svg>")[0]
    assert re.search(r'class="edge alleged" stroke-dasharray="2 5"', svg)
    assert re.search(r'class="edge reported" stroke-dasharray="7 5"', svg)
    assert re.search(r'class="edge developer_documented" marker-end', svg)  # solid: no dasharray
    assert "https://example.org/alleged" in body and "Unverified" in body


def test_dataset_page_shows_license_and_lineage(client, kb_db):
    dataset = kb.Dataset.objects.create(
        slug="distilled-qa",
        name="Distilled QA",
        license=kb.TermsDocument.objects.get(spdx_id="MIT"),
        source_url="https://example.org/distilled-qa",
        checked_on=CHECKED,
        verification="unverified",
    )
    kb.LineageEdge.objects.create(
        child_dataset=dataset,
        parent_model=kb.AIModel.objects.get(slug="gpt-4o"),
        relation="generated_by",
        evidence_kind="model_card",
        source_url="https://example.org/card",
        checked_on=CHECKED,
        verification="verified",
    )
    body = page(client, "/datasets/distilled-qa")
    assert 'href="/terms/MIT"' in body and "https://example.org/distilled-qa" in body
    assert '<svg class="lineage-graph"' in body and 'href="/models/gpt-4o"' in body
    assert 'class="badge unverified"' in body


def test_terms_page_shows_versions_dates_badges_and_clauses_by_type_with_sources(client, kb_db):
    document = kb.TermsDocument.objects.get(spdx_id="LicenseRef-Llama-3-Community")
    body = page(client, "/terms/LicenseRef-Llama-3-Community")
    version = document.versions.get()
    assert f"Version {version.version}" in body and "from 2024-04-18" in body
    assert 'class="badge verified"' in body
    assert 'data-clause-type="output_training"' in body and 'data-clause-type="naming"' in body
    clause = version.clauses.get(key="outputs-improve-other-llms")
    assert clause.quote[:60] in body
    assert clause.source_url in body
    assert f'id="clause-{clause.pk}"' in body


def test_comparing_llama_3_with_llama_3_1_shows_the_outputs_clause_gone_and_the_llama_naming_clause_added(client, kb_db):
    old = kb.TermsVersion.objects.get(document__spdx_id="LicenseRef-Llama-3-Community")
    new = kb.TermsVersion.objects.get(document__spdx_id="LicenseRef-Llama-3.1-Community")
    body = page(client, f"/terms/compare?old={old.pk}&new={new.pk}")
    assert "<h1>Two documents compared</h1>" in body and "are different documents, not two versions of one" in body
    assert "What changed" not in body
    assert 'data-status="removed" data-key="outputs-improve-other-llms"' in body
    assert 'data-status="added" data-key="naming-llama-prefix"' in body
    assert 'data-status="unchanged" data-key="monthly-active-users-700m"' in body
    # The new naming clause is shown against the one it replaces: "Llama 3" became "Llama".
    row = body.split('data-key="naming-llama-prefix"')[1].split("</tr>")[0]
    assert "replaces <code>naming-llama-3-prefix</code>" in row
    assert "<del>" in row and "<ins>" in row


def test_the_version_pickers_offer_only_versions_of_the_document(client, kb_db):
    document = kb.TermsDocument.objects.get(spdx_id="LicenseRef-Gemma-Terms-of-Use")
    body = page(client, "/terms/LicenseRef-Gemma-Terms-of-Use")
    picker = body.split('<select id="cmp-old"')[1].split("</select>")[0]
    assert sorted(map(int, re.findall(r'value="(\d+)"', picker))) == sorted(document.versions.values_list("pk", flat=True))
    assert 'id="cmp-old"' not in page(client, "/terms/MIT")  # one version: nothing to compare


def test_a_changed_clause_diffs_the_quote_and_the_summary_apart(client, kb_db):
    old, new = kb.TermsVersion.objects.filter(document__spdx_id="LicenseRef-Gemma-Terms-of-Use").order_by("effective_from")[:2]
    clause = new.clauses.get(key="outputs-no-rights")
    clause.summary = "Google claims no rights in Gemma outputs; the user alone answers for them."
    clause.save()
    body = page(client, f"/terms/compare?old={old.pk}&new={new.pk}")
    assert "<h1>What changed in Gemma Terms of Use</h1>" in body
    row = body.split('data-status="changed" data-key="outputs-no-rights"')[1].split("</tr>")[0]
    quote = row.split('class="quote-diff"')[1].split("</blockquote>")[0]
    summary = row.split('class="summary-diff"')[1].split("</div>")[0]
    assert "<del>" not in quote and "<ins>" not in quote and "Google claims no rights in Outputs" in quote
    assert "<del>users are responsible</del>" in summary and "<ins>the user alone answers</ins>" in summary


def test_compare_needs_two_versions(client, kb_db):
    page(client, "/terms/compare?old=1", status=404)


def test_provision_page_shows_window_instrument_roles_and_an_unverified_badge(client, kb_db):
    provision = kb.Provision.objects.select_related("instrument").first()
    provision.verification = "unverified"
    provision.save()
    body = page(client, f"/provisions/{provision.ref}")
    assert provision.instrument.title in body
    assert 'class="unverified-warning"' in body and 'class="badge unverified"' in body
    if provision.effective_from:
        assert provision.effective_from.isoformat() in body
    for role in provision.roles:
        assert f"<code>{role}</code>" in body
    assert provision.source_url in body


def test_list_pages_answer(client, kb_db):
    assert "llama-3-1-8b" in page(client, "/models/?q=llama")
    assert "LicenseRef-Llama-3-Community" in page(client, "/terms/")
    assert kb.Provision.objects.first().ref in page(client, "/provisions/")
    page(client, "/rules/")


def test_unknown_things_are_404_with_the_notice(client, kb_db):
    for url in ("/models/no-such-model", "/datasets/none", "/terms/LicenseRef-None", "/provisions/NOPE"):
        page(client, url, status=404)


def test_pages_work_without_javascript(client, kb_db):
    for url in ("/", "/models/llama-3-1-8b", "/terms/MIT"):
        assert "<script" not in page(client, url)


def test_a_model_page_shows_how_its_training_compute_was_obtained_as_text_not_as_a_link(client, kb_db):
    # The source of a compute figure is prose (often an estimate), so it must read as such.
    body = page(client, "/models/llama-3-1-8b-instruct")
    assert "7.2e+23 FLOP" in body
    assert '<small class="compute-source">ESTIMATE (6 x P x D, GPAI guidelines Annex A.2)' in body
    assert 'href="ESTIMATE' not in body


def test_a_model_page_says_whether_its_parameter_count_is_exact_or_the_size_in_its_name(client, kb_db):
    stated = page(client, "/models/qwen2-5-7b-instruct")
    assert "7,610,000,000 <small class=\"count-basis\">(the publisher&#x27;s stated total)</small>" in stated
    counted = page(client, "/models/gemma-2-9b")
    assert "9,240,000,000 <small class=\"count-basis\">(the total a listing of the published weights shows, not the publisher&#x27;s own figure)</small>" in counted
    nominal = page(client, "/models/llama-3-1-8b-instruct")
    assert "8,000,000,000 <small class=\"count-basis\">(the nominal size in the model&#x27;s name, not an exact total)</small>" in nominal


def test_a_search_without_results_says_so_in_a_paragraph_not_a_numbered_item(client, indexed):
    body = page(client, "/search?q=zzzqqqxxnothing")
    assert '<p class="no-results">Nothing matched.</p>' in body and '<ol class="results"' not in body


def test_an_api_only_model_lists_its_service_terms_without_a_dangling_separator(client, kb_db):
    model = kb.AIModel.objects.filter(access="api", service_terms__isnull=False, weights_terms__isnull=True).first()
    body = page(client, f"/models/?q={model.name}")
    row = body.split(f'href="/models/{model.slug}"')[1].split("</tr>")[0]
    assert "; service:" not in row and '<span class="terms-service">service: <a href="/terms/' in row
