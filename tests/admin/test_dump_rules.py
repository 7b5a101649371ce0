"""dump_kb exports the rules as the YAML fixtures/policies/ uses, so an admin edit can become a fixture."""

import io

import pytest
import yaml
from django.core.management import call_command

from policies.models import Rule

pytestmark = pytest.mark.django_db


def dump(tmp_path):
    call_command("dump_kb", str(tmp_path), "--section", "rules", stdout=io.StringIO())
    return yaml.safe_load((tmp_path / "rules.yaml").read_text())["rules"]


def shipped_rules(settings):
    records = []
    for path in sorted((settings.KB_FIXTURES_DIR / "policies").glob("*.yaml")):
        records += yaml.safe_load(path.read_text())["rules"]
    return {r["slug"]: r for r in records}


def test_the_dump_says_what_the_shipped_fixtures_say(tmp_path, settings):
    dumped = {r["slug"]: r for r in dump(tmp_path)}
    shipped = shipped_rules(settings)
    assert dumped.keys() == shipped.keys()
    for slug, record in shipped.items():
        # Same keys and values once parsed (a folded >- scalar is the same text); the dump sorts
        # provisions and examples, which the loader does not care about.
        assert normalized(dumped[slug]) == normalized(record), slug


def numbers_as_floats(value):
    """PostgreSQL's jsonb gives 3e23 back as the integer 300000000000000000000000: same number."""
    if isinstance(value, dict):
        return {k: numbers_as_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [numbers_as_floats(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def normalized(record):
    record = numbers_as_floats({k: v for k, v in record.items() if v != ""})  # `remedy: ""` written out or left out (the default)
    for key in ("provisions", "clauses"):
        if key in record:
            record[key] = sorted(record[key])
    if "examples" in record:  # an as_of written "2025-06-01" (quoted) or 2025-06-01 is the same date
        examples = [{**e, "as_of": str(e["as_of"])} if "as_of" in e else e for e in record["examples"]]
        record["examples"] = sorted(examples, key=lambda e: e["name"])
    return record


def test_dump_then_load_changes_nothing(tmp_path):
    call_command("dump_kb", str(tmp_path), stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_kb", fixtures=str(tmp_path), stdout=out, stderr=io.StringIO())
    assert "already up to date" in out.getvalue(), out.getvalue()


def test_a_draft_edit_is_dumped_as_a_draft_and_loads_back_as_one(tmp_path):
    rule = Rule.objects.get(slug="competing-models")
    rule.title, rule.status = "Edited in the admin", Rule.Status.DRAFT
    rule.save()
    record = next(r for r in dump(tmp_path) if r["slug"] == "competing-models")
    assert (record["title"], record["status"]) == ("Edited in the admin", "draft")
    assert "status" not in next(r for r in dump(tmp_path) if r["slug"] == "competing-models-unknown")
    Rule.objects.filter(pk=rule.pk).update(title="x", status=Rule.Status.PUBLISHED)
    call_command("load_kb", fixtures=str(tmp_path), stdout=io.StringIO(), stderr=io.StringIO())
    rule.refresh_from_db()
    assert (rule.title, rule.status) == ("Edited in the admin", Rule.Status.DRAFT)
