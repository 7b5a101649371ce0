"""The PostgreSQL search table (SEARCH_BACKEND=postgres): one row per SearchDocument.

The weighted tsvector is a stored generated column with a GIN index, so a query never builds a
vector: names and ids weigh A, the title B, the body C (`english` configuration: stemming).

Phrases: a GIN index knows which rows hold both words of "a b", not where, so a phrase of two
common words would recheck every row holding both. The vector therefore also holds one lexeme per
adjacent lexeme pair (`qqp` + a 16-bit hash, the SQL function kb_search_pairs) and PhraseQuery
requires those pair lexemes besides the phrase itself: the index narrows to rows that have the
pairs, the recheck keeps only the true phrases (a hash collision can only add a candidate, never a
match). Pairs are taken within names, title and body separately, so a phrase never spans two.

The table, its generated column and its index exist on PostgreSQL only (migration 0006 creates
them there): array columns, tsvector and GIN have no SQLite equivalent, and the whoosh backend,
the only one on SQLite, keeps its own files.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorField
from django.db import models
from django.db.models import Func
from django.db.models.expressions import CombinedExpression

CONFIG = "english"


class PairLexemes(Func):
    """kb_search_pairs(tsvector): one `qqp…` lexeme per pair of adjacent lexemes."""

    function = "kb_search_pairs"
    output_field = SearchVectorField()


class PhraseQuery(SearchQuery):
    """kb_search_phrase(text): the phrase (phraseto_tsquery, english) AND its pair lexemes; a
    SearchQuery, so it combines with others through & and | and filters `vector=`."""

    def __init__(self, phrase):
        super().__init__(phrase)
        self.function = "kb_search_phrase"


def document_vector():
    weighted = [SearchVector(column, weight=weight, config=CONFIG) for column, weight in (("names", "A"), ("title", "B"), ("body", "C"))]
    pairs = [PairLexemes(SearchVector(column, config=CONFIG)) for column in ("names", "title", "body")]
    vector = weighted[0]
    for part in [*weighted[1:], *pairs]:
        vector = CombinedExpression(vector, "||", part, output_field=SearchVectorField())
    return vector


class SearchEntry(models.Model):
    doc_id = models.TextField(primary_key=True)  # "kind:pk", SearchDocument.doc_id
    kind = models.TextField()
    object_id = models.BigIntegerField()
    title = models.TextField()
    url = models.TextField()
    subtitle = models.TextField(blank=True, default="")
    names = models.TextField(blank=True, default="")  # names and ids, split on - / _ : so that their parts match
    body = models.TextField(blank=True, default="")
    organizations = ArrayField(models.TextField(), blank=True, default=list)
    licenses = ArrayField(models.TextField(), blank=True, default=list)
    jurisdictions = ArrayField(models.TextField(), blank=True, default=list)
    status = models.TextField(blank=True, default="")
    vector = models.GeneratedField(expression=document_vector(), output_field=SearchVectorField(), db_persist=True)

    class Meta:
        app_label = "kb"
        db_table = "kb_search_entry"
        indexes = [GinIndex(fields=["vector"], name="kb_search_entry_vector"), models.Index(fields=["kind", "title"], name="kb_search_entry_kind")]

    def __str__(self):
        return self.doc_id
