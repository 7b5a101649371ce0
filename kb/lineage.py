"""Ancestors and descendants of a model or dataset, with the relation and evidence of each edge.

The whole edge table is small (hundreds of rows), so one query loads it and the walk happens in
memory: constant queries whatever the depth, and cycles (which bad data could create) stop the walk.
"""

from collections import deque
from dataclasses import dataclass

from django.db.models import Count, Q

from kb.models import AIModel, Dataset, LineageEdge


@dataclass(frozen=True)
class LineageStep:
    edge: LineageEdge
    depth: int  # 1 = a direct parent (or child)

    @property
    def relation(self):
        return self.edge.relation


def _node(obj):
    if isinstance(obj, AIModel):
        return ("model", obj.pk)
    if isinstance(obj, Dataset):
        return ("dataset", obj.pk)
    raise TypeError(f"lineage is defined for models and datasets, not {type(obj).__name__}")


def _ends(edge):
    child = ("model", edge.child_model_id) if edge.child_model_id else ("dataset", edge.child_dataset_id)
    parent = ("model", edge.parent_model_id) if edge.parent_model_id else ("dataset", edge.parent_dataset_id)
    return child, parent


def _all_edges():
    return list(LineageEdge.objects.select_related("child_model", "child_dataset", "parent_model", "parent_dataset"))


def _walk(start, upward, max_depth, edges=None):
    by_node = {}
    for edge in edges if edges is not None else _all_edges():
        child, parent = _ends(edge)
        by_node.setdefault(child if upward else parent, []).append(edge)
    steps, seen, queue = [], {start}, deque([(start, 0)])
    while queue:
        node, depth = queue.popleft()
        if depth >= max_depth:
            continue
        for edge in by_node.get(node, ()):
            child, parent = _ends(edge)
            nxt = parent if upward else child
            steps.append(LineageStep(edge, depth + 1))
            if nxt not in seen:
                seen.add(nxt)
                queue.append((nxt, depth + 1))
    return steps


def ancestors(obj, max_depth=10, edges=None):
    """Edges leading to what obj was made from, nearest first."""
    return _walk(_node(obj), upward=True, max_depth=max_depth, edges=edges)


def descendants(obj, max_depth=10, edges=None):
    """Edges leading to what was made from obj, nearest first."""
    return _walk(_node(obj), upward=False, max_depth=max_depth, edges=edges)


def lineage(obj, max_depth=10):
    """Both directions from one query."""
    edges = _all_edges()
    return ancestors(obj, max_depth, edges), descendants(obj, max_depth, edges)


# --------------------------------------------------------------------------- one level at a time
# The portal's graph reads a family level by level, counting before it fetches, so a model with tens
# of thousands of descendants costs a few grouped queries, not the whole edge table.


def _ends_in(keys, end):
    """Edges whose `end` ("child" or "parent") is one of the (kind, pk) keys."""
    condition = Q(pk__in=[])
    for kind in ("model", "dataset"):
        pks = [pk for k, pk in keys if k == kind]
        if pks:
            condition |= Q(**{f"{end}_{kind}__in": pks})
    return condition


def relation_counts(keys, upward):
    """{((kind, pk), relation): number of edges} leading up (to parents) or down (to children) from keys."""
    near = "child" if upward else "parent"
    rows = (
        LineageEdge.objects.filter(_ends_in(keys, near))
        .order_by()
        .values(f"{near}_model", f"{near}_dataset", "relation")
        .annotate(n=Count("pk"))
    )
    return {
        (("model", r[f"{near}_model"]) if r[f"{near}_model"] else ("dataset", r[f"{near}_dataset"]), r["relation"]): r["n"] for r in rows
    }


def relation_edges(key, relation, upward, offset=0, limit=None):
    """A page of the edges of one relation from key (kind, pk), ordered by the far end's name."""
    near, far = ("child", "parent") if upward else ("parent", "child")
    edges = (
        LineageEdge.objects.filter(_ends_in([key], near), relation=relation)
        .select_related("child_model", "child_dataset", "parent_model", "parent_dataset")
        .order_by(f"{far}_model__name", f"{far}_dataset__name", "pk")
    )
    return list(edges[offset : offset + limit] if limit is not None else edges[offset:])
