"""PostgreSQL full-text search over the knowledge-base tables themselves (no second index).

Each source lists its text columns with a weight (A names and ids, B titles, C body); the vector is
built in the query with the `english` configuration (stemming), identifiers first having - / _ :
replaced by spaces so that `meta-llama/Llama-3.1-8B` yields meta, llama, 3.1, 8b. Ranking scores only
the first CANDIDATES matches of each kind (a LIMITed pre-filter): exact for a knowledge base of
thousands of rows, and it bounds the worst case of a very common word.

Facets and filters are computed from the matched rows' documents (the same SearchDocument the whoosh
backend indexes), so both backends agree on what org:, license:, ... mean.
"""

import functools
import operator
import re
import time

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db.models import F, Func, TextField, Value
from django.db.models.functions import Cast, Coalesce, Concat

from kb.search.base import MARK_END, MARK_START, Hit, SearchResults, facet_list, marked_snippet, plain_snippet
from kb.search.documents import FACETS, all_documents, sources
from kb.search.query import WORD, apply_replacements, words

CONFIG = "english"
CANDIDATES = 1000
IDENT_SEPARATORS = r'[-/_:\[\]",]+'
_IDENT_RE = re.compile(IDENT_SEPARATORS)
VOCABULARY_TTL_S = 60.0


def _text_expr(pg_text):
    expr = Cast(pg_text.path, TextField()) if pg_text.json else F(pg_text.path)
    if pg_text.identifier:
        expr = Func(expr, Value(IDENT_SEPARATORS), Value(" "), Value("g"), function="regexp_replace", output_field=TextField())
    return expr


def vector_for(source):
    parts = [SearchVector(_text_expr(t), weight=t.weight, config=CONFIG) for t in source.pg_text]
    return functools.reduce(operator.add, parts)


def body_for(source):
    """The source's body columns (weight C) joined, for ts_headline snippets."""
    parts = []
    for t in source.pg_text:
        if t.weight == "C":
            parts.extend([Coalesce(F(t.path), Value(""), output_field=TextField()), Value(" \n ")])
    return Concat(*parts, output_field=TextField()) if len(parts) > 1 else parts[0]


def term_query(term):
    text = _IDENT_RE.sub(" ", term.text)
    return SearchQuery(text, search_type="phrase" if term.phrase else "plain", config=CONFIG)


def compile_tsquery(parsed):
    """ParsedQuery -> a django SearchQuery (plainto/phraseto_tsquery combined with && and ||), or None."""
    ors = []
    for clause in parsed.clauses:
        parts = [term_query(t) for t in clause]
        if parts:
            ors.append(functools.reduce(operator.and_, parts))
    return functools.reduce(operator.or_, ors) if ors else None


def _matches_filters(doc, filters):
    return all(set(doc.facet_values(facet)) & values for facet, values in filters.items())


class PostgresBackend:
    name = "postgres"
    needs_sync = False

    def __init__(self):
        self._vocabulary = (0.0, frozenset())

    def rebuild(self, documents, progress=None):
        return 0  # the tables are the index

    def update(self, documents, deleted_ids=()):
        return None

    def _ranked(self, source, tsquery):
        """[(pk, rank)] of the source's rows matching tsquery, best first (at most CANDIDATES)."""
        vector = vector_for(source)
        model = source.model
        if tsquery is None:
            return [(pk, 0.0) for pk in model.objects.order_by("pk").values_list("pk", flat=True)[:CANDIDATES]]
        candidates = model.objects.annotate(search_vector=vector).filter(search_vector=tsquery).values("pk")[:CANDIDATES]
        ranked = (
            model.objects.filter(pk__in=candidates)
            .annotate(rank=SearchRank(vector, tsquery))
            .order_by("-rank", "pk")
            .values_list("pk", "rank")
        )
        return list(ranked)

    def search(self, parsed, page=1, page_size=10, facets=True):
        if not parsed.has_terms and not parsed.filters:
            return SearchResults(parsed, [], 0, page, page_size, facet_list({}, parsed.filters) if facets else {})
        tsquery = compile_tsquery(parsed)
        wanted_kinds = parsed.filters.get("kind")
        matched = []  # (rank, kind, doc)
        for kind, source in sources().items():
            if wanted_kinds and kind not in wanted_kinds:
                continue
            ranked = self._ranked(source, tsquery)
            if not ranked:
                continue
            rank_of = dict(ranked)
            for doc in source.documents(rank_of):
                if _matches_filters(doc, parsed.filters):
                    matched.append((rank_of[doc.pk], doc))
        matched.sort(key=lambda item: (-item[0], item[1].title) if tsquery is not None else (item[1].kind, item[1].title))
        total = len(matched)
        page_items = matched[(page - 1) * page_size : page * page_size]
        snippets = self._snippets(page_items, tsquery) if tsquery is not None else {}
        hits = [
            Hit(
                kind=doc.kind,
                title=doc.title,
                url=doc.url,
                subtitle=doc.subtitle,
                snippet=snippets.get(doc.doc_id) or plain_snippet(doc.body),
                score=float(rank),
            )
            for rank, doc in page_items
        ]
        counts = {}
        if facets:
            for facet in FACETS:
                bucket = counts.setdefault(facet, {})
                for _rank, doc in matched:
                    for value in doc.facet_values(facet):
                        bucket[value] = bucket.get(value, 0) + 1
        suggestion = self.suggest(parsed) if total == 0 and parsed.has_terms else ""
        return SearchResults(parsed, hits, total, page, page_size, facet_list(counts, parsed.filters) if facets else {}, suggestion)

    def _snippets(self, page_items, tsquery):
        """doc_id -> highlighted snippet from ts_headline (escaped, then marked), one query per kind."""
        by_kind = {}
        for _rank, doc in page_items:
            by_kind.setdefault(doc.kind, []).append(doc.pk)
        out = {}
        for kind, pks in by_kind.items():
            source = sources()[kind]
            rows = source.model.objects.filter(pk__in=pks).annotate(
                snippet=SearchHeadline(
                    body_for(source),
                    tsquery,
                    config=CONFIG,
                    start_sel=MARK_START,
                    stop_sel=MARK_END,
                    max_fragments=2,
                    max_words=30,
                    min_words=12,
                    fragment_delimiter=" … ",
                )
            )
            for pk, snippet in rows.values_list("pk", "snippet"):
                if snippet and MARK_START in snippet:
                    out[f"{kind}:{pk}"] = marked_snippet(" ".join(snippet.split()))
        return out

    def vocabulary(self):
        """Words of every document (cached for a minute), for "did you mean"."""
        built_at, vocab = self._vocabulary
        if time.monotonic() - built_at > VOCABULARY_TTL_S:
            found = set()
            for doc in all_documents():
                found.update(words(" ".join([doc.title, *[n for n in doc.names if n], doc.body])))
            vocab = frozenset(found)
            self._vocabulary = (time.monotonic(), vocab)
        return vocab

    def suggest(self, parsed):
        import difflib

        vocab = self.vocabulary()
        replacements = {}
        for term in parsed.terms():
            for word in WORD.findall(term.text.lower()):
                if word not in vocab:
                    close = difflib.get_close_matches(word, vocab, n=1, cutoff=0.75)
                    if close:
                        replacements[word] = close[0]
        return apply_replacements(parsed.text, replacements)
