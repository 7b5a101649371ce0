"""{% drift_badge "hub:<repo_key>" %} / {% drift_badge "kb:<slug>" %}: the stored drift result of a model page's model."""

from django import template

from audit.selectors import result_for

register = template.Library()


@register.inclusion_tag("audit/_badge.html")
def drift_badge(model_key):
    return {"result": result_for(model_key)}
