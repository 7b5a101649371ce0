"""License drift: each model checked as if it were a student released the way it is, with the engine.

For a model of the knowledge base (kb.AIModel with weight parents) or of the registry (a HubModel with
declared or inferred parents) the audit builds the workflow "this model, released as it is":

    student.name = the model's name (a registry model: its repository name without the owner, which is
                   what a naming clause reads as "the model name")
    student.base_model = its weight parent; a merge has several, and each is checked on its own
    student.release = open_weights (it is on the Hub, or its weights are published)
    student.purpose = commercial, unless its declared license allows no commercial use
    student.license = its declared license (registry: the Hub id mapped by registry.licenses.terms_for;
                      curated: its weights_terms)

evaluates it with the engine (`evaluate_parsed`, the one rule set), and keeps the findings that say the declared
license or name breaks an ancestor's terms. Which findings are conflicts:

- `naming-prefix`, `non-commercial-terms`, `share-alike`: their conditions already compare the model's
  name, purpose or license with the clause, so a finding is a breach (a Llama 3 derivative whose name
  does not begin with "Llama 3"; a research-only ancestor under a license that allows commercial use).
- `derivative-carries-terms`, `use-policy-flow-down` and `license-notice` on a terms document that is
  not free and open source: they say the derivative must carry the ancestor's terms (Gemma's terms, a
  use policy, "a copy of this Agreement"). They fire for every derivative, so they are a conflict only
  when the declared license is not that document, and only for the terms the parent itself is under
  (or any ancestor's when the parent's own terms are unknown): a mismatch further up is the parent's
  drift, reported when the parent is audited.
- Not conflicts: `license-notice` on FOSS licenses (Apache-2.0, MIT let a derivative carry other terms
  if notices are kept, which metadata cannot show), `attribution-display` ("Built with Llama" is shown
  on a card or product, not in license metadata), user/revenue thresholds and territory (they depend on
  who deploys), regulation rules and permits. `unresolved-reference`, `unknown-terms` and
  `missing-terms-version` are kept apart as `unknowns`: the audit could not see that part of the lineage.

Reads only (the loader's lineage view); `audit.services` stores the results.
"""

import hashlib
import json
from dataclasses import dataclass

from policies.engine import snapshot as snapshots
from policies.engine.lineage_view import hub_url

DIRECT_CONFLICTS = {"naming-prefix": "naming", "non-commercial-terms": "non_commercial", "share-alike": "share_alike"}
CARRIED_TERMS = {"derivative-carries-terms": "terms_not_carried", "use-policy-flow-down": "use_policy_not_passed_on", "license-notice": "license_not_carried"}
UNKNOWNS = {"unresolved-reference", "unknown-terms", "missing-terms-version"}
KINDS = sorted({*DIRECT_CONFLICTS.values(), *CARRIED_TERMS.values()})


def allows_commercial_use(*, spdx_ids, documents):
    """False when a declared terms document's clauses say research only or no commercial use."""
    for spdx in spdx_ids:
        for version in (documents.get(spdx) or {}).get("versions", ()):
            for clause in version["clauses"]:
                if clause["type"] == "research_only" or (clause["type"] == "commercial_use" and clause["params"].get("permitted") is False):
                    return False
    return True


def release_workflow(*, name, parent, license_keys, documents, as_of):
    """The workflow "this model, released the way it is" with one weight parent."""
    commercial = allows_commercial_use(spdx_ids=license_keys, documents=documents)
    return {
        "name": f"license drift audit of {name}",
        "as_of": as_of,
        "student": {
            "name": name,
            "base_model": parent,
            "purpose": "commercial" if commercial else "non_commercial",
            "release": "open_weights",
            "license": " AND ".join(license_keys) if license_keys else None,
        },
    }


def _model(name, view, snapshot):
    target = view.resolve(name).target if view is not None else None
    return target or snapshot.model_index.resolve(name).target


def edge_evidence(*, path, first_evidence, view, snapshot):
    """The evidence grade of each edge of a finding's path: the model's own edge to its parent, then
    each ancestor's edge as the knowledge base (`documented`) or a card or name records it."""
    grades = [first_evidence]
    for child_name, parent_name in zip(path[1:], path[2:], strict=False):
        child = _model(child_name, view, snapshot)
        grade = None
        for edge in (child or {}).get("parents", ()):
            parent = _model(parent_name, view, snapshot)
            if parent is not None and edge["slug"] == parent["slug"]:
                grade = edge.get("evidence_kind") or "documented"
                break
        grades.append(grade or "unknown")
    return grades


