"""What would make it allowed: the smallest changes to a workflow that give a better verdict.

`search` is pure (the parsed workflow, the compiled policy and the lineage view in, a list out) and
bounded (`budget` engine runs). Every suggestion is verified: the engine decides the changed workflow,
and only a verdict strictly better than the workflow's own is reported, with exactly what changed
(`changes`: field path, from, to) and the verdict and summary the engine gave it.

The changes tried, one at a time first:

- state a fact the workflow left unknown (the student does not compete with the teachers' providers;
  a training compute below the thresholds that apply), suggested only as "if this is true";
- another teacher for the same role (same signal, same access, covering the student's modalities), from
  the knowledge base's models of comparable size (its parameter counts; the closest first, the largest
  first when the teacher's own size is undisclosed), one per set of terms, since models under the same
  terms get the same answer; the same for the models that generated an ad-hoc dataset;
- dropping a teacher or a dataset, another release mode, leaving a jurisdiction (or all of them),
  the student not competing when it does.

Then combinations of two or three single changes that each removed a finding without adding a worse
one, on different parts of the workflow, cheapest first. Suggestions are ranked by fewest changes, then
by how much of the workflow they keep (each change has a cost: stating a fact keeps everything,
swapping a teacher keeps its role, dropping something keeps less), then by the better verdict. A
suggestion whose changes include another suggestion's without a better verdict is left out.
"""

import math
from dataclasses import dataclass
from itertools import combinations

from policies.engine.contract import RELEASE
from policies.engine.decision import VERDICT_OF, VERDICT_RANK
from policies.engine.evaluate import evaluate_parsed
from policies.engine.lineage_view import EMPTY_VIEW

DEFAULT_BUDGET = 30  # engine runs per search (a warm run is about a millisecond on the bench workflow)
MAX_SUGGESTIONS = 8
SAME_FIELDS = 2  # suggestions that change the same fields and get the same verdict, shown at most
ALTERNATIVES = 3  # other teachers (or generators) tried per slot, one per set of terms
SIZE_RATIO = 10.0  # "comparable size": within this factor of the teacher's parameter count, when both are known
GPAI_FLOP = 1e23  # the indicative criterion of a general-purpose AI model (Commission GPAI guidelines)

# How much of the workflow a change gives up (ranking): stating a fact keeps everything.
STATE, SWAP, DROP = 0, 1, 2


@dataclass(frozen=True, eq=False)  # compared by identity: a search makes each change once
class Change:
    field: str  # the field path, as errors name it: teachers[0].model, datasets[1], student.release
    before: object
    after: object  # None with a list item: the item is removed
    kind: str  # state_fact, replace_teacher, replace_generator, drop_teacher, drop_dataset, release, jurisdictions, not_competing
    cost: int
    slot: str  # the part of the workflow it touches; changes of one combination touch different slots
    note: str = ""

    def to_json(self):
        data = {"field": self.field, "from": self.before, "to": self.after, "kind": self.kind}
        if self.note:
            data["note"] = self.note
        return data


def better(verdict, than):
    return VERDICT_RANK[verdict] > VERDICT_RANK[than]


# -- applying changes -----------------------------------------------------------------------------


def _parse_path(path):
    """'datasets[1].generated_by[0]' -> ['datasets', 1, 'generated_by', 0]."""
    steps = []
    for part in path.split("."):
        name, _, rest = part.partition("[")
        steps.append(name)
        while rest:
            index, _, rest = rest.partition("]")
            steps.append(int(index))
            rest = rest.removeprefix("[")
    return steps


_REMOVED = object()


def apply_changes(workflow, changes):
    """A copy of `workflow` (parsed, or the contract's input JSON) with `changes` applied: each sets the
    value at its field path; `to: null` on a list item removes the item (indexes name the original
    workflow's items, so several removals do not shift each other). Raises ValueError for a path the
    workflow does not have."""
    out = _copy(workflow)
    touched = []
    for change in changes:
        field, after = (change.field, change.after) if isinstance(change, Change) else (change["field"], change["to"])
        steps = _parse_path(field)
        node = out
        for step in steps[:-1]:
            if isinstance(step, int):
                if not isinstance(node, list) or not 0 <= step < len(node):
                    raise ValueError(f"{field}: no such item")
                node = node[step]
            else:
                if not isinstance(node, dict):
                    raise ValueError(f"{field}: no such field")
                if node.get(step) is None:
                    node[step] = {}
                node = node[step]
        last = steps[-1]
        if isinstance(last, int):
            if not isinstance(node, list) or not 0 <= last < len(node):
                raise ValueError(f"{field}: no such item")
            node[last] = _REMOVED if after is None else after
            touched.append(node)
        elif isinstance(node, dict):
            node[last] = after
        else:
            raise ValueError(f"{field}: no such field")
    for items in touched:
        items[:] = [item for item in items if item is not _REMOVED]
    return out


