"""The compiled policy: the knowledge base's curated core and the rules, compiled and indexed once.

`compile_policy(PolicyData)` (the loader's plain data in) returns a `CompiledPolicy`: immutable, keyed
by `policy_version` (the sha256 of its content, so a stored decision names exactly the rules and facts
it was made with), and shared read-only by every check of a process. Pure: no ORM, no clock. Whatever
can be answered from the policy alone is answered here, once: the rules' scopes as sets, the clauses
each rule can select, and the answer of every condition that reads only a clause and its terms
document. Evaluation (`policies.engine.evaluate`) keeps its own per-check cache and never writes here.
"""

import hashlib
import json
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from urllib.parse import quote

from django.utils.text import slugify

from kb.references import ReferenceIndex, build_index
from policies.engine import conditions, contract, facts
from policies.engine.conditions import EXPOSURE_FACTS, Condition, compile_condition, fields_used, merge_fields
from policies.engine.decision import Citation
from policies.engine.jurisdictions import descendants
from policies.engine.loader import PolicyData
from policies.engine.scope import CompiledScope, cel_target, compile_scope, matches_terms, target_of
from policies.engine.templates import compile_template, fill
from policies.engine.workflow import build_licensing

DOCUMENTED_EVIDENCE = ("developer_documented", "paper", "model_card")
# Lineage an outside record states (a model card's base_model, a DPI record's generator) or a name
# implies: walked, but every finding resting on it says so and the decision lists it as an assumption.
ASSUMED_EVIDENCE = ("declared", "inferred")
WALKED_EVIDENCE = DOCUMENTED_EVIDENCE + ASSUMED_EVIDENCE
# Facts that are the snapshot's own objects (the clause and the terms document in hand), never built
# from the workflow: a condition that reads only these gives the same answer in every check.
SNAPSHOT_FACTS = frozenset({"clause", "document"})


class RuleError(Exception):
    """A rule in the database that cannot be compiled (it bypassed validation)."""


@dataclass(frozen=True)
class CompiledRule:
    slug: str
    title: str
    effect: str
    scope: dict
    target: str  # what it is evaluated against (scope.target_of)
    condition: Condition
    message: tuple  # compiled template parts (templates.compile_template)
    remedy: tuple
    citations: tuple  # Citation, besides the clause in hand
    effective_from: str | None  # the rule's window narrowed by its cited provisions' windows
    effective_to: str | None
    # False when the condition reads only workflow-level facts and the clause/document in hand, so its
    # result is the same on every route by which that clause reaches the student (evaluated once).
    route_dependent: bool = True
    binding: tuple = ()  # (fact, fields or None) the condition reads: all CEL is handed (conditions.bind)
    # True when the condition reads only the clause and terms document in hand, which belong to the
    # snapshot: its answer for a clause is the same in every check, so it is evaluated once per snapshot.
    static_condition: bool = False
    scope_test: CompiledScope | None = None  # the scope as sets (scope.compile_scope)

    def in_force_on(self, day):
        return (self.effective_from is None or self.effective_from <= day) and (self.effective_to is None or day < self.effective_to)


