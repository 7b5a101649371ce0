"""{% registry_matches q %}: Hub registry models whose repo id matches a search text (exact, prefix,
similar), for the search page, without the search backends knowing about the registry."""

from django import template

from registry import selectors

register = template.Library()


@register.inclusion_tag("registry/_matches.html")
def registry_matches(text, limit=10):
    text = (text or "").strip()
    return {"q": text, "models": selectors.search(text, limit=limit) if len(text) >= 2 else []}