def _copy(value):
    # JSON-shaped data only: faster than copy.deepcopy, and the search copies a workflow per run.
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


# -- the single changes ---------------------------------------------------------------------------


def _terms_key(model):
    return (tuple(model["weights_terms"]), tuple(model["service_terms"]), model["open_weights"], model["service"])


def _usable(model):
    """A model whose terms the knowledge base knows (an unknown one can only give `review`)."""
    return not model["weights_terms_unknown"] and not model["service_terms_unknown"] and (model["weights_terms"] or model["service_terms"])


_CATALOGUES = {}  # policy_version -> the models that can stand in for a teacher (a cache: the snapshot is immutable)


def _catalogue(snapshot):
    """(model, its terms, its modalities) of every knowledge-base model whose terms are known, once per policy."""
    found = _CATALOGUES.get(snapshot.policy_version)
    if found is None:
        found = tuple((m, _terms_key(m), frozenset(m["modalities"])) for m in snapshot.models.values() if _usable(m))
        if len(_CATALOGUES) >= 4:
            _CATALOGUES.clear()
        _CATALOGUES[snapshot.policy_version] = found
    return found


def alternative_models(snapshot, view, reference, *, modalities, signal="outputs", access=None, limit=ALTERNATIVES):
    """Knowledge-base models that could take the place of `reference` as a teacher (or generator):
    the same role (logits need weights; an explicit access mode must be offered), covering the
    student's modalities, of comparable size, under other terms than it, one per set of terms."""
    current = snapshot.model_index.resolve(reference).target or view.resolve(reference).target
    size = current.get("parameters") if current else None
    own_terms = _terms_key(current) if current else None
    needed = frozenset(modalities)
    weights_needed = signal == "logits" or access == "self_hosted"
    found = {}
    for model, key, offered in _catalogue(snapshot):
        if key == own_terms or not needed <= offered or (current is not None and model["slug"] == current["slug"]):
            continue
        if (weights_needed and not model["open_weights"]) or (access == "api" and not model["service"]):
            continue
        params = model.get("parameters")
        if size and params and not (1 / SIZE_RATIO <= params / size <= SIZE_RATIO):
            continue
        if size:  # closest in size first; unknown sizes last
            rank = (0, abs(math.log(params / size))) if params else (1, 0.0)
        else:  # the teacher's size is undisclosed (a closed frontier model): the largest first
            rank = (0, -params) if params else (1, 0.0)
        if key not in found or (rank, model["slug"]) < found[key][0]:
            found[key] = ((rank, model["slug"]), model)
    ranked = sorted(found.values(), key=lambda item: item[0])
    return [model for _, model in ranked[:limit]]


def _reference(model):
    return model.get("hf_id") or model["slug"]


def _compute_note(workflow, snapshot, view):
    """A compute figure below the thresholds the EU rules apply, and the note that goes with it."""
    base_ref = workflow["student"]["base_model"]
    if base_ref is None:
        limit, what = GPAI_FLOP, "10^23 FLOP, the indicative criterion of a general-purpose AI model"
    else:
        base = snapshot.model_index.resolve(base_ref).target or view.resolve(base_ref).target
        base_compute = base.get("compute") if base else None
        limit = (base_compute or GPAI_FLOP) / 3
        what = "a third of the base model's training compute" if base_compute else "a third of 10^23 FLOP (the base's compute is unknown)"
    value = float(f"{limit / 10:.1g}")
    return value, f"Only if true: state the real figure. This verdict holds for a figure well below {what} ({limit:.3g} FLOP)."


