"""PostgreSQL full-text search over the search table (kb.search.models.SearchEntry).

The table holds one row per SearchDocument, the same documents the whoosh backend indexes, written
after each commit by kb.search.sync and rebuilt by load_kb / `manage.py rebuild_index`. Several app
servers share the one table. Queries are built with django.contrib.postgres.search.

Ranking scores only the first CANDIDATES matches (a LIMITed GIN scan, then ts_rank): exact whenever
a query matches at most CANDIDATES documents, which is every query on the real knowledge base; for a
very common word in a large corpus it bounds the work, and the top 10 come from those candidates
(bench/search.py measures how often that changes the top 10). Totals and facets count every match.
"""

import difflib
import re
import time

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import transaction
from django.db.models import Count, F, Func, TextField, Value

from kb.search.base import MARK_END, MARK_START, Hit, SearchResults, facet_list, marked_snippet, plain_snippet
from kb.search.documents import FACETS
from kb.search.models import CONFIG, PhraseQuery, SearchEntry
from kb.search.query import apply_replacements, unknown_words, words

CANDIDATES = 1000
# ts_rank weights for D, C, B, A: a name or id match (A) must outweigh many body mentions (C), as in
# the whoosh backend; normalization 1 divides by 1 + log(document length).
RANK_WEIGHTS, RANK_NORMALIZATION = [0.01, 0.05, 0.3, 1.0], 1
# Identifiers are split on these before indexing and querying, so that `meta-llama/Llama-3.1-8B`
# yields the words meta, llama, 3.1, 8b.
_IDENT_RE = re.compile(r'[-/_:\[\]",]+')
VOCABULARY_TTL_S = 60.0
# facet -> (column, is an array)
FACET_COLUMNS = {
    "kind": ("kind", False),
    "status": ("status", False),
    "org": ("organizations", True),
    "license": ("licenses", True),
    "jurisdiction": ("jurisdictions", True),
}
PAGE_COLUMNS = ("doc_id", "kind", "title", "url", "subtitle", "body")


class Unnest(Func):
    function = "unnest"
    set_returning = True
    output_field = TextField()


def to_entry(doc):
    return SearchEntry(
        doc_id=doc.doc_id,
        kind=doc.kind,
        object_id=doc.pk,
        title=doc.title,
        url=doc.url,
        subtitle=doc.subtitle,
        names=_IDENT_RE.sub(" ", " ".join(n for n in doc.names if n)),
        body=doc.body or "",
        organizations=doc.facet_values("org"),
        licenses=doc.facet_values("license"),
        jurisdictions=doc.facet_values("jurisdiction"),
        status=doc.status or "",
    )


def to_tsquery(parsed):
    """ParsedQuery -> a combined SearchQuery, or None when it has no words.

    A plain query for words and ids (their parts ANDed), PhraseQuery for phrases, & within an
    alternative and | between alternatives, all with the english configuration (stemming)."""
    alternatives = []
    for clause in parsed.clauses:
        required = None
        for term in clause:
            text = _IDENT_RE.sub(" ", term.text)
            part = PhraseQuery(text) if term.phrase else SearchQuery(text, config=CONFIG, search_type="plain")
            required = part if required is None else required & part
        if required is not None:
            alternatives.append(required)
    if not alternatives:
        return None
    query = alternatives[0]
    for alternative in alternatives[1:]:
        query = query | alternative
    return query


def headline(query):
    """ts_headline of the body: up to two fragments with the query's words between MARK_START and MARK_END."""
    return SearchHeadline(
        "body",
        query,
        config=CONFIG,
        start_sel=MARK_START,
        stop_sel=MARK_END,
        max_fragments=2,
        max_words=30,
        min_words=12,
        fragment_delimiter=" … ",
    )


def snippet_html(snippet, body):
    """The page's snippet: ts_headline's fragments when a query word is marked, else the body's start."""
    if snippet and MARK_START in snippet:
        return marked_snippet(" ".join(snippet.split()))
    return plain_snippet(body)


def filtered(filters):
    """{facet: {values}} -> the SearchEntry rows they select: OR within a facet, AND between."""
    rows = SearchEntry.objects.all()
    for facet, values in sorted(filters.items()):
        column, is_array = FACET_COLUMNS[facet]
        rows = rows.filter(**{f"{column}__overlap" if is_array else f"{column}__in": sorted(values)})
    return rows


