"""Lay out a model's or dataset's lineage for an SVG drawn on the server (no JavaScript).

Ancestors sit in rows above the focus (nearest first), descendants in rows below. Every edge keeps
its relation, evidence kind and source; "reported" and "alleged" edges are drawn dashed and dotted,
so that unproven derivations never look like documented ones.
"""

from dataclasses import dataclass

from django.urls import reverse

from kb.lineage import lineage

NODE_W, NODE_H, GAP_X, GAP_Y, PAD = 200, 44, 70, 100, 20
DASHES = {"reported": "7 5", "alleged": "2 5"}


@dataclass
class Node:
    key: tuple
    label: str
    kind: str  # model or dataset
    url: str
    x: int = 0
    y: int = 0
    focus: bool = False

    @property
    def cx(self):
        return self.x + NODE_W // 2

    @property
    def short_label(self):
        return self.label if len(self.label) <= 26 else self.label[:25] + "…"


@dataclass
class Edge:
    edge: object  # kb.LineageEdge
    parent: Node
    child: Node

    @property
    def x1(self):
        return self.parent.cx

    @property
    def y1(self):
        return self.parent.y + NODE_H

    @property
    def x2(self):
        return self.child.cx

    @property
    def y2(self):
        return self.child.y

    # Labels sit a third of the way down from the parent, so edges meeting at one child keep
    # their labels apart.
    @property
    def mid_x(self):
        return self.x1 + (self.x2 - self.x1) // 3

    @property
    def mid_y(self):
        return self.y1 + (self.y2 - self.y1) // 3

    @property
    def dash(self):
        return DASHES.get(self.edge.evidence_kind, "")

    @property
    def evidence_class(self):
        return self.edge.evidence_kind


@dataclass
class LineageGraph:
    nodes: list
    edges: list
    width: int
    height: int

    @property
    def empty(self):
        return not self.edges


def _node_for(obj):
    from kb.models import AIModel

    if isinstance(obj, AIModel):
        return Node(("model", obj.pk), obj.name, "model", reverse("kb:model", args=[obj.slug]))
    return Node(("dataset", obj.pk), obj.name, "dataset", reverse("kb:dataset", args=[obj.slug]))


def lineage_graph(obj, max_depth=6):
    ups, downs = lineage(obj, max_depth=max_depth)
    focus = _node_for(obj)
    focus.focus = True
    nodes, level = {focus.key: focus}, {focus.key: 0}
    edges, seen_edges = [], set()
    for steps, sign in ((ups, -1), (downs, 1)):
        for step in steps:
            e = step.edge
            for end, obj_end in (("parent", e.parent), ("child", e.child)):
                node = _node_for(obj_end)
                if node.key not in nodes:
                    nodes[node.key] = node
                    level[node.key] = sign * step.depth if (end == "parent") == (sign < 0) else sign * (step.depth - 1)
            if e.pk not in seen_edges:
                seen_edges.add(e.pk)
                edges.append(Edge(e, nodes[_node_for(e.parent).key], nodes[_node_for(e.child).key]))
    rows = {}
    for key, node in nodes.items():
        rows.setdefault(level[key], []).append(node)
    widest = max(len(row) for row in rows.values())
    width = PAD * 2 + widest * NODE_W + (widest - 1) * GAP_X
    top = min(rows)
    for depth, row in rows.items():
        row.sort(key=lambda n: n.label)
        row_width = len(row) * NODE_W + (len(row) - 1) * GAP_X
        x0 = (width - row_width) // 2
        for i, node in enumerate(row):
            node.x = x0 + i * (NODE_W + GAP_X)
            node.y = PAD + (depth - top) * (NODE_H + GAP_Y)
    height = PAD * 2 + (max(rows) - top + 1) * NODE_H + (max(rows) - top) * GAP_Y
    return LineageGraph(list(nodes.values()), edges, width, height)
