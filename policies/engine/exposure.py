"""The lineage walk: which terms reach the student, along which route, and whom they bind.

What travels along each route (the contract's `binding`):

- **weights** — the base model and its weight-ancestors (fine-tune, adapter, quantized, merge,
  pruned, continued pretraining): the student holds a transform of those weights, so each
  ancestor's weights license binds the workflow's owner (`direct`).
- **distillation** — a teacher's output-use terms: its service terms when the workflow calls the
  provider's API, its weights license when the workflow runs the weights (`self_hosted`; then the
  teacher's own weight-ancestors' licenses too, since running a derivative is running them). `direct`.
  Distillation edges in the *base model's* history also arrive here, but they bound the base's
  maker, not the owner: `inherited`.
- **dataset** — a dataset's license binds whoever trains on it (`direct`; `inherited` for datasets
  in the base model's own history).
- **generated_by** — a dataset made with a model's outputs carries that model's output-use terms to
  the dataset's users as `inherited`.

Lineage the developers document (developer_documented, paper, model_card) is walked as fact. Lineage
an outside record declares (a Hub model card's `base_model`, a DPI record's generator) or a name
implies (`…-GGUF`) is walked too, but every exposure reached through it carries that `evidence`
(`declared`, `inferred`: the weakest on its path), and the walk lists each such step as an assumption
for the user to confirm. Reported or alleged lineage stays in the knowledge base for people to read,
not for verdicts.

Who granted which edge. An ancestor's terms flow only as far as its own licensor lets them: when the
knowledge base records a curated model's own weights license and maker (`own_release`), every ancestor
of that same maker above it, reached by documented lineage, contributes no terms; the release's terms
govern from there on, and a `licensor_release` exposure says which terms stopped (DeepSeek-R1, MIT, on
DeepSeek-V3-Base, DeepSeek License). The cut is per maker: another organization's ancestors further up
keep their terms. A derivative labelled with other terms by anyone else (a Hub uploader, a curated
model of another organization) leaves a non-free ancestor's terms flowing and gives a
`third_party_relicense` exposure: the label is a finding, never a release.

Which version of the terms. A version is read on `as_of`, except that a generated dataset's
generators are read as of when the data was made (`generation_day`: its generation date, else its
release date, else `as_of`, said to be a fallback), and that among regional variants of a document
(`applies_in`) the one binding the organization's country is read, or all of them when the country is
unknown (`binding_versions`). Each such choice travels with the exposure as `basis`.

Everything here is pure: it reads the compiled policy, the lineage view and the parsed workflow.
"""

from dataclasses import dataclass

from policies.engine.compiled import ASSUMED_EVIDENCE, DOCUMENTED_EVIDENCE, WALKED_EVIDENCE, CompiledPolicy, asset_facts, document_facts
from policies.engine.facts import Model, TermsDocument, TermsVersion, Workflow
from policies.engine.jurisdictions import expand_jurisdictions
from policies.engine.lineage_view import EMPTY_VIEW, LineageView

WEIGHT_RELATIONS = {"fine_tune", "adapter", "quantized", "merge", "pruned", "continued_pretraining"}
DISTILLATION_RELATIONS = {"logit_distillation", "output_distillation"}
EVIDENCE_RANK = {"documented": 0, "declared": 1, "inferred": 2}  # weaker evidence ranks higher
RELATION_NOUNS = {"fine_tune": "fine-tune", "quantized": "quantization", "merge": "merge", "adapter": "adapter",
                  "continued_pretraining": "continued pretraining", "pruned": "pruned version"}


def weaker(evidence, other):
    return other if EVIDENCE_RANK.get(other, 0) > EVIDENCE_RANK.get(evidence, 0) else evidence


@dataclass(frozen=True)
class Walked:
    exposures: list
    unresolved: list
    base: Model | None  # the base model, when resolved
    weights_terms: list  # SPDX ids that reach the student through weights (base + ancestors)
    assumptions: list  # declared or inferred lineage the exposures rest on, for the user to confirm
    used: frozenset  # slugs of the lineage view's models the walk went through


def in_force(version: TermsVersion, day: str) -> bool:
    return (version["effective_from"] is None or version["effective_from"] <= day) and (version["effective_to"] is None or day < version["effective_to"])


def _latest(versions):
    found = None
    for version in versions:
        if found is None or (version["effective_from"] or "") >= (found["effective_from"] or ""):
            found = version
    return found


