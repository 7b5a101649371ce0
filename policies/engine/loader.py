"""The loader: the knowledge base and the rules in force, read from the database into plain data.

The only engine module that touches the ORM (OPA's storage layer). What it returns is plain dicts and
lists; `policies.engine.compiled` turns them into the immutable compiled policy, and evaluation never
sees a model instance or a query.

- `load_policy()`: the curated core (terms with versions and clauses, curated models and datasets with
  their lineage, jurisdictions, provisions) and the published rules, as `PolicyData`.
- `load_lineage_view()`: the part of the Hugging Face registry a check needs (the referenced models and
  their declared ancestors), read with one recursive query per check; see `policies.engine.lineage_view`.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kb.vocabulary import CLAUSE_TYPES
from policies.engine import facts

if TYPE_CHECKING:
    from policies.engine.compiled import CompiledPolicy
    from policies.engine.lineage_view import LineageView


@dataclass(frozen=True)
class PolicyData:
    """What the compiler needs, as plain data (policies.engine.facts; the tests' factories build the same)."""

    documents: dict[str, facts.TermsDocument]  # by spdx_id
    models: dict[str, facts.Model]  # by slug
    datasets: dict[str, facts.Dataset]  # by slug
    jurisdiction_parent: dict[str, str | None]  # code -> parent code
    provisions: dict[str, facts.Provision]  # by ref
    rules: list[facts.RuleRow]
    # Other names for the knowledge base's license ids that a workflow may use: the Hugging Face Hub's
    # license ids ({"llama3.1": "LicenseRef-Llama-3.1-Community"}), from the registry's mapping.
    license_aliases: dict[str, str] | None = None


def _day(value):
    return value.isoformat() if value else None


def clause_params(clause_type, parameters):
    # Every declared parameter is present (null when the clause does not set it), so conditions can
    # test `clause.params.x == null` instead of failing on a missing key.
    declared = CLAUSE_TYPES.get(clause_type, ("", {}))[1]
    return {**dict.fromkeys(declared), **(parameters or {})}


def load_policy() -> PolicyData:
    """Read the knowledge base's curated core and the rules in force from the database."""
    from django.db import transaction

    from kb import models as kb
    from policies.models import Rule

    with transaction.atomic():
        orgs = {o["id"]: o for o in kb.Organization.objects.values("id", "slug", "name", "country")}
        documents, doc_by_id = {}, {}
        for d in kb.TermsDocument.objects.values("id", "spdx_id", "name", "kind", "url", "free_and_open_source", "publisher_id"):
            doc = facts.document(
                spdx_id=d["spdx_id"], name=d["name"], kind=d["kind"], contract=d["kind"] in kb.TermsDocument.CONTRACT_KINDS,
                foss=d["free_and_open_source"], url=d["url"],
                # Whose terms these are: findings of one rule on one publisher's documents are one point.
                publisher=(orgs.get(d["publisher_id"]) or {}).get("slug"),
            )
            documents[d["spdx_id"]] = doc_by_id[d["id"]] = doc
        versions = {}
        for v in kb.TermsVersion.objects.order_by("document_id", "effective_from", "version").values(
            "id", "document_id", "version", "effective_from", "effective_to", "url", "source_url", "verification", "applies_in", "applicability"
        ):
            version = {
                "label": v["version"],
                "effective_from": _day(v["effective_from"]),
                "effective_to": _day(v["effective_to"]),
                "url": v["url"] or v["source_url"],
                "verification": v["verification"],
                # Regional variants (kb.TermsVersion.applies_in): empty = binds everyone else.
                "applies_in": sorted(v["applies_in"] or []),
                "applicability": v["applicability"],
                "clauses": [],
            }
            versions[v["id"]] = version
            doc_by_id[v["document_id"]]["versions"].append(version)
        clause_by_id = {}
        for c in kb.LicenseClause.objects.order_by("version_id", "section", "key").values(
            "id", "version_id", "key", "section", "heading", "clause_type", "quote", "summary", "parameters", "source_url", "verification"
        ):
            clause = facts.clause(
                key=c["key"], type=c["clause_type"], section=c["section"], heading=c["heading"],
                params=clause_params(c["clause_type"], c["parameters"]), quote=c["quote"], summary=c["summary"],
                source_url=c["source_url"], verification=c["verification"],
            )
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
            "training_compute_flop", "parameter_count", "modalities", "source_url",
        ):
            org = orgs.get(m["organization_id"]) or {}
            model = facts.model(
                slug=m["slug"], name=m["name"], aliases=m["aliases"] or [], hf_id=m["hf_id"], organization=org.get("name"),
                country=org.get("country") or None, access=m["access"], weights_terms_unknown=m["weights_terms_unknown"],
                service_terms_unknown=m["service_terms_unknown"],
                compute=float(m["training_compute_flop"]) if m["training_compute_flop"] is not None else None,
                # Total parameters (any basis): how counterfactual teachers of comparable size are found.
                parameters=m["parameter_count"], modalities=m["modalities"] or [], source_url=m["source_url"],
            )
            models[m["slug"]] = model_by_id[m["id"]] = model
        for side in ("weights_terms", "service_terms"):
            through = getattr(kb.AIModel, side).through
            for model_id, doc_id in through.objects.order_by("aimodel_id", "termsdocument_id").values_list("aimodel_id", "termsdocument_id"):
                model_by_id[model_id][side].append(spdx_of[doc_id])
        for model in models.values():
            model["weights_terms"].sort()
            model["service_terms"].sort()

        datasets, dataset_by_id = {}, {}
        for d in kb.Dataset.objects.values(
            "id", "slug", "name", "aliases", "hf_id", "organization_id", "license_id", "license_expression", "licenses_unmapped", "origin",
            "source_url", "release_date", "generated_on",
        ):
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
                # Further licenses that bind together with `license`, and license names a source gave
                # that no terms document stands for (their terms are unknown).
                "other_licenses": [],
                "licenses_unmapped": list(d["licenses_unmapped"] or []),
                "license_stated": d["license_expression"] not in ("NOASSERTION", "NONE"),
                "origin": d["origin"],
                "release_date": _day(d["release_date"]),
                "generated_on": _day(d["generated_on"]),
                "modalities": [],
                "source_url": d["source_url"],
                "parents": [],
            }
            datasets[d["slug"]] = dataset_by_id[d["id"]] = dataset
        others = kb.Dataset.other_licenses.through.objects.order_by("dataset_id", "termsdocument_id")
        for dataset_id, doc_id in others.values_list("dataset_id", "termsdocument_id"):
            dataset_by_id[dataset_id]["other_licenses"].append(spdx_of[doc_id])

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


    rules = []
    for row in rule_rows:
        rule_id = row.pop("id")
        row["effective_from"], row["effective_to"] = _day(row["effective_from"]), _day(row["effective_to"])
        keys = []
        for clause_id in rule_clauses.get(rule_id, []):
            version_id, clause = clause_by_id[clause_id]
            version = versions[version_id]
            keys.append((version_doc[id(version)]["spdx_id"], version["label"], clause["key"]))
        rules.append({**row, "clause_keys": keys, "provision_refs": sorted(rule_provisions.get(rule_id, []))})
    return PolicyData(
        documents=documents, models=models, datasets=datasets, jurisdiction_parent=jurisdiction_parent, provisions=provisions, rules=rules,
        license_aliases=_hub_license_aliases(documents),
    )


