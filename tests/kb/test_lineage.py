import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb import lineage
from kb import models as kb

pytestmark = pytest.mark.django_db


def edge(child, relation, parent):
    fields = {"child_model" if isinstance(child, kb.AIModel) else "child_dataset": child,
              "parent_model" if isinstance(parent, kb.AIModel) else "parent_dataset": parent}
    return kb.LineageEdge.objects.create(relation=relation, evidence_kind="paper", source_url="https://example.org",
                                         checked_on=datetime.date(2026, 11, 28), **fields)


def test_distilled_model_lists_its_base_and_teacher_as_ancestors(kb_db):
    distill = kb.AIModel.objects.get(slug="deepseek-r1-distill-llama-8b")
    steps = lineage.ancestors(distill)
    assert {(s.edge.parent.slug, s.relation, s.depth) for s in steps} >= {
        ("llama-3-1-8b", "fine_tune", 1),
        ("deepseek-r1", "output_distillation", 1),
    }


def test_descendants_are_walked_transitively_and_cycles_stop(kb_db):
    org = kb.Organization.objects.get(slug="meta")
    base = kb.AIModel.objects.get(slug="llama-3-1-8b")
    mid = kb.AIModel.objects.create(slug="t-mid", name="mid", organization=org, access="open_weights",
                                    source_url="https://example.org", checked_on=datetime.date(2026, 11, 28))
    leaf = kb.AIModel.objects.create(slug="t-leaf", name="leaf", organization=org, access="open_weights",
                                     source_url="https://example.org", checked_on=datetime.date(2026, 11, 28))
    before = len(lineage.descendants(base))
    edge(mid, "fine_tune", base)
    edge(leaf, "quantized", mid)
    edge(mid, "merge", leaf)  # a cycle that bad data could create
    with CaptureQueriesContext(connection) as queries:
        steps = lineage.descendants(base)
    assert len(queries) == 1
    found = {(s.edge.child.slug, s.depth) for s in steps}
    assert ("t-mid", 1) in found and ("t-leaf", 2) in found
    assert len(steps) == before + 3  # the cycle's back edge is listed once, not walked again


def test_lineage_is_only_defined_for_models_and_datasets():
    with pytest.raises(TypeError):
        lineage.ancestors("not a model")
