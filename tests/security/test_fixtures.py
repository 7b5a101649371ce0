"""load_kb refuses what the admin would refuse or what must never load, naming the file, the record
and the field, and writes nothing: files outside the fixtures directory, the same record twice,
impossible rule examples, and text that is not UTF-8."""

import io
import textwrap

import pytest
from django.core.management import CommandError, call_command

from kb import models as kb
from policies.models import Rule

pytestmark = pytest.mark.django_db

MODEL = """\
  - slug: {slug}
    name: {slug}
    organization: meta
    access: api
    source_url: https://example.org
    checked_on: 2026-11-28
"""


@pytest.fixture
def fixtures(tmp_path):
    root = tmp_path / "fixtures"
    (root / "kb").mkdir(parents=True)
    return root


def write(root, name, text, encoding="utf-8"):
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(textwrap.dedent(text).encode(encoding) if isinstance(text, str) else text)
    return path


def refused(root):
    with pytest.raises(CommandError) as error:
        call_command("load_kb", fixtures=str(root), stdout=io.StringIO(), stderr=io.StringIO())
    return str(error.value)


@pytest.mark.parametrize("notes_file", ["../../../../etc/hostname", "/etc/hostname", "../../outside.md"])
def test_a_notes_file_outside_the_fixtures_directory_is_refused(fixtures, notes_file):
    (fixtures.parent / "outside.md").write_text("a secret beside the fixtures")
    write(fixtures, "kb/models.yaml", "models:\n" + MODEL.format(slug="nosy-model") + f"    notes_file: {notes_file}\n")
    message = refused(fixtures)
    assert "kb/models.yaml: models[0] (nosy-model): field notes_file" in message and "outside the fixtures directory" in message
    assert not kb.AIModel.objects.filter(slug="nosy-model").exists()


def test_a_notes_file_inside_the_fixtures_directory_still_loads(fixtures):
    write(fixtures, "kb/notes/nosy.md", "Read from a file **beside** the YAML.")
    write(fixtures, "kb/models.yaml", "models:\n" + MODEL.format(slug="noted-model") + "    notes_file: notes/nosy.md\n")
    call_command("load_kb", fixtures=str(fixtures), stdout=io.StringIO(), stderr=io.StringIO())
    assert kb.AIModel.objects.get(slug="noted-model").notes == "Read from a file **beside** the YAML."


def test_a_notes_file_that_is_not_utf8_names_file_record_and_field(fixtures):
    write(fixtures, "kb/notes/latin1.md", "caf\xe9", encoding="latin-1")
    write(fixtures, "kb/models.yaml", "models:\n" + MODEL.format(slug="latin-model") + "    notes_file: notes/latin1.md\n")
    message = refused(fixtures)
    assert "models[0] (latin-model): field notes_file: notes/latin1.md is not UTF-8 text: byte 0xe9 at line 1" in message


def test_a_fixture_file_that_is_not_utf8_is_refused_naming_it(fixtures):
    write(fixtures, "kb/models.yaml", "models:\n" + MODEL.format(slug="caf\xe9-model"), encoding="latin-1")
    message = refused(fixtures)
    assert "kb/models.yaml" in message and "not UTF-8 text: byte 0xe9 at line 2" in message
    assert "Traceback" not in message


def test_the_same_record_in_two_files_is_refused_naming_both(fixtures):
    write(fixtures, "kb/a.yaml", "models:\n" + MODEL.format(slug="twice-model"))
    write(fixtures, "kb/b.yaml", "models:\n" + MODEL.format(slug="other-model") + MODEL.format(slug="twice-model"))
    message = refused(fixtures)
    assert "kb/b.yaml: models[1] (twice-model): duplicate of fixtures/kb/a.yaml: models[0] (twice-model) (the same slug)" in message
    assert not kb.AIModel.objects.filter(slug__in=["twice-model", "other-model"]).exists()


def test_the_same_nested_record_twice_is_refused(fixtures):
    write(fixtures, "kb/terms.yaml", """\
        terms:
          - spdx_id: LicenseRef-Twice
            name: Twice
            kind: open_source
            versions:
              - {version: "1", source_url: "https://example.org", checked_on: 2026-11-28}
              - {version: "1", source_url: "https://example.org", checked_on: 2026-11-28}
        """)
    assert "terms[0] (LicenseRef-Twice).versions[1] (1): duplicate" in refused(fixtures)


RULE = """\
rules:
  - slug: fixture-probe-rule
    title: t
    effect: {effect}
    scope: {{jurisdictions: [JP]}}
    message: m
    examples:
      - name: the example
        expected: {expected}
{extra}        workflow:
          as_of: "{as_of}"
          student: {{name: acme, purpose: commercial, release: internal}}
          deployment: {{jurisdictions: [JP]}}
"""


@pytest.mark.parametrize("effect, expected, as_of, extra, field, words", [
    ("review", "prohibit", "2026-11-28", "", "examples[0].expected", '"prohibit" cannot happen'),
    ("require", "permit", "2026-11-28", "", "examples[0].expected", "produces 'require', or nothing"),
    ("review", "review", "2026-02-30", "", "examples[0].workflow", '"2026-02-30" is not a valid date'),
    ("review", "review", "2026-11-28", '        as_of: "2026-13-01"\n', "examples[0].as_of", '"2026-13-01" is not a valid date'),
])  # fmt: skip
def test_rule_examples_the_admin_would_refuse_are_refused(fixtures, effect, expected, as_of, extra, field, words):
    write(fixtures, "policies/probe.yaml", RULE.format(effect=effect, expected=expected, as_of=as_of, extra=extra))
    message = refused(fixtures)
    assert f"policies/probe.yaml: rules[0] (fixture-probe-rule): field {field}" in message and words in message
    assert not Rule.objects.filter(slug="fixture-probe-rule").exists()


@pytest.mark.parametrize("effect, expected", [("review", "review"), ("review", "none"), ("prohibit", "review")])
def test_rule_examples_that_can_hold_load(fixtures, effect, expected):
    write(fixtures, "policies/probe.yaml", RULE.format(effect=effect, expected=expected, as_of="2026-11-28", extra=""))
    call_command("load_kb", fixtures=str(fixtures), stdout=io.StringIO(), stderr=io.StringIO())
    assert Rule.objects.get(slug="fixture-probe-rule").examples.get().expected == expected


def test_an_impossible_unquoted_date_is_refused_at_its_line_not_with_a_traceback(fixtures):
    write(fixtures, "policies/probe.yaml", RULE.format(effect="review", expected="review", as_of="2026-11-28", extra="        as_of: 2026-13-01\n"))
    message = refused(fixtures)
    assert "policies/probe.yaml" in message and '"2026-13-01" is not a valid date (month must be in 1..12)' in message and "line 10" in message
