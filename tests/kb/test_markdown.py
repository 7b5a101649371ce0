from kb.markdown import render_markdown


def test_markdown_renders_and_strips_scripts():
    html = render_markdown("# Title\n\n**bold** <script>alert(1)</script> [link](https://example.org)")
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html
    assert "<script>" not in html
    assert 'href="https://example.org"' in html and "noopener" in html


def test_markdown_drops_javascript_links():
    assert "javascript:" not in render_markdown("[x](javascript:alert(1))")


def test_empty_text_renders_empty():
    assert render_markdown("") == "" and render_markdown(None) == ""
