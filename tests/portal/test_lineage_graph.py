"""The lineage graph stays readable at any family size: siblings made the same way form a group with
a count that opens a page at a time, long names keep their distinguishing ends."""

import datetime
import re

import pytest

from kb import models as kb
from kb.portal.lineage_svg import EXPANDED_PAGE, SHOW_INLINE, _shorten

pytestmark = pytest.mark.django_db

CHECKED = datetime.date(2026, 12, 1)


def family(size, relation="fine_tune", evidence="model_card"):
    org = kb.Organization.objects.get(slug="meta")
    base = kb.AIModel.objects.create(slug="base", name="Base", organization=org, access="open_weights",
                                     source_url="https://example.org/base", checked_on=CHECKED)
    children = kb.AIModel.objects.bulk_create(
        kb.AIModel(slug=f"child-{i:05d}", name=f"Child {i:05d}", organization=org, access="open_weights",
                   source_url="https://example.org/c", checked_on=CHECKED)
        for i in range(size)
    )
    kb.LineageEdge.objects.bulk_create(
        kb.LineageEdge(child_model=c, parent_model=base, relation=relation, evidence_kind=evidence,
                       source_url="https://example.org/e", checked_on=CHECKED)
        for c in children
    )
    return base


def svg(client, url):
    body = client.get(url).content.decode()
    return body.split('<svg class="lineage-graph"')[1].split("</svg>")[0]


def boxes(svg_text):
    return re.findall(r'<a href="(/models/child-\d+)" class="node-link">', svg_text)


def test_a_few_siblings_are_drawn_one_by_one(client, kb_db):
    family(SHOW_INLINE)
    drawn = svg(client, "/models/base")
    assert len(boxes(drawn)) == SHOW_INLINE
    assert "fine-tune · model card" in drawn


def test_more_siblings_of_one_relation_collapse_into_a_group_with_their_count(client, kb_db):
    family(SHOW_INLINE + 1)
    drawn = svg(client, "/models/base")
    assert boxes(drawn) == []
    assert f"{SHOW_INLINE + 1} fine-tunes" in drawn and 'href="/models/base?expand=down.fine_tune#lineage"' in drawn


def test_a_family_of_thousands_draws_one_page_of_the_opened_group(client, kb_db, django_assert_max_num_queries):
    family(3000)
    with django_assert_max_num_queries(20):
        response = client.get("/models/base")
    assert "3,000 fine-tunes" in response.content.decode() and boxes(svg(client, "/models/base")) == []

    opened = svg(client, "/models/base?expand=down.fine_tune")
    assert boxes(opened) == [f"/models/child-{i:05d}" for i in range(EXPANDED_PAGE)]
    assert f"1–{EXPANDED_PAGE} of 3,000 · collapse" in opened
    assert f'href="/models/base?expand=down.fine_tune&amp;from={EXPANDED_PAGE}#lineage"' in opened
    assert 'href="/models/base#lineage"' in opened  # collapse

    last = svg(client, "/models/base?expand=down.fine_tune&from=2990")
    assert boxes(last) == [f"/models/child-{i:05d}" for i in range(2976, 3000)]
    assert "previous" in last and "more ▸" not in last


def test_a_bad_expand_parameter_is_ignored(client, kb_db):
    family(SHOW_INLINE + 1)
    assert client.get("/models/base?expand=sideways.nothing&from=x").status_code == 200


def test_long_names_keep_their_ends_so_siblings_stay_distinguishable():
    names = ["Llama-3.1-Nemotron-Nano-8B-Instruct-GGUF-Q4_K_M", "Llama-3.1-Nemotron-Nano-8B-Instruct-GGUF-Q8_0"]
    short = [_shorten(n, 24) for n in names]
    assert all(len(s) == 24 and "…" in s for s in short)
    assert short[0] != short[1] and short[0].startswith("Llama-3.1") and short[0].endswith("GGUF-Q4_K_M")
    assert _shorten("Llama 3.1 8B") == "Llama 3.1 8B"


def test_ancestors_are_grouped_too(client, kb_db):
    org = kb.Organization.objects.get(slug="meta")
    merged = kb.AIModel.objects.create(slug="merged", name="Merged", organization=org, access="open_weights",
                                       source_url="https://example.org/m", checked_on=CHECKED)
    for i in range(SHOW_INLINE + 2):
        parent = kb.AIModel.objects.create(slug=f"ingredient-{i}", name=f"Ingredient {i}", organization=org, access="open_weights",
                                           source_url="https://example.org/i", checked_on=CHECKED)
        kb.LineageEdge.objects.create(child_model=merged, parent_model=parent, relation="merge", evidence_kind="model_card",
                                      source_url="https://example.org/e", checked_on=CHECKED)
    drawn = svg(client, "/models/merged")
    assert f"{SHOW_INLINE + 2} merge ingredients" in drawn and 'href="/models/ingredient-0"' not in drawn
    opened = svg(client, "/models/merged?expand=up.merge")
    assert all(f'href="/models/ingredient-{i}"' in opened for i in range(SHOW_INLINE + 2))
