"""Findings and the decision, in exactly the contract's shape (docs/check-contract.md)."""

from dataclasses import dataclass, field, replace

# Worst first: forbid wins (as in Cedar), then "a person must look", then obligations.
EFFECTS = ("prohibit", "review", "require", "permit")
VERDICT_OF = {"prohibit": "prohibited", "review": "review", "require": "conditional", "permit": "allowed"}
SEVERITY = {effect: rank for rank, effect in enumerate(EFFECTS)}


@dataclass(frozen=True)
class Citation:
    document: str
    section: str
    url: str
    quote: str = ""
    effective_from: str | None = None
    ref: str | None = None  # the SPDX id or provision ref, for machines
    verification: str | None = None
    page: str | None = None  # Provenant's own page of the clause or provision (a path: /terms/…#clause-…, /provisions/…)
    basis: str | None = None  # why this version of the terms was read (a generated dataset's date), when not simply as_of

    def to_json(self):
        data = {"document": self.document, "section": self.section, "url": self.url, "quote": self.quote, "effective_from": self.effective_from}
        if self.ref:
            data["ref"] = self.ref
        if self.verification:
            data["verification"] = self.verification
        if self.page:
            data["page"] = self.page
        if self.basis:
            data["basis"] = self.basis
        return data


@dataclass(frozen=True)
class Finding:
    rule: str
    effect: str
    subject: str
    path: tuple
    binding: str
    message: str
    remedy: str
    citations: tuple
    # None when the finding rests on lineage the knowledge base documents; "declared" (an uploader's
    # model card or an outside record) or "inferred" (a name) when its path goes through such a step.
    evidence: str | None = None
    # What the finding is about beyond the rule: the publisher (or terms document) and the asset whose
    # terms produced it. The same rule on the same point through several documents or routes is one
    # finding (group_findings); None groups by subject and path only.
    point: tuple | None = field(default=None, compare=False)
    # The other routes and subjects by which the same point was reached (grouped), besides `path` and `subject`.
    other_paths: tuple = ()
    other_subjects: tuple = ()

    @property
    def paths(self):
        """Every route to the point, the main one (`path`) first."""
        return (self.path, *self.other_paths)

    @property
    def subjects(self):
        return (self.subject, *self.other_subjects)

    def to_json(self):
        data = {
            "rule": self.rule,
            "effect": self.effect,
            "subject": self.subject,
            "path": list(self.path),
            "paths": [list(p) for p in self.paths],
            "subjects": list(self.subjects),
            "binding": self.binding,
            "message": self.message,
            "remedy": self.remedy,
            "citations": [c.to_json() for c in self.citations],
        }
        if self.evidence:
            data["evidence"] = self.evidence
        return data


def group_findings(findings):
    """One finding per point: findings of the same rule on the same point (Finding.point) become the
    first of them (the worst, when `findings` is sorted worst first) with every citation, path and
    subject of the others, in order and without repeats. The worst effect is kept, so the verdict of
    the grouped findings is the verdict of the findings."""
    groups = {}
    for finding in findings:
        key = (finding.rule, finding.point if finding.point is not None else (finding.subject, finding.path))
        groups.setdefault(key, []).append(finding)
    grouped = []
    for members in groups.values():
        main = members[0]
        if len(members) == 1:
            grouped.append(main)
            continue
        grouped.append(
            replace(
                main,
                citations=tuple(dict.fromkeys(c for f in members for c in f.citations)),
                other_paths=tuple(p for p in dict.fromkeys(f.path for f in members) if p != main.path),
                other_subjects=tuple(s for s in dict.fromkeys(f.subject for f in members) if s != main.subject),
            )
        )
    return grouped


VERDICTS = tuple(VERDICT_OF[effect] for effect in EFFECTS)  # worst first
VERDICT_RANK = {verdict: rank for rank, verdict in enumerate(VERDICTS)}


def worst_verdict(*verdicts):
    """The worst of some verdicts: the verdict of the union of the findings each was made from."""
    return min(verdicts, key=VERDICT_RANK.__getitem__)


def verdict_of(findings):
    """The worst effect over all findings; no findings (or only permits) is "allowed"."""
    if not findings:
        return "allowed"
    return VERDICT_OF[min((f.effect for f in findings), key=SEVERITY.__getitem__)]


@dataclass
class Decision:
    as_of: str
    findings: list
    unresolved: list
    policy_version: str
    check_id: str | None = None
    # What the decision assumes without a person having checked it: lineage and licenses declared on
    # Hub model cards or inferred from names ({subject, statement, evidence, source_url}).
    assumptions: list = field(default_factory=list)
    # The registry records it relied on ({repo_id, sha, license}), so a replay can say what changed.
    registry_records: list = field(default_factory=list)
    # What would make it allowed (policies.engine.counterfactuals), when asked for; None = not asked.
    counterfactuals: list | None = None
    verdict: str = field(init=False)
    ungrouped: list = field(init=False, repr=False)  # the findings before grouping, worst first

    def __post_init__(self):
        self.ungrouped = sorted(self.findings, key=lambda f: SEVERITY[f.effect])  # stable: input order within an effect
        self.findings = group_findings(self.ungrouped)
        self.verdict = verdict_of(self.findings)

    @property
    def obligations(self):
        # Every obligation, also those of a grouped finding's other documents (their wording may differ).
        return list(dict.fromkeys(f.message for f in self.ungrouped if f.effect == "require"))

    @property
    def summary(self):
        label = self.verdict.capitalize()
        if not self.findings:
            return f"{label}: no rule restricts this workflow."
        if self.verdict == "allowed":
            return f"{label}: only explicit permissions apply ({len(self.findings)})."
        worst = self.findings[0]
        others = len(self.findings) - 1
        tail = f" (and {others} more finding{'s' if others != 1 else ''})" if others else ""
        return f"{label}: {worst.message}{tail}"

    def to_json(self):
        return {
            "verdict": self.verdict,
            "as_of": self.as_of,
            "summary": self.summary,
            "findings": [f.to_json() for f in self.findings],
            "obligations": self.obligations,
            "unresolved": list(self.unresolved),
            "assumptions": list(self.assumptions),
            "registry_records": list(self.registry_records),
            "policy_version": self.policy_version,
            "check_id": self.check_id,
            **({"counterfactuals": list(self.counterfactuals)} if self.counterfactuals is not None else {}),
        }
