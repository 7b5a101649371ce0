"""`manage.py test_policies`: every published rule's examples, per rule passed and covered both ways."""

import pytest
from django.core.management import CommandError, call_command

from policies.engine import snapshot as snapshots
from policies.models import Rule, RuleExample

pytestmark = pytest.mark.django_db


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("test_policies", *args, stdout=out)
    return out.getvalue()


def test_the_shipped_rules_pass_and_each_is_reported_with_its_coverage(kb_db):
    out = run()
    published = Rule.objects.filter(status=Rule.Status.PUBLISHED)
    examples = RuleExample.objects.filter(rule__in=published).count()
    assert f"{published.count()} rules, {examples} examples, 0 failed" in out
    assert "ok   competing-models: 3/3 examples passed, covered: fires+quiet" in out


def test_a_failing_example_fails_the_command_naming_the_rule_and_the_example(kb_db):
    rule = Rule.objects.get(slug="competing-models")
    RuleExample.objects.create(rule=rule, name="wrongly expected", expected="prohibit", workflow={
        "as_of": "2026-11-28", "student": {"name": "acme", "purpose": "commercial", "release": "internal",
                                           "competes_with_teachers": False}, "teachers": [{"model": "gpt-4o"}]})
    with pytest.raises(CommandError, match="1 example"):
        run("--rule", "competing-models")


def test_a_disabled_rule_still_has_its_examples_run_as_if_it_were_enabled(kb_db):
    rule = Rule.objects.get(slug="competing-models")
    rule.enabled = False
    rule.save()
    snapshot = snapshots.current()
    assert "competing-models" not in {r.slug for r in snapshot.rules}  # checks no longer use it ...
    out = run("--rule", "competing-models")
    # ... but its examples (one of which must fire) still run, against the rule switched on.
    assert "ok   competing-models (disabled; examples run as if enabled): 3/3 examples passed, covered: fires+quiet" in out
