"""PostgreSQL full-text search over a search table in the application's own database.

The table `kb_search_document` (migration kb 0002, PostgreSQL only) holds one row per SearchDocument,
the same documents the whoosh backend indexes, written after each commit by kb.search.sync and
rebuilt by load_kb / `manage.py rebuild_index`. Its weighted tsvector is a stored generated column
with a GIN index (names and ids A, title B, body C, `english` configuration: stemming), so a query
only parses the tsquery and walks the index. Several app servers share the one table.

Ranking scores only the first CANDIDATES matches (a LIMITed GIN scan, then ts_rank): exact whenever
a query matches at most CANDIDATES documents, which is every query on the real knowledge base; for a
very common word in a large corpus it bounds the work, and the top 10 come from those candidates
(bench/search.py measures how often that changes the top 10). Totals and facets count every match.
"""

import difflib
import re
import time

from django.db import connection, transaction

from kb.search.base import MARK_END, MARK_START, Hit, SearchResults, facet_list, marked_snippet, plain_snippet
from kb.search.documents import FACETS
from kb.search.query import WORD, apply_replacements, words

TABLE = "kb_search_document"
CONFIG = "english"
CANDIDATES = 1000
# ts_rank weights for D, C, B, A: a name or id match (A) must outweigh many body mentions (C), as in
# the whoosh backend; normalization 1 divides by 1 + log(document length).
RANK_WEIGHTS, RANK_NORMALIZATION = "{0.01, 0.05, 0.3, 1.0}", 1
# Identifiers are split on these before indexing and querying, so that `meta-llama/Llama-3.1-8B`
# yields the words meta, llama, 3.1, 8b.
_IDENT_RE = re.compile(r'[-/_:\[\]",]+')
VOCABULARY_TTL_S = 60.0
COLUMNS = ("doc_id", "kind", "object_id", "title", "url", "subtitle", "names", "body", "organizations", "licenses", "jurisdictions", "status")
# facet -> (column, is an array)
FACET_COLUMNS = {
    "kind": ("kind", False),
    "status": ("status", False),
    "org": ("organizations", True),
    "license": ("licenses", True),
    "jurisdiction": ("jurisdictions", True),
}


def to_row(doc):
    return (
        doc.doc_id,
        doc.kind,
        doc.pk,
        doc.title,
        doc.url,
        doc.subtitle,
        _IDENT_RE.sub(" ", " ".join(n for n in doc.names if n)),
        doc.body or "",
        doc.facet_values("org"),
        doc.facet_values("license"),
        doc.facet_values("jurisdiction"),
        doc.status or "",
    )


def tsquery_sql(parsed):
    """ParsedQuery -> (SQL expression of a tsquery, params), or (None, []) when it has no words.

    plainto_tsquery for words and ids (their parts ANDed), kb_search_phrase for phrases, && within an
    alternative and || between alternatives, all with the english configuration (stemming)."""
    ors, params = [], []
    for clause in parsed.clauses:
        ands = []
        for term in clause:
            # kb_search_phrase (migration kb 0002): the phrase and its word-pair lexemes.
            ands.append("kb_search_phrase(%s)" if term.phrase else f"plainto_tsquery('{CONFIG}', %s)")
            params.append(_IDENT_RE.sub(" ", term.text))
        if ands:
            ors.append("(" + " && ".join(ands) + ")")
    if not ors:
        return None, []
    return "(" + " || ".join(ors) + ")", params


def filters_sql(filters):
    """{facet: {values}} -> (SQL condition on the table aliased d, params); OR within a facet, AND between."""
    conditions, params = [], []
    for facet, values in sorted(filters.items()):
        column, is_array = FACET_COLUMNS[facet]
        conditions.append(f"d.{column} && %s::text[]" if is_array else f"d.{column} = ANY(%s::text[])")
        params.append(sorted(values))
    return " AND ".join(conditions) or "TRUE", params


