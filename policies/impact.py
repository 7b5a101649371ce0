"""What a draft rule would do: a snapshot that includes it, and the stored decisions it would change.

The candidate snapshot is the current (published) snapshot with the draft compiled into it
(compiled.with_rule); the loop over decisions is pure, so it runs against plain inputs.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from policies.engine import compiled as compiler
from policies.engine import snapshot as snapshots
from policies.engine.decision import VERDICT_RANK, verdict_of, worst_verdict
from policies.engine.evaluate import evaluate_parsed
from policies.engine.lineage_view import EMPTY_VIEW
from policies.engine.loader import load_lineage_view
from policies.engine.workflow import WorkflowError, parse_workflow

RULE_FIELDS = ("slug", "title", "effect", "scope", "condition", "message", "remedy", "effective_from", "effective_to")
WINDOW_DAYS = 90


def candidate_snapshot(rule, clauses, provisions, base=None):
    """`base` (default: the current snapshot) with `rule` (a Rule, saved or not) compiled in.

    clauses, provisions: what the rule cites (iterables of LicenseClause / Provision, possibly from
    an unsaved form). Raises compiled.RuleError when the rule does not compile.
    """
    base = base or snapshots.current()
    row = {name: getattr(rule, name) for name in RULE_FIELDS}
    clause_keys = [(c.version.document.spdx_id, c.version.version, c.key) for c in clauses]
    rule = compiler.compile_candidate(base, row, clause_keys, [p.ref for p in provisions])
    return compiler.with_rule(base, rule)


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


@dataclass(frozen=True)
class Change:
    check: StoredDecision
    before: str  # verdict with the published rules
    after: str  # verdict with the draft included
    added: tuple  # findings (contract JSON) of the draft's slug that appear
    removed: tuple  # findings (contract JSON) of the draft's slug that disappear


def _before(decision, workflow, rule_slug, before, published, view):
    """(verdict with the published rules, their findings of rule_slug, verdict of every other rule's findings)."""
    if decision.policy_version == before.policy_version:
        # Made with this very snapshot, so reproducible by construction: the verdict is read, not re-run.
        own = evaluate_parsed(workflow, before, {rule_slug}, view=view).findings if published else []
        own_verdict = verdict_of(own)
        # The stored verdict is the worst of the other rules' and this rule's findings. When this rule's
        # are milder (or absent), the other rules' verdict is the stored one; when they tie, the other
        # rules may be milder still, and only a full run can tell.
        if own_verdict == "allowed" or VERDICT_RANK[own_verdict] > VERDICT_RANK[decision.verdict]:
            return decision.verdict, own, decision.verdict
    old = evaluate_parsed(workflow, before, view=view)
    own = [f for f in old.findings if f.rule == rule_slug]
    return old.verdict, own, verdict_of([f for f in old.findings if f.rule != rule_slug])


def changed_verdicts(decisions, rule_slug, before, after, view_of=None):
    """The stored decisions whose verdict differs between the `before` and `after` snapshots. Pure.

    `after` is `before` with one rule (rule_slug) added or replaced (compiled.with_rule), so only that
    rule is evaluated in it: every other rule is the same object in both snapshots, and rules never
    see each other's findings (evaluate_parsed's `only`). The verdict with the draft is therefore the
    worse of the other rules' verdict and the draft's own findings, exactly what a full evaluation of
    `after` gives (tests/admin/test_impact_fast_path.py checks it against full evaluations).
    `view_of(workflow)`: the lineage view of a parsed workflow (registry models it names), as the
    check itself had it; by default none (curated models only), which keeps this function pure.
    """
    only = {rule_slug}
    published = any(rule.slug == rule_slug for rule in before.rules)
    changes, invalid = [], 0
    for decision in decisions:
        try:
            workflow = parse_workflow(decision.input, after.licensing, as_of=decision.as_of)
        except WorkflowError:
            invalid += 1  # a stored input the current engine no longer accepts: not the draft's doing
            continue
        view = view_of(workflow) if view_of else EMPTY_VIEW
        old_verdict, old_rule, others = _before(decision, workflow, rule_slug, before, published, view)
        new_rule = evaluate_parsed(workflow, after, only, view=view).findings
        new_verdict = worst_verdict(others, verdict_of(new_rule))
        if old_verdict != new_verdict:
            old_json, new_json = [f.to_json() for f in old_rule], [f.to_json() for f in new_rule]
            changes.append(
                Change(
                    check=decision,
                    before=old_verdict,
                    after=new_verdict,
                    added=tuple(f for f in new_json if f not in old_json),
                    removed=tuple(f for f in old_json if f not in new_json),
                )
            )
    return changes, invalid


def recent_decisions(days=WINDOW_DAYS, now=None):
    """The logged checks of the last `days` days, newest first, without their stored findings (decoding
    10,000 decisions' JSON costs more than re-running the one rule that matters; see changed_verdicts)."""
    from policies.models import Check

    since = (now or timezone.now()) - timedelta(days=days)
    rows = Check.objects.filter(created_at__gte=since).order_by("-created_at").values_list(
        "id", "created_at", "input", "as_of", "verdict", "policy_version"
    )
    return [StoredDecision(str(pk), *rest) for pk, *rest in rows.iterator(chunk_size=2000)]


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
    # Registry models a logged check named are read again, as the check read them.
    changes, invalid = changed_verdicts(decisions, rule.slug, base, after, view_of=lambda workflow: load_lineage_view(workflow=workflow, policy=base))
    return ImpactReport(rule=rule.slug, checked=len(decisions), invalid=invalid, changes=changes)


# --------------------------------------------------------------------------- a whole candidate policy
# A knowledge-base change (kbreview) can change what any rule sees, so its candidate is a whole
# compiled policy and every check is decided again in full, not one rule.


def changed_verdicts_between(decisions, before, after, view_of=None):
    """The stored decisions whose verdict differs between two compiled policies. Pure.

    `view_of(workflow, policy)`: the lineage view of a parsed workflow under a policy (registry models
    it names); by default none. A decision made with `before` itself whose verdict `after` keeps is
    settled by its stored verdict, without deciding it again under `before`.
    """
    changes, invalid = [], 0
    for decision in decisions:
        try:
            workflow = parse_workflow(decision.input, after.licensing, as_of=decision.as_of)
        except WorkflowError:
            invalid += 1  # a stored input the candidate no longer accepts
            continue
        new = evaluate_parsed(workflow, after, view=view_of(workflow, after) if view_of else EMPTY_VIEW)
        if decision.policy_version == before.policy_version and decision.verdict == new.verdict:
            continue
        try:
            old_workflow = parse_workflow(decision.input, before.licensing, as_of=decision.as_of)
        except WorkflowError:
            invalid += 1
            continue
        old = evaluate_parsed(old_workflow, before, view=view_of(old_workflow, before) if view_of else EMPTY_VIEW)
        if old.verdict != new.verdict:
            old_json, new_json = [f.to_json() for f in old.findings], [f.to_json() for f in new.findings]
            changes.append(
                Change(
                    check=decision,
                    before=old.verdict,
                    after=new.verdict,
                    added=tuple(f for f in new_json if f not in old_json),
                    removed=tuple(f for f in old_json if f not in new_json),
                )
            )
    return changes, invalid


def preview_candidate_impact(after, *, label, base=None, days=WINDOW_DAYS, now=None):
    """Every check of the last `days` days whose verdict would change if `after` (a compiled candidate
    policy) replaced `base` (default: the current snapshot). `label` names the candidate in the report."""
    base = base or snapshots.current()
    decisions = recent_decisions(days, now)
    changes, invalid = changed_verdicts_between(
        decisions, base, after, view_of=lambda workflow, policy: load_lineage_view(workflow=workflow, policy=policy)
    )
    return ImpactReport(rule=label, checked=len(decisions), invalid=invalid, changes=changes)
