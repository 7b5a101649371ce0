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

Only lineage the developers document (developer_documented, paper, model card) is walked; reported
or alleged lineage stays in the knowledge base for people to read, not for verdicts.

Everything here is pure: it reads the snapshot and the parsed workflow, nothing else.
"""

from policies.engine.snapshot import DOCUMENTED_EVIDENCE, asset_facts, document_facts

WEIGHT_RELATIONS = {"fine_tune", "adapter", "quantized", "merge", "pruned", "continued_pretraining"}
DISTILLATION_RELATIONS = {"logit_distillation", "output_distillation"}


def pick_version(document, day):
    """The version whose window contains `day` (the latest-starting one if windows overlap), or None."""
    found = None
    for version in document["versions"]:
        if (version["effective_from"] is None or version["effective_from"] <= day) and (
            version["effective_to"] is None or day < version["effective_to"]
        ):
            if found is None or (version["effective_from"] or "") >= (found["effective_from"] or ""):
                found = version
    return found


class _Walk:
    def __init__(self, workflow, snapshot):
        self.snapshot = snapshot
        self.day = workflow["as_of"]
        self.root = workflow["student"]["name"]
        self.exposures = []
        self.unresolved = []
        self.weights_terms = []  # SPDX ids that reach the student through weights (base + ancestors)

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

    def emit_terms(self, asset, spdx_ids, route):
        relevant_clauses = self.snapshot.relevant_clauses
        for spdx_id in spdx_ids:
            document = self.snapshot.documents.get(spdx_id)
            if document is None:
                reason = f"{spdx_id} is not in the knowledge base"
                self.exposures.append(self._exposure("unknown_terms", route, asset, reason=reason))
                continue
            if route["relation"] == "weights" and spdx_id not in self.weights_terms:
                self.weights_terms.append(spdx_id)
            version = pick_version(document, self.day)
            if version is None:
                reason = f"no version of {document['name']} is in force on {self.day}"
                self.exposures.append(self._exposure("missing_version", route, asset, document, reason=reason))
                continue
            clauses = relevant_clauses[id(version)]
            if clauses:
                # Every clause of this version shares the route facts.
                facts = {"kind": "clause", **route, "reason": None, "source_url": asset.get("source_url") if asset else None}
                of_asset = self._facts_of(asset_facts, asset)
                of_document = self._facts_of(document_facts, document)
                for clause in clauses:
                    self.exposures.append({"facts": facts, "asset": of_asset, "document": of_document, "version": version, "clause": clause})

    def unknown(self, asset, route, reason):
        self.exposures.append(self._exposure("unknown_terms", route, asset, reason=reason))

    def unresolved_reference(self, reference, field, route, index):
        resolution = index.resolve(reference)
        reason = "matches several entries in the knowledge base" if resolution.candidates else "matches nothing in the knowledge base"
        self.unresolved.append({"field": field, "reference": reference, "reason": reason, "suggestions": index.suggest(reference)})
        self.exposures.append(self._exposure("unresolved", route, reason=f'"{reference}" ({field}) {reason}'))

    # -- terms of an asset ------------------------------------------------------------------

    def weights_terms_of(self, model, route):
        if model["weights_terms_unknown"] or not model["weights_terms"]:
            self.unknown(model, route, f"the license of {model['name']}'s weights is not known")
        else:
            self.emit_terms(model, model["weights_terms"], route)

    def service_terms_of(self, model, route):
        if model["service_terms_unknown"] or not model["service_terms"]:
            self.unknown(model, route, f"the service terms of {model['name']} are not known")
        else:
            self.emit_terms(model, model["service_terms"], route)

    def output_terms_of(self, model, route):
        """Output-use terms of a model whose outputs someone else used: we do not know whether they
        called the service or ran the weights, so every side the model has travels."""
        if model["service"]:
            self.service_terms_of(model, route)
        if model["open_weights"]:
            self.weights_terms_of(model, route)

    def dataset_terms(self, dataset, route):
        if dataset["license"] is None:
            self.unknown(dataset, route, f"the license of {dataset['name']} is not known")
        else:
            self.emit_terms(dataset, [dataset["license"]], route)
        for edge in dataset["parents"]:
            if edge["relation"] == "generated_by" and edge["kind"] == "model" and edge["evidence_kind"] in DOCUMENTED_EVIDENCE:
                generator = self.snapshot.models[edge["slug"]]
                self.output_terms_of(generator, {**route, "relation": "generated_by", "binding": "inherited", "path": [*route["path"], generator["name"]]})

    def ancestors(self, model, route, seen):
        """Walk a model's documented parents. Weight-ancestors keep the route's relation and binding."""
        for edge in model["parents"]:
            if edge["evidence_kind"] not in DOCUMENTED_EVIDENCE or (edge["kind"], edge["slug"]) in seen:
                continue
            seen.add((edge["kind"], edge["slug"]))
            if edge["kind"] == "model":
                parent = self.snapshot.models[edge["slug"]]
                path = [*route["path"], parent["name"]]
                if edge["relation"] in WEIGHT_RELATIONS:
                    step = {**route, "path": path, "edge": edge["relation"]}
                    self.weights_terms_of(parent, step)
                    self.ancestors(parent, step, seen)
                elif edge["relation"] in DISTILLATION_RELATIONS:
                    step = {**route, "path": path, "edge": edge["relation"], "relation": "distillation", "binding": "inherited"}
                    self.output_terms_of(parent, step)
            elif edge["relation"] == "trained_on":
                dataset = self.snapshot.datasets[edge["slug"]]
                step = {**route, "path": [*route["path"], dataset["name"]], "edge": "trained_on", "relation": "dataset", "binding": "inherited"}
                self.dataset_terms(dataset, step)

    # -- the workflow's entries ---------------------------------------------------------------

    def base_model(self, reference):
        route = {"subject": reference, "subject_kind": "base_model", "relation": "weights", "edge": None, "binding": "direct",
                 "access": None, "signal": None, "path": [self.root, reference]}
        resolution = self.snapshot.model_index.resolve(reference)
        if not resolution.resolved:
            self.unresolved_reference(reference, "student.base_model", route, self.snapshot.model_index)
            return None
        model = resolution.target
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
                 "access": teacher["access"], "signal": teacher["signal"], "path": [self.root, reference]}
        resolution = self.snapshot.model_index.resolve(reference)
        if not resolution.resolved:
            self.unresolved_reference(reference, f"teachers[{index}].model", route, self.snapshot.model_index)
            return
        model = resolution.target
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
                     "access": None, "signal": None, "path": [self.root, reference]}
            resolution = self.snapshot.dataset_index.resolve(reference)
            if not resolution.resolved:
                self.unresolved_reference(reference, f"datasets[{index}].dataset", route, self.snapshot.dataset_index)
                return
            self.dataset_terms(resolution.target, route)
            return
        name = entry["name"]
        route = {"subject": name, "subject_kind": "dataset", "relation": "dataset", "edge": "trained_on", "binding": "direct",
                 "access": None, "signal": None, "path": [self.root, name]}
        asset = {"kind": "dataset", "slug": None, "name": name, "organization": None, "country": None, "modalities": [],
                 "source_url": entry["source_url"]}
        if entry["license"] is None:
            self.unknown(asset, route, f"the license of {name} is not known")
        else:
            self.emit_terms(asset, entry["license_keys"], route)
        for j, reference in enumerate(entry["generated_by"]):
            step = {**route, "relation": "generated_by", "edge": "generated_by", "binding": "inherited", "path": [*route["path"], reference]}
            resolution = self.snapshot.model_index.resolve(reference)
            if not resolution.resolved:
                self.unresolved_reference(reference, f"datasets[{index}].generated_by[{j}]", step, self.snapshot.model_index)
                continue
            self.output_terms_of(resolution.target, step)


def walk(workflow, snapshot):
    """Return (exposures, unresolved, base_model dict or None, SPDX ids reaching through weights)."""
    w = _Walk(workflow, snapshot)
    base = w.base_model(workflow["student"]["base_model"]) if workflow["student"]["base_model"] else None
    for i, teacher in enumerate(workflow["teachers"]):
        w.teacher(i, teacher)
    for i, entry in enumerate(workflow["datasets"]):
        w.dataset(i, entry)
    return w.exposures, w.unresolved, base, w.weights_terms
