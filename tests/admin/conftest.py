import json

import pytest
from django.contrib.auth import get_user_model

from policies.models import Rule
from policies.publishing import current_revision


@pytest.fixture
def editor_client(client, db):
    """Logged in as a policy editor: may view and change rules, may not publish them."""
    from django.contrib.auth.models import Permission

    editor = get_user_model().objects.create_user("ed", password="pw-for-tests-only", is_staff=True)
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["view_rule", "change_rule"]))
    client.force_login(editor)
    return client


@pytest.fixture
def staff_client(client, db):
    user = get_user_model().objects.create_superuser("admin", "admin@example.org", "pw-for-tests-only")
    client.force_login(user)
    client.user = user
    return client


def rule_form(rule=None, examples=(), **fields):
    """The POST data of the rule change form: the rule's current values, `fields` overriding them."""
    values = {
        "slug": "new-rule", "title": "A new rule", "description": "", "effect": "review", "scope": {}, "condition": "",
        "message": "look", "remedy": "", "effective_from": "", "effective_to": "", "enabled": "on", "change_reason": "testing",
    }
    stored = []
    if rule is not None:
        values.update({name: getattr(rule, name) or "" for name in ("slug", "title", "description", "effect", "scope", "condition", "message", "remedy")})
        values["clauses"] = [c.pk for c in rule.clauses.all()]
        values["provisions"] = [p.pk for p in rule.provisions.all()]
        stored = list(rule.examples.all())
        values["based_on_revision"] = current_revision(rule.pk)  # the form as opened now (see opened_form)
    values.update(fields)
    values["scope"] = json.dumps(values["scope"]) if isinstance(values["scope"], dict) else values["scope"]
    data = {k: v for k, v in values.items() if v is not None}
    rows = [
        {"id": e.pk, "rule": rule.pk, "name": e.name, "workflow": json.dumps(e.workflow), "as_of": e.as_of or "", "expected": e.expected}
        for e in stored
    ] + [{"name": e["name"], "workflow": json.dumps(e["workflow"]), "as_of": "", "expected": e["expected"]} for e in examples]
    data.update({"examples-TOTAL_FORMS": len(rows), "examples-INITIAL_FORMS": len(stored), "examples-MIN_NUM_FORMS": 0, "examples-MAX_NUM_FORMS": 1000})
    for i, row in enumerate(rows):
        data.update({f"examples-{i}-{k}": v for k, v in row.items()})
    return data


@pytest.fixture
def shipped_rule(db):
    return Rule.objects.get(slug="competing-models")
