"""load_kb never writes over an editor's pending draft: the rule is left as it is and reported as skipped."""

import io

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from policies.engine import snapshot as snapshots
from policies.engine.evaluate import evaluate_workflow
from policies.models import Rule
from policies.publishing import publish_rule

pytestmark = pytest.mark.django_db

COMPETING = {"as_of": "2026-11-28", "student": {"name": "acme-chat", "purpose": "commercial", "release": "api", "competes_with_teachers": True}, "teachers": [{"model": "gpt-4o"}]}


@pytest.fixture
def rules_fixture(tmp_path):
    """The rules as published now, written as a fixture (what a load from git would bring)."""
    call_command("dump_kb", str(tmp_path), "--section", "rules", stdout=io.StringIO())
    return tmp_path


def load(path):
    out = io.StringIO()
    call_command("load_kb", fixtures=str(path), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def save_draft(rule, user, reason="Alice's pending edit", **fields):
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.status, rule._history_user, rule._change_reason = Rule.Status.DRAFT, user, reason
    rule.save()
    return rule


def test_a_pending_draft_is_kept_and_reported_not_overwritten_or_published(rules_fixture):
    alice = get_user_model().objects.create_user("alice")
    rule = save_draft(Rule.objects.get(slug="competing-models"), alice, title="Alice's draft title")
    examples = list(rule.examples.values_list("name", "workflow", "expected"))
    records = rule.history.count()

    output = load(rules_fixture)

    stored = Rule.objects.get(pk=rule.pk)
    assert (stored.title, stored.status) == ("Alice's draft title", Rule.Status.DRAFT)
    assert list(stored.examples.values_list("name", "workflow", "expected")) == examples
    assert stored.history.count() == records  # nothing written, not even a history record
    when = timezone.localtime(stored.history.first().history_date).strftime("%Y-%m-%d %H:%M")
    assert "(competing-models): it has a pending draft saved by alice at " + when in output
    assert "the draft was kept" in output
    assert "rules: 0 created, 0 updated, " in output and ", 1 skipped" in output
    assert "except 1 skipped record(s) listed above" in output


def test_changing_only_a_drafts_examples_is_skipped_too(rules_fixture):
    alice = get_user_model().objects.create_user("alice")
    rule = save_draft(Rule.objects.get(slug="competing-models"), alice)
    path = next(rules_fixture.glob("*.yaml"))
    content = yaml.safe_load(path.read_text())
    record = next(r for r in content["rules"] if r["slug"] == "competing-models")
    record["examples"].append({"name": "from git", "workflow": COMPETING, "expected": "prohibit"})
    path.write_text(yaml.safe_dump(content))

    output = load(rules_fixture)

    assert "(competing-models): it has a pending draft saved by alice" in output
    assert not rule.examples.filter(name="from git").exists()


def test_a_fixture_that_says_what_the_draft_says_loads_as_unchanged(tmp_path):
    alice = get_user_model().objects.create_user("alice")
    save_draft(Rule.objects.get(slug="competing-models"), alice, title="Alice's draft title")
    call_command("dump_kb", str(tmp_path), "--section", "rules", stdout=io.StringIO())  # the draft, as a fixture
    output = load(tmp_path)
    assert "skipped" not in output and "already up to date" in output


def test_once_the_draft_is_published_the_fixture_loads_over_it(rules_fixture):
    alice = get_user_model().objects.create_superuser("alice", "a@example.org", "pw")
    rule = save_draft(Rule.objects.get(slug="competing-models"), alice, title="Alice's draft title")
    published_title = Rule.history.filter(id=rule.pk, status=Rule.Status.PUBLISHED).exclude(title="Alice's draft title").first().title
    publish_rule(rule, alice)
    output = load(rules_fixture)
    assert "skipped" not in output
    assert Rule.objects.get(pk=rule.pk).title == published_title


def test_checks_keep_using_the_published_version_while_the_draft_waits(rules_fixture):
    alice = get_user_model().objects.create_user("alice")
    save_draft(Rule.objects.get(slug="competing-models"), alice, condition="student.competes_with_teachers == false")
    load(rules_fixture)
    snapshots.clear_cache()
    assert "competing-models" in {f.rule for f in evaluate_workflow(COMPETING).findings}  # the published condition
    assert Rule.objects.get(slug="competing-models").condition == "student.competes_with_teachers == false"


def _cite_a_clause(path, slug):
    """Edit the rules fixture under `path`: rule `slug` also cites one clause. Returns the clause."""
    from kb.models import LicenseClause
    from policies.fixtures import clause_reference

    clause = LicenseClause.objects.select_related("version__document").order_by("pk").first()
    fixture = next(path.glob("*.yaml"))
    content = yaml.safe_load(fixture.read_text())
    next(r for r in content["rules"] if r["slug"] == slug)["clauses"] = [clause_reference(clause)]
    fixture.write_text(yaml.safe_dump(content))
    return clause


def test_a_change_of_citations_alone_counts_as_an_updated_rule(rules_fixture):
    clause = _cite_a_clause(rules_fixture, "competing-models")
    output = load(rules_fixture)
    assert "rules: 0 created, 1 updated, " in output and "Knowledge base loaded." in output
    assert list(Rule.objects.get(slug="competing-models").clauses.all()) == [clause]


def test_a_change_of_citations_alone_is_skipped_over_a_draft(rules_fixture):
    alice = get_user_model().objects.create_user("alice")
    rule = save_draft(Rule.objects.get(slug="competing-models"), alice)
    _cite_a_clause(rules_fixture, "competing-models")
    output = load(rules_fixture)
    assert "(competing-models): it has a pending draft saved by alice" in output
    assert not rule.clauses.exists()
