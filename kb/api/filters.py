"""Filters for the knowledge-base endpoints (django-filter); bad values are 400s naming the parameter."""

import django_filters
from django.db import connection
from django.db.models import Q
from rest_framework.exceptions import ValidationError

from kb import commercial_use, vocabulary
from kb import models as kb


def json_list_contains(queryset, field, value):
    """Rows whose JSON list `field` contains `value`. SQLite has no JSON containment lookup, so
    there the ids are picked in Python from one extra query (a constant cost)."""
    if connection.features.supports_json_field_contains:
        return queryset.filter(**{f"{field}__contains": [value]})
    ids = [pk for pk, items in queryset.model.objects.values_list("pk", field) if value in (items or [])]
    return queryset.filter(pk__in=ids)


class AIModelFilter(django_filters.FilterSet):
    organization = django_filters.CharFilter(field_name="organization__slug", help_text="Organization slug.")
    license = django_filters.CharFilter(method="filter_license", help_text="SPDX id of the weights or service terms.")
    access = django_filters.ChoiceFilter(choices=kb.Access.choices)
    modality = django_filters.ChoiceFilter(
        choices=[(m, m) for m in vocabulary.MODALITIES], method="filter_modality", help_text="Models taking in or producing it."
    )

    class Meta:
        model = kb.AIModel
        fields = ("organization", "license", "access", "modality")

    def filter_license(self, queryset, name, value):
        through_w, through_s = kb.AIModel.weights_terms.through, kb.AIModel.service_terms.through
        return queryset.filter(
            Q(pk__in=through_w.objects.filter(termsdocument__spdx_id__iexact=value).values("aimodel_id"))
            | Q(pk__in=through_s.objects.filter(termsdocument__spdx_id__iexact=value).values("aimodel_id"))
        )

    def filter_modality(self, queryset, name, value):
        return json_list_contains(queryset, "modalities", value)


class DatasetFilter(django_filters.FilterSet):
    """The datasets filters of the API and of the portal's datasets index (one FilterSet for both)."""

    organization = django_filters.CharFilter(field_name="organization__slug", help_text="Organization slug.")
    license = django_filters.CharFilter(
        method="filter_license", help_text='SPDX id of any of its licenses, or "unknown" for datasets without a known license.'
    )
    origin = django_filters.ChoiceFilter(choices=kb.Dataset.Origin.choices)
    license_class = django_filters.ChoiceFilter(
        choices=commercial_use.CLASS_CHOICES, method="filter_license_class",
        help_text="Provenant's commercial-use class, read from its own terms documents (kb.commercial_use).",
    )
    generated_by = django_filters.CharFilter(
        method="filter_generated_by", help_text="Slug of the organization whose model generated the data (generated_by lineage), e.g. openai.",
    )
    source = django_filters.CharFilter(method="filter_facet", help_text='A text source, as the imported record names it (e.g. "wikipedia").')
    language = django_filters.CharFilter(method="filter_facet", help_text='A language, as the imported record names it (e.g. "English").')
    task = django_filters.CharFilter(method="filter_facet", help_text="A task category, as the imported record names it.")
    creator = django_filters.CharFilter(method="filter_facet", help_text="A creator (an institution or a team), as the imported record names it.")
    imported_from = django_filters.ChoiceFilter(
        choices=[("curated", "curated by hand"), ("dpi", "Data Provenance Initiative")], method="filter_imported_from",
        help_text='Where the row came from: "curated" or "dpi".',
    )

    class Meta:
        model = kb.Dataset
        fields = (
            "organization", "license", "origin", "license_class", "generated_by", "source", "language", "task", "creator", "imported_from",
        )

    def filter_license(self, queryset, name, value):
        if value.lower() == "unknown":
            return queryset.filter(license__isnull=True, other_licenses__isnull=True)
        through = kb.Dataset.other_licenses.through
        return queryset.filter(
            Q(license__spdx_id__iexact=value)
            | Q(pk__in=through.objects.filter(termsdocument__spdx_id__iexact=value).values("dataset_id"))
        )

    def filter_license_class(self, queryset, name, value):
        classes = commercial_use.dataset_classes(queryset)
        return queryset.filter(pk__in=[pk for pk, found in classes.items() if found.use == value])

    def filter_generated_by(self, queryset, name, value):
        edges = kb.LineageEdge.objects.filter(
            relation=kb.LineageEdge.Relation.GENERATED_BY, parent_model__organization__slug__iexact=value, child_dataset__isnull=False
        )
        return queryset.filter(pk__in=edges.values("child_dataset_id"))

    def filter_facet(self, queryset, name, value):
        facets = kb.DatasetFacet.objects.filter(facet=name, value__iexact=value)
        return queryset.filter(pk__in=facets.values("dataset_id"))

    def filter_imported_from(self, queryset, name, value):
        return queryset.filter(imported_from="" if value == "curated" else value)


class TermsDocumentFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=kb.TermsDocument.Kind.choices)
    publisher = django_filters.CharFilter(field_name="publisher__slug", help_text="Organization slug.")

    class Meta:
        model = kb.TermsDocument
        fields = ("kind", "publisher")


def jurisdictions_applying_in(code):
    """Codes whose law applies to a deployment in `code`, per the check contract: its own, the
    jurisdictions it belongs to (DE -> EU) and its regions (US -> US-CA, since a country includes
    its regions). One query; None when the code is unknown."""
    parent_of = dict(kb.Jurisdiction.objects.values_list("code", "parent__code"))
    match = next((known for known in parent_of if known.lower() == code.lower()), None)
    if match is None:
        return None
    applying, node = set(), match
    while node is not None and node not in applying:  # up, cycle-safe
        applying.add(node)
        node = parent_of.get(node)
    children = {}
    for child, parent in parent_of.items():
        children.setdefault(parent, []).append(child)
    stack = [match]
    while stack:  # down
        for child in children.get(stack.pop(), ()):
            if child not in applying:
                applying.add(child)
                stack.append(child)
    return applying


class ProvisionFilter(django_filters.FilterSet):
    jurisdiction = django_filters.CharFilter(
        method="filter_jurisdiction",
        help_text="Provisions that apply to a deployment there: its own, its parents' (DE: EU) and its regions' (US: US-CA).",
    )
    in_force_on = django_filters.DateFilter(method="filter_in_force_on", help_text="In force on this date (YYYY-MM-DD).")
    instrument = django_filters.CharFilter(field_name="instrument__slug", help_text="Instrument slug.")
    role = django_filters.ChoiceFilter(choices=sorted((r, r) for r in vocabulary.ROLES), method="filter_role")

    class Meta:
        model = kb.Provision
        fields = ("jurisdiction", "in_force_on", "instrument", "role")

    def filter_jurisdiction(self, queryset, name, value):
        codes = jurisdictions_applying_in(value)
        if codes is None:
            raise ValidationError({"jurisdiction": [f'"{value}" is not a known jurisdiction code']})
        return queryset.filter(instrument__jurisdiction__code__in=codes)

    def filter_in_force_on(self, queryset, name, value):
        return queryset.filter(
            Q(effective_from__isnull=True) | Q(effective_from__lte=value),
            Q(effective_to__isnull=True) | Q(effective_to__gt=value),
        )

    def filter_role(self, queryset, name, value):
        return json_list_contains(queryset, "roles", value)
