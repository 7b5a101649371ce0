"""dump_kb writes what load_kb reads: an edit made in the admin can become a fixture again."""

import io

import pytest
import yaml
from django.core.management import CommandError, call_command

from kb import models as kb

pytestmark = pytest.mark.django_db


def test_a_dump_loads_back_without_changing_anything(kb_db, tmp_path):
    call_command("dump_kb", str(tmp_path), stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_kb", fixtures=str(tmp_path), stdout=out, stderr=io.StringIO())
    assert "already up to date" in out.getvalue(), out.getvalue()


def test_an_admin_edit_shows_up_in_the_dump(kb_db, tmp_path):
    model = kb.AIModel.objects.get(slug="gpt-4o")
    model.aliases = [*model.aliases, "gpt-4o-edited-in-admin"]
    model.save()
    call_command("dump_kb", str(tmp_path), "--section", "models", stdout=io.StringIO())
    records = yaml.safe_load((tmp_path / "models.yaml").read_text())["models"]
    gpt4o = next(r for r in records if r["slug"] == "gpt-4o")
    assert "gpt-4o-edited-in-admin" in gpt4o["aliases"]
    assert not (tmp_path / "terms.yaml").exists()


def test_unknown_terms_and_multiline_markdown_round_trip(kb_db, tmp_path):
    call_command("dump_kb", str(tmp_path), stdout=io.StringIO())
    text = (tmp_path / "terms.yaml").read_text()
    assert "summary: |" in text  # Markdown stays a readable block
    models = yaml.safe_load((tmp_path / "models.yaml").read_text())["models"]
    assert next(r for r in models if r["slug"] == "orca-2-13b")["weights_terms"] == "unknown"


def test_unknown_section_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="--section: unknown section nope"):
        call_command("dump_kb", str(tmp_path), "--section", "nope")
