from django import template

from kb import weburl
from kb.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    return render_markdown(text)


@register.filter(name="http_url")
def http_url_filter(url):
    """The URL when it is http(s), else "": `{% with u=c.url|http_url %}{% if u %}<a href="{{ u }}">`.
    Autoescaping stops markup, not a `javascript:` link; this stops that (kb.weburl)."""
    return url if weburl.is_http_url(url) else ""