@dataclass(frozen=True)
class CompiledPolicy:
    policy_version: str
    documents: dict[str, facts.TermsDocument]  # by spdx_id
    models: dict[str, facts.Model]  # by slug
    datasets: dict[str, facts.Dataset]  # by slug
    jurisdiction_parent: dict[str, str | None]  # code -> parent code
    provisions: dict[str, facts.Provision]  # by ref
    rules: tuple[CompiledRule, ...]
    model_index: ReferenceIndex = field(repr=False, compare=False)
    dataset_index: ReferenceIndex = field(repr=False, compare=False)
    licensing: object = field(repr=False, compare=False)
    rules_by_target: dict = field(repr=False, compare=False)
    clause_rules_by_type: dict = field(repr=False, compare=False)
    relevant_clause_types: frozenset | None = field(repr=False, compare=False)  # None: every type
    clause_citations: dict = field(repr=False, compare=False)  # (spdx_id, version label, clause key) -> Citation
    workflow_binding: tuple = field(repr=False, compare=False)  # what the workflow rules' conditions read, together
    jurisdictions_below: dict = field(repr=False, compare=False)  # code -> codes below it
    # id() of a model, dataset or terms document of this snapshot -> what conditions see as `asset` or
    # `document` for it (built once; the ids are stable because the snapshot keeps the objects alive).
    facts_by_id: dict = field(repr=False, compare=False, default_factory=dict)
    relevant_clauses: dict = field(repr=False, compare=False, default_factory=dict)  # id(version) -> clauses some rule can select
    # id(clause) -> the clause rules whose scope matches that clause and its document (scope.matches_terms),
    # in the policy's order: a check tests only their route keys and whether they are live.
    clause_rules: MappingProxyType = field(repr=False, compare=False, default_factory=lambda: MappingProxyType({}))
    # (id(rule), id(clause)) -> the key under which a check keeps the answer of a condition that reads
    # the clause and document in hand besides workflow-level facts: clauses whose values agree on
    # everything the condition reads of them share it, so a check evaluates it once for them all.
    answer_classes: MappingProxyType = field(repr=False, compare=False, default_factory=lambda: MappingProxyType({}))
    # (id(rule), id(clause)) -> the answer of a condition that reads only the clause and its terms
    # document (True/False, or the ConditionError it raised, re-raised when a check needs it).
    # (release, purpose) -> LivePool: the rules a check can fire, by target and by clause.
    live_index: MappingProxyType = field(repr=False, compare=False, default_factory=lambda: MappingProxyType({}))
    static_answers: MappingProxyType = field(repr=False, compare=False, default_factory=lambda: MappingProxyType({}))
    # (id(rule), id(clause)) -> the rule's message and remedy with the clause's and its document's facts
    # filled in (templates.fill); a check renders only the rest (the route, the asset, the workflow).
    prefilled: MappingProxyType = field(repr=False, compare=False, default_factory=lambda: MappingProxyType({}))
    owned_facts: frozenset = field(repr=False, compare=False, default=frozenset())  # ids of the facts_by_id values
    license_aliases: MappingProxyType = field(repr=False, compare=False, default_factory=lambda: MappingProxyType({}))  # e.g. Hub ids


def asset_facts(asset: facts.Model | facts.Dataset) -> facts.AssetFacts:
    """What conditions and templates see as `asset` (conditions.FACT_FIELDS)."""
    return {
        "kind": asset["kind"],
        "slug": asset["slug"],
        "name": asset["name"],
        "organization": asset["organization"],
        "country": asset["country"],
        "modalities": asset["modalities"],
        "access": asset.get("access"),
        "compute": asset.get("compute"),
    }


def document_facts(document: facts.TermsDocument) -> facts.DocumentFacts:
    """What conditions and templates see as `document`."""
    return {k: document[k] for k in ("spdx_id", "name", "kind", "contract", "foss", "url")}


def clause_anchor(version_label, clause_key):
    """The stable anchor of a clause on its terms page (kb/_clause.html): version label and clause key."""
    return f"clause-{slugify(version_label)}-{clause_key}"


def clause_citation(document: facts.TermsDocument, version: facts.TermsVersion, clause: facts.Clause) -> Citation:
    return Citation(
        document=document["name"],
        section=f'{clause["section"]} ({clause["heading"]})' if clause["section"] and clause["heading"] else clause["section"] or clause["heading"] or clause["key"],
        url=version["url"] or clause["source_url"] or document["url"],
        quote=clause["quote"],
        effective_from=version["effective_from"],
        ref=document["spdx_id"],
        verification=clause["verification"],
        page=f'/terms/{quote(document["spdx_id"])}#{clause_anchor(version["label"], clause["key"])}',
    )


def provision_citation(provision: facts.Provision) -> Citation:
    return Citation(
        document=provision["instrument"],
        section=f'{provision["article"]}: {provision["title"]}',
        url=provision["url"] or provision["source_url"],
        quote=provision["quote"],
        effective_from=provision["effective_from"],
        ref=provision["ref"],
        verification=provision["verification"],
        page=f'/provisions/{quote(provision["ref"])}',
    )


