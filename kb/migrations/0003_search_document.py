"""The PostgreSQL search table and its SQL functions (PostgreSQL only; nothing on other databases).

The table was replaced by the SearchEntry model in 0006; its functions kb_search_pairs and
kb_search_phrase remain in use (see kb.search.models).

Phrases: a GIN index knows which rows hold both words of "a b", not where, so a phrase of two common
words rechecked tens of thousands of rows at 100,000 documents. The vector therefore also holds one
lexeme per adjacent lexeme pair (`qqp` + a 16-bit hash, kb_search_pairs), and kb_search_phrase()
requires those pair lexemes besides the phrase itself: the index narrows to rows that have the pairs,
the recheck keeps only the true phrases (a hash collision can only add a candidate, never a match).
Pairs are taken within names, title and body separately, so a phrase no longer spans two of them.
"""

from django.db import migrations

CREATE = [
    """
CREATE FUNCTION kb_search_pairs(v tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_to_tsvector(array_agg(DISTINCT 'qqp' || to_hex(hashtext(x.lexeme || ' ' || y.lexeme) & 65535))), ''::tsvector)
    FROM (SELECT lexeme, unnest(positions) AS pos FROM unnest(v)) AS x
    JOIN (SELECT lexeme, unnest(positions) AS pos FROM unnest(v)) AS y ON y.pos = x.pos + 1
$$""",
    """
CREATE FUNCTION kb_search_phrase(phrase text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN s.pairs IS NULL THEN s.q ELSE s.q && s.pairs::tsquery END
    FROM (
        SELECT phraseto_tsquery('english', phrase) AS q,
               (SELECT string_agg(l, ' & ') FROM unnest(tsvector_to_array(kb_search_pairs(to_tsvector('english', phrase)))) AS l) AS pairs
    ) AS s
$$""",
    """
CREATE TABLE kb_search_document (
    doc_id text PRIMARY KEY,
    kind text NOT NULL,
    object_id bigint NOT NULL,
    title text NOT NULL,
    url text NOT NULL,
    subtitle text NOT NULL DEFAULT '',
    names text NOT NULL DEFAULT '',
    body text NOT NULL DEFAULT '',
    organizations text[] NOT NULL DEFAULT '{}',
    licenses text[] NOT NULL DEFAULT '{}',
    jurisdictions text[] NOT NULL DEFAULT '{}',
    status text NOT NULL DEFAULT '',
    vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, names), 'A')
        || setweight(to_tsvector('english'::regconfig, title), 'B')
        || setweight(to_tsvector('english'::regconfig, body), 'C')
        || kb_search_pairs(to_tsvector('english'::regconfig, names))
        || kb_search_pairs(to_tsvector('english'::regconfig, title))
        || kb_search_pairs(to_tsvector('english'::regconfig, body))
    ) STORED
)""",
    "CREATE INDEX kb_search_document_vector ON kb_search_document USING gin (vector)",
    "CREATE INDEX kb_search_document_kind ON kb_search_document (kind, title)",
]
DROP = [
    "DROP TABLE IF EXISTS kb_search_document",
    "DROP FUNCTION IF EXISTS kb_search_phrase(text)",
    "DROP FUNCTION IF EXISTS kb_search_pairs(tsvector)",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("kb", "0002_keep_terms_versions_and_clauses")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
