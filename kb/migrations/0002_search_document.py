"""The PostgreSQL search table (SEARCH_BACKEND=postgres); nothing on other databases.

One row per SearchDocument (kb.search.documents), written by kb.search.postgres_backend. The weighted
tsvector is a stored generated column with a GIN index, so a query never builds a vector: names and
ids weigh A, the title B, the body C. SQLite never uses this backend, so there the migration does
nothing (raw SQL, no model: the table belongs to the search backend, not to the knowledge base).
"""

from django.db import migrations

CREATE = [
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
    ) STORED
)""",
    "CREATE INDEX kb_search_document_vector ON kb_search_document USING gin (vector)",
    "CREATE INDEX kb_search_document_kind ON kb_search_document (kind, title)",
]
DROP = "DROP TABLE IF EXISTS kb_search_document"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("kb", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
