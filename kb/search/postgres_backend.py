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

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import F, Func, TextField, Value
from django.db.models.functions import Cast

from kb.search.base import MARK_END, MARK_START, Hit, SearchResults, facet_list, marked_snippet, plain_snippet
from kb.search.documents import FACETS, all_documents, sources
from kb.search.query import WORD, apply_replacements, words

CONFIG = "english"
CANDIDATES = 1000
# ts_rank weights for D, C, B, A: a name or id match (A) must outweigh many body mentions (C), as in
# the whoosh backend; normalization 1 divides by 1 + log(document length).
RANK_WEIGHTS, RANK_NORMALIZATION = "{0.01, 0.05, 0.3, 1.0}", 1
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


def _phrase_text(term):
    return _IDENT_RE.sub(" ", term.text)


def tsquery_sql(parsed):
    """ParsedQuery -> (SQL expression of a tsquery, params), or (None, []) when it has no words.

    plainto_tsquery for words and ids (their parts ANDed), phraseto_tsquery for phrases, && within an
    alternative and || between alternatives, all with the english configuration (stemming)."""
    ors, params = [], []
    for clause in parsed.clauses:
        ands = []
        for term in clause:
            ands.append(f"{'phraseto_tsquery' if term.phrase else 'plainto_tsquery'}('{CONFIG}', %s)")
            params.append(_phrase_text(term))
        if ands:
            ors.append("(" + " && ".join(ands) + ")")
    if not ors:
        return None, []
    return "(" + " || ".join(ors) + ")", params


def _matches_filters(doc, filters):
    return all(set(doc.facet_values(facet)) & values for facet, values in filters.items())


class PostgresBackend:
    name = "postgres"
    needs_sync = False

    def __init__(self):
        self._vocabulary = (0.0, frozenset())
        self._vector_sql_cache = {}

    def rebuild(self, documents, progress=None):
        return 0  # the tables are the index

    def update(self, documents, deleted_ids=()):
        return None

    def _vector_sql(self, source):
        """SELECT pk, <weighted tsvector> FROM the source's table (with its joins), compiled once by the ORM.

        A source with `pg_vector_column` (a stored, GIN-indexed tsvector) uses that column instead of
        building the vector in the query."""
        if source.kind not in self._vector_sql_cache:
            column = getattr(source, "pg_vector_column", None)
            vector = F(column) if column else vector_for(source)
            qs = source.model.objects.annotate(search_vector=vector).values_list("pk", "search_vector")
            self._vector_sql_cache[source.kind] = qs.query.sql_with_params()
        return self._vector_sql_cache[source.kind]

    def ranked(self, kind_sources, query_sql, query_params, candidates=CANDIDATES):
        """{kind: {pk: rank}} for every source, in one round trip.

        Each kind contributes its first `candidates` matches (found through the @@ operator), and only
        those are ranked with ts_rank: exact for the knowledge base, bounded for a common word in a
        large corpus (see bench/search.py). candidates=None ranks every match."""
        parts, params = [], []
        limit = f"LIMIT {int(candidates)}" if candidates else ""
        for source in kind_sources:
            inner, inner_params = self._vector_sql(source)
            parts.append(
                f"(SELECT %s AS kind, c.pk, ts_rank('{RANK_WEIGHTS}', c.v, q.q, {RANK_NORMALIZATION}) AS rank FROM "
                f"(SELECT s.col1 AS pk, s.col2 AS v FROM ({inner}) AS s(col1, col2), q WHERE s.col2 @@ q.q {limit}) AS c, q)"
            )
            params.extend([source.kind, *inner_params])
        sql = f"WITH q AS (SELECT {query_sql} AS q) " + " UNION ALL ".join(parts)
        out = {source.kind: {} for source in kind_sources}
        with connection.cursor() as cursor:
            cursor.execute(sql, [*query_params, *params])
            for kind, pk, rank in cursor.fetchall():
                out[kind][pk] = rank
        return out

    def search(self, parsed, page=1, page_size=10, facets=True):
        if not parsed.has_terms and not parsed.filters:
            return SearchResults(parsed, [], 0, page, page_size, facet_list({}, parsed.filters) if facets else {})
        query_sql, query_params = tsquery_sql(parsed)
        kinds = [kind for kind in sources() if not parsed.filters.get("kind") or kind in parsed.filters["kind"]]
        if query_sql is None and parsed.has_terms:
            kinds = []  # only stop words: nothing can match
        if query_sql is not None and kinds:
            ranked = self.ranked([sources()[kind] for kind in kinds], query_sql, query_params)
        else:
            ranked = {kind: dict.fromkeys(sources()[kind].model.objects.values_list("pk", flat=True)[:CANDIDATES], 0.0) for kind in kinds}
        matched = []  # (rank, doc)
        for kind, rank_of in ranked.items():
            if rank_of:
                matched.extend((rank_of[doc.pk], doc) for doc in sources()[kind].documents(rank_of) if _matches_filters(doc, parsed.filters))
        matched.sort(key=lambda item: (-item[0], item[1].title) if query_sql is not None else (item[1].kind, item[1].title))
        total = len(matched)
        page_items = matched[(page - 1) * page_size : page * page_size]
        snippets = self._snippets(page_items, query_sql, query_params) if query_sql is not None else {}
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

    def _snippets(self, page_items, query_sql, query_params):
        """doc_id -> highlighted snippet: ts_headline over the same body text whoosh indexes, one query."""
        if not page_items:
            return {}
        bodies = [doc.body for _rank, doc in page_items]
        sql = (
            f"WITH q AS (SELECT {query_sql} AS q) SELECT t.i, ts_headline('{CONFIG}', t.b, q.q, %s) "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS t(b, i), q ORDER BY t.i"
        )
        options = f'StartSel={MARK_START}, StopSel={MARK_END}, MaxFragments=2, MaxWords=30, MinWords=12, FragmentDelimiter=" … "'
        with connection.cursor() as cursor:
            cursor.execute(sql, [*query_params, options, bodies])
            rows = cursor.fetchall()
        out = {}
        for (_i, snippet), (_rank, doc) in zip(rows, page_items, strict=True):
            if snippet and MARK_START in snippet:
                out[doc.doc_id] = marked_snippet(" ".join(snippet.split()))
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
