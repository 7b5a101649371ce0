"""The exports, by name: one table for the API, the portal and the CLI, for a check or a knowledge-base model."""

import json
from dataclasses import dataclass

from django.utils.html import escape

from policies.exports.cyclonedx import cyclonedx_bom, model_cyclonedx_bom
from policies.exports.eu_training_summary import eu_training_summary, render_summary_html, render_summary_markdown
from policies.exports.obligations_pack import obligations_pack
from policies.exports.spdx import model_spdx_bom, spdx_bom


@dataclass(frozen=True)
class Export:
    name: str
    media_type: str
    extension: str
    label: str


EXPORTS = {
    "cyclonedx": Export("cyclonedx", "application/vnd.cyclonedx+json", "cdx.json", "AI-BOM (CycloneDX 1.6 JSON)"),
    "spdx": Export("spdx", "application/spdx+json", "spdx3.jsonld", "AI-BOM (SPDX 3.0.1 JSON-LD, AI and Dataset profiles)"),
    "eu-summary": Export("eu-summary", "text/markdown", "eu-training-summary.md", "EU training-content summary draft (Markdown)"),
    "eu-summary-json": Export("eu-summary-json", "application/json", "eu-training-summary.json", "EU training-content summary draft (JSON)"),
    "eu-summary-html": Export("eu-summary-html", "text/html", "eu-training-summary.html", "EU training-content summary draft (HTML, print to PDF)"),
    "obligations-pack": Export("obligations-pack", "application/zip", "obligations-pack.zip",
                               "Obligations pack (zip: attribution, NOTICE, use restrictions to pass on, licences)"),
}
# The names: GET checks/{id}/aibom?format=…, GET checks/{id}/eu-training-summary?format=…, CLI --aibom.
AIBOM_FORMATS = {"cyclonedx": "cyclonedx", "spdx": "spdx"}
SUMMARY_FORMATS = {"markdown": "eu-summary", "json": "eu-summary-json", "html": "eu-summary-html"}
# What a knowledge-base model offers: its AI-BOM (a summary and a pack need a workflow and a decision).
MODEL_EXPORTS = {"cyclonedx": model_cyclonedx_bom, "spdx": model_spdx_bom}


class UnknownExport(ValueError):
    pass


def export_name(*, choices, value, parameter="format"):
    """The export a parameter's value picks from `choices` ({value: export name}); UnknownExport names the parameter."""
    if value not in choices:
        raise UnknownExport(f"{parameter}: {value!r} is not one of {', '.join(choices)}")
    return choices[value]


def build_export(*, name, workflow, decision):
    """The document `name` for a check: a dict for the JSON exports, a str for Markdown and HTML, bytes for the zip."""
    if name not in EXPORTS:
        raise UnknownExport(f"format: {name!r} is not one of {', '.join(EXPORTS)}")
    if name == "cyclonedx":
        return cyclonedx_bom(workflow=workflow, decision=decision)
    if name == "spdx":
        return spdx_bom(workflow=workflow, decision=decision)
    if name == "obligations-pack":
        return obligations_pack(workflow=workflow, decision=decision)
    summary = eu_training_summary(workflow=workflow, decision=decision)
    if name == "eu-summary":
        return render_summary_markdown(summary)
    if name == "eu-summary-html":
        title = f"Public Summary of Training Content for {summary['draft_for']} (draft)"
        return _html_page(title, render_summary_html(summary))
    return summary


def build_model_export(*, name, model):
    """A knowledge-base model's AI-BOM (`cyclonedx` or `spdx`) as a JSON-ready dict."""
    return MODEL_EXPORTS[export_name(choices={n: n for n in MODEL_EXPORTS}, value=name)](model=model)


def _html_page(title, body):
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>body{{font-family:sans-serif;max-width:48rem;margin:2rem auto}}</style></head><body>{body}</body></html>")


def serialize(document):
    """The document's bytes as downloaded."""
    if isinstance(document, bytes):
        return document
    if isinstance(document, str):
        return document.encode("utf-8")
    return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")


def content_type(name):
    media_type = EXPORTS[name].media_type
    return media_type if media_type == "application/zip" else f"{media_type}; charset=utf-8"


def filename(*, name, check_id):
    return f"{check_id or 'check'}.{EXPORTS[name].extension}"
