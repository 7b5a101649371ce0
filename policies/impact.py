"""What a draft rule would do: a snapshot that includes it, and the stored decisions it would change.

The candidate snapshot is the current (published) snapshot with the draft compiled into it
(snapshot.with_rule); the loop over decisions is pure, so it runs against plain inputs.
"""

import uuid
from dataclasses import dataclass, replace
from datetime import timedelta

from django.utils import timezone

from policies.engine import snapshot as snapshots
from policies.engine.evaluate import evaluate_workflow
from policies.engine.workflow import WorkflowError

RULE_FIELDS = ("slug", "title", "effect", "scope", "condition", "message", "remedy", "effective_from", "effective_to")
WINDOW_DAYS = 90


def candidate_snapshot(rule, clauses, provisions, base=None):
    """`base` (default: the current snapshot) with `rule` (a Rule, saved or not) compiled in.

    clauses, provisions: what the rule cites (iterables of LicenseClause / Provision, possibly from
    an unsaved form). Raises snapshot.RuleError when the rule does not compile.
    """
    base = base or snapshots.current()
    row = {name: getattr(rule, name) for name in RULE_FIELDS}
    clause_keys = [(c.version.document.spdx_id, c.version.version, c.key) for c in clauses]
    compiled = snapshots.compile_candidate(base, row, clause_keys, [p.ref for p in provisions])
    return snapshots.with_rule(base, compiled)


def draft_snapshot(rule, base=None):
    """The candidate snapshot for a rule as saved (e.g. a draft)."""
    clauses = rule.clauses.select_related("version__document")
    return candidate_snapshot(rule, clauses, rule.provisions.all(), base=base)


@dataclass(frozen=True)
class StoredDecision:
    """What impact analysis needs from a logged check (policies.models.Check)."""

    id: str
    created_at: object
    input: dict
    as_of: object
    verdict: str  # as stored
    policy_version: str = ""
    findings: tuple = ()  # as stored (the contract's JSON)


@dataclass(frozen=True)
class Change:
    check: StoredDecision
    before: str  # verdict with the published rules
    after: str  # verdict with the draft included
    added: tuple  # findings (contract JSON) of the draft's slug that appear
    removed: tuple  # findings (contract JSON) of the draft's slug that disappear


def _before(decision, rule_slug, before):
    """(verdict, findings of rule_slug) with the published rules. A stored decision made with this very
    snapshot (same policy_version) is reproducible by construction, so it is read, not re-run."""
    if decision.policy_version == before.policy_version:
        return decision.verdict, [f for f in decision.findings if f["rule"] == rule_slug]
    old = evaluate_workflow(decision.input, as_of=decision.as_of, snapshot=before)
    return old.verdict, [f.to_json() for f in old.findings if f.rule == rule_slug]


def changed_verdicts(decisions, rule_slug, before, after):
    """Re-run each stored decision against `before` and `after` snapshots; the ones whose verdict differs. Pure."""
    changes, invalid = [], 0
    for decision in decisions:
        try:
            old_verdict, old_rule = _before(decision, rule_slug, before)
            new = evaluate_workflow(decision.input, as_of=decision.as_of, snapshot=after)
        except WorkflowError:
            invalid += 1  # a stored input the current engine no longer accepts: not the draft's doing
            continue
        if old_verdict != new.verdict:
            new_rule = [f.to_json() for f in new.findings if f.rule == rule_slug]
            changes.append(
                Change(
                    check=decision,
                    before=old_verdict,
                    after=new.verdict,
                    added=tuple(f for f in new_rule if f not in old_rule),
                    removed=tuple(f for f in old_rule if f not in new_rule),
                )
            )
    return changes, invalid


def recent_decisions(days=WINDOW_DAYS, now=None):
    """The logged checks of the last `days` days, newest first, without their stored findings
    (decoding 10,000 decisions' JSON costs more than re-running them; see with_findings)."""
    from policies.models import Check

    since = (now or timezone.now()) - timedelta(days=days)
    rows = Check.objects.filter(created_at__gte=since).order_by("-created_at").values_list(
        "id", "created_at", "input", "as_of", "verdict", "policy_version"
    )
    return [StoredDecision(str(pk), *rest) for pk, *rest in rows.iterator(chunk_size=2000)]


def with_findings(decisions):
    """The same decisions with their stored findings read from the log (one query)."""
    from policies.models import Check

    stored = dict(Check.objects.filter(pk__in=[d.id for d in decisions]).values_list("id", "decision"))
    return [replace(d, findings=tuple((stored.get(uuid.UUID(d.id)) or {}).get("findings") or ())) for d in decisions]


@dataclass
class ImpactReport:
    rule: str
    checked: int
    invalid: int
    changes: list


def preview_impact(rule, days=WINDOW_DAYS, now=None):
    """Every check of the last `days` days whose verdict would change if `rule` (a draft) were published."""
    base = snapshots.current()
    after = draft_snapshot(rule, base=base)
    decisions = recent_decisions(days, now)
    changes, invalid = changed_verdicts(decisions, rule.slug, base, after)
    # The verdicts came from the log; for the few that change, read the stored findings too, so the
    # report can say which of the rule's findings disappear.
    changes, _ = changed_verdicts(with_findings([c.check for c in changes]), rule.slug, base, after)
    return ImpactReport(rule=rule.slug, checked=len(decisions), invalid=invalid, changes=changes)
