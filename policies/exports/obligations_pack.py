"""The obligations pack: the notices and texts a check's obligations require, as a zip ready to ship.

What goes in comes from the knowledge base, never from here: the attribution to display and the
NOTICE text are the clauses' recorded quotes (with their source and verification), the use
restrictions to pass on are the flow-down clauses, and licences are named with the URL of their text
(the knowledge base stores no licence texts, so none is reproduced or made up).

Which terms count: those the decision's findings cite, and the licences of every asset whose weights
the student carries (the base model and its weight lineage) or trains on (datasets).
"""

import io
import json
import re
import zipfile
from datetime import date
from functools import cache

from kb.models import LineageEdge, TermsDocument
from policies.exports.inventory import BASE_MODEL, build_inventory

PACK_CLAUSE_TYPES = ("attribution_notice", "use_policy_flow_down", "naming")
WEIGHT_RELATIONS = {BASE_MODEL, *LineageEdge.WEIGHT_DERIVED}
LICENSE_ID = re.compile(r"[A-Za-z0-9.\-+]+")
OPERATORS = {"AND", "OR", "WITH"}
NOT_LEGAL_ADVICE = "Not legal advice: check each text against its source before you ship it."


def license_ids(expression):
    """The license ids an SPDX expression names, in order, without operators."""
    ids = [token for token in LICENSE_ID.findall(expression or "") if token not in OPERATORS]
    return list(dict.fromkeys(ids))


def _carried_licenses(inv):
    """License ids of what the student is made of: its own, the weights it derives from (transitively) and its data."""
    ids = license_ids(inv.student.get("license"))
    seen, todo = set(), [inv.root]
    while todo:
        child = todo.pop()
        for edge in inv.parents(child):
            if edge.parent in seen:
                continue
            if edge.relation in WEIGHT_RELATIONS or (child == inv.root and edge.relation == LineageEdge.Relation.TRAINED_ON):
                seen.add(edge.parent)
                ids += license_ids(inv.assets[edge.parent].license)
                todo.append(edge.parent)
    return list(dict.fromkeys(ids))


@cache
def _spdx_list_ids():
    from license_expression import get_spdx_licensing

    return frozenset(key.lower() for key in get_spdx_licensing().known_symbols)


def _version_in_force(document, day):
    versions = [v for v in document.versions.all() if v.in_force_on(day)]
    return versions[-1] if versions else None


def _cite(clause, version):
    return {"document": version.document.name, "ref": version.document.spdx_id, "version": version.version,
            "section": clause.section, "quote": clause.quote, "source_url": clause.source_url,
            "checked_on": clause.checked_on.isoformat(), "verification": clause.verification}


def _policy_url(name):
    policy = TermsDocument.objects.filter(spdx_id=name).first() or TermsDocument.objects.filter(name__iexact=name).first()
    return policy.url if policy and policy.url else None


def collect(*, workflow, decision):
    """The pack's content as plain data (what the files are written from)."""
    inv = build_inventory(workflow=workflow, decision=decision)
    day = date.fromisoformat(decision["as_of"])
    cited = [c.get("ref") for f in decision.get("findings") or () for c in f["citations"] if c.get("ref")]
    carried = _carried_licenses(inv)
    documents = {d.spdx_id: d for d in TermsDocument.objects.filter(spdx_id__in=[*carried, *cited]).prefetch_related("versions__clauses")}
    # Citations also name provisions of law (`ref` is then a provision's): only terms documents count here.
    ids = list(dict.fromkeys([*carried, *(ref for ref in cited if ref in documents)]))
    attributions, notices, restrictions, naming, licenses = [], [], [], [], []
    for spdx_id in ids:
        document = documents.get(spdx_id)
        if document is None:
            listed = spdx_id.lower() in _spdx_list_ids()
            licenses.append({"id": spdx_id, "name": None, "url": f"https://spdx.org/licenses/{spdx_id}.html" if listed else None,
                             "note": "on the SPDX License List" if listed else "neither in the knowledge base nor on the SPDX License List: "
                             "obtain the text from its licensor"})
            continue
        if not document.is_contract:
            licenses.append({"id": spdx_id, "name": document.name, "url": document.url or None,
                             "note": "the knowledge base holds no text of it: read it at the URL" if document.url else
                             "no URL recorded: obtain the text from its licensor"})
        version = _version_in_force(document, day)
        if version is None:
            continue
        for clause in version.clauses.all():
            if clause.clause_type not in PACK_CLAUSE_TYPES:
                continue
            cite = _cite(clause, version)
            params = clause.parameters or {}
            if clause.clause_type == "naming":
                naming.append({**cite, "prefix": params.get("prefix"), "summary": clause.summary})
            elif clause.clause_type == "use_policy_flow_down":
                restrictions.append({**cite, "policy": params.get("policy"), "policy_url": _policy_url(params.get("policy") or ""),
                                     "summary": clause.summary})
            elif params.get("display_text"):
                attributions.append({**cite, "display_text": params["display_text"],
                                     "monthly_active_users": params.get("monthly_active_users"), "summary": clause.summary})
            elif params.get("notice_file"):
                notices.append({**cite, "summary": clause.summary})
    requirements = [f for f in decision.get("findings") or () if f["effect"] == "require"]
    return {
        "student": inv.student["name"], "check_id": decision.get("check_id"), "verdict": decision["verdict"],
        "as_of": decision["as_of"], "policy_version": decision["policy_version"],
        "obligations": list(decision.get("obligations") or ()), "requirements": requirements,
        "attributions": attributions, "notices": notices, "use_restrictions": restrictions, "naming": naming,
        "licenses": licenses,
    }