def compile_rule(row, citations, windows):
    """row: a dict of Rule fields. windows: (from, to) ISO strings of the cited provisions."""
    try:
        condition = compile_condition(row["condition"], cel_target(row["scope"]))
    except Exception as exc:
        raise RuleError(f'rule "{row["slug"]}": condition: {exc}') from None
    plan = fields_used(condition.source, EXPOSURE_FACTS)
    needed = set(plan)
    starts = [w[0] for w in windows if w[0]] + ([row["effective_from"]] if row["effective_from"] else [])
    ends = [w[1] for w in windows if w[1]] + ([row["effective_to"]] if row["effective_to"] else [])
    return CompiledRule(
        slug=row["slug"],
        title=row["title"],
        effect=row["effect"],
        scope=row["scope"],
        target=target_of(row["scope"]),
        condition=condition,
        message=compile_template(row["message"]),
        remedy=compile_template(row["remedy"]),
        citations=tuple(citations),
        effective_from=max(starts) if starts else None,
        effective_to=min(ends) if ends else None,
        route_dependent=bool(needed & {"exposure", "asset"}),
        binding=tuple(sorted(plan.items())),
        static_condition=bool(condition.source) and needed <= SNAPSHOT_FACTS,
        scope_test=compile_scope(row["scope"]),
    )


def compile_policy(data: PolicyData) -> "CompiledPolicy":
    """The loader's plain data -> the CompiledPolicy (compile every rule, index, fingerprint)."""
    citations = {
        (doc["spdx_id"], version["label"], clause["key"]): clause_citation(doc, version, clause)
        for doc in data.documents.values()
        for version in doc["versions"]
        for clause in version["clauses"]
    }
    rules, rule_content = [], []
    for entry in data.rules:
        row = {k: v for k, v in entry.items() if k not in ("clause_keys", "provision_refs")}
        refs = sorted(entry["provision_refs"])
        cited = [citations[key] for key in entry["clause_keys"]] + [provision_citation(data.provisions[ref]) for ref in refs]
        windows = [(data.provisions[ref]["effective_from"], data.provisions[ref]["effective_to"]) for ref in refs]
        rules.append(compile_rule(row, cited, windows))
        rule_content.append({**row, "citations": [c.to_json() for c in cited]})
    return assemble(
        data.documents, data.models, data.datasets, data.jurisdiction_parent, data.provisions, rules, rule_content, data.license_aliases
    )


def assemble(documents, models, datasets, jurisdiction_parent, provisions, rules, rule_content, license_aliases=None):
    """Index the content and fingerprint it (rules already compiled). Pure."""
    content = {
        "documents": documents,
        "models": models,
        "datasets": datasets,
        "jurisdictions": jurisdiction_parent,
        "provisions": provisions,
        "rules": rule_content,
        "license_aliases": license_aliases or {},
    }
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()
    facts_by_id = {
        **{id(asset): asset_facts(asset) for asset in (*models.values(), *datasets.values())},
        **{id(document): document_facts(document) for document in documents.values()},
    }
    citations = {
        (doc["spdx_id"], version["label"], clause["key"]): clause_citation(doc, version, clause)
        for doc in documents.values()
        for version in doc["versions"]
        for clause in version["clauses"]
    }
    return CompiledPolicy(
        policy_version=f"sha256:{digest}",
        documents=documents,
        models=models,
        datasets=datasets,
        jurisdiction_parent=jurisdiction_parent,
        provisions=provisions,
        model_index=build_index(models.values()),
        dataset_index=build_index(datasets.values()),
        licensing=build_licensing(documents, license_aliases),
        license_aliases=MappingProxyType(dict(license_aliases or {})),
        clause_citations=citations,
        jurisdictions_below=descendants(jurisdiction_parent),
        facts_by_id=facts_by_id,
        owned_facts=frozenset(id(facts) for facts in facts_by_id.values()),
        **_rule_indexes(rules, documents),
    )


