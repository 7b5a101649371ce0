"""The one search interface. Views, the API and the CLI call `search()`; the backend is a setting.

SEARCH_BACKEND=whoosh (default): an embedded index under SEARCH_INDEX_DIR.
SEARCH_BACKEND=postgres: PostgreSQL full-text search over a search table in the application's
database (kb.search.models), which several app servers share.
Both follow the knowledge-base tables after each commit (kb.search.sync).

`search()` raises kb.search.query.QueryError, with a message for the reader, for a query that is
too long or has too many terms.
"""

from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.html import escape
from django.utils.safestring import mark_safe

from kb.search.documents import FACETS, sources
from kb.search.query import ParsedQuery, parse

PAGE_SIZE = 10
SNIPPET_CHARS = 240
# Highlight markers that cannot occur in knowledge-base text; snippets are escaped, then marked.
MARK_START, MARK_END = "\x02", "\x03"


@dataclass
class Hit:
    kind: str
    title: str
    url: str
    subtitle: str
    snippet: str  # safe HTML: escaped text with <mark> around matched words
    score: float


@dataclass
class FacetValue:
    value: str
    count: int
    selected: bool = False


@dataclass
class SearchResults:
    query: ParsedQuery
    hits: list
    total: int
    page: int
    page_size: int
    facets: dict = field(default_factory=dict)  # facet name -> [FacetValue], most frequent first
    suggestion: str = ""  # "did you mean" query text, "" when none

    @property
    def pages(self):
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self):
        return self.page < self.pages

    @property
    def has_previous(self):
        return self.page > 1


class SearchBackend(Protocol):
    name: str
    needs_sync: bool  # True when a separate index must follow database writes

    def search(self, query: ParsedQuery, page: int = 1, page_size: int = PAGE_SIZE, facets: bool = True) -> SearchResults: ...

    def rebuild(self, documents, progress=None) -> int: ...

    def update(self, documents, deleted_ids=()) -> None: ...


def marked_snippet(text):
    """Escape a snippet whose matches are wrapped in MARK_START/MARK_END and turn those into <mark>."""
    html = escape(text).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(html)


def plain_snippet(body):
    body = " ".join((body or "").split())
    if len(body) > SNIPPET_CHARS:
        body = body[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return mark_safe(escape(body))


def facet_list(counts, selected):
    """counts: {facet: {value: n}} -> {facet: [FacetValue]} (selected values always listed)."""
    out = {}
    for facet in FACETS:
        values = dict(counts.get(facet, {}))
        for value in selected.get(facet, ()):
            values.setdefault(value, 0)
        out[facet] = sorted(
            (FacetValue(v, n, v in selected.get(facet, ())) for v, n in values.items()), key=lambda f: (-f.count, f.value)
        )
    return out


def kind_labels():
    return {kind: source.label for kind, source in sources().items()}


_backends = {}


def get_backend(name=None):
    name = name or settings.SEARCH_BACKEND
    if name not in _backends:
        if name == "whoosh":
            from kb.search.whoosh_backend import WhooshBackend

            backend = WhooshBackend(settings.SEARCH_INDEX_DIR)
        elif name == "postgres":
            from django.db import connection

            if connection.vendor != "postgresql":
                raise ImproperlyConfigured("SEARCH_BACKEND=postgres needs a PostgreSQL database (DATABASE_URL=postgres://…)")
            from kb.search.postgres_backend import PostgresBackend

            backend = PostgresBackend()
        else:
            raise ImproperlyConfigured(f'SEARCH_BACKEND must be "whoosh" or "postgres", not "{name}"')
        _backends[name] = backend
    backend = _backends[name]
    if getattr(backend, "index_dir", None) is not None and backend.index_dir != settings.SEARCH_INDEX_DIR:
        # SEARCH_INDEX_DIR changed (tests do that): follow it.
        from kb.search.whoosh_backend import WhooshBackend

        backend = _backends[name] = WhooshBackend(settings.SEARCH_INDEX_DIR)
    return backend


def search(text, page=1, page_size=PAGE_SIZE, backend=None):
    """Parse the search box's text and run it on the configured backend."""
    backend = backend or get_backend()
    page = max(1, int(page or 1))
    return backend.search(parse(text), page=page, page_size=page_size)
