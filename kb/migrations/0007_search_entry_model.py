"""The search table becomes a model (kb.search.models.SearchEntry) on PostgreSQL.

The table replaces 0003's model-less kb_search_document (same columns, generated vector and GIN
index; 0003's SQL functions kb_search_pairs and kb_search_phrase stay). The model is in every
migration state, so `makemigrations` agrees on every database; its table is created on PostgreSQL
only (see kb.search.models), and `manage.py rebuild_index` fills it.
"""

from importlib import import_module

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.expressions
import kb.search.models
from django.db import migrations, models


class OnPostgreSQL(migrations.SeparateDatabaseAndState):
    """These operations change the migration state everywhere and the database on PostgreSQL only."""

    def __init__(self, operations):
        super().__init__(database_operations=operations, state_operations=operations)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def drop_raw_table(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TABLE IF EXISTS kb_search_document")


def recreate_raw_table(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in import_module("kb.migrations.0003_search_document").CREATE[2:]:  # the table and its indexes
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('kb', '0006_dataset_import'),
    ]

    operations = [
        # Rows are not copied: `manage.py rebuild_index` fills either table from the knowledge base.
        migrations.RunPython(drop_raw_table, recreate_raw_table, elidable=False),
        OnPostgreSQL([migrations.CreateModel(
            name='SearchEntry',
            fields=[
                ('doc_id', models.TextField(primary_key=True, serialize=False)),
                ('kind', models.TextField()),
                ('object_id', models.BigIntegerField()),
                ('title', models.TextField()),
                ('url', models.TextField()),
                ('subtitle', models.TextField(blank=True, default='')),
                ('names', models.TextField(blank=True, default='')),
                ('body', models.TextField(blank=True, default='')),
                ('organizations', django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), blank=True, default=list, size=None)),
                ('licenses', django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), blank=True, default=list, size=None)),
                ('jurisdictions', django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), blank=True, default=list, size=None)),
                ('status', models.TextField(blank=True, default='')),
                ('vector', models.GeneratedField(db_persist=True, expression=django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.contrib.postgres.search.SearchVector('names', config='english', weight='A'), '||', django.contrib.postgres.search.SearchVector('title', config='english', weight='B'), output_field=django.contrib.postgres.search.SearchVectorField()), '||', django.contrib.postgres.search.SearchVector('body', config='english', weight='C'), output_field=django.contrib.postgres.search.SearchVectorField()), '||', kb.search.models.PairLexemes(django.contrib.postgres.search.SearchVector('names', config='english')), output_field=django.contrib.postgres.search.SearchVectorField()), '||', kb.search.models.PairLexemes(django.contrib.postgres.search.SearchVector('title', config='english')), output_field=django.contrib.postgres.search.SearchVectorField()), '||', kb.search.models.PairLexemes(django.contrib.postgres.search.SearchVector('body', config='english')), output_field=django.contrib.postgres.search.SearchVectorField()), output_field=django.contrib.postgres.search.SearchVectorField())),
            ],
            options={
                'db_table': 'kb_search_entry',
                'indexes': [django.contrib.postgres.indexes.GinIndex(fields=['vector'], name='kb_search_entry_vector'), models.Index(fields=['kind', 'title'], name='kb_search_entry_kind')],
            },
        )]),
    ]