class PostgresBackend:
    name = "postgres"
    needs_sync = True  # the search table follows the knowledge-base tables after each commit

    def __init__(self):
        self._vocabulary = (0.0, frozenset())

    # ------------------------------------------------------------------ writing

    def rebuild(self, documents, progress=None):
        """Replace every row in one transaction (other sessions see the old table until it commits)."""
        entries = []
        for doc in documents:
            entries.append(to_entry(doc))
            if progress:
                progress(1)
        with transaction.atomic():
            SearchEntry.objects.all().delete()
            SearchEntry.objects.bulk_create(entries, batch_size=1000)
        self._vocabulary = (0.0, frozenset())
        return len(entries)

    def update(self, documents, deleted_ids=()):
        """Upsert the given documents and delete the given ids, in one transaction."""
        entries = [to_entry(doc) for doc in documents]
        if not entries and not deleted_ids:
            return
        with transaction.atomic():
            if deleted_ids:
                SearchEntry.objects.filter(doc_id__in=list(deleted_ids)).delete()
            if entries:
                columns = [f.name for f in SearchEntry._meta.concrete_fields if not f.generated and not f.primary_key]
                SearchEntry.objects.bulk_create(entries, update_conflicts=True, unique_fields=["doc_id"], update_fields=columns)
        self._vocabulary = (0.0, frozenset())

    def ids(self):
        """Every document id in the table (for checks and tests)."""
        return set(SearchEntry.objects.values_list("doc_id", flat=True))

    # ------------------------------------------------------------------ reading

    def ranked_page(self, query, rows, offset, limit, candidates=CANDIDATES, snippets=False):
        """[(doc_id, kind, title, url, subtitle, body, rank, snippet)]: the page of the best-ranked
        matches among `rows` (a SearchEntry queryset). Only the first `candidates` matches are ranked
        (None ranks every match). With snippets, ts_headline marks the query's words in each body of
        the page (PostgreSQL computes it after the sort, for the page's rows only); else snippet is ""."""
        matches = rows.filter(vector=query)
        if candidates:
            # The GIN scan stops after `candidates` matches; the outer query ranks only those.
            matches = SearchEntry.objects.filter(pk__in=matches.values("pk")[:candidates])
        rank = SearchRank(F("vector"), query, weights=RANK_WEIGHTS, normalization=Value(RANK_NORMALIZATION))
        snippet = headline(query) if snippets else Value("")
        page = matches.annotate(rank=rank, snippet=snippet).order_by("-rank", "title", "doc_id")[offset : offset + limit]
        return list(page.values_list(*PAGE_COLUMNS, "rank", "snippet"))

    def _counts(self, matches, facets):
        """(total, {facet: {value: n}}) over every match, in one query."""
        parts = [matches.annotate(facet=Value("total"), value=Value("")).values("facet", "value").annotate(n=Count("*")).order_by()]
        if facets:
            for facet in FACETS:
                column, is_array = FACET_COLUMNS[facet]
                # Array values are never "" (SearchDocument.facet_values); a scalar facet is "" when unset.
                values = matches.annotate(value=Unnest(column)) if is_array else matches.exclude(**{column: ""}).annotate(value=F(column))
                parts.append(values.annotate(facet=Value(facet)).values("facet", "value").annotate(n=Count("*")).order_by())
        total, counts = 0, {}
        for row in parts[0].union(*parts[1:], all=True):
            if row["facet"] == "total":
                total = row["n"]
            else:
                counts.setdefault(row["facet"], {})[row["value"]] = row["n"]
        return total, counts

    def search(self, parsed, page=1, page_size=10, facets=True):
        empty = SearchResults(parsed, [], 0, page, page_size, facet_list({}, parsed.filters) if facets else {})
        if not parsed.has_terms and not parsed.filters:
            return empty
        query = to_tsquery(parsed)
        if query is None and parsed.has_terms:
            return empty  # only stop words: nothing can match
        rows = filtered(parsed.filters)
        offset = (page - 1) * page_size
        if query is not None:
            # A page beyond the first CANDIDATES ranks every match: exact, and the same ranking for
            # every deeper page. (Where that switch happens, a query with more than CANDIDATES matches
            # can repeat or skip a document between two pages; on the real knowledge base none has.)
            deep = offset + page_size > CANDIDATES
            page_rows = self.ranked_page(query, rows, offset, page_size, candidates=None if deep else CANDIDATES, snippets=True)
            matches = rows.filter(vector=query)
        else:
            listed = rows.order_by("kind", "title", "doc_id")[offset : offset + page_size]
            page_rows = [(*row, 0.0, "") for row in listed.values_list(*PAGE_COLUMNS)]
            matches = rows
        total, counts = self._counts(matches, facets)
        hits = [
            Hit(kind=kind, title=title, url=url, subtitle=subtitle, snippet=snippet_html(snippet, body), score=float(rank))
            for _doc_id, kind, title, url, subtitle, body, rank, snippet in page_rows
        ]
        suggestion = self.suggest(parsed) if total == 0 and parsed.has_terms else ""
        return SearchResults(parsed, hits, total, page, page_size, facet_list(counts, parsed.filters) if facets else {}, suggestion)

    def vocabulary(self):
        """Words of every document (cached for a minute), for "did you mean"."""
        built_at, vocab = self._vocabulary
        if time.monotonic() - built_at > VOCABULARY_TTL_S:
            found = set()
            for title, names, body in SearchEntry.objects.values_list("title", "names", "body"):
                found.update(words(f"{title} {names} {body}"))
            vocab = frozenset(found)
            self._vocabulary = (time.monotonic(), vocab)
        return vocab

    def suggest(self, parsed):
        """The query text with words the index does not know replaced by close known words, or ""."""
        vocab = self.vocabulary()
        replacements = {}
        for word in unknown_words(parsed, vocab.__contains__):
            close = difflib.get_close_matches(word, vocab, n=1, cutoff=0.75)
            if close:
                replacements[word] = close[0]
        return apply_replacements(parsed.text, replacements)
