"""The `rules` section of the YAML fixtures (registered with kb.fixtures_io by PoliciesConfig).

    rules:
      - slug: openai-output-competing-models
        title: …
        effect: prohibit
        scope: {clause_types: [competing_models], relations: [distillation, generated_by]}
        condition: student.competes_with_teachers == true
        message: "{document.name} forbids …"
        remedy: …
        provisions: [EU-AIA-53-1-c]                      # provision refs
        clauses: ["LicenseRef-Llama-3-Community@2024-04-18#outputs-improve-other-llms"]
        examples:
          - {name: …, expected: prohibit, as_of: 2026-11-28, workflow: {…}}
"""

from django.db import transaction
from django.utils import timezone

from kb import fixtures_io
from kb.models import LicenseClause, Provision, TermsDocument
from policies.engine.evaluate import possible_effects
from policies.engine.workflow import WorkflowError, build_licensing, parse_workflow
from policies.models import Rule, RuleExample

EXAMPLE = fixtures_io.Spec(RuleExample, key=("rule", "name"), fields=("name", "workflow", "as_of", "expected"), kind="rule examples")
RULE = fixtures_io.Spec(
    Rule,
    key=("slug",),
    fields=(
        "slug", "title", "description", "effect", "scope", "condition", "message", "remedy", "effective_from", "effective_to", "enabled",
        "status",  # left out of a dump when published (the default), as in the shipped fixtures
    ),
    m2m={"provisions": (Provision, "ref")},
    children={"examples": (EXAMPLE, "rule")},
    kind="rules",
)


def _clause(record, reference):
    """"SPDX-id@version#key" -> LicenseClause."""
    try:
        spdx_id, rest = reference.split("@", 1)
        version, key = rest.split("#", 1)
    except (AttributeError, ValueError):
        raise record.error("clauses", f'"{reference}" is not of the form SPDX-id@version#key') from None
    clause = LicenseClause.objects.filter(version__document__spdx_id=spdx_id, version__version=version, key=key).first()
    if clause is None:
        raise record.error("clauses", f'no clause "{key}" in {spdx_id} version {version}')
    return clause


