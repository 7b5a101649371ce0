"""Running rule examples (used by `manage.py test_policies` and the test suite)."""

from dataclasses import dataclass, field

from policies.engine.evaluate import evaluate_workflow
from policies.engine.workflow import WorkflowError
from policies.impact import draft_snapshot
from policies.models import Rule


@dataclass
class RuleReport:
    slug: str
    disabled: bool = False  # its examples ran as if it were enabled
    passed: int = 0
    failed: list = field(default_factory=list)  # (example name, what happened)
    fires: bool = False
    quiet: bool = False


@dataclass
class Report:
    rules: list

    @property
    def failures(self):
        return [(r.slug, name, why) for r in self.rules for name, why in r.failed]

    @property
    def uncovered(self):
        return [r.slug for r in self.rules if not (r.fires and r.quiet)]

    def lines(self):
        for r in self.rules:
            total = r.passed + len(r.failed)
            both = "fires+quiet" if r.fires and r.quiet else ("fires only" if r.fires else ("quiet only" if r.quiet else "no examples"))
            mark = "ok  " if not r.failed else "FAIL"
            note = " (disabled; examples run as if enabled)" if r.disabled else ""
            yield f"{mark} {r.slug}{note}: {r.passed}/{total} examples passed, covered: {both}"
            for name, why in r.failed:
                yield f"       - {name}: {why}"

    def summary(self):
        examples = sum(r.passed + len(r.failed) for r in self.rules)
        return f"{len(self.rules)} rules, {examples} examples, {len(self.failures)} failed, {len(self.uncovered)} not covered both ways."


def run_examples(snapshot, slugs=None):
    # Drafts are not in the snapshot; their examples run in the admin against a candidate snapshot.
    # A disabled rule's examples run too, against the snapshot with the rule switched on (as the
    # admin runs them on save): they say what the rule does once someone enables it.
    rules = Rule.objects.filter(status=Rule.Status.PUBLISHED).prefetch_related("examples").order_by("slug")
    if slugs:
        rules = rules.filter(slug__in=slugs)
    reports = []
    for rule in rules:
        report = RuleReport(rule.slug, disabled=not rule.enabled)
        against = snapshot if rule.enabled else draft_snapshot(rule, base=snapshot)
        for example in rule.examples.all():
            problem = example_problem(rule.slug, example.workflow, example.as_of, example.expected, against)
            if problem is None:
                report.passed += 1
                if example.expected == "none":
                    report.quiet = True
                else:
                    report.fires = True
            else:
                report.failed.append((example.name, problem))
        reports.append(report)
    return Report(reports)


def example_problem(slug, workflow, as_of, expected, snapshot):
    """What is wrong with one example of rule `slug` against `snapshot`, or None when it passes.

    Pure (no ORM): the admin runs it on a rule and examples that are not saved yet.
    """
    try:
        decision = evaluate_workflow(workflow, as_of=as_of, snapshot=snapshot)
    except WorkflowError as exc:
        return f"invalid workflow: {exc}"
    # By route, before grouping: a rule that prohibits through one route and asks for review through
    # another produced both, though the decision shows them as one finding.
    produced = sorted({f.effect for f in decision.ungrouped if f.rule == slug})
    ok = produced == [] if expected == "none" else expected in produced
    return None if ok else f"expected {expected}, produced {', '.join(produced) or 'nothing'}"