def owners_of(model):
    """The names a model's licensor goes by: its organization and its Hugging Face owner, lower case."""
    if model is None:
        return frozenset()
    return frozenset({(model.get("organization") or "").lower(), (model.get("hf_id") or "").split("/", 1)[0].lower()} - {""})


def conflicts_of(*, decision, declared, parent, first_evidence, relation, view, snapshot, declared_known=True, licensors=None):
    """The findings of one release workflow that are conflicts with the declared license, as dicts;
    and the unknowns (parts of the lineage the audit could not see). `declared_known`: False when the
    knowledge base does not know the model's license (then only name and purpose conflicts count)."""
    documents = snapshot.documents
    parent_model = _model(parent, view, snapshot)
    parent_terms = set(parent_model["weights_terms"]) if parent_model else set()
    parent_terms_known = bool(parent_terms) and not (parent_model or {}).get("terms_from_parent")
    conflicts, unknowns = [], []
    for finding in decision.findings:
        ref = finding.citations[0].ref if finding.citations else None
        if finding.rule in UNKNOWNS:
            unknowns.append({"rule": finding.rule, "ancestor": finding.subject, "path": list(finding.path), "message": finding.message})
            continue
        ancestor = _model(finding.subject, view, snapshot)
        kind = DIRECT_CONFLICTS.get(finding.rule)
        if kind is None and finding.rule in CARRIED_TERMS and declared_known:
            if ref in declared or ref not in documents:
                continue
            if finding.rule == "license-notice" and documents[ref]["foss"]:
                continue
            if parent_terms_known and ref not in parent_terms:
                continue
            kind = CARRIED_TERMS[finding.rule]
        if kind is None:
            continue
        conflicts.append({
            "kind": kind,
            "rule": finding.rule,
            "effect": finding.effect,
            "ancestor": finding.subject,
            # Whose terms they are: the document's publisher (Meta for a Llama license met through a
            # DeepSeek distill), else the ancestor's organization.
            "licensor": (licensors or {}).get(ref) or (ancestor or {}).get("organization") or "",
            "terms": ref or "",
            "relation": relation,
            "path": list(finding.path),
            "evidence": edge_evidence(path=finding.path, first_evidence=first_evidence, view=view, snapshot=snapshot),
            "message": finding.message,
            "fix": finding.remedy,
            "citations": [c.to_json() for c in finding.citations],
            "ancestor_owners": sorted(owners_of(ancestor)),
        })
    return conflicts, unknowns


# The name a group is evaluated under: rules other than naming-prefix do not depend on the name except
# in their text, where each member's name is put back.
PLACEHOLDER = "drift-audit-subject"
MAX_DEPTH = 8  # the engine loader's (policies.engine.loader.MAX_DEPTH): declared ancestors a view holds


@dataclass(frozen=True)
class Graph:
    """The registry's lineage as plain data: rows {repo_key: (repo_id, license, license_name,
    license_link, gated, pipeline_tag, author)}, their license terms and card commits, and edges {child repo_key: [(parent_key,
    parent_repo_id, relation, evidence, relation_basis, pattern)] in parent_key order} (the order
    the engine's lineage view lists a model's parents in)."""

    rows: dict
    edges: dict
    terms: dict  # repo_key -> (SPDX ids, reason when none): registry.licenses.terms_for of its license
    shas: dict  # repo_key -> the card's commit


@dataclass(frozen=True)
class Ancestry:
    """A weight parent's ancestry as the engine's lineage view will hold it, in two parts.

    shape: everything a rule's outcome can read (each registry ancestor's declared license, gating
    and pipeline; each edge's relation, evidence, basis and the position of the parent it reaches;
    the name of every curated model or unknown reference, which is looked up by name), but not the
    registry ancestors' names and owners, which rules only print. Two parents with the same shape
    give the same findings up to those names. nodes: (repo id, organization) of each registry
    ancestor in the shape's order, the names a finding of a representative is renamed from and to."""

    shape: tuple
    nodes: tuple
    keys: tuple = ()  # the registry ancestors' repo keys, in the shape's order
    depths: tuple = ()