def _same_json(a, b):
    """Equal as JSON values, numbers compared as numbers: PostgreSQL's jsonb gives 3e+23 back as the
    integer 300000000000000000000000, which is the same number but not the same Python value."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_json(x, y) for x, y in zip(a, b, strict=True))
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) and not isinstance(b, bool):
        return float(a) == float(b)
    return type(a) is type(b) and a == b


def _keep_stored_workflows(slug, examples):
    """Reuse the stored workflow of an example whose YAML says the same, so a reload changes nothing."""
    if not isinstance(examples, list):
        return examples
    stored = {e.name: e.workflow for e in RuleExample.objects.filter(rule__slug=slug)}
    kept = []
    for example in examples:
        if isinstance(example, dict) and example.get("name") in stored and _same_json(stored[example["name"]], example.get("workflow")):
            example = {**example, "workflow": stored[example["name"]]}
        kept.append(example)
    return kept


def clause_reference(clause):
    """LicenseClause -> "SPDX-id@version#key" (what _clause reads)."""
    return f"{clause.version.document.spdx_id}@{clause.version.version}#{clause.key}"


def dump_rules():
    """The rules as fixtures/policies/*.yaml writes them (for dump_kb): load_rules reads this back unchanged."""
    records = []
    rules = Rule.objects.order_by("slug").prefetch_related("provisions", "examples", "clauses__version__document")
    for rule in rules:
        record = fixtures_io.dump_record(rule, RULE)
        examples = record.pop("examples", None)
        clauses = sorted(clause_reference(c) for c in rule.clauses.all())
        if clauses:
            record["clauses"] = clauses
        if examples:
            record["examples"] = examples
        records.append(record)
    return records


class _WouldOverwriteDraft(Exception):
    """Raised inside a savepoint to undo a trial load over a pending draft."""


def _check_examples(record, data, cache):
    """Refuse examples the admin would refuse: an expectation the rule can never meet (a rule only
    produces its own effect) and a workflow or date the engine rejects, naming the example's field."""
    examples = data.get("examples", []) if isinstance(data, dict) else []
    if not isinstance(examples, list):
        return  # upsert names it
    if "licensing" not in cache:
        cache["licensing"] = build_licensing(TermsDocument.objects.values_list("spdx_id", flat=True))
    effect = data.get("effect")
    possible = ("none", *possible_effects(effect))
    for i, example in enumerate(examples):
        if not isinstance(example, dict):
            continue  # upsert names it
        expected = example.get("expected")
        if effect is not None and expected is not None and expected not in possible:
            raise record.error(f"examples[{i}].expected", f'"{expected}" cannot happen: a rule whose effect is "{effect}" produces '
                                                          f'{" or ".join(repr(p) for p in possible[1:])}, or nothing ("none")')
        try:
            parse_workflow(example.get("workflow"), cache["licensing"], as_of=example.get("as_of"))
        except WorkflowError as exc:
            if exc.path == "as_of" and example.get("as_of") is not None:
                raise record.error(f"examples[{i}].as_of", exc.message) from None
            raise record.error(f"examples[{i}].workflow", str(exc)) from None


def _load_rule(record, data, cache):
    """Upsert one rule record with its examples and clauses: (its Stats, whether anything was written)."""
    stats = fixtures_io.Stats()
    _check_examples(record, data, cache)
    if isinstance(data, dict) and "examples" in data:
        data["examples"] = _keep_stored_workflows(data.get("slug"), data["examples"])
    references = data.pop("clauses", []) if isinstance(data, dict) else []
    if not isinstance(references, list):
        raise record.error("clauses", "must be a list")
    rule = fixtures_io.upsert(record, data, RULE, stats, cache)
    wanted = [_clause(record, reference) for reference in references]
    clauses_changed = set(rule.clauses.values_list("pk", flat=True)) != {c.pk for c in wanted}
    if clauses_changed:
        rule.clauses.set(wanted)
        if stats.unchanged.get(RULE.kind):  # only its citations changed: still an updated rule
            stats.unchanged[RULE.kind] -= 1
            stats.count(RULE.kind, "updated")
    return stats, stats.changed


def _draft_note(rule):
    """Who saved a pending draft and when, for load_kb's report."""
    record = rule.history.order_by("-history_id").first()
    who = record.history_user.get_username() if record and record.history_user else "an unknown user"
    when = timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M %Z") if record else "an unknown time"
    return (
        f"it has a pending draft saved by {who} at {when}, which the fixture would overwrite; the draft was kept. "
        "Publish it (or restore its published version and publish that), then run load_kb again."
    )


def load_rules(records, stats, cache, progress):
    # A fixture never writes over an editor's pending draft (not even to publish it): the record is
    # loaded in a savepoint and, if it would change the draft in any way, undone and reported.
    drafts = {rule.slug: rule for rule in Rule.objects.filter(status=Rule.Status.DRAFT)}
    for record in records:
        data = dict(record.data) if isinstance(record.data, dict) else record.data
        draft = drafts.get(data.get("slug")) if isinstance(data, dict) else None
        if draft is None:
            stats.merge(_load_rule(record, data, cache)[0])
        else:
            try:
                with transaction.atomic():
                    trial, written = _load_rule(record, data, cache)
                    if written:
                        raise _WouldOverwriteDraft
            except _WouldOverwriteDraft:
                stats.skip(RULE.kind, record.label, _draft_note(draft))
            else:
                stats.merge(trial)  # the fixture says what the draft says: nothing to do
        progress()


def prune_rules(records, stats, today):
    """Rules the fixtures no longer contain are retired the way Rule.kept_reason asks (enabled unticked; a
    rule is never deleted), and examples dropped from a rule's record are deleted. A rule with a pending
    draft, or one a person created in the admin, is left as it is and reported (kb.fixtures_prune)."""
    from kb.fixtures_prune import created_in_admin

    listed = {str(r.data.get("slug")): r.data for r in records if isinstance(r.data, dict)}
    for rule in Rule.objects.order_by("slug"):
        data = listed.get(rule.slug)
        if rule.status == Rule.Status.DRAFT:
            if data is None:
                stats.keep(RULE.kind, rule.slug, "it has a pending draft; publish or discard it first")
            continue
        if data is None:
            user = created_in_admin(rule)
            if user is not None:
                stats.keep(RULE.kind, rule.slug, f"{user.get_username()} created it in the admin; run dump_kb to make it a fixture")
            elif rule.enabled:
                rule.enabled = False
                rule.save(update_fields=["enabled"])
                stats.end(RULE.kind, rule.slug, "disabled, as a retired rule is; decisions that cited it keep its history")
            continue
        examples = data.get("examples") if isinstance(data.get("examples"), list) else []
        names = {e.get("name") for e in examples if isinstance(e, dict)}
        for example in rule.examples.exclude(name__in=names).order_by("name"):
            stats.remove(EXAMPLE.kind, f"{rule.slug}: {example.name}")
            example.delete()
