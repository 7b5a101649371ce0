"""A draft of the EU AI Act Art. 53(1)(d) public summary of training content, filled from a check.

It follows the sections of the Commission's template (Explanatory Notice and Template for the Public
Summary of Training Content for general-purpose AI models, published 24 July 2025). Every field the
workflow does not answer is left as a marked blank (status "to_fill"), never guessed.

Section list verification: the Commission's own PDF was not read here; the section numbers and titles
were taken from summaries providers filed in that template (section 1) and from third parties'
renderings of it (sections 2 and 3); see docs/exports.md. Treat them as unverified until checked.
"""

from kb.markdown import render_markdown
from kb.models import Instrument
from policies.exports.inventory import TEACHER_RELATIONS, build_inventory

# The template's record in the knowledge base (fixtures/kb/regulations/eu-gpai-guidance.yaml): its
# title, URL and verification are cited from there, so a correction there reaches every draft.
TEMPLATE_RECORD = "eu-gpai-training-summary-template"

TEMPLATE = {
    "title": "Explanatory Notice and Template for the Public Summary of Training Content for general-purpose AI models",
    "published": "2025-07-24",
    "url": "https://digital-strategy.ec.europa.eu/en/news/commission-presents-template-general-purpose-ai-model-providers-summarise-data-used-train-their",
    "verification": "unverified: section 1 seen in providers' filed summaries, sections 2-3 in third parties' renderings; the Commission's PDF was not read",
    "record": None,  # the knowledge base's record of the template, when it holds one
}


def template_citation():
    """The template as cited: the knowledge base's record (title, URL, its verification and date) when present."""
    instrument = Instrument.objects.filter(slug=TEMPLATE_RECORD).first()
    if instrument is None:
        return dict(TEMPLATE)
    return {**TEMPLATE, "title": instrument.title, "url": instrument.url or TEMPLATE["url"],
            "record": {"slug": instrument.slug, "verification": instrument.verification, "checked_on": instrument.checked_on.isoformat(),
                       "source_url": instrument.source_url}}
TO_FILL = "to_fill"
PREFILLED = "prefilled"
BLANK = "[TO FILL: the workflow does not say]"

EU_MEMBER_STATES = {
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT",
    "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
}


def _field(label, value=None, *, note=""):
    if value in (None, "", []):
        return {"label": label, "status": TO_FILL, "value": None, "note": note}
    return {"label": label, "status": PREFILLED, "value": value, "note": note}


def _describe(asset):
    parts = [asset.name]
    if asset.url:
        parts.append(f"<{asset.url}>")
    parts.append(f"license: {asset.license or 'unknown'}")
    return " — ".join(parts)


