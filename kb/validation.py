"""Checks over the whole knowledge base (`manage.py validate_kb`): sources, terms, invariants.

Model-level invariants live in each model's clean(); this module runs them over every record and
adds the checks that span records (terms for what a model offers, overlapping version windows).
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Min, Q

from kb import models as kb

# Terms change quietly and models are re-released: what nobody re-read for this long is reported.
STALE_AFTER_DAYS = 180
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
    stale: list = field(default_factory=list)  # Problem rows for what was not re-checked in time (warnings)
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
            "stale": [vars(p) for p in self.stale],
            "warnings": [vars(p) for p in self.warnings],
        }


# The URL fields a citation can show (kb.Sourced.source_url, a version's or provision's own url, a
# document's or instrument's url): each must name the page of the text, never a site's front page.
CITED_URL_FIELDS = ("source_url", "url")


def home_page(url):
    """True for a bare domain or a site's front page (`https://news.ycombinator.com/`): it proves nothing
    about a clause, and a citation must let a reader find the words it cites."""
    if not url:
        return False
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query and not parts.fragment


def _label(obj):
    key = obj.natural_key() if hasattr(obj, "natural_key") else (obj.pk,)
    return "/".join(str(k) for k in key) if not isinstance(obj, kb.LineageEdge) else str(obj)


def _kind(model):
    return str(model._meta.verbose_name_plural)


def stale_records(*, today=None, days=STALE_AFTER_DAYS):
    """Terms documents and model families (a publisher's models) not re-checked within `days`.

    A terms document counts as checked when any of its versions or clauses was; a family is listed
    with how many of its models are overdue and the oldest date, so one re-read can be planned per
    publisher rather than per record.
    """
    today = today or datetime.date.today()
    cutoff = today - datetime.timedelta(days=days)
    found = []
    documents = kb.TermsDocument.objects.annotate(
        version_checked=Max("versions__checked_on"), clause_checked=Max("versions__clauses__checked_on")
    ).order_by("spdx_id")
    for document in documents:
        dates = [d for d in (document.version_checked, document.clause_checked) if d]
        last = max(dates) if dates else None
        if last is None or last < cutoff:
            found.append(Problem(
                _kind(kb.TermsDocument), document.spdx_id, "checked_on",
                f"last checked {last or 'never'}, more than {days} days before {today}: re-read the publisher's current text",
            ))
    families = (
        kb.AIModel.objects.values("organization__slug")
        .annotate(total=Count("id"), overdue=Count("id", filter=Q(checked_on__lt=cutoff)), oldest=Min("checked_on"))
        .filter(overdue__gt=0)
        .order_by("organization__slug")
    )
    for family in families:
        found.append(Problem(
            "model family", family["organization__slug"], "checked_on",
            f"{family['overdue']} of {family['total']} models last checked more than {days} days before {today} (oldest {family['oldest']})",
        ))
    return found


def validate_knowledge_base(*, today=None):
    report = ValidationReport()
    report.stale = stale_records(today=today)
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
            # An organization's url is its home page by design; it is never cited.
            for name in CITED_URL_FIELDS if model is not kb.Organization else ():
                if home_page(getattr(obj, name, "")):
                    problem(Problem(_kind(model), _label(obj), name,
                                    f"{getattr(obj, name)} is a site's home page, not the page of the text; cite the exact page"))
            if model in SOURCED_MODELS:
                if not obj.source_url:
                    problem(Problem(_kind(model), _label(obj), "source_url", "missing source URL"))
                if not obj.checked_on:
                    problem(Problem(_kind(model), _label(obj), "checked_on", "missing date checked"))
                status = report.verification.setdefault(_kind(model), {})
                status[obj.verification] = status.get(obj.verification, 0) + 1

    known = set(kb.Jurisdiction.objects.values_list("code", flat=True))
    for document in kb.TermsDocument.objects.prefetch_related("versions"):
        versions = sorted(document.versions.all(), key=lambda v: (v.effective_from is not None, v.effective_from))
        if not versions:
            problem(Problem(_kind(kb.TermsDocument), document.spdx_id, "versions", "a terms document needs at least one version"))
        regions = {}
        for v in versions:
            if v.effective_from:
                regions.setdefault(tuple(sorted(v.applies_in or [])), []).append(v)
        for v in versions:
            for code in sorted(set(v.applies_in or []) - known):
                problem(Problem(_kind(kb.TermsVersion), _label(v), "applies_in", f'"{code}" is not a jurisdiction in the knowledge base'))
        pairs = [pair for dated in regions.values() for pair in zip(dated, dated[1:], strict=False)]
        for earlier, later in pairs:
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