def single_changes(workflow, snapshot, view=EMPTY_VIEW):
    """Every single change worth trying, cheapest first."""
    student, changes = workflow["student"], []
    if student["competes_with_teachers"] is None:
        changes.append(Change("student.competes_with_teachers", None, False, "state_fact", STATE, "student.competes_with_teachers",
                              "Only if true: the student does not compete with the products of the teachers' providers."))
    if student["training_compute_flop"] is None:
        value, note = _compute_note(workflow, snapshot, view)
        changes.append(Change("student.training_compute_flop", None, value, "state_fact", STATE, "student.training_compute_flop", note))
    modalities = student["modalities"]
    for i, teacher in enumerate(workflow["teachers"]):
        for model in alternative_models(snapshot, view, teacher["model"], modalities=modalities, signal=teacher["signal"], access=teacher["access"]):
            changes.append(Change(f"teachers[{i}].model", teacher["model"], _reference(model), "replace_teacher", SWAP, f"teachers[{i}]"))
    for i, dataset in enumerate(workflow["datasets"]):
        for j, generator in enumerate(dataset.get("generated_by", ())):
            for model in alternative_models(snapshot, view, generator, modalities=modalities, limit=2):
                changes.append(Change(f"datasets[{i}].generated_by[{j}]", generator, _reference(model), "replace_generator", SWAP,
                                      f"datasets[{i}]", "The dataset generated again with this model."))
    for release in RELEASE.values:
        if release != student["release"]:
            changes.append(Change("student.release", student["release"], release, "release", DROP if release == "internal" else SWAP,
                                  "student.release"))
    codes = workflow["deployment"]["jurisdictions"]
    for code in codes:
        changes.append(Change("deployment.jurisdictions", list(codes), [c for c in codes if c != code], "jurisdictions", SWAP,
                              "deployment.jurisdictions"))
    if len(codes) > 1:
        changes.append(Change("deployment.jurisdictions", list(codes), [], "jurisdictions", DROP, "deployment.jurisdictions"))
    if student["competes_with_teachers"] is True:
        changes.append(Change("student.competes_with_teachers", True, False, "not_competing", DROP, "student.competes_with_teachers",
                              "The student would have to stop competing with the teachers' providers."))
    for i, dataset in enumerate(workflow["datasets"]):
        changes.append(Change(f"datasets[{i}]", _input_dataset(dataset), None, "drop_dataset", DROP, f"datasets[{i}]"))
    for i, teacher in enumerate(workflow["teachers"]):
        changes.append(Change(f"teachers[{i}]", _input_teacher(teacher), None, "drop_teacher", DROP, f"teachers[{i}]"))
    return sorted(changes, key=lambda c: c.cost)  # stable: the order above within a cost


def _input_teacher(teacher):
    return {k: v for k, v in teacher.items() if v is not None}


def _input_dataset(dataset):
    return {k: v for k, v in dataset.items() if k != "license_keys" and v not in (None, [])}


# -- the search -----------------------------------------------------------------------------------


def _points(decision):
    """(rule, point, path) -> the worst effect of a decision's findings that are not mere permissions.
    By route, not grouped: a change that cuts one of the routes to a point (the data a teacher
    generated) helps, though the point stays while another route (the teacher itself) remains."""
    points = {}
    for f in decision.ungrouped:  # worst first: the first effect seen for a key is its worst
        if f.effect != "permit":
            points.setdefault((f.rule, f.point if f.point is not None else f.subject, f.path), f.effect)
    return points


_SEVERITY = {"prohibit": 0, "review": 1, "require": 2}


def _eased(before, after):
    """The points of `before` that are gone from `after`, or less severe there."""
    return {key for key, effect in before.items() if key not in after or _SEVERITY[after[key]] > _SEVERITY[effect]}


def _helps(before, after):
    """A change helps when it eases a finding and brings none (new or worse) at least as severe as the
    worst it eased."""
    eased = _eased(before, after)
    if not eased:
        return False
    worst_eased = min(_SEVERITY[before[key]] for key in eased)
    return all(
        _SEVERITY[effect] > worst_eased for key, effect in after.items() if key not in before or _SEVERITY[effect] < _SEVERITY[before[key]]
    )


