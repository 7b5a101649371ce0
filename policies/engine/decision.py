"""Findings and the decision, in exactly the contract's shape (docs/check-contract.md)."""

from dataclasses import dataclass, field

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

    def to_json(self):
        data = {"document": self.document, "section": self.section, "url": self.url, "quote": self.quote, "effective_from": self.effective_from}
        if self.ref:
            data["ref"] = self.ref
        if self.verification:
            data["verification"] = self.verification
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

    def to_json(self):
        data = {
            "rule": self.rule,
            "effect": self.effect,
            "subject": self.subject,
            "path": list(self.path),
            "binding": self.binding,
            "message": self.message,
            "remedy": self.remedy,
            "citations": [c.to_json() for c in self.citations],
        }
        if self.evidence:
            data["evidence"] = self.evidence
        return data


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
    verdict: str = field(init=False)

    def __post_init__(self):
        self.findings = sorted(self.findings, key=lambda f: SEVERITY[f.effect])  # stable: input order within an effect
        self.verdict = verdict_of(self.findings)

    @property
    def obligations(self):
        return list(dict.fromkeys(f.message for f in self.findings if f.effect == "require"))

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
        }
