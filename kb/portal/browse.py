"""Index pages: a FilterSet narrows the rows, facets count what the narrowed rows hold, and a
Paginator pages them in the database.

Everything stays a query: a page is one LIMIT/OFFSET query plus a COUNT, each facet one GROUP BY
capped at FACET_LIMIT values, so a listing of hundreds of thousands of rows never becomes a Python
list of them.
"""

from dataclasses import dataclass

import django_filters
from django.core.paginator import Paginator
from django.db.models import Count, Q

from kb import models as kb
from kb import vocabulary
from kb.api import filters as api_filters

PAGE_SIZE = 50
FACET_LIMIT = 12


def _link(params, **changes):
    """The query string of `params` with `changes` applied (None removes a key); a new filter starts at page 1."""
    query = params.copy()
    query.pop("page", None)
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@dataclass(frozen=True)
class Facet:
    """Rows grouped by one field (a foreign key's slug, a choice, a many-to-many's id)."""

    param: str  # the query parameter, also the FilterSet's filter name
    title: str
    value: str  # the path grouped on, e.g. "organization__slug"
    label: str = ""  # the path of the value's display name, e.g. "organization__name"
    choices: tuple = ()  # (value, label) pairs of a choice field
    where: tuple = ()  # (lookup, value) pairs narrowing a many-valued path first, e.g. (("facets__facet", "language"),)

    def counts(self, rows):
        fields = [self.value, self.label] if self.label else [self.value]
        grouped = (
            rows.order_by()
            .filter(**dict(self.where))
            .exclude(**{f"{self.value}__isnull": True})
            .values(*fields)
            .annotate(n=Count("pk", distinct=True))  # once per row, whatever a many-to-many path or an annotation joins
            .order_by("-n", self.value)[:FACET_LIMIT]
        )
        names = dict(self.choices)
        return [(g[self.value], g[self.label] if self.label else names.get(g[self.value], g[self.value]), g["n"]) for g in grouped]


@dataclass(frozen=True)
class ListFacet:
    """Rows whose JSON list field holds one of a few known values (a model's modalities)."""

    param: str
    title: str
    field: str
    values: tuple

    def counts(self, rows):
        totals = rows.order_by().aggregate(
            **{v: Count("pk", distinct=True, filter=Q(**{f"{self.field}__icontains": f'"{v}"'})) for v in self.values}
        )
        return sorted(((v, v, totals[v]) for v in self.values if totals[v]), key=lambda t: -t[2])


def _json_list_holds(field):
    # JSON containment (`__contains`) is not available on SQLite; the JSON text of a list of plain
    # words holds `"word"` exactly when the list does.
    def method(queryset, name, value):
        return queryset.filter(**{f"{field}__icontains": f'"{value}"'})

    return method


class _NameFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")


class ModelFilter(_NameFilter):
    org = django_filters.CharFilter(field_name="organization__slug")
    license = django_filters.CharFilter(field_name="weights_terms__spdx_id")
    access = django_filters.ChoiceFilter(choices=kb.Access.choices)
    modality = django_filters.ChoiceFilter(choices=[(m, m) for m in vocabulary.MODALITIES], method=_json_list_holds("modalities"))


class DatasetFilter(_NameFilter, api_filters.DatasetFilter):
    """The API's dataset filters (licence class, generator, language, source, …), plus the name search
    and `org` as the other index pages call it."""

    org = django_filters.CharFilter(field_name="organization__slug")


class TermsFilter(_NameFilter):
    kind = django_filters.ChoiceFilter(choices=kb.TermsDocument.Kind.choices)
    org = django_filters.CharFilter(field_name="publisher__slug")


class ProvisionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="Title contains")
    jurisdiction = django_filters.CharFilter(field_name="instrument__jurisdiction__code")
    instrument = django_filters.CharFilter(field_name="instrument__slug")
    kind = django_filters.ChoiceFilter(field_name="instrument__kind", choices=kb.Instrument.Kind.choices)


@dataclass(frozen=True)
class Listing:
    filterset: type
    facets: tuple
    order_by: tuple


MODELS = Listing(
    ModelFilter,
    (
        Facet("org", "Organization", "organization__slug", "organization__name"),
        Facet("license", "License", "weights_terms__spdx_id", "weights_terms__name"),
        Facet("access", "Access", "access", choices=tuple(kb.Access.choices)),
        ListFacet("modality", "Modality", "modalities", vocabulary.MODALITIES),
    ),
    # The unique slug's index serves the ordered page; slugs follow the names.
    ("slug",),
)
DATASETS = Listing(
    DatasetFilter,
    (
        Facet("org", "Organization", "organization__slug", "organization__name"),
        Facet("license", "License", "license__spdx_id", "license__name"),
        Facet("origin", "Origin", "origin", choices=tuple(kb.Dataset.Origin.choices)),
        Facet("generated_by", "Generated by (provider)", "parent_edges__parent_model__organization__slug",
              "parent_edges__parent_model__organization__name", where=(("parent_edges__relation", kb.LineageEdge.Relation.GENERATED_BY),)),
        Facet("language", "Language", "facets__value", where=(("facets__facet", kb.DatasetFacet.Facet.LANGUAGE),)),
        Facet("source", "Text source", "facets__value", where=(("facets__facet", kb.DatasetFacet.Facet.SOURCE),)),
    ),
    ("slug",),
)
TERMS = Listing(
    TermsFilter,
    (
        Facet("kind", "Kind", "kind", choices=tuple(kb.TermsDocument.Kind.choices)),
        Facet("org", "Publisher", "publisher__slug", "publisher__name"),
    ),
    ("name", "spdx_id"),
)
PROVISIONS = Listing(
    ProvisionFilter,
    (
        Facet("jurisdiction", "Jurisdiction", "instrument__jurisdiction__code", "instrument__jurisdiction__name"),
        Facet("instrument", "Instrument", "instrument__slug", "instrument__short_name"),
        Facet("kind", "Kind of instrument", "instrument__kind", choices=tuple(kb.Instrument.Kind.choices)),
    ),
    ("instrument__short_name", "ref"),
)


def browse(params, queryset, listing):
    """A page of rows and their facets, or the FilterSet's errors (field -> messages) for bad parameters."""
    filterset = listing.filterset(params, queryset=queryset)
    if not filterset.is_valid():
        return {"errors": {name: "; ".join(messages) for name, messages in filterset.errors.items()}}
    rows = filterset.qs.order_by(*listing.order_by)
    page = Paginator(rows, PAGE_SIZE).get_page(params.get("page"))
    facets = []
    for facet in listing.facets:
        selected = params.get(facet.param) or None
        values = [
            {"value": value, "label": label, "count": n, "selected": value == selected,
             "url": _link(params, **{facet.param: None if value == selected else value})}
            for value, label, n in facet.counts(rows)
        ]
        if selected and not any(v["selected"] for v in values):
            values.insert(0, {"value": selected, "label": selected, "count": page.paginator.count, "selected": True,
                              "url": _link(params, **{facet.param: None})})
        if values:
            facets.append({"name": facet.param, "title": facet.title, "values": values})
    return {
        "page": page,
        "facets": facets,
        "name_query": params.get("q", ""),
        "filtered": any(params.get(f) for f in filterset.filters),
        "previous_url": _link(params, page=str(page.previous_page_number())) if page.has_previous() else "",
        "next_url": _link(params, page=str(page.next_page_number())) if page.has_next() else "",
        "hidden": [(k, v) for k, v in params.items() if k not in ("q", "page")],
    }
