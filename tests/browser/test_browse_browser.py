"""A person browses: the home page's counts lead to index pages, facets narrow them, and a model's
grouped descendants open and close."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_the_home_counts_to_a_narrowed_datasets_index(page, portal):
    page.goto(portal.url + "/")
    page.locator(".counts a", has_text="datasets").click()
    page.wait_for_url("**/datasets/")
    assert page.locator("h1").inner_text() == "Datasets"
    before = page.locator("table.index tbody tr").count()
    page.locator('.facet[data-facet="origin"] a').first.click()
    page.wait_for_url("**/datasets/?origin=*")
    after = page.locator("table.index tbody tr").count()
    assert 0 < after <= before
    assert page.locator('.facet[data-facet="origin"] li.selected').count() == 1


def test_a_models_facet_then_the_next_page(page, portal):
    page.goto(portal.url + "/models/")
    page.locator('.facet[data-facet="access"] a', has_text="Open weights").first.click()
    page.wait_for_url("**access=open_weights*")
    accesses = set(page.locator("table.index tbody tr td:nth-child(3)").all_text_contents())
    assert accesses == {"Open weights"}
    if page.locator("a[rel=next]").count():
        page.locator("a[rel=next]").click()
        page.wait_for_url("**page=2*")
        assert "access=open_weights" in page.url


def test_a_group_of_descendants_opens_and_closes(page, portal):
    page.goto(portal.url + "/models/llama-3-1-8b")
    group = page.locator("svg.lineage-graph a.node-link", has_text="fine-tunes").first
    label = group.text_content()
    group.click()
    page.wait_for_url("**expand=down.fine_tune*")
    names = page.locator("svg.lineage-graph .node-name").all_text_contents()
    assert "DeepSeek-R1-Distill-Llama-8B" in names
    graph = page.locator("svg.lineage-graph").bounding_box()
    assert graph["width"] <= page.viewport_size["width"]  # four boxes to a line: no sideways scrolling
    page.locator("svg.lineage-graph a.node-link", has_text="collapse").click()
    page.wait_for_url("**/models/llama-3-1-8b#lineage")
    assert page.locator("svg.lineage-graph a.node-link", has_text="fine-tunes").first.text_content() == label