def _rule_indexes(rules, documents):
    """The CompiledPolicy fields that depend on the rules (shared by assemble and with_rule)."""
    by_target, by_type = {}, {}
    for rule in rules:
        by_target.setdefault(rule.target, []).append(rule)
        if rule.target == "clause":
            for clause_type in rule.scope.get("clause_types") or ["*"]:
                by_type.setdefault(clause_type, []).append(rule)
    relevant = None if "*" in by_type else set(by_type)
    # Workflow rules all read the same facts, so one activation per check serves them all.
    workflow_binding = merge_fields(dict(rule.binding) for rule in by_target.get("workflow", ()))
    per_clause = _per_clause(rules, documents)
    return {
        "rules": tuple(rules),
        "rules_by_target": {k: tuple(v) for k, v in by_target.items()},
        "clause_rules_by_type": {k: tuple(v) for k, v in by_type.items()},
        # Exposures are only built for clauses some rule can look at.
        "relevant_clause_types": None if relevant is None else frozenset(relevant),
        "relevant_clauses": {
            id(version): [c for c in version["clauses"] if relevant is None or c["type"] in relevant]
            for document in documents.values()
            for version in document["versions"]
        },
        "workflow_binding": tuple(sorted(workflow_binding.items())),
        **per_clause,
        "live_index": MappingProxyType(_live_index(rules, by_target, per_clause["clause_rules"])),
    }


@dataclass(frozen=True)
class LivePool:
    """The rules a check with one release and purpose can fire, before its day and jurisdictions are
    looked at: most rules carry neither a window nor jurisdictions, so a check tests only `conditional`."""

    conditional: tuple  # CompiledRule with a window or jurisdictions
    by_target: MappingProxyType  # target -> rules (rules_by_target, narrowed)
    by_clause: MappingProxyType  # id(clause) -> rules (clause_rules, narrowed)
    exposure_ids: frozenset  # ids of the rules above that look at exposures (every target but workflow)


def _live_index(rules, by_target, clause_rules):
    """(release, purpose) -> LivePool."""
    index = {}
    for release in contract.RELEASE.values:
        for purpose in contract.PURPOSE.values:

            def admits(rule, release=release, purpose=purpose):
                scope = rule.scope_test
                return (scope.release is None or release in scope.release) and (scope.purpose is None or purpose in scope.purpose)

            narrowed = {key: tuple(r for r in pool if admits(r)) for key, pool in clause_rules.items()}
            index[(release, purpose)] = LivePool(
                conditional=tuple(r for r in rules if admits(r) and (r.effective_from or r.effective_to or r.scope_test.jurisdictions is not None)),
                by_target=MappingProxyType({target: tuple(r for r in pool if admits(r)) for target, pool in by_target.items()}),
                by_clause=MappingProxyType({key: pool for key, pool in narrowed.items() if pool}),
                exposure_ids=frozenset(id(r) for r in rules if admits(r) and r.target != "workflow"),
            )
    return index


