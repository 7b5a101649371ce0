"""Checks over the whole knowledge base (`manage.py validate_kb`): sources, terms, invariants.

Model-level invariants live in each model's clean(); this module runs them over every record and
adds the checks that span records (terms for what a model offers, overlapping version windows).
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from kb import models as kb

# Checks other apps add (kb imports none of them): each is called with the ValidationReport and may
# append Problems to `problems` (validate_kb fails) or to `warnings` (shown, not failing).
EXTRA_CHECKS = []


def register_check(check):
    if check not in EXTRA_CHECKS:
        EXTRA_CHECKS.append(check)


SOURCED_MODELS = (kb.TermsVersion, kb.LicenseClause, kb.AIModel, kb.Dataset, kb.LineageEdge, kb.Instrument, kb.Provision)
ALL_MODELS = (kb.Organization, kb.Jurisdiction, kb.TermsDocument, *SOURCED_MODELS)


@dataclass
class Problem:
    kind: str
    record: str
    field: str
    message: str

    def __str__(self):
        return f"{self.kind} {self.record}: {self.field}: {self.message}"


@dataclass
class ValidationReport:
    counts: dict = field(default_factory=dict)
    verification: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems

    def as_dict(self):
        return {
            "ok": self.ok,
            "counts": self.counts,
            "verification": self.verification,
            "problems": [vars(p) for p in self.problems],
            "warnings": [vars(p) for p in self.warnings],
        }


def _label(obj):
    key = obj.natural_key() if hasattr(obj, "natural_key") else (obj.pk,)
    return "/".join(str(k) for k in key) if not isinstance(obj, kb.LineageEdge) else str(obj)


def _kind(model):
    return str(model._meta.verbose_name_plural)


def validate_knowledge_base():
    report = ValidationReport()
    problem = report.problems.append

    for model in ALL_MODELS:
        rows = list(model.objects.all())
        report.counts[_kind(model)] = len(rows)
        for obj in rows:
            try:
                # Field types, choices, clause parameters, windows, edge ends, roles, modalities.
                obj.full_clean(validate_unique=False)
            except ValidationError as exc:
                for field_name, messages in exc.message_dict.items():
                    problem(Problem(_kind(model), _label(obj), field_name, "; ".join(messages)))
            if model in SOURCED_MODELS:
                if not obj.source_url:
                    problem(Problem(_kind(model), _label(obj), "source_url", "missing source URL"))
                if not obj.checked_on:
                    problem(Problem(_kind(model), _label(obj), "checked_on", "missing date checked"))
                status = report.verification.setdefault(_kind(model), {})
                status[obj.verification] = status.get(obj.verification, 0) + 1

    for document in kb.TermsDocument.objects.prefetch_related("versions"):
        versions = sorted(document.versions.all(), key=lambda v: (v.effective_from is not None, v.effective_from))
        if not versions:
            problem(Problem(_kind(kb.TermsDocument), document.spdx_id, "versions", "a terms document needs at least one version"))
        dated = [v for v in versions if v.effective_from]
        for earlier, later in zip(dated, dated[1:], strict=False):
            if earlier.effective_to is None or earlier.effective_to > later.effective_from:
                problem(Problem(
                    _kind(kb.TermsVersion), _label(earlier), "effective_to",
                    f"overlaps the next version {later.version!r} (from {later.effective_from}); set effective_to",
                ))

    for ai_model in kb.AIModel.objects.prefetch_related("weights_terms", "service_terms"):
        if ai_model.has_open_weights and not ai_model.weights_terms.all() and not ai_model.weights_terms_unknown:
            problem(Problem(_kind(kb.AIModel), ai_model.slug, "weights_terms", 'open weights without terms (list them or say "unknown")'))
        if ai_model.has_service and not ai_model.service_terms.all() and not ai_model.service_terms_unknown:
            problem(Problem(_kind(kb.AIModel), ai_model.slug, "service_terms", 'a service without terms (list them or say "unknown")'))

    for instrument in kb.Instrument.objects.prefetch_related("provisions"):
        if not instrument.provisions.all():
            problem(Problem(_kind(kb.Instrument), instrument.slug, "provisions", "an instrument needs at least one provision"))

    for check in EXTRA_CHECKS:
        check(report)

    return report
