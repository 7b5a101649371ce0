"""An immutable snapshot of the knowledge base and the compiled rules, keyed by `policy_version`.

Built from the database in one go (a handful of queries, no per-row lookups), then used read-only by
the pure evaluation code. `policy_version` is the sha256 of the snapshot's content, so a stored
decision names exactly the rules and facts it was made with.

Caching: one snapshot per process. `current()` reads a single token (`PolicyRevision`), which signal
handlers (policies.signals) replace whenever a knowledge-base row or a rule is saved or deleted; the
snapshot is rebuilt only when the token differs. That is one indexed read per check, outside the
evaluation loop, and it works across processes (gunicorn workers) because the token lives in the
database, not in memory. A logged check skips even that read: it is decided with `last_read()` and
its insert confirms the token in the same statement (policies.services.decide_and_record).
"""

import hashlib
import json
import threading
from dataclasses import dataclass, field, replace

from kb.references import ReferenceIndex, build_index, normalize_reference
from kb.vocabulary import CLAUSE_TYPES
from policies.engine.conditions import EXPOSURE_FACTS, Condition, compile_condition, fields_used, merge_fields
from policies.engine.decision import Citation
from policies.engine.jurisdictions import descendants
from policies.engine.scope import CompiledScope, cel_target, compile_scope, target_of
from policies.engine.templates import compile_template
from policies.engine.workflow import build_licensing

DOCUMENTED_EVIDENCE = ("developer_documented", "paper", "model_card")
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
class Snapshot:
    policy_version: str
    documents: dict  # spdx_id -> document dict (with "versions", each with "clauses")
    models: dict  # slug -> model dict (with "parents": lineage edges)
    datasets: dict  # slug -> dataset dict
    jurisdiction_parent: dict  # code -> parent code
    provisions: dict  # ref -> provision dict
    rules: tuple  # CompiledRule
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
    # evaluate.py's answers that depend only on the snapshot's own objects (ids kept alive by it):
    # conditions that read only the clause and document, templates with those facts filled in; and,
    # under "live_rules", a bounded number of live-rule sets by day, release, purpose and jurisdictions.
    memo: dict = field(repr=False, compare=False, default_factory=dict)
    owned_facts: frozenset = field(repr=False, compare=False, default=frozenset())  # ids of the facts_by_id values


def asset_facts(asset):
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


def document_facts(document):
    """What conditions and templates see as `document`."""
    return {k: document[k] for k in ("spdx_id", "name", "kind", "contract", "foss", "url")}


def _day(value):
    return value.isoformat() if value else None


def clause_citation(document, version, clause):
    return Citation(
        document=document["name"],
        section=f'{clause["section"]} ({clause["heading"]})' if clause["section"] and clause["heading"] else clause["section"] or clause["heading"] or clause["key"],
        url=version["url"] or clause["source_url"] or document["url"],
        quote=clause["quote"],
        effective_from=version["effective_from"],
        ref=document["spdx_id"],
        verification=clause["verification"],
    )