def pick_version(document: TermsDocument, day: str) -> TermsVersion | None:
    """The version that binds everyone (no `applies_in`) whose window contains `day` (the
    latest-starting one if windows overlap), or None."""
    return _latest(v for v in document["versions"] if not v.get("applies_in") and in_force(v, day))


def binding_versions(document, day, domicile, party):
    """[(version or None, basis or None)]: the version(s) of `document` in force on `day` that bind the
    party. `domicile`: the organization's jurisdictions (its country and what it is in), None when
    unknown; `party`: how to name it. Regional variants (`applies_in`) bind parties domiciled there and
    the version without binds everyone else; with the country unknown every variant is read, so a rule
    fires if any of them triggers it (the stricter reading), and the basis says so."""
    regional = [v for v in document["versions"] if v.get("applies_in") and in_force(v, day)]
    general = pick_version(document, day)
    if not regional:
        return [(general, None)]
    if domicile is None:
        labels = ", ".join(f'"{v["label"]}" ({"/".join(v["applies_in"])})' for v in regional)
        rest = f' and the rest-of-world "{general["label"]}"' if general else ""
        basis = (f"organization.country is not given, so every regional variant of {document['name']} in force was read: "
                 f"{labels}{rest}; a rule fires if any of them triggers it")
        return [(v, basis) for v in [*regional, *([general] if general else [])]]
    country = domicile[0]
    matching = [v for v in regional if set(v["applies_in"]) & set(domicile)]
    if matching:
        chosen = _latest(matching)
        return [(chosen, f'{document["name"]} "{chosen["label"]}" chosen because {party} is domiciled in {country}, '
                         f'where it applies ("{chosen["applicability"]}")')]
    places = sorted({code for v in regional for code in v["applies_in"]})
    where = f"outside {'/'.join(places)}, where the regional variant applies"
    if general is None:
        return [(None, f"{party} is domiciled in {country}, {where}, and no version for the rest of the world is recorded for that day")]
    return [(general, f'{document["name"]} "{general["label"]}" chosen because {party} is domiciled in {country}, {where}')]


