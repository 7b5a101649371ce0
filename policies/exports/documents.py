"""The exports a check offers, by name: one table for the API, the portal and the CLI."""

import json
from dataclasses import dataclass

from django.utils.html import escape

from policies.exports.cyclonedx import cyclonedx_bom
from policies.exports.eu_training_summary import eu_training_summary, render_summary_html, render_summary_markdown


@dataclass(frozen=True)
class Export:
    name: str
    media_type: str
    extension: str
    label: str


EXPORTS = {
    "cyclonedx": Export("cyclonedx", "application/vnd.cyclonedx+json", "cdx.json", "AI-BOM (CycloneDX 1.6 JSON)"),
    "eu-summary": Export("eu-summary", "text/markdown", "eu-training-summary.md", "EU training-content summary draft (Markdown)"),
    "eu-summary-json": Export("eu-summary-json", "application/json", "eu-training-summary.json", "EU training-content summary draft (JSON)"),
    "eu-summary-html": Export("eu-summary-html", "text/html", "eu-training-summary.html", "EU training-content summary draft (HTML, print to PDF)"),
}


class UnknownExport(ValueError):
    pass


def build_export(*, name, workflow, decision):
    """The document `name` for a check: a dict for the JSON exports, a str for Markdown and HTML."""
    if name not in EXPORTS:
        raise UnknownExport(f"format: {name!r} is not one of {', '.join(EXPORTS)}")
    if name == "cyclonedx":
        return cyclonedx_bom(workflow=workflow, decision=decision)
    summary = eu_training_summary(workflow=workflow, decision=decision)
    if name == "eu-summary":
        return render_summary_markdown(summary)
    if name == "eu-summary-html":
        title = f"Public Summary of Training Content for {summary['draft_for']} (draft)"
        return _html_page(title, render_summary_html(summary))
    return summary


def _html_page(title, body):
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>body{{font-family:sans-serif;max-width:48rem;margin:2rem auto}}</style></head><body>{body}</body></html>")


def serialize(document):
    """The document's bytes as downloaded."""
    if isinstance(document, str):
        return document.encode("utf-8")
    return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")


def filename(*, name, check_id):
    return f"{check_id or 'check'}.{EXPORTS[name].extension}"