def provision_citation(provision):
    return Citation(
        document=provision["instrument"],
        section=f'{provision["article"]}: {provision["title"]}',
        url=provision["url"] or provision["source_url"],
        quote=provision["quote"],
        effective_from=provision["effective_from"],
        ref=provision["ref"],
        verification=provision["verification"],
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


def _params(clause_type, parameters):
    # Every declared parameter is present (null when the clause does not set it), so conditions can
    # test `clause.params.x == null` instead of failing on a missing key.
    declared = CLAUSE_TYPES.get(clause_type, ("", {}))[1]
    return {**dict.fromkeys(declared), **(parameters or {})}


def build():
    """Read the knowledge base and the enabled rules from the database into a Snapshot."""
    from django.db import transaction

    from kb import models as kb
    from policies.models import Rule

    with transaction.atomic():
        orgs = {o["id"]: o for o in kb.Organization.objects.values("id", "slug", "name", "country")}
        documents, doc_by_id = {}, {}
        for d in kb.TermsDocument.objects.values("id", "spdx_id", "name", "kind", "url", "free_and_open_source"):
            doc = {
                "spdx_id": d["spdx_id"],
                "name": d["name"],
                "kind": d["kind"],
                "contract": d["kind"] in kb.TermsDocument.CONTRACT_KINDS,
                "foss": d["free_and_open_source"],
                "url": d["url"],
                "versions": [],
            }
            documents[d["spdx_id"]] = doc_by_id[d["id"]] = doc
        versions = {}
        for v in kb.TermsVersion.objects.order_by("document_id", "effective_from", "version").values(
            "id", "document_id", "version", "effective_from", "effective_to", "url", "source_url", "verification"
        ):
            version = {
                "label": v["version"],
                "effective_from": _day(v["effective_from"]),
                "effective_to": _day(v["effective_to"]),
                "url": v["url"] or v["source_url"],
                "verification": v["verification"],
                "clauses": [],
            }
            versions[v["id"]] = version
            doc_by_id[v["document_id"]]["versions"].append(version)
        clause_by_id = {}
        for c in kb.LicenseClause.objects.order_by("version_id", "section", "key").values(
            "id", "version_id", "key", "section", "heading", "clause_type", "quote", "summary", "parameters", "source_url", "verification"
        ):
            clause = {
                "key": c["key"],
                "type": c["clause_type"],
                "section": c["section"],
                "heading": c["heading"],
                "params": _params(c["clause_type"], c["parameters"]),
                # String parameters normalised like references, e.g. a naming prefix "Llama 3" -> "llama-3".
                "params_key": {k: normalize_reference(v) for k, v in (c["parameters"] or {}).items() if isinstance(v, str)},
                "quote": c["quote"],
                "summary": c["summary"],
                "source_url": c["source_url"],
                "verification": c["verification"],
            }
            # What conditions and templates see as `clause` (conditions.FACT_FIELDS): the quote and
            # summary stay out, they travel in the citation.
            clause["facts"] = {k: clause[k] for k in ("key", "type", "section", "heading", "params", "params_key")}
            versions[c["version_id"]]["clauses"].append(clause)
            clause_by_id[c["id"]] = (c["version_id"], clause)
        version_doc = {}
        for doc in documents.values():
            for version in doc["versions"]:
                version_doc[id(version)] = doc

        spdx_of = {pk: doc["spdx_id"] for pk, doc in doc_by_id.items()}
        models, model_by_id = {}, {}
        for m in kb.AIModel.objects.values(
            "id", "slug", "name", "aliases", "hf_id", "organization_id", "access", "weights_terms_unknown", "service_terms_unknown",
            "training_compute_flop", "modalities", "source_url",
        ):
            org = orgs.get(m["organization_id"]) or {}
            model = {
                "kind": "model",
                "slug": m["slug"],
                "name": m["name"],
                "aliases": list(m["aliases"] or []),
                "hf_id": m["hf_id"],
                "organization": org.get("name"),
                "country": org.get("country") or None,
                "access": m["access"],
                "open_weights": m["access"] in (kb.Access.OPEN_WEIGHTS, kb.Access.BOTH),
                "service": m["access"] in (kb.Access.API, kb.Access.BOTH),
                "weights_terms": [],
                "weights_terms_unknown": m["weights_terms_unknown"],
                "service_terms": [],
                "service_terms_unknown": m["service_terms_unknown"],
                "compute": float(m["training_compute_flop"]) if m["training_compute_flop"] is not None else None,
                "modalities": list(m["modalities"] or []),
                "source_url": m["source_url"],
                "parents": [],
            }
            models[m["slug"]] = model_by_id[m["id"]] = model
        for side in ("weights_terms", "service_terms"):
            through = getattr(kb.AIModel, side).through
            for model_id, doc_id in through.objects.order_by("aimodel_id", "termsdocument_id").values_list("aimodel_id", "termsdocument_id"):
                model_by_id[model_id][side].append(spdx_of[doc_id])
        for model in models.values():
            model["weights_terms"].sort()
            model["service_terms"].sort()

        datasets, dataset_by_id = {}, {}
        for d in kb.Dataset.objects.values("id", "slug", "name", "aliases", "hf_id", "organization_id", "license_id", "origin", "source_url"):
            org = orgs.get(d["organization_id"]) or {}
            dataset = {
                "kind": "dataset",
                "slug": d["slug"],
                "name": d["name"],
                "aliases": list(d["aliases"] or []),
                "hf_id": d["hf_id"],
                "organization": org.get("name"),
                "country": org.get("country") or None,
                "license": spdx_of.get(d["license_id"]),
                "origin": d["origin"],
                "modalities": [],
                "source_url": d["source_url"],
                "parents": [],
            }
            datasets[d["slug"]] = dataset_by_id[d["id"]] = dataset

        for e in kb.LineageEdge.objects.order_by("id").values(
            "child_model_id", "child_dataset_id", "relation", "parent_model_id", "parent_dataset_id", "evidence_kind"
        ):
            child = model_by_id.get(e["child_model_id"]) or dataset_by_id.get(e["child_dataset_id"])
            parent = model_by_id.get(e["parent_model_id"]) or dataset_by_id.get(e["parent_dataset_id"])
            child["parents"].append(
                {"relation": e["relation"], "kind": parent["kind"], "slug": parent["slug"], "evidence_kind": e["evidence_kind"]}
            )

        jurisdiction_codes = dict(kb.Jurisdiction.objects.values_list("id", "code"))
        jurisdiction_parent = {code: jurisdiction_codes.get(parent) for code, parent in kb.Jurisdiction.objects.values_list("code", "parent_id")}

        provisions = {}
        for p in kb.Provision.objects.select_related("instrument").order_by("ref"):
            provisions[p.ref] = {
                "ref": p.ref,
                "instrument": p.instrument.short_name,
                "article": p.article,
                "title": p.title,
                "quote": p.quote,
                "url": p.url or p.instrument.url,
                "source_url": p.source_url,
                "effective_from": _day(p.effective_from),
                "effective_to": _day(p.effective_to),
                "verification": p.verification,
            }
        provision_by_id = dict(kb.Provision.objects.values_list("id", "ref"))

        rule_fields = ("id", "slug", "title", "effect", "scope", "condition", "message", "remedy", "effective_from", "effective_to")
        rule_rows = list(Rule.objects.filter(enabled=True, status=Rule.Status.PUBLISHED).values(*rule_fields))
        rule_clauses, rule_provisions = {}, {}
        for rule_id, clause_id in Rule.clauses.through.objects.order_by("id").values_list("rule_id", "licenseclause_id"):
            rule_clauses.setdefault(rule_id, []).append(clause_id)
        for rule_id, provision_id in Rule.provisions.through.objects.order_by("id").values_list("rule_id", "provision_id"):
            rule_provisions.setdefault(rule_id, []).append(provision_by_id[provision_id])
        # Drafts are invisible to checks until published (policies.publishing): a rule being edited
        # stays in force as it was last published (its latest published history record), and a
        # rule never published is not there at all.
        in_force = {}
        for record in (
            Rule.history.filter(id__in=Rule.objects.filter(status=Rule.Status.DRAFT).values("id"), status=Rule.Status.PUBLISHED)
            .exclude(history_type="-")
            .order_by("id", "-history_date", "-history_id")
            .values("history_id", "enabled", *rule_fields)
        ):
            in_force.setdefault(record["id"], record)
        in_force = {rid: r for rid, r in in_force.items() if r.pop("enabled")}
        history_of = {r.pop("history_id"): rid for rid, r in in_force.items()}
        for rid in in_force:
            rule_clauses.pop(rid, None), rule_provisions.pop(rid, None)
        from django.apps import apps

        for history_id, clause_id in apps.get_model("policies", "HistoricalRule_clauses").objects.filter(history_id__in=history_of).order_by("id").values_list(
            "history_id", "licenseclause_id"
        ):
            rule_clauses.setdefault(history_of[history_id], []).append(clause_id)
        for history_id, provision_id in apps.get_model("policies", "HistoricalRule_provisions").objects.filter(history_id__in=history_of).order_by("id").values_list(
            "history_id", "provision_id"
        ):
            rule_provisions.setdefault(history_of[history_id], []).append(provision_by_id[provision_id])
        rule_rows = sorted(rule_rows + list(in_force.values()), key=lambda r: r["slug"])

    rules, rule_content = [], []
    for row in rule_rows:
        row["effective_from"], row["effective_to"] = _day(row["effective_from"]), _day(row["effective_to"])
        cited = []
        for clause_id in rule_clauses.get(row["id"], []):
            version_id, clause = clause_by_id[clause_id]
            version = versions[version_id]
            cited.append(clause_citation(version_doc[id(version)], version, clause))
        refs = sorted(rule_provisions.get(row["id"], []))
        cited += [provision_citation(provisions[ref]) for ref in refs]
        windows = [(provisions[ref]["effective_from"], provisions[ref]["effective_to"]) for ref in refs]
        rules.append(compile_rule(row, cited, windows))
        rule_content.append({**{k: v for k, v in row.items() if k != "id"}, "citations": [c.to_json() for c in cited]})

    return assemble(documents, models, datasets, jurisdiction_parent, provisions, rules, rule_content)


def assemble(documents, models, datasets, jurisdiction_parent, provisions, rules, rule_content):
    """Index the content and fingerprint it. Pure: tests build snapshots from plain dicts with it."""
    content = {
        "documents": documents,
        "models": models,
        "datasets": datasets,
        "jurisdictions": jurisdiction_parent,
        "provisions": provisions,
        "rules": rule_content,
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
    return Snapshot(
        policy_version=f"sha256:{digest}",
        documents=documents,
        models=models,
        datasets=datasets,
        jurisdiction_parent=jurisdiction_parent,
        provisions=provisions,
        model_index=build_index(models.values()),
        dataset_index=build_index(datasets.values()),
        licensing=build_licensing(documents),
        clause_citations=citations,
        jurisdictions_below=descendants(jurisdiction_parent),
        facts_by_id=facts_by_id,
        owned_facts=frozenset(id(facts) for facts in facts_by_id.values()),
        **_rule_indexes(rules, documents),
    )


def _rule_indexes(rules, documents):
    """The Snapshot fields that depend on the rules (shared by assemble and with_rule)."""
    by_target, by_type = {}, {}
    for rule in rules:
        by_target.setdefault(rule.target, []).append(rule)
        if rule.target == "clause":
            for clause_type in rule.scope.get("clause_types") or ["*"]:
                by_type.setdefault(clause_type, []).append(rule)
    relevant = None if "*" in by_type else set(by_type)
    # Workflow rules all read the same facts, so one activation per check serves them all.
    workflow_binding = merge_fields(dict(rule.binding) for rule in by_target.get("workflow", ()))
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
    }


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
    return replace(snapshot, policy_version=f"draft:sha256:{digest}", memo={}, **_rule_indexes(rules, snapshot.documents))


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


# --------------------------------------------------------------------------- the per-process cache

_lock = threading.Lock()
_cached = (None, None)  # (token, Snapshot)


def current_token():
    # A raw, indexed one-row read: this runs on every check, so it skips the ORM's query building.
    from django.db import connection

    from policies.models import PolicyRevision

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {PolicyRevision._meta.db_table} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else ""


def current():
    """The snapshot for the database's current revision (rebuilt only when it changed)."""
    return current_with_token()[1]


def current_with_token():
    """(revision token, snapshot) for the database's current revision."""
    global _cached
    token = current_token()
    cached = _cached
    if cached[1] is not None and token == cached[0]:
        return cached
    with _lock:
        cached = (token, build())
        _cached = cached
    return cached


def last_read():
    """(revision token, snapshot) as this process last read them, without asking the database.

    For a caller that confirms the token itself in a statement it sends anyway (the decision log's
    insert, policies.services.decide_and_record). Reads the database only when nothing is cached.
    """
    cached = _cached
    return cached if cached[1] is not None else current_with_token()


def clear_cache():
    global _cached
    _cached = (None, None)
