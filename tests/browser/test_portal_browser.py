"""A person searches, opens a model and sees its lineage, in a real browser."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_then_open_a_model_and_see_its_lineage_graph(page, portal):
    page.goto(portal.url + "/")
    assert "Not legal advice" in page.inner_text(".legal-notice")
    page.fill("#home-q", "deepseek r1 distill llama 8b")
    page.click(".big-search button")
    page.wait_for_url("**/search?q=*")
    first = page.locator(".results .hit-title").first
    assert "DeepSeek-R1-Distill-Llama-8B" in first.inner_text()
    first.click()
    page.wait_for_url("**/models/deepseek-r1-distill-llama-8b")
    graph = page.locator("svg.lineage-graph")
    assert graph.is_visible()
    box = graph.bounding_box()
    assert box["width"] > 100 and box["height"] > 100
    labels = page.locator("svg.lineage-graph .node text").all_text_contents()
    assert "Llama 3.1 8B" in labels and "DeepSeek-R1" in labels
    # A node is a link: follow the lineage up to the base model.
    page.locator("svg.lineage-graph a.node-link", has_text="Llama 3.1 8B").first.click()
    page.wait_for_url("**/models/llama-3-1-8b")
    assert page.locator("h1").inner_text().startswith("Llama 3.1 8B")


def test_a_facet_link_narrows_the_results(page, portal):
    page.goto(portal.url + "/search?q=llama")
    page.locator('.facet[data-facet="kind"] a', has_text="Models").click()
    page.wait_for_url("**kind%3Amodel*")
    kinds = page.locator(".results .hit").evaluate_all("els => els.map(e => e.className)")
    assert kinds and all("kind-model" in k for k in kinds)


def test_fill_the_check_form_and_see_the_verdict(page, portal):
    page.goto(portal.url + "/check")
    page.fill("#id_student_name", "acme-support-7b")
    page.select_option("#id_purpose", "commercial")
    page.select_option("#id_release", "open_weights")
    page.select_option("#id_competes_with_teachers", "yes")
    page.fill("#id_teacher_0_model", "gpt-4o")
    page.select_option("#id_teacher_0_access", "api")
    page.fill("#id_jurisdictions", "EU")
    page.click("#run-check")
    page.wait_for_url("**/checks/*")
    assert page.inner_text("#verdict") == "PROHIBITED"
    assert page.locator(".finding").count() >= 1
    assert page.locator(".finding .citations a").first.get_attribute("href").startswith("http")
    assert "Not legal advice" in page.inner_text(".legal-notice")
