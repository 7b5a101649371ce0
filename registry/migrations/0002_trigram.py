"""Trigram similarity on repo ids (PostgreSQL only; on SQLite the selectors fall back to LIKE)."""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS registry_hubmodel_key_trgm ON registry_hubmodel USING gin (repo_key gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS registry_hubmodel_key_trgm"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
