"""The search specification, run against both backends (see conftest: `backend` is parametrized)."""

import sys

import pytest

from kb import models as kb
from kb.search.base import get_backend, search
from kb.search.sync import rebuild_index

pytestmark = pytest.mark.django_db


def kinds(results):
    return [hit.kind for hit in results.hits]


def facet(results, name):
    return {f.value: f.count for f in results.facets[name]}


def test_llama_3_1_8b_finds_the_llama_3_1_8b_models_first(backend):
    results = search("llama 3.1 8b", backend=backend)
    urls = [hit.url for hit in results.hits]
    metas = {f"/models/{m.slug}" for m in kb.AIModel.objects.filter(hf_id__istartswith="meta-llama/Llama-3.1-8B")}
    assert len(metas) >= 2  # the base model and Instruct
    assert set(urls[: len(metas)]) == metas, [h.title for h in results.hits]
    # Fine-tunes named after it follow on the first page; other sizes do not match at all.
    others = {f"/models/{m.slug}" for m in kb.AIModel.objects.filter(hf_id__icontains="Llama-3.1-8B")} - metas
    assert others <= set(urls)
    assert "/models/llama-3-1-70b-instruct" not in urls


def test_a_hugging_face_id_as_typed_finds_its_model(backend):
    results = search("meta-llama/Llama-3.1-8B-Instruct", backend=backend)
    assert results.hits[0].url == "/models/llama-3-1-8b-instruct"


def test_a_phrase_matches_words_in_order_only(backend):
    in_order = search('"built with llama"', backend=backend)
    assert any("Llama 3.1 Community License" in hit.subtitle and hit.kind == "clause" for hit in in_order.hits)
    shuffled = search('"llama with built"', backend=backend)
    assert shuffled.total < in_order.total


def test_words_are_anded_by_default_and_or_gives_either(backend):
    both = search("zephyrquill glimmerfax", backend=backend)
    assert both.total == 0
    either = search("zephyrquill OR glimmerfax", backend=backend)
    assert either.total == search("zephyrquill", backend=backend).total + search("glimmerfax", backend=backend).total
    explicit_and = search("glimmerfax AND mit", backend=backend)
    assert [hit.title for hit in explicit_and.hits] == ["Glimmerfax MIT set"]


def test_english_stemming_matches_other_forms_of_a_word(backend):
    # The clause says "improve"; the query says "improving".
    results = search("improving kind:clause", backend=backend)
    assert any("outputs" in hit.title.lower() for hit in results.hits)


def test_facets_count_every_match_by_kind_organization_license_and_status(backend):
    results = search("llama", backend=backend)
    kind_counts = facet(results, "kind")
    assert sum(kind_counts.values()) == results.total
    assert kind_counts["model"] >= 3 and kind_counts["clause"] >= 1
    assert facet(results, "org")["meta"] >= 3
    assert "licenseref-llama-3.1-community" in facet(results, "license")
    assert "verified" in facet(results, "status")


def test_filters_narrow_results_by_kind_organization_license_and_status(backend):
    models = search("llama kind:model", backend=backend)
    assert models.total > 0 and set(kinds(models)) == {"model"}
    assert facet(models, "kind") == {"model": models.total}

    meta = search("llama org:meta kind:model", backend=backend)
    assert 0 < meta.total <= models.total and facet(meta, "org") == {"meta": meta.total}

    licensed = search("license:MIT glimmerfax", backend=backend)
    assert [hit.title for hit in licensed.hits] == ["Glimmerfax MIT set"]

    unverified = search("glimmerfax status:unverified", backend=backend)
    assert [hit.title for hit in unverified.hits] == ["Tricky markup set"]

    # A filter alone lists everything it selects.
    only_filter = search("kind:dataset", backend=backend)
    assert only_filter.total == kb.Dataset.objects.count()


def test_jurisdiction_filter_selects_provisions_and_clauses_that_name_that_jurisdiction(backend):
    provisions = search("jurisdiction:EU kind:provision", backend=backend)
    expected = kb.Provision.objects.filter(instrument__jurisdiction__code="EU").count()
    assert expected > 0
    assert provisions.total == expected and set(kinds(provisions)) == {"provision"}
    # A license clause that excludes the EU (Llama's multimodal exclusion) is found under EU too.
    excluding = [
        c for c in kb.LicenseClause.objects.filter(clause_type="jurisdiction_exclusion") if "EU" in c.parameters.get("jurisdictions", [])
    ]
    # So is a rule that cites EU provisions or is scoped to the EU.
    from policies.search import RuleSource

    eu_rules = [d for d in RuleSource().documents() if "EU" in d.jurisdictions]
    assert eu_rules
    everything = search("jurisdiction:EU", backend=backend)
    assert everything.total == expected + len(excluding) + len(eu_rules)
    assert facet(everything, "kind") == {k: v for k, v in {"provision": expected, "clause": len(excluding), "rule": len(eu_rules)}.items() if v}


