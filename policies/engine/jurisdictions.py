"""The jurisdiction hierarchy: a country is in its union (DE in EU), a region in its country (US-CA in US)."""


def expand_jurisdictions(codes, parent):
    """Each code and everything above it: DE -> DE, EU; US-CA -> US-CA, US (even when not in the KB)."""
    out = []
    for code in codes:
        while code and code not in out:
            out.append(code)
            code = parent.get(code) or (code.rsplit("-", 1)[0] if "-" in code else None)
    return out


def descendants(parent):
    """code -> every code below it in the hierarchy (computed once per snapshot)."""
    below = {}
    for code in parent:
        for ancestor in expand_jurisdictions([code], parent)[1:]:
            below.setdefault(ancestor, []).append(code)
    return below


def deployment_reach(codes, parent, below=None):
    """Where a deployment applies: each code, everything above it (DE is in the EU), and everything
    below it in the knowledge base (a deployment in US is a deployment in US-CA)."""
    below = descendants(parent) if below is None else below
    reach = expand_jurisdictions(codes, parent)
    seen = set(reach)  # the EU has 27 members below it: membership by set, order kept by the list
    for code in codes:
        for c in below.get(code, ()):
            if c not in seen:
                seen.add(c)
                reach.append(c)
    return reach
