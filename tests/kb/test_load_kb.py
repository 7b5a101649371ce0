"""load_kb: idempotent, all-or-nothing, and precise about bad data."""

import io
import textwrap
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from kb import models as kb

pytestmark = pytest.mark.django_db

# Knowledge-base data: not the history tables, nor the search index (kb.search.models, PostgreSQL only).
KB_MODELS = [m for m in apps.get_app_config("kb").get_models() if not m.__name__.startswith("Historical") and m is not kb.SearchEntry]


def row_snapshot():
    return {m.__name__: sorted(map(str, m.objects.values_list(flat=False).order_by("pk"))) for m in KB_MODELS}


def load(path, *options):
    out = io.StringIO()
    call_command("load_kb", *options, fixtures=str(path), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_loading_twice_leaves_the_same_rows(fixtures):
    kb.AIModel.objects.filter(slug="gpt-4o").delete()  # the test database starts loaded
    first = load(fixtures)
    assert "models: 1 created" in first
    before = row_snapshot()
    history_before = kb.AIModel.history.count()
    second = load(fixtures)
    assert "already up to date" in second
    assert " 0 created, 0 updated" in second
    assert row_snapshot() == before
    assert kb.AIModel.history.count() == history_before  # nothing re-saved


def write(fixtures, name, text):
    path = fixtures / "kb" / name
    path.write_text(textwrap.dedent(text))
    return path


def test_a_broken_reference_names_file_record_and_field_and_writes_nothing(fixtures):
    before = row_snapshot()
    write(fixtures, "zz-broken.yaml", """\
        models:
          - slug: good-model
            name: Good
            organization: meta
            access: api
            source_url: https://example.org
            checked_on: 2026-11-28
          - slug: broken-model
            name: Broken
            organization: no-such-org
            access: api
            source_url: https://example.org
            checked_on: 2026-11-28
        """)
    with pytest.raises(CommandError) as err:
        load(fixtures)
    message = str(err.value)
    assert "kb/zz-broken.yaml" in message
    assert "models[1] (broken-model)" in message
    assert "field organization" in message
    assert "no-such-org" in message
    assert "Nothing was written" in message
    assert row_snapshot() == before
    assert not kb.AIModel.objects.filter(slug="good-model").exists()


def test_a_failed_reload_keeps_the_previous_knowledge_base(fixtures):
    load(fixtures)
    before = row_snapshot()
    write(fixtures, "zz-broken.yaml", """\
        lineage:
          - child_model: gpt-4o
            relation: fine_tune
            parent_model: gpt-5-does-not-exist
            evidence_kind: reported
            source_url: https://example.org
            checked_on: 2026-11-28
        """)
    with pytest.raises(CommandError, match="parent_model"):
        load(fixtures)
    assert row_snapshot() == before


def test_a_reference_by_hugging_face_id_suggests_the_slug(fixtures):
    write(fixtures, "zz-broken.yaml", """\
        lineage:
          - child_model: gpt-4o
            relation: output_distillation
            parent_model: deepseek-ai/DeepSeek-R1
            evidence_kind: alleged
            source_url: https://example.org
            checked_on: 2026-11-28
        """)
    with pytest.raises(CommandError, match='did you mean slug "deepseek-r1"'):
        load(fixtures)


@pytest.mark.parametrize("record, field", [
    ("{slug: x, name: X, organization: meta, access: sideways, source_url: 'https://e.org', checked_on: 2026-11-28}", "access"),
    ("{slug: x, name: X, organization: meta, access: api, source_url: 'not a url', checked_on: 2026-11-28}", "source_url"),
    ("{slug: x, name: X, organization: meta, access: api, source_url: 'https://e.org', checked_on: 'yesterday'}", "checked_on"),
    ("{slug: x, name: X, organization: meta, access: api, source_url: 'https://e.org', checked_on: 2026-11-28, licence: MIT}", "licence"),
    ("{slug: x, name: X, organization: meta, access: api, source_url: 'https://e.org', checked_on: 2026-11-28, weights_terms: [NoSuchLicense]}", "weights_terms"),
    # A parameter count says where it comes from (a name's "7B" is not a count), and a basis needs a count.
    ("{slug: x, name: X, organization: meta, access: api, source_url: 'https://e.org', checked_on: 2026-11-28, parameter_count: 7000000000}",
     "parameter_count_basis"),
    ("{slug: x, name: X, organization: meta, access: api, source_url: 'https://e.org', checked_on: 2026-11-28, parameter_count_basis: nominal}",
     "parameter_count_basis"),
    ("{slug: x, name: X, organization: meta, access: api, source_url: 'https://e.org', checked_on: 2026-11-28, parameter_count: 7000000000, "
     "parameter_count_basis: exact}", "parameter_count_basis"),
])
def test_bad_values_name_the_field(fixtures, record, field):
    write(fixtures, "zz-bad.yaml", f"models:\n  - {record}\n")
    with pytest.raises(CommandError) as err:
        load(fixtures)
    assert f"field {field}" in str(err.value)
    assert not kb.AIModel.objects.filter(slug="x").exists()


def test_bad_clause_parameters_are_rejected_with_the_field(fixtures):
    write(fixtures, "zz-bad.yaml", """\
        terms:
          - spdx_id: LicenseRef-Test
            name: Test
            kind: open_weights
            versions:
              - version: "1"
                source_url: https://example.org
                checked_on: 2026-11-28
                clauses:
                  - key: mau
                    clause_type: user_threshold
                    summary: s
                    parameters: {monthly_active_users: lots}
                    source_url: https://example.org
                    checked_on: 2026-11-28
        """)
    with pytest.raises(CommandError) as err:
        load(fixtures)
    assert "clauses[0] (mau)" in str(err.value) and "field parameters" in str(err.value)


def test_an_inverted_effective_window_is_rejected(fixtures):
    write(fixtures, "zz-bad.yaml", """\
        terms:
          - spdx_id: LicenseRef-Test
            name: Test
            kind: service_terms
            versions:
              - {version: "1", effective_from: 2026-01-01, effective_to: 2025-01-01, source_url: "https://example.org", checked_on: 2026-11-28}
        """)
    with pytest.raises(CommandError, match="field effective_to"):
        load(fixtures)


def test_invalid_yaml_names_the_file(fixtures):
    write(fixtures, "zz-bad.yaml", "models: [\n")
    with pytest.raises(CommandError, match="zz-bad.yaml.*invalid YAML"):
        load(fixtures)


def test_long_text_can_live_in_a_markdown_file(fixtures):
    (fixtures / "kb" / "note.md").write_text("# Long text\n\nIn Markdown.\n")
    write(fixtures, "zz-md.yaml", """\
        organizations:
          - {slug: md-org, name: MD}
        models:
          - slug: md-model
            name: MD model
            organization: md-org
            access: api
            description_file: note.md
            source_url: https://example.org
            checked_on: 2026-11-28
        """)
    load(fixtures)
    assert kb.AIModel.objects.get(slug="md-model").description.startswith("# Long text")


def test_removing_a_fact_from_a_fixture_removes_it_on_reload(fixtures):
    load(fixtures)
    path = fixtures / "kb" / "models" / "openai.yaml"
    path.write_text(path.read_text().replace("    aliases: [gpt-4o-2024-05-13, gpt-4o-2024-08-06, chatgpt-4o-latest]\n", ""))
    out = load(fixtures)
    assert "models: 0 created, 1 updated" in out
    assert kb.AIModel.objects.get(slug="gpt-4o").aliases == []


def test_unknown_terms_are_recorded_as_unknown(fixtures):
    load(fixtures)
    orca = kb.AIModel.objects.get(slug="orca-2-13b")
    assert orca.weights_terms_unknown and not orca.weights_terms.exists()
    r1 = kb.AIModel.objects.get(slug="deepseek-r1")
    assert not r1.weights_terms_unknown and "MIT" in r1.weights_terms.values_list("spdx_id", flat=True)


def test_missing_fixtures_directory_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="fixtures directory not found"):
        load(Path(tmp_path) / "nope")