def test_snippets_highlight_the_matched_words_and_escape_markup(backend):
    results = search("glimmerfax", backend=backend)
    tricky = next(hit for hit in results.hits if hit.title == "Tricky markup set")
    assert "<mark>glimmerfax</mark>" in tricky.snippet
    # Markup in the knowledge base never reaches the page as markup (escaped by us, or dropped by ts_headline).
    assert "<script" not in tricky.snippet


def test_a_misspelled_query_suggests_known_words(backend):
    results = search("zephyrqill corpus", backend=backend)
    assert results.total == 0
    assert results.suggestion.lower() == "zephyrquill corpus"
    assert search(results.suggestion, backend=backend).total == 23
    assert search("lama", backend=backend).suggestion.lower() == "llama"


def test_results_come_in_pages_without_overlap(backend):
    first = search("zephyrquill", page=1, backend=backend)
    assert first.total == 23 and first.pages == 3 and first.has_next and not first.has_previous
    pages = [first, search("zephyrquill", page=2, backend=backend), search("zephyrquill", page=3, backend=backend)]
    titles = [hit.title for page in pages for hit in page.hits]
    assert [len(page.hits) for page in pages] == [10, 10, 3]
    assert len(set(titles)) == 23
    assert not pages[2].has_next


def test_an_empty_or_stopword_query_finds_nothing(backend):
    assert search("", backend=backend).total == 0
    assert search("the", backend=backend).total == 0


def test_with_few_ranking_candidates_totals_facets_and_pages_still_cover_every_match(backend, monkeypatch):
    # Both backends rank only the first CANDIDATES matches (bench/search.py: a common word at 100k
    # documents); counting must not depend on it, and pages beyond the candidates rank every match.
    module = sys.modules[type(backend).__module__]
    monkeypatch.setattr(module, "CANDIDATES", 10)
    first = search("zephyrquill", page=1, backend=backend)
    assert first.total == 23 and facet(first, "kind") == {"dataset": 23} and len(first.hits) == 10
    monkeypatch.setattr(module, "CANDIDATES", 5)  # every page is beyond the candidates
    pages = [search("zephyrquill", page=n, backend=backend) for n in (1, 2, 3)]
    assert [p.total for p in pages] == [23, 23, 23]
    assert [len(p.hits) for p in pages] == [10, 10, 3]
    assert len({hit.title for p in pages for hit in p.hits}) == 23


def test_a_phrase_is_checked_against_word_positions_even_when_pair_buckets_collide(search_data, settings, tmp_path, monkeypatch):
    from kb.search import whoosh_backend

    monkeypatch.setattr(whoosh_backend, "PAIR_BUCKETS", 1)  # every word pair hashes to the same term
    settings.SEARCH_BACKEND, settings.SEARCH_INDEX_DIR = "whoosh", tmp_path / "collide"
    backend = get_backend()
    rebuild_index(backend)
    in_order = search('"built with llama"', backend=backend)
    assert any(hit.kind == "clause" for hit in in_order.hits)
    assert search('"llama with built"', backend=backend).total < in_order.total
    assert search('"zephyrquill corpus"', backend=backend).total == 23
    assert search('"corpus zephyrquill"', backend=backend).total == 0


def test_rules_are_found_by_what_they_check_and_filtered_by_what_they_cite(backend):
    results = search("competing kind:rule", backend=backend)
    slugs = [hit.url.split("#rule-")[1] for hit in results.hits]
    assert "competing-models" in slugs and all(hit.kind == "rule" for hit in results.hits)
    assert results.hits[0].url.startswith("/rules/#rule-")
    # A rule citing EU AI Act provisions is found under the EU; a licence rule is not.
    eu_rules = [h.url.split("#rule-")[1] for h in search("provider kind:rule jurisdiction:eu", backend=backend).hits]
    assert "eu-gpai-provider-modification" in eu_rules and "competing-models" not in eu_rules


def test_results_show_what_a_reader_sees(backend):
    # Rules are found by what their page says, not by the {fact} placeholders of their message templates.
    rules = search("kind:rule", page_size=100, backend=backend)
    assert rules.total > 0
    assert not [hit.title for hit in rules.hits if "{" in hit.snippet], "a raw message template in a snippet"
    # Markdown fields are indexed as the page renders them: no `backticks` around field names.
    for text in ("license apache", "deepseek reasoner"):
        assert not [hit.title for hit in search(text, page_size=50, backend=backend).hits if "`" in hit.snippet], text
    # A title joins its parts with separators, so the end of one never runs into the next.
    xai = search("distilling kind:clause org:xai", backend=backend).hits
    assert xai and all("Terms Terms" not in hit.title for hit in xai)


def test_no_document_title_repeats_a_word_where_two_parts_meet(search_data):
    from kb.search.documents import all_documents

    for doc in all_documents():
        words = doc.title.lower().split()
        assert not [a for a, b in zip(words, words[1:], strict=False) if a == b], doc.title
