"""Where Provenant and the Data Provenance Initiative class a dataset's commercial use differently.

For every imported DPI record (on its own dataset, or attached to the curated dataset it matches),
Provenant's class comes from its own terms documents and rules (kb.commercial_use), never from DPI's
table; DPI's class is the one its own rules give (computed at import from its constants, both its
default view and IgnoreOpenAI). Every difference gets one named reason.
"""

from collections import Counter
from dataclasses import dataclass

from kb import commercial_use
from kb import models as kb
from kb.ingest.dpi import SERVICE_PSEUDO_LICENSES, SOURCE

# Provenant's classes in DPI's words, for comparison (Provenant's "unknown" has no DPI counterpart).
REASONS = {
    "curated_license": "Provenant's curated record for this dataset cites other licenses than DPI's record, and curated facts win.",
    "generator_terms": (
        "DPI counts the generating service's terms (its OpenAI, Anthropic and Google Cloud Translation API pseudo-licenses) "
        "as a non-commercial license; its IgnoreOpenAI mode drops OpenAI's. Provenant applies them to whoever accepted "
        "them, through generated_by lineage, not as a license on the data."
    ),
    "dpi_unknown_as_commercial": (
        'DPI classes a license it cannot place as commercial (its "No License" row is All, and an unrecognised class falls '
        'through `elif "All"`); Provenant says no license was stated.'
    ),
    "unspecified_beside_license": (
        'DPI lets an "Unspecified" entry beside a named license make the whole record unspecified (most restrictive '
        "wins); Provenant reads the named license, since an unstated license adds no terms."
    ),
    "lacks_terms": "The record names a license no terms document in Provenant stands for, so Provenant's class is unknown or rests on the other licenses.",
    "reads_differently": "Provenant's rules read the license differently; the clause or kind that decides is given.",
}


@dataclass(frozen=True)
class Row:
    record: str  # DPI's Unique Dataset Identifier
    dataset: str  # the slug it lives on
    curated: bool
    dpi: str  # DPI's class (DataProvenance view)
    dpi_ignore_openai: str
    provenant: str
    basis: str  # why Provenant's class is what it is
    reason: str  # "" when they agree
    licenses: tuple  # DPI's license names

    @property
    def agrees(self):
        return not self.reason


@dataclass
class Report:
    rows: list

    @property
    def agree(self):
        return sum(r.agrees for r in self.rows)

    @property
    def reasons(self):
        return Counter(r.reason for r in self.rows if r.reason)

    @property
    def dpi_counts(self):
        return Counter(r.dpi for r in self.rows)

    @property
    def provenant_counts(self):
        return Counter(r.provenant for r in self.rows)


def _reason(record, curated_spdx, ours):
    dpi = record["dpi_class"]
    if dpi == ours.use:
        return ""
    mapped = record.get("mapped", {})
    if curated_spdx is not None and set(curated_spdx) != {s for s in mapped.get("licenses", []) if not s.startswith("LicenseRef-OpenAI-Terms")}:
        return "curated_license"
    names = {item["name"] for item in record["licenses"]}
    if names & set(SERVICE_PSEUDO_LICENSES) and record["dpi_class_without_service_terms"] != dpi:
        return "generator_terms"
    if dpi == commercial_use.COMMERCIAL and ours.use == commercial_use.UNSPECIFIED:
        return "dpi_unknown_as_commercial"
    if mapped.get("unmapped") or ours.use == commercial_use.UNKNOWN:
        return "lacks_terms"
    if dpi == commercial_use.UNSPECIFIED and "Unspecified" in names:
        return "unspecified_beside_license"
    return "reads_differently"


def conformance():
    """The report over every DPI record in the knowledge base (none before `import_dpi`)."""
    datasets = list(kb.Dataset.objects.filter(imported_record__source=SOURCE).values("id", "slug", "imported_from", "imported_record", "license__spdx_id"))
    classes = commercial_use.dataset_classes(kb.Dataset.objects.filter(pk__in=[d["id"] for d in datasets]))
    others = {}
    for dataset_id, spdx in kb.Dataset.other_licenses.through.objects.filter(dataset_id__in=[d["id"] for d in datasets]).values_list(
        "dataset_id", "termsdocument__spdx_id"
    ):
        others.setdefault(dataset_id, []).append(spdx)
    rows = []
    for d in datasets:
        ours = classes[d["id"]]
        curated = not d["imported_from"]
        curated_spdx = ([d["license__spdx_id"]] if d["license__spdx_id"] else []) + others.get(d["id"], []) if curated else None
        for record in d["imported_record"].get("records", []):
            rows.append(Row(
                record=record["id"], dataset=d["slug"], curated=curated, dpi=record["dpi_class"],
                dpi_ignore_openai=record["dpi_class_ignore_openai"], provenant=ours.use, basis=ours.basis,
                reason=_reason(record, curated_spdx, ours), licenses=tuple(i["name"] for i in record["licenses"]),
            ))
    rows.sort(key=lambda r: r.record.lower())
    return Report(rows)


def markdown(report, limit=None):
    """The report as Markdown: the agreement, the reasons with their counts, then every difference."""
    total = len(report.rows)
    lines = [
        "# Provenant against the Data Provenance Initiative: commercial use",
        "",
        "Generated by `manage.py dpi_conformance --markdown` from the Data Provenance Initiative's records",
        "(github.com/Data-Provenance-Initiative/Data-Provenance-Collection, Apache-2.0; imported with `import_dpi`).",
        "Provenant's class comes from its own terms documents and rules (`kb/commercial_use.py`); DPI's is the",
        "one DPI's own rules give (its `DataProvenance` view).",
        "",
        f"**{report.agree} of {total} records agree** ({100 * report.agree / total:.1f}%)." if total else "No DPI records imported.",
        "",
        "| class | DPI | Provenant |",
        "|---|---|---|",
    ]
    for cls in ("commercial", "unspecified", "non-commercial", "academic-only", "unknown"):
        lines.append(f"| {cls} | {report.dpi_counts.get(cls, 0)} | {report.provenant_counts.get(cls, 0)} |")
    lines += ["", "## Why they differ", "", "| reason | records | meaning |", "|---|---|---|"]
    for reason, meaning in REASONS.items():
        lines.append(f"| `{reason}` | {report.reasons.get(reason, 0)} | {meaning} |")
    differences = [r for r in report.rows if not r.agrees]
    lines += ["", f"## Every difference ({len(differences)})", "", "| DPI record | dataset | DPI | DPI IgnoreOpenAI | Provenant | reason | Provenant's basis |", "|---|---|---|---|---|---|---|"]
    for r in differences[:limit] if limit else differences:
        basis = r.basis.replace("|", "\\|")
        lines.append(f"| {r.record} | {r.dataset}{' (curated)' if r.curated else ''} | {r.dpi} | {r.dpi_ignore_openai} | {r.provenant} | `{r.reason}` | {basis} |")
    return "\n".join(lines) + "\n"
