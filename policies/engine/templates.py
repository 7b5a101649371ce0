"""Message and remedy templates: text with `{dotted.fact}` placeholders, e.g. `{document.name}`.

Placeholders name the same facts a condition sees (see conditions.py). A template is checked when
the rule is saved (an unknown root is an error); a fact that is null at run time renders as "unknown".
"""

import re

from policies.engine.conditions import EXPOSURE_FACTS, FACT_FIELDS, WORKFLOW_FACTS

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\}")


def template_problems(text, target):
    """Problems with a template for a "workflow" or "exposure" rule (empty when fine)."""
    facts = EXPOSURE_FACTS if target == "exposure" else WORKFLOW_FACTS
    problems = []
    for match in PLACEHOLDER.finditer(text or ""):
        parts = match.group(1).split(".")
        root = parts[0]
        if root not in facts:
            problems.append(f'{{{match.group(1)}}} at position {match.start()}: "{root}" is not a fact here (known: {", ".join(facts)})')
        elif len(parts) > 1 and parts[1] not in FACT_FIELDS.get(root, (parts[1],)):
            problems.append(f'{{{match.group(1)}}} at position {match.start()}: {root} has no field "{parts[1]}"')
    stray = PLACEHOLDER.sub("", text or "")
    if "{" in stray or "}" in stray:
        problems.append("unbalanced or malformed placeholder (use {fact.name})")
    return problems


def _lookup(facts, path):
    """The fact at `path` (a tuple of names), or None when any step is missing or null."""
    value = facts
    for part in path:
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
        if value is None:
            return None
    return value


def _show(value):
    if type(value) is str:  # most placeholders: names and sections
        return value
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, int) and abs(value) >= 10000:
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(_show(v) for v in value) or "none"
    return str(value)


def compile_template(text):
    """Split once into literal text and fact paths (tuples of names), so rendering is a join, not a
    regex pass. Each part is (literal, None) or ("", path)."""
    parts, last = [], 0
    for match in PLACEHOLDER.finditer(text or ""):
        parts.append((text[last : match.start()], None))
        parts.append(("", tuple(match.group(1).split("."))))
        last = match.end()
    parts.append(((text or "")[last:], None))
    return tuple((literal, path) for literal, path in parts if literal or path)


def render(template, facts):
    """Render a template (text, or the parts from compile_template) with the facts."""
    if isinstance(template, str):
        template = compile_template(template)
    out = []
    for literal, path in template:
        if path is None:
            out.append(literal)
            continue
        value = _lookup(facts, path)
        out.append(value if type(value) is str else _show(value))
    return "".join(out)


def fill(template, facts, roots):
    """The template (compile_template parts) with the placeholders whose fact is one of `roots` rendered
    from `facts` into the literal text; the rest stay placeholders. For any facts that agree with
    `facts` on those roots, render(fill(template, facts, roots), them) == render(template, them)."""
    parts = []
    for literal, path in template:
        if path is not None and path[0] in roots:
            value = _lookup(facts, path)
            literal, path = (value if type(value) is str else _show(value)), None
        if path is None and parts and parts[-1][1] is None:
            parts[-1] = (parts[-1][0] + literal, None)
        else:
            parts.append((literal, path))
    return tuple(parts)