def _per_clause(rules, documents):
    """What depends only on a clause rule and a clause it can select, worked out once at compile time:
    the answer of a condition that reads only the clause and its terms document (a ConditionError is
    kept and raised when a check needs it), and the rule's templates with those facts filled in."""
    clause_rules = [rule for rule in rules if rule.target == "clause"]
    answers, prefilled, rules_of_clause, answer_classes = {}, {}, {}, {}
    # Those selecting clause types first, then those selecting documents only (clause_rules_by_type's order).
    ordered = [r for r in clause_rules if r.scope_test.clause_types] + [r for r in clause_rules if not r.scope_test.clause_types]
    shared = [rule for rule in clause_rules if not rule.route_dependent and not rule.static_condition and rule.condition.source]
    reads = {id(rule): _snapshot_reads(rule) for rule in shared}
    for document in documents.values():
        of_document = document_facts(document)
        for version in document["versions"]:
            for clause in version["clauses"]:
                facts = {"clause": clause["facts"], "document": of_document}
                rules_of_clause[id(clause)] = tuple(rule for rule in ordered if matches_terms(rule.scope_test, of_document, clause))
                for rule in clause_rules:
                    types = rule.scope.get("clause_types")
                    if types and clause["type"] not in types:
                        continue
                    key = (id(rule), id(clause))
                    prefilled[key] = (fill(rule.message, facts, SNAPSHOT_FACTS), fill(rule.remedy, facts, SNAPSHOT_FACTS))
                    if rule.static_condition:
                        try:
                            answers[key] = rule.condition.evaluate(conditions.bind("exposure", facts, rule.binding))
                        except conditions.ConditionError as exc:
                            answers[key] = exc
                    elif id(rule) in reads:
                        answer_classes[key] = (id(rule), _read_values(reads[id(rule)], facts))
    return {
        "static_answers": MappingProxyType(answers),
        "prefilled": MappingProxyType(prefilled),
        "clause_rules": MappingProxyType(rules_of_clause),
        "answer_classes": MappingProxyType(answer_classes),
    }


def _snapshot_reads(rule):
    """What a condition reads of the clause and document in hand: ((fact, field, keys or None), ...);
    fact-wide reads have field None."""
    source, out = rule.condition.source, []
    for root, fields in rule.binding:
        if root not in SNAPSHOT_FACTS:
            continue
        if fields is None:
            out.append((root, None, None))
        else:
            out.extend((root, name, conditions.keys_used(source, root, name)) for name in fields)
    return tuple(out)


_ABSENT = "<absent>"


def _read_values(reads, facts):
    """The values `reads` (_snapshot_reads) names in these facts, as one string: two clauses that give
    the same string give a condition that reads nothing else of them the same answer."""
    values = []
    for root, name, keys in reads:
        value = facts[root] if name is None else facts[root].get(name, _ABSENT)
        if keys is not None and isinstance(value, dict):
            value = {key: value.get(key, _ABSENT) for key in keys}
        values.append(value)
    return json.dumps(values, sort_keys=True, default=repr)


# --------------------------------------------------------------------------- the draft-inclusion hook


def compile_candidate(snapshot, row, clause_keys=(), provision_refs=()):
    """Compile a rule that is not (or not yet) in the snapshot, e.g. a draft or an unsaved admin form.

    row: the Rule fields as compile_rule takes them (dates as date objects or ISO strings).
    clause_keys: (spdx_id, version label, clause key) of the cited clauses; provision_refs: refs.
    Pure: the citations come from the snapshot, not the database.
    """
    row = {**row, "effective_from": _iso(row.get("effective_from")), "effective_to": _iso(row.get("effective_to"))}
    cited = [snapshot.clause_citations[key] for key in clause_keys]
    refs = sorted(provision_refs)
    cited += [provision_citation(snapshot.provisions[ref]) for ref in refs]
    windows = [(snapshot.provisions[ref]["effective_from"], snapshot.provisions[ref]["effective_to"]) for ref in refs]
    return compile_rule(row, cited, windows)


def with_rule(snapshot, rule):
    """The snapshot with `rule` (a CompiledRule) added, replacing any rule of the same slug. Pure.

    The knowledge-base indexes are shared with the base snapshot; the policy version names the base
    and the candidate rule, so a decision made with it can never pass for a published one.
    """
    rules = [r for r in snapshot.rules if r.slug != rule.slug] + [rule]
    rules.sort(key=lambda r: r.slug)
    candidate = json.dumps(
        [rule.slug, rule.title, rule.effect, rule.scope, rule.condition.source, rule.message, rule.remedy,
         [c.to_json() for c in rule.citations], rule.effective_from, rule.effective_to],
        sort_keys=True, default=str,
    )
    digest = hashlib.sha256(f"{snapshot.policy_version}|{candidate}".encode()).hexdigest()
    return replace(snapshot, policy_version=f"draft:sha256:{digest}", **_rule_indexes(rules, snapshot.documents))


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