def _promised(before, afters):
    """The verdict several changes promise together, from what each did alone: each point takes the
    mildest effect any of them left it with (gone when one removed it), plus what each brought."""
    points = dict(before)
    for after in afters:
        for key in before:
            if key not in after:
                points[key] = None
            elif points[key] is not None and _SEVERITY[after[key]] > _SEVERITY[points[key]]:
                points[key] = after[key]
        for key, effect in after.items():
            if key not in before and (points.get(key) is None or _SEVERITY[effect] < _SEVERITY[points[key]]):
                points[key] = effect
    effects = [effect for effect in points.values() if effect is not None]
    return VERDICT_OF[min(effects, key=_SEVERITY.__getitem__)] if effects else "allowed"


def search(workflow, snapshot, view=EMPTY_VIEW, decision=None, budget=DEFAULT_BUDGET, limit=MAX_SUGGESTIONS, on_run=None):
    """The smallest verified changes that give `workflow` (parsed) a better verdict, best first:
    a list of {"changes", "verdict", "summary", "resolves"}. Empty for an allowed workflow, or when
    nothing within `budget` engine runs does better. `on_run`, if given, is called once per engine run."""
    decision = decision or evaluate_parsed(workflow, snapshot, view=view)
    if decision.verdict == "allowed":
        return []
    base_points = _points(decision)
    runs = 0
    found = []  # (changes, decision)

    def run(changes):
        nonlocal runs
        runs += 1
        if on_run is not None:
            on_run()
        return evaluate_parsed(apply_changes(workflow, changes), snapshot, view=view)

    helpful = []
    seen_effects = set()
    swapped = set()  # slots where another teacher or generator helped: dropping them is not tried
    singles = budget - budget // 3  # the rest is kept for combinations
    for change in single_changes(workflow, snapshot, view):
        if runs >= singles:
            break
        if change.kind in ("drop_teacher", "drop_dataset") and change.slot in swapped:
            continue
        result = run((change,))
        if better(result.verdict, decision.verdict):
            found.append(((change,), result))
        points = _points(result)
        # One change per slot and per effect on the findings is enough to combine from.
        effect = (change.slot, frozenset(_eased(base_points, points)))
        if _helps(base_points, points):
            if change.kind in ("replace_teacher", "replace_generator"):
                swapped.add(change.slot)
            if effect not in seen_effects:
                seen_effects.add(effect)
                helpful.append((change, points))

    # Combinations of helpful changes on different slots whose effects, taken together, promise a better
    # verdict than the workflow's (and than any subset already found), fewest and cheapest first.
    combos = []
    for size in (2, 3):
        for group in combinations(helpful, size):
            if len({c.slot for c, _ in group}) < size:
                continue
            eased = [_eased(base_points, points) for _, points in group]
            if any(e <= other for i, e in enumerate(eased) for j, other in enumerate(eased) if i != j):
                continue  # one of them eases nothing the others do not already ease
            promised = _promised(base_points, [points for _, points in group])
            if better(promised, decision.verdict):
                changes = tuple(c for c, _ in group)
                combos.append((size, sum(c.cost for c in changes), -VERDICT_RANK[promised], changes, promised))
    combos.sort(key=lambda item: item[:3])
    for _size, _cost, _rank, changes, promised in combos:
        if runs >= budget:
            break
        if any(set(prior) <= set(changes) and not better(promised, result.verdict) for prior, result in found):
            continue  # a subset of these changes already does as well as these promise
        result = run(changes)
        if better(result.verdict, decision.verdict):
            found.append((changes, result))

    return _ranked(found, decision, limit)


def _ranked(found, decision, limit):
    # Leave out a suggestion whose changes include another's without doing better than it.
    kept = [
        (changes, result)
        for changes, result in found
        if not any(set(other) < set(changes) and not better(result.verdict, other_result.verdict) for other, other_result in found)
    ]
    kept.sort(key=lambda item: (len(item[0]), sum(c.cost for c in item[0]), -VERDICT_RANK[item[1].verdict]))
    before = _points(decision)
    out, alike = [], {}
    for changes, result in kept:
        # Other teachers for the same slot with the same verdict: a couple show the way; more are noise.
        fields = (tuple(c.field for c in changes), result.verdict)
        alike[fields] = alike.get(fields, 0) + 1
        if alike[fields] > SAME_FIELDS or len(out) == limit:
            continue
        after = _points(result)
        out.append({
            "changes": [c.to_json() for c in changes],
            "verdict": result.verdict,
            "summary": result.summary,
            "resolves": list(dict.fromkeys(key[0] for key in _eased(before, after))),
        })
    return out
