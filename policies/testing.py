"""Running rule examples (used by `manage.py test_policies` and the test suite)."""

from dataclasses import dataclass, field

from policies.engine.evaluate import evaluate_workflow
from policies.engine.workflow import WorkflowError
from policies.models import Rule


@dataclass
class RuleReport:
    slug: str
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
            yield f"{mark} {r.slug}: {r.passed}/{total} examples passed, covered: {both}"
            for name, why in r.failed:
                yield f"       - {name}: {why}"

    def summary(self):
        examples = sum(r.passed + len(r.failed) for r in self.rules)
        return f"{len(self.rules)} rules, {examples} examples, {len(self.failures)} failed, {len(self.uncovered)} not covered both ways."


def run_examples(snapshot, slugs=None):
    rules = Rule.objects.filter(enabled=True).prefetch_related("examples").order_by("slug")
    if slugs:
        rules = rules.filter(slug__in=slugs)
    reports = []
    for rule in rules:
        report = RuleReport(rule.slug)
        for example in rule.examples.all():
            try:
                decision = evaluate_workflow(example.workflow, as_of=example.as_of, snapshot=snapshot)
            except WorkflowError as exc:
                report.failed.append((example.name, f"invalid workflow: {exc}"))
                continue
            produced = sorted({f.effect for f in decision.findings if f.rule == rule.slug})
            expected = example.expected
            ok = produced == [] if expected == "none" else expected in produced
            if ok:
                report.passed += 1
                if expected == "none":
                    report.quiet = True
                else:
                    report.fires = True
            else:
                report.failed.append((example.name, f"expected {expected}, produced {', '.join(produced) or 'nothing'}"))
        reports.append(report)
    return Report(reports)
