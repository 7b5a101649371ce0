"""The whoosh backend's ranking shortcuts give what whoosh's own ranking gives (a small synthetic index)."""

import random

import pytest
from whoosh import collectors, index, scoring

from kb.search import whoosh_backend as wb
from kb.search.documents import SearchDocument
from kb.search.query import parse

WORDS = [f"w{n}" for n in range(60)]
RARE_PHRASE_DOCS = (150, 420, 650)  # the only documents with w40 and w41


@pytest.fixture
def backend(tmp_path, monkeypatch):
    # Few pair buckets: most phrase candidates are hash collisions that the position check must drop.
    monkeypatch.setattr(wb, "PAIR_BUCKETS", 16)
    rng = random.Random(7)
    weights = [1 / (rank + 1) for rank in range(len(WORDS))]
    docs = []
    for i in range(700):  # more than 5 blocks of 128 postings for the common words
        body = " ".join(rng.choices(WORDS[:40], weights=weights[:40], k=rng.randint(20, 60)))
        if i in RARE_PHRASE_DOCS:
            body += " w40 w41"
        docs.append(SearchDocument(kind="bench", pk=i, title=" ".join(rng.choices(WORDS, weights=weights, k=4)), url="", body=body))
    backend = wb.WhooshBackend(tmp_path / "ix")
    backend.rebuild(docs)
    return backend


QUERIES = ["w0", "w7", "w0 w1", "w3 w20", '"w0 w1"', '"w5 w2"', '"w40 w41"', '"w0 w1" w9', "w2 OR w30", '"w1 w0" OR w33']


def top(searcher, q, limit=10):
    collector = collectors.TopCollector(limit=limit)
    searcher.search_with_collector(q, collector)
    return [(hit.docnum, hit.score) for hit in collector.results()]


def test_the_backend_scores_exactly_as_whoosh_bm25f(backend):
    ours = backend._searcher()
    stock = index.open_dir(str(backend.index_dir)).searcher(weighting=scoring.BM25F())
    for text in QUERIES:
        q = backend.compile(parse(text))[0]
        assert top(ours, q, limit=50) == top(stock, q, limit=50), text


def test_phrases_checked_only_for_the_top_n_rank_as_phrases_checked_for_every_candidate(backend):
    searcher = backend._searcher()
    for text in QUERIES:
        q = backend.compile(parse(text))[0]
        deferred = wb.deferred_phrases(q)
        assert (deferred is None) == (" OR " in text), text  # a phrase under an Or is checked up front
        for candidates in (None, 30, 5):
            checked, lazy = wb.RankingCollector(10, candidates), wb.RankingCollector(10, candidates)
            searcher.search_with_collector(q, checked)
            searcher.search_with_collector(deferred or q, lazy)
            expected = [(hit.docnum, hit.score) for hit in checked.results()]
            got = [(hit.docnum, hit.score) for hit in lazy.results()]
            if candidates is None or '"' not in text:
                assert got == expected, (text, candidates)
            # Every result is a real phrase match, ranked by score, and a capped ranking still fills
            # its page whenever the query has that many matches.
            matches = set(searcher.docs_for_query(q))
            assert {docnum for docnum, _ in got} <= matches
            assert [score for _, score in got] == sorted((score for _, score in got), reverse=True)
            assert len(got) == min(10, len(matches)), (text, candidates)


def test_the_capped_ranking_is_exact_for_a_query_with_at_most_that_many_candidates(backend):
    searcher = backend._searcher()
    for text in QUERIES:
        q = backend.compile(parse(text))[0]
        candidates = len(list(searcher.docs_for_query(wb.deferred_phrases(q) or q)))
        capped = backend.ranked(searcher, q, limit=10, candidates=candidates)
        exact = backend.ranked(searcher, q, limit=10, candidates=None)
        assert [(h.docnum, h.score) for h in capped] == [(h.docnum, h.score) for h in exact], text
        assert [(h.docnum, h.score) for h in exact] == [(d, s) for d, s in top(searcher, q)], text


def test_a_rare_phrase_among_many_colliding_candidates_still_fills_its_page(backend):
    searcher = backend._searcher()
    q = backend.compile(parse('"w40 w41"'))[0]
    matches = set(searcher.docs_for_query(q))
    bucket = set(searcher.docs_for_query(q.child))
    assert len(matches) == len(RARE_PHRASE_DOCS) and len(bucket) > 10 * len(matches)
    ranked = backend.ranked(searcher, q, limit=10, candidates=1)
    assert {hit.docnum for hit in ranked} == matches