def _hub_license_aliases(documents):
    """The Hub license ids that designate a knowledge-base license by themselves (not `other`)."""
    from django.apps import apps

    if not apps.is_installed("registry"):
        return {}
    from registry.licenses import load_mapping

    return {
        entry["hub_license"]: entry["spdx_id"]
        for entry in load_mapping()
        if entry["hub_license"] != "other" and entry["spdx_id"] in documents
    }


# --------------------------------------------------------------------------- the registry's part of a check

MAX_DEPTH = 8  # declared ancestors followed above a referenced registry model


def referenced_models(workflow: facts.Workflow) -> list[str]:
    """Every model reference a parsed workflow makes (base, teachers, generators of ad-hoc datasets)."""
    refs = [workflow["student"]["base_model"]] if workflow["student"]["base_model"] else []
    refs += [teacher["model"] for teacher in workflow["teachers"]]
    for entry in workflow["datasets"]:
        refs += entry.get("generated_by") or []
    return refs


def load_lineage_view(*, workflow: facts.Workflow, policy: "CompiledPolicy") -> "LineageView":
    """The registry models a parsed workflow names and their declared ancestors, as a LineageView.

    Asks the database nothing when every reference names a curated model (the common case), and
    nothing when the registry app is not installed.
    """
    from django.apps import apps

    from policies.engine.lineage_view import EMPTY_VIEW

    # Membership, not resolution: the walk resolves each reference itself, once.
    unknown = [ref for ref in dict.fromkeys(referenced_models(workflow)) if ref not in policy.model_index]
    if not unknown or not apps.is_installed("registry"):
        return EMPTY_VIEW
    from policies.engine.lineage_view import build_view
    from registry.lineage import lineage_rows

    found = lineage_rows(references=unknown, max_depth=MAX_DEPTH, resolves=lambda name: policy.model_index.resolve(name).resolved)
    return build_view(
        policy=policy, rows=found.rows, edges=found.edges, license_terms=found.license_terms, inferred=found.inferred, notes=found.notes
    )