def ancestry(*, parent, graph, named, max_depth=MAX_DEPTH, keep_names=False):
    """The Ancestry of a weight parent reference. `named(name)` is True for a name the engine
    resolves without the registry (a curated model or alias); such a node, and any reference the
    registry does not hold, is kept by name. `keep_names`: keep registry names too (when a rule's
    condition reads an asset's name or organization). Breadth first, as the view's recursive query
    counts depth: a model's parents are in the view when it is fewer than max_depth edges up."""
    key = parent.strip().lower()
    row = graph.rows.get(key)
    if named(parent) or row is None or named(row[0]):
        return Ancestry((("named", parent),), ())
    order, index, depth = [key], {key: 0}, {key: 0}
    shape, nodes = [], []
    for key in order:  # grows while walked: a breadth-first queue
        row = graph.rows[key]
        edges = []
        if depth[key] < max_depth:
            for parent_key, parent_repo_id, relation, evidence, _, _ in graph.edges.get(key, ()):
                above = graph.rows.get(parent_key)
                if above is None or named(parent_repo_id) or named(above[0]):
                    target = ("named", parent_repo_id)
                else:
                    if parent_key not in index:
                        index[parent_key], depth[parent_key] = len(order), depth[key] + 1
                        order.append(parent_key)
                    target = index[parent_key]
                # The edge's basis and name pattern are left out: only a check's assumptions print them.
                edges.append((relation, evidence, target))
        shape.append((row[0] if keep_names else None, *row[1:6], row[6] if keep_names else None, tuple(edges)))
        nodes.append((row[0], row[6] or row[0].split("/", 1)[0], graph.shas.get(key, "")))
    return Ancestry(tuple(shape), tuple(nodes), tuple(order), tuple(depth[k] for k in order))


def lineage_view(*, ancestry, graph, snapshot, max_depth=MAX_DEPTH):
    """The lineage view the engine's loader would read for a registry parent, built from the graph
    in hand (policies.engine.lineage_view.build_view on the same rows and edges), without a query."""
    from policies.engine.lineage_view import build_view

    rows, edges = [], []
    for key, depth in zip(ancestry.keys, ancestry.depths, strict=True):
        repo_id, license, license_name, license_link, gated, pipeline_tag, author = graph.rows[key]
        rows.append({
            "repo_id": repo_id, "repo_key": key, "sha": graph.shas.get(key, ""), "license": license, "license_name": license_name,
            "license_link": license_link, "gated": gated, "author": author, "pipeline_tag": pipeline_tag,
        })
        if depth < max_depth:
            edges += [
                {"child": key, "parent_key": pk, "parent_repo_id": pid, "relation": rel, "evidence": ev, "relation_basis": basis, "pattern": pat}
                for pk, pid, rel, ev, basis, pat in graph.edges.get(key, ())
            ]
    terms = {key: graph.terms[key] for key in ancestry.keys}
    return build_view(policy=snapshot, rows=rows, edges=edges, license_terms=terms)


def names_read_by_rules(snapshot):
    """True when a rule the audit keeps reads a model's name, slug or organization in its condition
    (today none does: naming-prefix reads the student's name, which each member is evaluated with)."""
    relevant = {*DIRECT_CONFLICTS, *CARRIED_TERMS, *UNKNOWNS}
    for rule in snapshot.rules:
        if rule.slug not in relevant:
            continue
        for fact, fields in rule.binding:
            if fact in ("asset", "base") and (fields is None or {"name", "slug", "organization", "given"} & set(fields)):
                return True
    return False


# The naming rule's condition as the fixtures state it: whether it fires depends only on whether the
# student's name (normalized) starts with the clause's prefix (normalized).
NAMING_CONDITION = "clause.params.prefix != null && !student.name_key.startsWith(clause.params_key.prefix)"


def naming_prefixes(snapshot):
    """The normalized prefix of every naming clause, when the naming rule's condition is the one above:
    a name that starts with none of them then draws exactly the findings the placeholder name draws.
    None when the rule reads the name otherwise (each member is then evaluated with its own name)."""
    from kb.references import normalize_reference

    rule = next((r for r in snapshot.rules if r.slug == "naming-prefix"), None)
    if rule is None or " ".join(rule.condition.source.split()) != NAMING_CONDITION:
        return None
    prefixes = frozenset(
        normalize_reference(clause["params"]["prefix"])
        for document in snapshot.documents.values() for version in document["versions"] for clause in version["clauses"]
        if clause["type"] == "naming" and isinstance(clause["params"].get("prefix"), str)
    )
    return None if any(normalize_reference(PLACEHOLDER).startswith(p) for p in prefixes) else prefixes