def _sections(inv, workflow):
    student = inv.student
    org = workflow.get("organization") or {}
    country = org.get("country")
    datasets = [inv.assets[key] for key in inv.datasets]
    generators = {d.key: [inv.assets[e.parent].name for e in inv.parents(d.key, {"generated_by"})] for d in datasets}
    public = [d for d in datasets if d.source in ("knowledge base", "registry")]
    unclassified = [d for d in datasets if d.source not in ("knowledge base", "registry") and not generators[d.key]]
    third_party_synthetic = [d for d in datasets if generators[d.key]]
    teachers = [(inv.assets[e.parent], e.relation) for e in inv.parents("student", set(TEACHER_RELATIONS.values()))]
    output_teachers = [t.name for t, rel in teachers if rel == TEACHER_RELATIONS["outputs"]]
    logit_teachers = [t.name for t, rel in teachers if rel == TEACHER_RELATIONS["logits"]]
    base = inv.assets[inv.base] if inv.base else None

    representative_note = ""
    if country and country not in EU_MEMBER_STATES:
        representative_note = f"The organization's country ({country}) is outside the EU: an authorised representative in the EU is needed."
    return [
        {"number": "1", "title": "General information", "fields": []},
        {"number": "1.1", "title": "Provider identification", "fields": [
            _field("Provider name and contact details", org.get("name"), note="Add the contact details."),
            _field("Authorised representative name and contact details", note=representative_note),
        ]},
        {"number": "1.2", "title": "Model identification", "fields": [
            _field("Versioned model name(s)", student["name"], note="Add the version."),
            _field("Model dependencies", f"{base.name} (the base model the student starts from)" if base else None,
                   note="A provider who modifies a model reports only the modification's training content and names the model it "
                   "modified (per the knowledge base's reading of the template, partly verified)." if base else
                   "No base model in the workflow: if the model was trained from scratch, say so."),
            _field("Date of placement of the model on the Union market"),
        ]},
        {"number": "1.3", "title": "Modalities, overall training data size and other characteristics", "fields": [
            _field("Modalities", ", ".join(student.get("modalities") or ["text"]),
                   note="From the student's modalities in the workflow: confirm they are the training data's."),
            _field("Training data size (range per modality)"),
            _field("Types of content"),
        ]},
        {"number": "2", "title": "List of data sources", "fields": []},
        {"number": "2.1", "title": "Publicly available datasets", "fields": [
            _field("Publicly available datasets used", [_describe(d) for d in public],
                   note="Datasets the knowledge base or the Hugging Face registry knows; confirm each was obtained publicly."),
            _field("Datasets in the workflow to classify (2.1, 2.2 or 2.6)", [_describe(d) for d in unclassified],
                   note="Named only in the workflow: say whether each is public, licensed or other."),
        ]},
        {"number": "2.2", "title": "Private non-publicly available datasets obtained from third parties", "fields": [
            _field("Datasets commercially licensed by rightsholders or their representatives"),
            _field("Private datasets obtained from other third parties"),
        ]},
        {"number": "2.3", "title": "Data crawled and scraped from online sources", "fields": [
            _field("Crawlers used by the provider or on its behalf (names, purposes, behaviour, period, domains)"),
        ]},
        {"number": "2.4", "title": "User data", "fields": [
            _field("Data from user interactions with the model or the provider's other services"),
        ]},
        {"number": "2.5", "title": "Synthetic data", "fields": [
            _field("Models used to generate synthetic data for this training (teachers' outputs)", output_teachers,
                   note="The workflow distils from these teachers' outputs: add the modality, and for each model on the market "
                   "link its own public summary (per the knowledge base's reading of template section 2.5, partly verified)."),
            _field("Teachers whose logits were the training signal", logit_teachers,
                   note="Logit distillation is not generated data as such: decide whether to report it here or under 2.6."),
            _field("Datasets generated by models, obtained from others",
                   [f"{d.name} (generated by {', '.join(generators[d.key])})" for d in third_party_synthetic],
                   note="Generated by others, not by the provider: these may belong under 2.1 or 2.2 with their generators named."),
        ]},
        {"number": "2.6", "title": "Other sources of data", "fields": [_field("Other sources (narrative description)")]},
        {"number": "3", "title": "Data processing aspects", "fields": []},
        {"number": "3.1", "title": "Respect of reservation of rights from text and data mining exception or limitation", "fields": [
            _field("Measures to identify and comply with rights reservations (Art. 4(3) Directive (EU) 2019/790)"),
        ]},
        {"number": "3.2", "title": "Removal of illegal content", "fields": [_field("Measures taken to avoid or remove illegal content")]},
        {"number": "3.3", "title": "Other information (optional)", "fields": [_field("Other relevant information about data processing")]},
    ]


def eu_training_summary(*, workflow, decision):
    """The draft as a JSON-ready dict: the template it follows, the sections with their fields, and what is left to fill."""
    inv = build_inventory(workflow=workflow, decision=decision)
    sections = _sections(inv, workflow)
    return {
        "template": template_citation(),
        "draft_for": inv.student["name"],
        "check_id": decision.get("check_id"),
        "policy_version": decision["policy_version"],
        "as_of": decision["as_of"],
        "sections": sections,
        "to_fill": [f"{s['number']} {f['label']}" for s in sections for f in s["fields"] if f["status"] == TO_FILL],
    }


def render_summary_markdown(summary):
    template = summary["template"]
    lines = [
        f"# Public Summary of Training Content for {summary['draft_for']} — DRAFT",
        "",
        f"Drafted by Provenant from check {summary['check_id'] or '(not recorded)'} (as of {summary['as_of']}, "
        f"policy {summary['policy_version']}), following the Commission's template: [{template['title']}]({template['url']}) "
        f"({template['published']}). Section list: {template['verification']}."
        + (f" Knowledge-base record `{template['record']['slug']}`: {template['record']['verification']}, checked "
           f"{template['record']['checked_on']}." if template.get("record") else ""),
        "",
        f"Every field marked {BLANK} must be completed by the provider. Not legal advice.",
        "",
    ]
    for section in summary["sections"]:
        depth = "##" if "." not in section["number"] else "###"
        lines += [f"{depth} {section['number']}. {section['title']}", ""]
        for field in section["fields"]:
            value = field["value"]
            if value is None:
                lines.append(f"**{field['label']}:** {BLANK}")
            elif isinstance(value, list):
                lines.append(f"**{field['label']}:**")
                lines += [f"- {item}" for item in value]
            else:
                lines.append(f"**{field['label']}:** {value}")
            if field["note"]:
                lines.append(f"_Note: {field['note']}_")
            lines.append("")
    return "\n".join(lines)


def render_summary_html(summary):
    """The Markdown draft as sanitized HTML (the project's one Markdown renderer), ready to print to PDF."""
    return render_markdown(render_summary_markdown(summary))
