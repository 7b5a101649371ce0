"""May a dataset's data be used commercially? Provenant's answer, read from its own terms documents.

A terms document's class comes from the clauses of its version in force today: a `commercial_use`
clause that does not permit it, or a `research_only` clause, makes it non-commercial; so does a
document of kind `research` whose clauses have not been typed. Contract-only terms (service terms,
usage policies) are not a license on the data: they bind whoever accepted them, and they reach a
workflow through the generated_by lineage, not through this class. Everything else is commercial.

A dataset combines its licenses (`license` and `other_licenses`, which all apply) with the most
restrictive winning; a license name no terms document stands for (`licenses_unmapped`) makes the
answer unknown unless another license already makes it non-commercial; a dataset whose source said
no license was stated (`license_expression` NONE or NOASSERTION) is unspecified; a dataset with no
license at all is unknown (the field's own meaning: empty = unknown).
"""

import datetime
from dataclasses import dataclass

from kb import models as kb

COMMERCIAL = "commercial"
NON_COMMERCIAL = "non-commercial"
UNSPECIFIED = "unspecified"
UNKNOWN = "unknown"
CLASSES = (COMMERCIAL, UNSPECIFIED, NON_COMMERCIAL, UNKNOWN)
CLASS_CHOICES = [
    (COMMERCIAL, "Commercial use allowed"),
    (NON_COMMERCIAL, "Non-commercial only"),
    (UNSPECIFIED, "No license stated"),
    (UNKNOWN, "Unknown terms"),
]
NO_LICENSE_EXPRESSIONS = {"NONE", "NOASSERTION"}


@dataclass(frozen=True)
class DocumentClass:
    spdx_id: str
    use: str  # COMMERCIAL, NON_COMMERCIAL, or "contract" (not a license on the data)
    basis: str  # why, in words: the clause (section and type) or the document's kind

    @property
    def is_contract(self):
        return self.use == "contract"


@dataclass(frozen=True)
class DatasetClass:
    use: str
    documents: tuple = ()  # DocumentClass of each license that counted
    unmapped: tuple = ()  # license names without a terms document
    contracts: tuple = ()  # DocumentClass of contract terms listed as licenses (not counted)

    @property
    def basis(self):
        deciding = [d for d in self.documents if d.use == self.use]
        if deciding:
            return "; ".join(f"{d.spdx_id}: {d.basis}" for d in deciding)
        if self.use == UNKNOWN and self.unmapped:
            return "no terms document for " + ", ".join(self.unmapped)
        if self.use == UNKNOWN:
            return "no license recorded"
        return "the source states no license"


def classify_document(spdx_id, kind, clauses):
    """clauses: (section, clause_type, parameters) of the version in force."""
    if kind in kb.TermsDocument.CONTRACT_KINDS:
        return DocumentClass(spdx_id, "contract", f"{kind} binds whoever accepted it, not a license on the data")
    for section, clause_type, parameters in clauses:
        where = f"§{section} " if section and not section.startswith("§") else f"{section} " if section else ""
        if clause_type == "commercial_use" and (parameters or {}).get("permitted") is False:
            return DocumentClass(spdx_id, NON_COMMERCIAL, f"{where}commercial_use clause: not permitted".strip())
        if clause_type == "research_only":
            return DocumentClass(spdx_id, NON_COMMERCIAL, f"{where}research_only clause".strip())
    if kind == kb.TermsDocument.Kind.RESEARCH:
        return DocumentClass(spdx_id, NON_COMMERCIAL, "a research-only license (its kind; no typed clause)")
    return DocumentClass(spdx_id, COMMERCIAL, "no clause limits commercial use")


def classify_dataset(documents, unmapped=(), expression=""):
    """documents: DocumentClass of every license of the dataset. Pure."""
    counted = tuple(d for d in documents if not d.is_contract)
    contracts = tuple(d for d in documents if d.is_contract)
    unmapped = tuple(unmapped)
    uses = {d.use for d in counted}
    if NON_COMMERCIAL in uses:
        use = NON_COMMERCIAL
    elif unmapped:
        use = UNKNOWN
    elif counted:
        use = COMMERCIAL
    elif expression.strip().upper() in NO_LICENSE_EXPRESSIONS or contracts:
        # Only a service's terms are listed (DPI's "OpenAI" pseudo-license): no data license was stated.
        use = UNSPECIFIED
    else:
        use = UNKNOWN
    return DatasetClass(use, counted, unmapped, contracts)


def document_classes(on=None):
    """{terms document id: DocumentClass} for every terms document, read in two queries."""
    on = on or datetime.date.today()
    in_force = {}
    for v in kb.TermsVersion.objects.order_by("document_id", "effective_from").values("id", "document_id", "effective_from", "effective_to"):
        if (v["effective_from"] is None or v["effective_from"] <= on) and (v["effective_to"] is None or on < v["effective_to"]):
            in_force[v["document_id"]] = v["id"]
    clauses = {}
    for c in kb.LicenseClause.objects.filter(version_id__in=in_force.values()).order_by("section", "key").values(
        "version_id", "section", "clause_type", "parameters"
    ):
        clauses.setdefault(c["version_id"], []).append((c["section"], c["clause_type"], c["parameters"]))
    return {
        d["id"]: classify_document(d["spdx_id"], d["kind"], clauses.get(in_force.get(d["id"]), ()))
        for d in kb.TermsDocument.objects.values("id", "spdx_id", "kind")
    }


def dataset_classes(queryset=None, on=None):
    """{dataset id: DatasetClass} for the datasets of `queryset` (all by default), in four queries."""
    queryset = kb.Dataset.objects.all() if queryset is None else queryset
    docs = document_classes(on)
    rows = list(queryset.values("id", "license_id", "licenses_unmapped", "license_expression"))
    others = {}
    through = kb.Dataset.other_licenses.through
    for dataset_id, doc_id in through.objects.filter(dataset_id__in=queryset.values("id")).values_list("dataset_id", "termsdocument_id"):
        others.setdefault(dataset_id, []).append(doc_id)
    result = {}
    for r in rows:
        ids = ([r["license_id"]] if r["license_id"] else []) + sorted(others.get(r["id"], []))
        result[r["id"]] = classify_dataset([docs[i] for i in ids], r["licenses_unmapped"] or (), r["license_expression"] or "")
    return result


def dataset_class(dataset, on=None):
    return dataset_classes(kb.Dataset.objects.filter(pk=dataset.pk), on)[dataset.pk]