class PostgresBackend:
    name = "postgres"
    needs_sync = True  # the search table follows the knowledge-base tables after each commit

    def __init__(self):
        self._vocabulary = (0.0, frozenset())

    # ------------------------------------------------------------------ writing

    def rebuild(self, documents, progress=None):
        """Replace every row in one transaction (other sessions see the old table until it commits)."""
        # Documents come from ORM queries on this same connection, which cannot run during a COPY:
        # read them all first.
        rows = []
        for doc in documents:
            rows.append(to_row(doc))
            if progress:
                progress(1)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")
            with cursor.copy(f"COPY {TABLE} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        self._vocabulary = (0.0, frozenset())
        return len(rows)

    def update(self, documents, deleted_ids=()):
        """Upsert the given documents and delete the given ids, in one transaction."""
        rows = [to_row(doc) for doc in documents]
        if not rows and not deleted_ids:
            return
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS[1:])
        with transaction.atomic(), connection.cursor() as cursor:
            if deleted_ids:
                cursor.execute(f"DELETE FROM {TABLE} WHERE doc_id = ANY(%s)", [list(deleted_ids)])
            if rows:
                cursor.executemany(
                    f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))}) "
                    f"ON CONFLICT (doc_id) DO UPDATE SET {updates}",
                    rows,
                )
        self._vocabulary = (0.0, frozenset())

    def ids(self):
        """Every document id in the table (for checks and tests)."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT doc_id FROM {TABLE}")
            return {row[0] for row in cursor.fetchall()}

    # ------------------------------------------------------------------ reading

    def ranked_page(self, query_sql, query_params, where, where_params, offset, limit, candidates=CANDIDATES):
        """[(doc_id, kind, title, url, subtitle, body, rank)]: the page of the best-ranked matches.

        Only the first `candidates` matches are ranked (None ranks every match)."""
        cap = f"LIMIT {int(candidates)}" if candidates else ""
        # The tsquery is written inline, not in a CTE, so that the planner sees it: for a word in
        # most documents it reads the table in order and stops at the cap, instead of building the
        # GIN index's bitmap of every match first (42 ms vs 16 ms for a word in 99% of 100k rows).
        sql = (
            "SELECT c.doc_id, c.kind, c.title, c.url, c.subtitle, c.body, c.rank FROM ("
            f"  SELECT d.*, ts_rank('{RANK_WEIGHTS}', d.vector, {query_sql}, {RANK_NORMALIZATION}) AS rank FROM ("
            f"    SELECT d.* FROM {TABLE} d WHERE d.vector @@ {query_sql} AND {where} {cap}) AS d"
            ") AS c ORDER BY c.rank DESC, c.title, c.doc_id LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*query_params, *query_params, *where_params, limit, offset])
            return cursor.fetchall()

    def _listed_page(self, where, where_params, offset, limit):
        """A filter without words: every selected document, by kind and title."""
        sql = (
            f"SELECT d.doc_id, d.kind, d.title, d.url, d.subtitle, d.body, 0.0 FROM {TABLE} d WHERE {where} "
            "ORDER BY d.kind, d.title, d.doc_id LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*where_params, limit, offset])
            return cursor.fetchall()

    def _counts(self, match_sql, match_params, facets):
        """(total, {facet: {value: n}}) over every match, in one query."""
        parts = ["SELECT 'total', NULL, count(*) FROM m"]
        if facets:
            for facet in FACETS:
                column, is_array = FACET_COLUMNS[facet]
                value = f"unnest(m.{column})" if is_array else f"m.{column}"
                parts.append(f"SELECT '{facet}', v, count(*) FROM (SELECT {value} AS v FROM m) AS f WHERE v <> '' GROUP BY v")
        sql = f"WITH {match_sql} " + " UNION ALL ".join(parts)
        total, counts = 0, {}
        with connection.cursor() as cursor:
            cursor.execute(sql, match_params)
            for facet, value, n in cursor.fetchall():
                if facet == "total":
                    total = n
                else:
                    counts.setdefault(facet, {})[value] = n
        return total, counts

    def search(self, parsed, page=1, page_size=10, facets=True):
        empty = SearchResults(parsed, [], 0, page, page_size, facet_list({}, parsed.filters) if facets else {})
        if not parsed.has_terms and not parsed.filters:
            return empty
        query_sql, query_params = tsquery_sql(parsed)
        if query_sql is None and parsed.has_terms:
            return empty  # only stop words: nothing can match
        where, where_params = filters_sql(parsed.filters)
        offset = (page - 1) * page_size
        columns = "d.kind, d.status, d.organizations, d.licenses, d.jurisdictions"
        if query_sql is not None:
            # A page beyond the first CANDIDATES ranks every match: exact, and the same ranking for
            # every deeper page. (Where that switch happens, a query with more than CANDIDATES matches
            # can repeat or skip a document between two pages; on the real knowledge base none has.)
            deep = offset + page_size > CANDIDATES
            rows = self.ranked_page(query_sql, query_params, where, where_params, offset, page_size, candidates=None if deep else CANDIDATES)
            match_sql = f"m AS (SELECT {columns} FROM {TABLE} d WHERE d.vector @@ {query_sql} AND {where})"
            match_params = [*query_params, *where_params]
        else:
            rows = self._listed_page(where, where_params, offset, page_size)
            match_sql, match_params = f"m AS (SELECT {columns} FROM {TABLE} d WHERE {where})", where_params
        total, counts = self._counts(match_sql, match_params, facets)
        snippets = self._snippets(rows, query_sql, query_params) if query_sql is not None else {}
        hits = [
            Hit(kind=kind, title=title, url=url, subtitle=subtitle, snippet=snippets.get(doc_id) or plain_snippet(body), score=float(rank))
            for doc_id, kind, title, url, subtitle, body, rank in rows
        ]
        suggestion = self.suggest(parsed) if total == 0 and parsed.has_terms else ""
        return SearchResults(parsed, hits, total, page, page_size, facet_list(counts, parsed.filters) if facets else {}, suggestion)

    def _snippets(self, rows, query_sql, query_params):
        """doc_id -> highlighted snippet: ts_headline over the page's bodies, one query."""
        if not rows:
            return {}
        sql = (
            f"WITH q AS (SELECT {query_sql} AS q) SELECT t.i, ts_headline('{CONFIG}', t.b, q.q, %s) "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS t(b, i), q ORDER BY t.i"
        )
        options = f'StartSel={MARK_START}, StopSel={MARK_END}, MaxFragments=2, MaxWords=30, MinWords=12, FragmentDelimiter=" … "'
        with connection.cursor() as cursor:
            cursor.execute(sql, [*query_params, options, [row[5] for row in rows]])
            headlines = cursor.fetchall()
        out = {}
        for (_i, snippet), row in zip(headlines, rows, strict=True):
            if snippet and MARK_START in snippet:
                out[row[0]] = marked_snippet(" ".join(snippet.split()))
        return out

    def vocabulary(self):
        """Words of every document (cached for a minute), for "did you mean"."""
        built_at, vocab = self._vocabulary
        if time.monotonic() - built_at > VOCABULARY_TTL_S:
            found = set()
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT title, names, body FROM {TABLE}")
                for row in cursor.fetchall():
                    found.update(words(" ".join(row)))
            vocab = frozenset(found)
            self._vocabulary = (time.monotonic(), vocab)
        return vocab

    def suggest(self, parsed):
        vocab = self.vocabulary()
        replacements = {}
        for term in parsed.terms():
            for word in WORD.findall(term.text.lower()):
                if word not in vocab:
                    close = difflib.get_close_matches(word, vocab, n=1, cutoff=0.75)
                    if close:
                        replacements[word] = close[0]
        return apply_replacements(parsed.text, replacements)
