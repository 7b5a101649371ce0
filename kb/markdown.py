"""The one Markdown renderer: markdown for syntax, nh3 to keep only safe HTML."""

import html

import markdown as _markdown
import nh3
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

_EXTENSIONS = ["tables", "fenced_code", "sane_lists"]
_ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}


def render_markdown(text):
    """Markdown -> sanitized HTML, marked safe for templates."""
    if not text:
        return mark_safe("")
    html = _markdown.markdown(text, extensions=_EXTENSIONS)
    return mark_safe(nh3.clean(html, tags=_ALLOWED_TAGS, link_rel="noopener noreferrer nofollow"))


def markdown_text(text):
    """Markdown -> the plain text a reader sees on the page (no `backticks`, ** or link syntax)."""
    return html.unescape(strip_tags(render_markdown(text))).strip()