class _Walk:
    def __init__(self, workflow, snapshot, view):
        self.snapshot = snapshot
        self.view = view
        self.day = workflow["as_of"]
        self.root = workflow["student"]["name"]
        self.exposures = []
        self.unresolved = []
        self.weights_terms = []  # SPDX ids that reach the student through weights (base + ancestors)
        self.assumptions = []
        self.used = set()
        # Whose terms: regional variants are chosen by the organization's domicile (binding_versions).
        organization = workflow["organization"]
        country = organization["country"]
        country = "UK" if country == "GB" else country  # ISO 3166 says GB; the knowledge base says UK
        self.domicile = expand_jurisdictions([country], snapshot.jurisdiction_parent) if country else None
        self.party = organization["name"] or "the organization"

    # -- resolving ----------------------------------------------------------------------------

    def resolve_model(self, reference):
        """The curated model a reference names, else the lineage view's (registry or inferred) one."""
        resolution = self.snapshot.model_index.resolve(reference)
        if resolution.resolved or resolution.candidates:
            return resolution
        found = self.view.resolve(reference)
        return found if found.resolved else resolution

    def model(self, slug):
        model = self.view.model(slug)
        if model is not None:
            self.used.add(slug)
            return model
        return self.snapshot.models[slug]

    def entered(self, model, route):
        """The route as it enters a model: a registry or inferred model's own facts are an uploader's
        declaration or a guess from its name, and everything found beyond it rests on that."""
        if model.get("evidence") in ASSUMED_EVIDENCE:
            self.used.add(model["slug"])
            self.assume(model, None, model["evidence"], route)
            return {**route, "evidence": weaker(route["evidence"], model["evidence"])}
        return route

    def assume(self, model, edge, evidence, route):
        if edge is None:
            if model.get("registry"):
                statement = f'{model["name"]}: license "{model["registry"]["license"] or "none"}" as declared on its model card'
            else:
                return
        else:
            parent = self.view.model(edge["slug"]) or self.snapshot.models.get(edge["slug"]) or {"name": edge["slug"]}
            what = RELATION_NOUNS.get(edge["relation"], edge["relation"].replace("_", " "))
            if evidence == "inferred":
                statement = f'{model["name"]} is a {what} of {parent["name"]}, judging by its name only (pattern "{edge.get("pattern")}")'
            elif model.get("kind") == "dataset":
                statement = f'{model["name"]} was generated with {parent["name"]}, as an outside record declares'
            else:
                how = {"card": "as the card states", "hub_rule": "inferred the way the Hub documents it",
                       "name": f'inferred from its name (pattern "{edge.get("pattern")}")'}.get(edge.get("basis"), "as the card states")
                statement = f'{model["name"]} declares {parent["name"]} as its base model on its model card; the relation, {what}, is {how}'
        entry = {"subject": route["subject"], "statement": statement, "evidence": evidence, "source_url": model.get("source_url")}
        if entry not in self.assumptions:
            self.assumptions.append(entry)

    # -- emitting ---------------------------------------------------------------------------

    def _facts_of(self, build, obj):
        # What conditions see as `asset` and `document`: the snapshot holds them for its own assets and
        # documents (the same dict in every check); an ad-hoc dataset's are built for its one check.
        if obj is None:
            return None
        facts = self.snapshot.facts_by_id.get(id(obj))
        return build(obj) if facts is None else facts

    def _exposure(self, kind, route, asset=None, document=None, version=None, clause=None, reason=None):
        """An exposure: `facts` (the route, what conditions see as `exposure`) and the asset, terms
        document, version and clause it is about."""
        return {
            "facts": {"kind": kind, **route, "reason": reason, "source_url": asset.get("source_url") if asset else None},
            "asset": self._facts_of(asset_facts, asset),
            "document": self._facts_of(document_facts, document),
            "version": version,
            "clause": clause,
        }

    def emit_terms(self, asset, spdx_ids, route, when=None):
        """`when`: (day, basis) to read the terms on another day than the check's (a generated
        dataset's generation date), with the sentence that says why; None reads them on as_of."""
        day, dated = when or (self.day, None)
        for spdx_id in spdx_ids:
            document = self.snapshot.documents.get(spdx_id)
            if document is None:
                reason = f"{spdx_id} is not in the knowledge base"
                self.exposures.append(self._exposure("unknown_terms", route, asset, reason=reason))
                continue
            if route["relation"] == "weights" and spdx_id not in self.weights_terms:
                self.weights_terms.append(spdx_id)
            for version, regional in binding_versions(document, day, self.domicile, self.party):
                basis = "; ".join(b for b in (dated, regional) if b) or None
                if version is None:
                    reason = f"no version of {document['name']} is in force on {day}"
                    if basis:
                        reason += f" ({basis})"
                    self.exposures.append(self._exposure("missing_version", route, asset, document, reason=reason))
                    continue
                self._emit_clauses(asset, document, version, route, basis)

    def _emit_clauses(self, asset, document, version, route, basis):
        clauses = self.snapshot.relevant_clauses[id(version)]
        if not clauses:
            return
        # Every clause of this version shares the route facts.
        facts = {"kind": "clause", **route, "reason": None, "source_url": asset.get("source_url") if asset else None}
        of_asset = self._facts_of(asset_facts, asset)
        of_document = self._facts_of(document_facts, document)
        for clause in clauses:
            exposure = {"facts": facts, "asset": of_asset, "document": of_document, "version": version, "clause": clause}
            if basis:
                exposure["basis"] = basis
            self.exposures.append(exposure)

    def unknown(self, asset, route, reason):
        self.exposures.append(self._exposure("unknown_terms", route, asset, reason=reason))

    def unresolved_reference(self, reference, field, route, index):
        resolution = index.resolve(reference)
        if resolution.candidates:
            reason = "matches several entries in the knowledge base"
        else:
            reason = "matches nothing in the knowledge base or the model registry"
            if self.view.notes.get(reference):
                reason += f" ({self.view.notes[reference]})"
        self.unresolved.append({"field": field, "reference": reference, "reason": reason, "suggestions": index.suggest(reference)})
        self.exposures.append(self._exposure("unresolved", route, reason=f'"{reference}" ({field}) {reason}'))

    # -- terms of an asset ------------------------------------------------------------------

    def weights_terms_of(self, model, route, when=None):
        if model.get("terms_from_parent"):
            return  # known only as a derivative of its parent, whose terms the walk reaches next
        if model["weights_terms_unknown"] or not model["weights_terms"]:
            reason = f"the license of {model['name']}'s weights is not known"
            if model.get("unknown_reason"):
                reason += f" ({model['unknown_reason']})"
            self.unknown(model, route, reason)
        else:
            self.emit_terms(model, model["weights_terms"], route, when)

    def service_terms_of(self, model, route, when=None):
        if model["service_terms_unknown"] or not model["service_terms"]:
            self.unknown(model, route, f"the service terms of {model['name']} are not known")
        else:
            self.emit_terms(model, model["service_terms"], route, when)

    def output_terms_of(self, model, route, when=None):
        """Output-use terms of a model whose outputs someone else used: we do not know whether they
        called the service or ran the weights, so every side the model has travels."""
        if model["service"]:
            self.service_terms_of(model, route, when)
        if model["open_weights"]:
            self.weights_terms_of(model, route, when)

    def generation_day(self, dataset):
        """The day a generated dataset's generators' terms are read on, and the sentence that says why:
        its generation date, else its release date (the data was made by then), else the check's date,
        said to be a fallback. The terms that bound the generator were those in force when it ran."""
        name = dataset["name"]
        if dataset.get("generated_on"):
            return dataset["generated_on"], f"terms as in force on {dataset['generated_on']}, when {name} was generated"
        if dataset.get("release_date"):
            return dataset["release_date"], (f"terms as in force on {dataset['release_date']}, when {name} was released; "
                                              "its generation date is not recorded")
        return self.day, f"when {name} was generated is not known, so the terms in force on {self.day} (the check's date) were read"

    def dataset_terms(self, dataset, route):
        if dataset["license"] is None:
            stated = dataset.get("license_stated", True)
            self.unknown(dataset, route, f"the license of {dataset['name']} is not known" if stated else f"no license is stated for {dataset['name']}")
        else:
            # Service terms among a source's licenses (DPI lists "OpenAI" for data made with its API)
            # reach the student through the generated_by edge, as terms of the generator, not here.
            others = [s for s in dataset.get("other_licenses", ()) if not self.snapshot.documents.get(s, {}).get("contract")]
            self.emit_terms(dataset, [dataset["license"], *others], route)
        for name in dataset.get("licenses_unmapped", ()):
            self.unknown(dataset, route, f"{dataset['name']} is also under {name}, whose terms are not in the knowledge base")
        for edge in dataset["parents"]:
            if edge["relation"] == "generated_by" and edge["kind"] == "model" and edge["evidence_kind"] in WALKED_EVIDENCE:
                generator = self.model(edge["slug"])
                step = {**route, "relation": "generated_by", "binding": "inherited", "path": [*route["path"], generator["name"]]}
                if edge["evidence_kind"] in ASSUMED_EVIDENCE:
                    self.assume(dataset, edge, edge["evidence_kind"], route)
                    step["evidence"] = weaker(step["evidence"], edge["evidence_kind"])
                self.output_terms_of(generator, step, self.generation_day(dataset))

    # -- who granted which edge -----------------------------------------------------------------

    @staticmethod
    def own_release(model):
        """{organization: model} when the knowledge base records `model`'s own weights license as a
        person checked it and names its maker: that maker's terms for the model govern what flows
        onward from it. Empty for an uploader's declaration, a name-only guess, or unknown terms."""
        if (model.get("evidence") in ASSUMED_EVIDENCE or model.get("terms_from_parent") or model["weights_terms_unknown"]
                or not model["weights_terms"] or not model.get("organization")):
            return {}
        return {model["organization"]: model}

    def _terms_citations(self, spdx_ids, prefer=None):
        """The first clause (of the type `prefer`, when one has it) of each document's version in force."""
        found = []
        for spdx_id in spdx_ids:
            document = self.snapshot.documents.get(spdx_id)
            version = pick_version(document, self.day) if document else None
            if not version or not version["clauses"]:
                continue
            clause = next((c for c in version["clauses"] if c["type"] in (prefer or ())), version["clauses"][0])
            found.append(self.snapshot.clause_citations[(spdx_id, version["label"], clause["key"])])
        return tuple(found)

    def licensor_release(self, parent, release, route, terms, unknown):
        """`parent`'s maker released a descendant (`release`) under its own terms: those govern what
        flows onward, so the terms the same maker set for `parent` stop here (and are said to stop)."""
        names = [self.snapshot.documents[s]["name"] if s in self.snapshot.documents else s for s in release["weights_terms"]]
        dropped = [self.snapshot.documents[s]["name"] if s in self.snapshot.documents else s
                   for s in terms if s not in release["weights_terms"]]
        if unknown:
            dropped.append("terms, not in the knowledge base,")
        if not dropped:
            return  # the same terms: nothing is cut, nothing to say
        reason = (f'{release["organization"]}, the licensor of {parent["name"]}, released {release["name"]} under {" and ".join(names)}; '
                  f'those terms govern what flows on from {release["name"]}, not the {" and ".join(dropped)} it set for {parent["name"]}')
        exposure = self._exposure("licensor_release", route, parent, reason=reason)
        exposure["citations"] = self._terms_citations(release["weights_terms"], prefer=("distillation_permitted", "commercial_use"))
        self.exposures.append(exposure)

    def third_party_relicense(self, model, parent, route):
        """`model` carries its own license (curated, or as its uploader declares) although its weights
        derive from `parent`, whose maker is someone else: only the licensor can change terms that are
        not free and open source, so `parent`'s still flow, and the label that says otherwise is a finding."""
        if model.get("terms_from_parent") or model["weights_terms_unknown"] or not model["weights_terms"]:
            return
        if model.get("evidence") not in ASSUMED_EVIDENCE and model.get("organization") == parent.get("organization"):
            return
        for spdx_id in parent["weights_terms"]:
            document = self.snapshot.documents.get(spdx_id)
            if document is None or document["foss"] or spdx_id in model["weights_terms"]:
                continue
            labels = " and ".join(self.snapshot.documents[s]["name"] if s in self.snapshot.documents else s for s in model["weights_terms"])
            who = "its uploader declares" if model.get("registry") else "the knowledge base records"
            reason = (f'{model["name"]} is released under {labels} ({who}), but its weights derive from {parent["name"]}, '
                      f'whose {document["name"]} only {parent.get("organization") or "its licensor"} can change')
            exposure = self._exposure("third_party_relicense", route, model, document, reason=reason)
            exposure["citations"] = self._terms_citations([spdx_id], prefer=("derivative_definition", "license_notice"))
            self.exposures.append(exposure)

    def ancestors(self, model, route, seen, releases=None):
        """Walk a model's parents. Weight-ancestors keep the route's relation and binding; a declared or
        inferred edge weakens the evidence of everything found beyond it. `releases`: organization ->
        the nearest model on the route its maker released under its own terms (`own_release`)."""
        releases = {**self.own_release(model), **(releases or {})}  # the release nearest the student wins
        for edge in model["parents"]:
            if edge["evidence_kind"] not in WALKED_EVIDENCE or (edge["kind"], edge["slug"]) in seen:
                continue
            seen.add((edge["kind"], edge["slug"]))
            here = route
            if edge["evidence_kind"] in ASSUMED_EVIDENCE:
                self.assume(model, edge, edge["evidence_kind"], route)
                here = {**route, "evidence": weaker(route["evidence"], edge["evidence_kind"])}
            if edge["kind"] == "model":
                parent = self.model(edge["slug"])
                path = [*here["path"], parent["name"]]
                # Only a documented edge to a curated parent can be cut: a licensor's release is a fact
                # a person checked, never an uploader's word.
                release = releases.get(parent.get("organization")) if edge["evidence_kind"] in DOCUMENTED_EVIDENCE else None
                if edge["relation"] in WEIGHT_RELATIONS:
                    step = self.entered(parent, {**here, "path": path, "edge": edge["relation"]})
                    if release is not None:
                        self.licensor_release(parent, release, step, parent["weights_terms"],
                                              not parent.get("terms_from_parent") and (parent["weights_terms_unknown"] or not parent["weights_terms"]))
                    else:
                        # The label that governs here: the nearest release by this model's own maker.
                        self.third_party_relicense(releases.get(model.get("organization")) or model, parent, step)
                        self.weights_terms_of(parent, step)
                    self.ancestors(parent, step, seen, releases)
                elif edge["relation"] in DISTILLATION_RELATIONS:
                    step = {**here, "path": path, "edge": edge["relation"], "relation": "distillation", "binding": "inherited"}
                    if release is not None:
                        # The maker distilled its own model: its terms bound nobody but itself.
                        self.licensor_release(parent, release, step, [*parent["service_terms"], *parent["weights_terms"]],
                                              (parent["service"] and parent["service_terms_unknown"]) or (parent["open_weights"] and parent["weights_terms_unknown"]))
                    else:
                        self.output_terms_of(parent, self.entered(parent, step))
            elif edge["relation"] == "trained_on":
                dataset = self.snapshot.datasets[edge["slug"]]
                step = {**here, "path": [*here["path"], dataset["name"]], "edge": "trained_on", "relation": "dataset", "binding": "inherited"}
                self.dataset_terms(dataset, step)

    # -- the workflow's entries ---------------------------------------------------------------

    def base_model(self, reference):
        route = {"subject": reference, "subject_kind": "base_model", "relation": "weights", "edge": None, "binding": "direct",
                 "access": None, "signal": None, "path": [self.root, reference], "evidence": "documented"}
        resolution = self.resolve_model(reference)
        if not resolution.resolved:
            self.unresolved_reference(reference, "student.base_model", route, self.snapshot.model_index)
            return None
        model = resolution.target
        route = self.entered(model, route)
        if model["open_weights"]:
            self.weights_terms_of(model, route)
        else:
            # Fine-tuning a closed model happens on the provider's service, under its service terms.
            self.service_terms_of(model, route)
        self.ancestors(model, route, {("model", model["slug"])})
        return model

    def teacher(self, index, teacher):
        reference = teacher["model"]
        route = {"subject": reference, "subject_kind": "teacher", "relation": "distillation", "edge": None, "binding": "direct",
                 "access": teacher["access"], "signal": teacher["signal"], "path": [self.root, reference], "evidence": "documented"}
        resolution = self.resolve_model(reference)
        if not resolution.resolved:
            self.unresolved_reference(reference, f"teachers[{index}].model", route, self.snapshot.model_index)
            return
        model = resolution.target
        route = self.entered(model, route)
        # The contract's default: the provider's service for models without public weights.
        access = teacher["access"] or ("self_hosted" if model["open_weights"] else "api")
        route["access"] = access
        if access == "api":
            if model["service"]:
                self.service_terms_of(model, route)
            else:
                # Open weights served by someone else: the weights license still governs the outputs.
                self.weights_terms_of(model, route)
        elif model["open_weights"]:
            self.weights_terms_of(model, route)
            self.ancestors(model, route, {("model", model["slug"])})
        else:
            self.unknown(model, route, f"{model['name']} has no public weights in the knowledge base, so it cannot be self-hosted")

    def dataset(self, index, entry):
        if "dataset" in entry:
            reference = entry["dataset"]
            route = {"subject": reference, "subject_kind": "dataset", "relation": "dataset", "edge": "trained_on", "binding": "direct",
                     "access": None, "signal": None, "path": [self.root, reference], "evidence": "documented"}
            resolution = self.snapshot.dataset_index.resolve(reference)
            if not resolution.resolved:
                self.unresolved_reference(reference, f"datasets[{index}].dataset", route, self.snapshot.dataset_index)
                return
            self.dataset_terms(resolution.target, route)
            return
        name = entry["name"]
        route = {"subject": name, "subject_kind": "dataset", "relation": "dataset", "edge": "trained_on", "binding": "direct",
                 "access": None, "signal": None, "path": [self.root, name], "evidence": "documented"}
        asset = {"kind": "dataset", "slug": None, "name": name, "organization": None, "country": None, "modalities": [],
                 "source_url": entry["source_url"], "generated_on": entry.get("generated_on")}
        if entry["license"] is None:
            self.unknown(asset, route, f"the license of {name} is not known")
        else:
            self.emit_terms(asset, entry["license_keys"], route)
        for j, reference in enumerate(entry["generated_by"]):
            step = {**route, "relation": "generated_by", "edge": "generated_by", "binding": "inherited", "path": [*route["path"], reference]}
            resolution = self.resolve_model(reference)
            if not resolution.resolved:
                self.unresolved_reference(reference, f"datasets[{index}].generated_by[{j}]", step, self.snapshot.model_index)
                continue
            self.output_terms_of(resolution.target, self.entered(resolution.target, step), self.generation_day(asset))


def walk(workflow: Workflow, snapshot: CompiledPolicy, view: LineageView = EMPTY_VIEW) -> Walked:
    """Walk the workflow's references through the compiled policy and the lineage view: `Walked`."""
    w = _Walk(workflow, snapshot, view)
    base = w.base_model(workflow["student"]["base_model"]) if workflow["student"]["base_model"] else None
    for i, teacher in enumerate(workflow["teachers"]):
        w.teacher(i, teacher)
    for i, entry in enumerate(workflow["datasets"]):
        w.dataset(i, entry)
    return Walked(w.exposures, w.unresolved, base, w.weights_terms, w.assumptions, frozenset(w.used))