def audit_edge(
    *, parent, relation, evidence, declared, as_of, members, declared_known=True, licensors=None, snapshot=None, prefixes=None, view=None,
):
    """Audit one weight edge for every member that has it or an edge of the same shape (Ancestry):
    the release workflow over `parent` (the representative) is evaluated once; only the naming rule,
    the one rule that reads the student's name, runs for each member. Each member's findings are
    then the representative's with the member's own ancestors' names and owners put in (`rename`:
    the representative's ancestor repo id -> (the member's, its organization)). A conflict with the
    member's own licensor's terms is dropped: a licensor is not bound by the license it grants
    (Meta's Llama 3.2 built on its Llama 3.1).

    members: (key, student name, owners: the member's organization and Hub owner, lower case, rename).
    prefixes: naming_prefixes(snapshot); a member whose name starts with none of them takes the
    placeholder's naming findings instead of its own evaluation. view: the parent's lineage view when
    the caller has it (lineage_view), else the engine's loader reads it.
    Returns {key: {"conflicts": [...], "unknowns": [...]}} (plain data, stored as is)."""
    from kb.references import normalize_reference
    from policies.engine import loader
    from policies.engine.evaluate import evaluate_parsed
    from policies.engine.workflow import parse_workflow

    snapshot = snapshot or snapshots.current()
    common = {"declared": set(declared), "declared_known": declared_known, "licensors": licensors, "snapshot": snapshot}
    workflow = release_workflow(name=PLACEHOLDER, parent=parent, license_keys=list(declared), documents=snapshot.documents, as_of=as_of)
    parsed = parse_workflow(workflow, snapshot.licensing)
    view = view or loader.load_lineage_view(workflow=parsed, policy=snapshot)
    edge = {"parent": parent, "first_evidence": evidence, "relation": relation, "view": view}
    found, gaps = conflicts_of(decision=evaluate_parsed(parsed, snapshot, view=view), **edge, **common)
    naming = any(c["rule"] == "naming-prefix" for c in found)
    results = {}
    for key, name, owners, rename in members:
        mine = [c for c in found if c["rule"] != "naming-prefix"]
        if naming and prefixes is not None and not any(normalize_reference(name).startswith(p) for p in prefixes):
            mine = [c for c in found if c["rule"] == "naming-prefix"] + mine  # in the order an own evaluation gives
        elif naming:
            own = parse_workflow({**workflow, "student": {**workflow["student"], "name": name}}, snapshot.licensing)
            mine = conflicts_of(decision=evaluate_parsed(own, snapshot, only={"naming-prefix"}, view=view), **edge, **common)[0] + mine
        renamer = Renamer(name, rename, licensors or {})
        mine = [renamer.conflict(c) for c in mine]
        results[key] = {
            "conflicts": [{k: v for k, v in c.items() if k != "ancestor_owners"} for c in mine if not set(owners) & set(c["ancestor_owners"])],
            "unknowns": [renamer.item(u) for u in gaps],
        }
    return results


class Renamer:
    """Puts a member's own name and its ancestors' names into a representative's findings."""

    def __init__(self, name, rename, licensors):
        self.names = {PLACEHOLDER: name}
        for old, (new, _, old_sha, new_sha) in rename.items():
            if (old, old_sha) != (new, new_sha):  # a card's address at its commit, as a source citation gives it
                self.names[hub_url(old, old_sha)] = hub_url(new, new_sha)
            if old != new:
                self.names[old] = new
        self.organizations = {new: org for _, (new, org, _, _) in rename.items()}
        self.licensors = licensors
        self.longest_first = sorted(self.names, key=len, reverse=True)

    def text(self, text):
        """Each old name replaced by its new one, longest first and through a token, so that no name
        is replaced inside another or inside a name already put in."""
        used = []
        for number, old in enumerate(self.longest_first):
            if old in text:
                text = text.replace(old, f"\x00{number}\x00")
                used.append(number)
        for number in used:
            text = text.replace(f"\x00{number}\x00", self.names[self.longest_first[number]])
        return text

    def item(self, item):
        out = dict(item)
        for key in ("message", "fix"):
            if key in out:
                out[key] = self.text(out[key])
        out["path"] = [self.names.get(step, step) for step in out["path"]]
        out["ancestor"] = self.names.get(out["ancestor"], out["ancestor"])
        return out

    def conflict(self, conflict):
        out = self.item(conflict)
        if len(self.names) > 1:
            out["citations"] = [{k: self.text(v) if isinstance(v, str) else v for k, v in c.items()} for c in out["citations"]]
        if out["ancestor"] != conflict["ancestor"]:  # a registry ancestor of the member's own
            organization = self.organizations[out["ancestor"]]
            out["licensor"] = self.licensors.get(conflict["terms"]) or organization
            out["ancestor_owners"] = sorted(owners_of({"organization": organization, "hf_id": out["ancestor"]}))
        return out


