"""Re-deciding: when a curated clause is re-verified with new text or dates, which logged checks of the
last 90 days relied on it, and which of them would now get another verdict.

A logged decision cites a clause by its terms document (`ref`), the version's `effective_from` and the
clause's section label (policies.engine.compiled.clause_citation); a check relied on the clause when one
of its findings cites it as it is now or as it was before the change (the clause's history).

"Would get another verdict" compares two evaluations of the check's workflow on today's snapshot: one
as it is, one with the clause (and its version's dates) put back as they were before the change. Only
that clause differs between the two, so a different verdict is this change's doing, not that of any
other rule or fact edited since the check was logged. The stored verdict is shown beside them.
"""

from dataclasses import dataclass, replace
from datetime import timedelta

from django.utils import timezone

from kb.references import normalize_reference
from policies.engine import compiled
from policies.engine import snapshot as snapshots
from policies.engine.evaluate import evaluate_parsed
from policies.engine.loader import clause_params, load_lineage_view
from policies.engine.workflow import WorkflowError, parse_workflow
from policies.impact import WINDOW_DAYS

CLAUSE_FIELDS = ("quote", "section", "heading", "clause_type", "parameters", "source_url", "checked_on", "verification", "summary")
VERSION_FIELDS = ("effective_from", "effective_to")


@dataclass
class Relying:
    check_id: str
    created_at: object
    as_of: object
    stored: str  # the verdict as logged
    before: str | None  # today's snapshot with the clause as it was
    after: str | None  # today's snapshot as it is
    invalid: str = ""  # why the stored input can no longer be decided

    @property
    def changes(self):
        return self.before is not None and self.before != self.after


@dataclass
class RedecideReport:
    clause: object
    differences: list  # (field, before, now) of what changed
    checked: int  # checks of the window looked at
    relying: list  # Relying, newest first
    days: int = WINDOW_DAYS

    @property
    def changed(self):
        return [r for r in self.relying if r.changes]


def _day(value):
    return value.isoformat() if value else None


def previous_state(clause):
    """(clause fields, version fields) as they were before the clause's (or its version's) last change
    of text, parameters or dates; the current values where there is no earlier record."""
    def last_different(records, fields, current):
        for record in records:
            values = {name: getattr(record, name) for name in fields}
            if values != current:
                return values
        return current

    current_clause = {name: getattr(clause, name) for name in CLAUSE_FIELDS}
    current_version = {name: getattr(clause.version, name) for name in VERSION_FIELDS}
    return (
        last_different(clause.history.order_by("-history_date", "-history_id"), CLAUSE_FIELDS, current_clause),
        last_different(clause.version.history.order_by("-history_date", "-history_id"), VERSION_FIELDS, current_version),
    )


def _citation_key(document, version, clause):
    citation = compiled.clause_citation(
        {"name": document.name, "url": document.url, "spdx_id": document.spdx_id},
        {"label": version["label"], "url": version.get("url", ""), "effective_from": _day(version["effective_from"])},
        {**clause, "key": clause["key"]},
    )
    return (citation.ref, citation.section, citation.effective_from)


def _cited_keys(decision):
    for finding in (decision or {}).get("findings", []):
        for citation in finding.get("citations", []):
            yield (citation.get("ref"), citation.get("section"), citation.get("effective_from"))


def snapshot_with_clause(base, clause, fields, version_fields):
    """`base` with one clause (and its version's window) replaced by `fields` / `version_fields`. Pure."""
    spdx_id, key = clause.version.document.spdx_id, clause.key
    documents = dict(base.documents)
    document = dict(documents[spdx_id])
    versions = []
    for version in document["versions"]:
        if version["label"] == clause.version.version:
            clauses = []
            for c in version["clauses"]:
                if c["key"] == key:
                    params = clause_params(fields["clause_type"], fields["parameters"])
                    c = {
                        **c, "type": fields["clause_type"], "section": fields["section"], "heading": fields["heading"], "quote": fields["quote"],
                        "summary": fields["summary"], "source_url": fields["source_url"], "verification": fields["verification"], "params": params,
                        "params_key": {k: normalize_reference(v) for k, v in (fields["parameters"] or {}).items() if isinstance(v, str)},
                    }
                    c["facts"] = {k: c[k] for k in ("key", "type", "section", "heading", "params", "params_key")}
                clauses.append(c)
            version = {**version, "clauses": clauses, "effective_from": _day(version_fields["effective_from"]), "effective_to": _day(version_fields["effective_to"])}
        versions.append(version)
    document["versions"] = versions
    documents[spdx_id] = document
    rebuilt = compiled.assemble(documents, base.models, base.datasets, base.jurisdiction_parent, base.provisions, list(base.rules), [])
    return replace(rebuilt, policy_version=f"before-clause-change:{base.policy_version}")


def redecide(clause, *, days=WINDOW_DAYS, now=None):
    """The checks of the last `days` days that cite `clause` (as it is or was), each decided again with
    the clause as it was and as it is."""
    from policies.models import Check

    previous, previous_version = previous_state(clause)
    current = {name: getattr(clause, name) for name in CLAUSE_FIELDS}
    document = clause.version.document
    keys = {
        _citation_key(document, {"label": clause.version.version, "effective_from": clause.version.effective_from}, {**current, "key": clause.key}),
        _citation_key(document, {**previous_version, "label": clause.version.version}, {**previous, "key": clause.key}),
    }
    after = snapshots.current()
    before = snapshot_with_clause(after, clause, previous, previous_version)
    since = (now or timezone.now()) - timedelta(days=days)
    rows = Check.objects.filter(created_at__gte=since).order_by("-created_at").values_list(
        "id", "created_at", "input", "as_of", "verdict", "decision"
    )
    relying, checked = [], 0
    for pk, created_at, data, as_of, verdict, decision in rows.iterator(chunk_size=500):
        checked += 1
        if keys.isdisjoint(_cited_keys(decision)):
            continue
        try:
            workflow = parse_workflow(data, after.licensing, as_of=as_of)
        except WorkflowError as exc:
            relying.append(Relying(str(pk), created_at, as_of, verdict, None, None, invalid=str(exc)))
            continue
        view = load_lineage_view(workflow=workflow, policy=after)  # registry models the check named
        relying.append(Relying(
            str(pk), created_at, as_of, verdict,
            before=evaluate_parsed(workflow, before, view=view).verdict,
            after=evaluate_parsed(workflow, after, view=view).verdict,
        ))
    differences = [(name, value, current[name]) for name, value in previous.items() if value != current[name]]
    differences += [(f"version.{name}", value, getattr(clause.version, name)) for name, value in previous_version.items() if value != getattr(clause.version, name)]
    return RedecideReport(clause=clause, differences=differences, checked=checked, relying=relying, days=days)