def _source(item):
    return (f"{item['document']} ({item['version']}) {item['section']}".strip()
            + f" — <{item['source_url']}>, checked {item['checked_on']}, {item['verification']}")


def _notice(pack):
    lines = [f"NOTICE for {pack['student']}",
             "(Each entry quotes a licence's notice clause: where it is the notice text itself, ship it as is; where it says "
             "which notices to keep, include those.)", ""]
    if not pack["notices"]:
        lines += ["No notice text is required by the terms the knowledge base holds for this model's materials.",
                  "Check LICENSES.md: a licence may still ask for one."]
    for item in pack["notices"]:
        lines += [item["quote"], f"  [quoted from: {_source(item)}]", ""]
    return "\n".join(lines).rstrip() + "\n"


def _attribution(pack):
    lines = [f"# Attribution for {pack['student']}", "", NOT_LEGAL_ADVICE, ""]
    if not pack["attributions"]:
        lines.append("The terms the knowledge base holds ask for no displayed attribution.")
    for item in pack["attributions"]:
        threshold = f" (owed above {item['monthly_active_users']:,} monthly active users)" if item.get("monthly_active_users") else ""
        lines += [f"## Display: “{item['display_text']}”{threshold}", "", item["summary"], "", f"Clause: “{item['quote']}”",
                  f"Source: {_source(item)}", ""]
    for item in pack["naming"]:
        lines += [f"## Name: must start with “{item['prefix']}”", "", item["summary"], "", f"Clause: “{item['quote']}”",
                  f"Source: {_source(item)}", ""]
    return "\n".join(lines)


def _use_restrictions(pack):
    lines = [f"# Use restrictions to pass on with {pack['student']}", "", NOT_LEGAL_ADVICE, ""]
    if not pack["use_restrictions"]:
        lines.append("The terms the knowledge base holds ask for no use policy to be passed on.")
    for item in pack["use_restrictions"]:
        where = f"<{item['policy_url']}>" if item["policy_url"] else "the knowledge base has no URL for it: obtain it from the licensor"
        lines += [f"## {item['policy'] or 'Use policy'}", "", item["summary"], "", f"Clause: “{item['quote']}”",
                  f"Policy text: {where}", f"Source: {_source(item)}", ""]
    return "\n".join(lines)


def _licenses(pack):
    lines = [f"# Licences of {pack['student']} and what it is made of", "",
             "The knowledge base stores no licence texts; ship each licence's text from the URL given.", ""]
    for item in pack["licenses"]:
        name = f"{item['name']} ({item['id']})" if item["name"] else item["id"]
        lines.append(f"- {name}: {'<' + item['url'] + '>' if item['url'] else 'no URL'} — {item['note']}")
    return "\n".join(lines) + "\n"


def _obligations(pack):
    lines = [f"# Obligations for {pack['student']}", "",
             f"From check {pack['check_id'] or '(not recorded)'}: verdict {pack['verdict']}, as of {pack['as_of']}, "
             f"policy {pack['policy_version']}. {NOT_LEGAL_ADVICE}", ""]
    lines += [f"- {o}" for o in pack["obligations"]] or ["No obligations."]
    for finding in pack["requirements"]:
        lines += ["", f"## {finding['rule']} ({finding['subject']})", "", finding["message"]]
        if finding.get("remedy"):
            lines.append(f"What to do: {finding['remedy']}")
        lines += [f"- {c['document']}, {c['section']}: <{c['url']}>" for c in finding["citations"]]
    return "\n".join(lines) + "\n"


def _readme(pack, files):
    lines = [f"# Obligations pack for {pack['student']}", "",
             "Drafted by Provenant from a compliance check. " + NOT_LEGAL_ADVICE,
             "Every text here is a quote the knowledge base recorded, with its source and how far it was verified.", ""]
    lines += [f"- `{name}`: {what}" for name, what in files]
    return "\n".join(lines) + "\n"


FILES = (
    ("OBLIGATIONS.md", "what the check requires, with its citations", _obligations),
    ("ATTRIBUTION.md", "what to display, and how the model must be named", _attribution),
    ("NOTICE", "the notice text the licences ask to ship with the model", _notice),
    ("USE-RESTRICTIONS.md", "the use policies to pass on to your users", _use_restrictions),
    ("LICENSES.md", "the licences involved and where their texts are", _licenses),
)


def obligations_pack(*, workflow, decision):
    """The zip's bytes: README.md, the files above and pack.json (the same content as data)."""
    pack = collect(workflow=workflow, decision=decision)
    buffer = io.BytesIO()
    stamp = (2000, 1, 1, 0, 0, 0)  # fixed times: the same check gives the same bytes
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        entries = [("README.md", _readme(pack, [(n, w) for n, w, _ in FILES] + [("pack.json", "all of it as data")]))]
        entries += [(name, render(pack)) for name, _what, render in FILES]
        entries.append(("pack.json", json.dumps(pack, indent=2, ensure_ascii=False)))
        for name, text in entries:
            archive.writestr(zipfile.ZipInfo(name, stamp), text.encode("utf-8"))
    return buffer.getvalue()