def test_an_unchanged_load_reads_each_section_once_instead_of_each_record(fixtures, django_assert_max_num_queries):
    from kb.fixtures_io import read_fixtures

    records = sum(len(r) for r in read_fixtures(fixtures).values())
    # Every record's row, many-to-many values and references come from a query per section; what
    # remains per record is validation that reads the database (overlapping terms versions, rules).
    with django_assert_max_num_queries(records):  # was five times as many
        out = load(fixtures)
    assert "Knowledge base already up to date." in out


def test_an_unchanged_load_leaves_the_search_index_and_the_engines_cache_alone(fixtures, settings, tmp_path, monkeypatch,
                                                                                django_capture_on_commit_callbacks):
    from kb.search.whoosh_backend import WhooshBackend
    from policies.models import PolicyRevision

    settings.SEARCH_BACKEND, settings.SEARCH_INDEX_DIR = "whoosh", tmp_path / "index"
    call_command("rebuild_index", stdout=io.StringIO(), stderr=io.StringIO())
    rebuilds = []
    original = WhooshBackend.rebuild
    monkeypatch.setattr(WhooshBackend, "rebuild", lambda self, *a, **kw: rebuilds.append(1) or original(self, *a, **kw))
    token = PolicyRevision.objects.values_list("token", flat=True).first()
    with django_capture_on_commit_callbacks(execute=True):
        load(fixtures)
    assert rebuilds == [] and PolicyRevision.objects.values_list("token", flat=True).first() == token

    kb.AIModel.objects.filter(slug="gpt-4o").update(name="renamed")  # the fixtures now differ from the rows
    with django_capture_on_commit_callbacks(execute=True):
        assert "models: 0 created, 1 updated" in load(fixtures)
    assert rebuilds == [1] and PolicyRevision.objects.values_list("token", flat=True).first() != token


def test_a_load_reports_its_progress_section_by_section(fixtures):
    err = io.StringIO()
    call_command("load_kb", fixtures=str(fixtures), stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert any(line.startswith("Loading models (") and line.endswith(" records)") for line in lines)
    first = [line.split(" (")[0] for line in lines if line.startswith("Loading ")]
    assert first.index("Loading organizations") < first.index("Loading models") < first.index("Loading lineage")


def test_norway_keeps_its_code_no():
    assert kb.Jurisdiction.objects.get(code="NO").name == "Norway"
    assert not kb.Jurisdiction.objects.filter(code="False").exists()