def audit_group(*, members, parents, declared, as_of, declared_known=True, licensors=None, snapshot=None):
    """Audit models that share their weight parents and declared license (each parent's edge once,
    audit_edge). members: (key, student name, owners); parents: (parent reference, relation,
    evidence of the edge); declared: SPDX ids of the declared license (empty when none is declared);
    licensors: SPDX id -> the terms document's publisher. Returns {key: {"conflicts", "unknowns"}}."""
    results = {key: {"conflicts": [], "unknowns": []} for key, _, _ in members}
    for parent, relation, evidence in parents:
        found = audit_edge(
            parent=parent, relation=relation, evidence=evidence, declared=declared, as_of=as_of, declared_known=declared_known,
            licensors=licensors, snapshot=snapshot, members=[(key, name, owners, {}) for key, name, owners in members],
        )
        for key, result in found.items():
            results[key]["conflicts"] += result["conflicts"]
            results[key]["unknowns"] += result["unknowns"]
    return results


def _digest(data):
    return hashlib.blake2b(json.dumps(data, sort_keys=True, default=str).encode(), digest_size=16).hexdigest()


class PolicyParts:
    """The parts of a compiled policy an audit result depends on, digested: the rules whose findings
    the audit keeps (a rule the audit ignores, or a law, changes no result), each terms document,
    and each curated model with its lineage. A result is audited again when one of those it reads
    changed, not whenever the policy version moves."""

    def __init__(self, snapshot):
        relevant = {*DIRECT_CONFLICTS, *CARRIED_TERMS, *UNKNOWNS}
        self.snapshot = snapshot
        self.rules = _digest([
            [r.slug, r.effect, r.scope, r.condition.source, repr(r.message), repr(r.remedy), repr(r.citations), r.effective_from, r.effective_to]
            for r in sorted(snapshot.rules, key=lambda r: r.slug) if r.slug in relevant
        ])
        self.documents, self.curated = {}, {}

    def document(self, spdx):
        if spdx not in self.documents:
            self.documents[spdx] = _digest(self.snapshot.documents.get(spdx))
        return self.documents[spdx]

    def curated_lineage(self, name):
        """A curated model (by any name it goes by), its ancestors, and the terms documents of each."""
        if name not in self.curated:
            target = self.snapshot.model_index.resolve(name).target
            seen, queue, parts = set(), [target] if target else [], []
            while queue:
                model = queue.pop()
                if model is None or model["slug"] in seen:
                    continue
                seen.add(model["slug"])
                parts.append([_digest(model), [self.document(t) for t in (*model["weights_terms"], *model["service_terms"])]])
                queue += [self.snapshot.models.get(edge["slug"]) for edge in model.get("parents", ())]
            self.curated[name] = _digest(sorted(parts))
        return self.curated[name]

    def of_ancestry(self, ancestry, graph):
        """What of the policy a parent's ancestry reads: its registry ancestors' terms documents and
        every curated model or unknown reference it reaches."""
        documents = sorted({self.document(spdx) for key in ancestry.keys for spdx in graph.terms[key][0]})
        named = sorted({target[1] for node in ancestry.shape for target in _named_targets(node)})
        return _digest([documents, [self.curated_lineage(name) for name in named]])


def _named_targets(node):
    if node[0] == "named":
        return [node]
    return [edge[-1] for edge in node[-1] if isinstance(edge[-1], tuple)]


def ancestry_digest(ancestry):
    """A digest of a parent's whole ancestry (shape and names): part of each child's fingerprint."""
    data = json.dumps([ancestry.shape, ancestry.nodes])
    return hashlib.blake2b(data.encode(), digest_size=16).hexdigest()


def fingerprint(*, name, parents, declared, ancestries, policy=()):
    """What an audit result depends on: the model's name, its parents with their relation and
    evidence, its declared license, each parent's whole ancestry (`ancestries`: their
    ancestry_digest, so that a license changed any number of levels up changes it), and the parts of
    the policy it reads (`policy`: PolicyParts digests of the rules, the declared license's document
    and each parent's ancestry)."""
    data = json.dumps([name, sorted(map(list, parents)), sorted(declared), list(ancestries), list(policy)])
    return hashlib.blake2b(data.encode(), digest_size=16).hexdigest()
