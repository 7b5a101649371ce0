"""What the search indexes: one flat `SearchDocument` per searchable thing, produced by sources.

A document holds what a reader sees on the thing's page: Markdown fields as their rendered text,
titles built from their parts with separators.

A source knows one kind of thing (models, clauses, provisions, ...): how to list it, how to turn one
row into a document, and which saved rows make which documents stale. Both backends index the same
documents (whoosh in its own files, PostgreSQL in kb.search.models.SearchEntry). Other apps add their own kinds
with `register_source` (the rules in `policies` do, from their AppConfig.ready), so `kb` never
imports them.
"""

from dataclasses import dataclass, field

from django.urls import reverse

from kb import models as kb
from kb import vocabulary
from kb.markdown import markdown_text


@dataclass
class SearchDocument:
    kind: str  # a registered source's kind: "model", "clause", ...
    pk: int
    title: str
    url: str
    names: list = field(default_factory=list)  # name, aliases, ids: weigh most, split on - / . _ :
    body: str = ""  # plain text for stemmed full-text search and snippets
    subtitle: str = ""  # shown under the title ("Model · Meta")
    # Facet and filter values, lowercase ids: organization slugs, SPDX ids, jurisdiction codes.
    organizations: list = field(default_factory=list)
    licenses: list = field(default_factory=list)
    jurisdictions: list = field(default_factory=list)
    status: str = ""  # verification status, "" when the thing has none

    @property
    def doc_id(self):
        return doc_id(self.kind, self.pk)

    def facet_values(self, facet):
        if facet == "kind":
            return [self.kind]
        if facet == "status":
            return [self.status] if self.status else []
        return [v.lower() for v in getattr(self, FACET_ATTRS[facet]) if v]


FACET_ATTRS = {"org": "organizations", "license": "licenses", "jurisdiction": "jurisdictions"}
FACETS = ("kind", "org", "jurisdiction", "license", "status")


def doc_id(kind, pk):
    return f"{kind}:{pk}"


class DocumentSource:
    """Base for a kind of searchable thing. Subclasses set kind, label, model and implement document()."""

    kind = ""
    label = ""  # plural, for the kind facet: "Models"
    model = None
    related = ()  # select_related paths
    prefetch = ()

    def queryset(self):
        return self.model.objects.select_related(*self.related).prefetch_related(*self.prefetch)

    def document(self, obj):
        raise NotImplementedError

    def documents(self, pks=None):
        qs = self.queryset()
        if pks is not None:
            qs = qs.filter(pk__in=list(pks))
        return [self.document(obj) for obj in qs.order_by("pk")]

    # Other models whose text is part of this source's documents: {model: lookup from self.model to
    # it}. Saving or deleting one of their rows makes the documents that reach it stale.
    parents = {}

    def stale(self, sender, instance):
        """Which pks of this kind a saved or deleted `instance` of `sender` makes stale."""
        if sender is self.model:
            return [instance.pk]
        lookup = self.parents.get(sender)
        if lookup is None:
            return []
        # distinct: a lookup across a many-to-many (a rule citing two clauses of one document) repeats rows.
        return list(self.model.objects.filter(**{lookup: instance}).values_list("pk", flat=True).distinct())

    # Models whose saves can make this source's documents stale (for the index-update signals).
    def watched_models(self):
        return (self.model, *self.parents)


def _join(*parts):
    return "\n".join(str(p) for p in parts if p)


def _sentence(text):
    return text if text.endswith(".") else text + "."


def _status(obj):
    return getattr(obj, "verification", "") or ""


class ModelSource(DocumentSource):
    kind, label, model = "model", "Models", kb.AIModel
    parents = {kb.Organization: "organization"}
    related = ("organization",)
    prefetch = ("weights_terms", "service_terms")

    def document(self, m):
        terms = [*m.weights_terms.all(), *m.service_terms.all()]
        return SearchDocument(
            kind=self.kind,
            pk=m.pk,
            title=m.name,
            url=reverse("kb:model", args=[m.slug]),
            names=[m.name, m.slug, m.hf_id or "", *(m.aliases or [])],
            body=_join(
                _sentence(f"{m.get_access_display()} model by {m.organization.name}"),
                "Terms: " + ", ".join(t.name for t in terms) if terms else "",
                markdown_text(m.description),
                markdown_text(m.notes),
            ),
            subtitle=f"Model · {m.organization.name}",
            organizations=[m.organization.slug],
            licenses=[t.spdx_id for t in terms],
            status=_status(m),
        )


class DatasetSource(DocumentSource):
    kind, label, model = "dataset", "Datasets", kb.Dataset
    parents = {kb.Organization: "organization"}
    related = ("organization", "license")

    def document(self, d):
        return SearchDocument(
            kind=self.kind,
            pk=d.pk,
            title=d.name,
            url=reverse("kb:dataset", args=[d.slug]),
            names=[d.name, d.slug, d.hf_id or "", *(d.aliases or [])],
            body=_join(
                _sentence(f"{d.get_origin_display()} dataset" + (f" by {d.organization.name}" if d.organization else "")),
                f"License: {d.license.name}." if d.license else "License unknown.",
                markdown_text(d.description),
                markdown_text(d.notes),
            ),
            subtitle="Dataset" + (f" · {d.organization.name}" if d.organization else ""),
            organizations=[d.organization.slug] if d.organization else [],
            licenses=[d.license.spdx_id] if d.license else [],
            status=_status(d),
        )


class TermsSource(DocumentSource):
    kind, label, model = "terms", "Terms documents", kb.TermsDocument
    parents = {kb.Organization: "publisher"}
    related = ("publisher",)

    def document(self, t):
        return SearchDocument(
            kind=self.kind,
            pk=t.pk,
            title=t.name,
            url=reverse("kb:terms", args=[t.spdx_id]),
            names=[t.name, t.spdx_id],
            body=_join(t.get_kind_display() + ".", markdown_text(t.summary)),
            subtitle=f"{t.get_kind_display()}" + (f" · {t.publisher.name}" if t.publisher else ""),
            organizations=[t.publisher.slug] if t.publisher else [],
            licenses=[t.spdx_id],
        )


class VersionSource(DocumentSource):
    kind, label, model = "version", "Terms versions", kb.TermsVersion
    parents = {kb.TermsDocument: "document"}
    related = ("document", "document__publisher")

    def document(self, v):
        doc = v.document
        window = f"In effect from {v.effective_from or 'an unknown date'}" + (f" until {v.effective_to}." if v.effective_to else ".")
        return SearchDocument(
            kind=self.kind,
            pk=v.pk,
            title=f"{doc.name} ({v.version})",
            url=reverse("kb:terms", args=[doc.spdx_id]) + f"#version-{v.pk}",
            names=[doc.name, doc.spdx_id],
            body=_join(window, markdown_text(v.summary), markdown_text(v.notes)),
            subtitle=f"Terms version · {doc.publisher.name}" if doc.publisher else "Terms version",
            organizations=[doc.publisher.slug] if doc.publisher else [],
            licenses=[doc.spdx_id],
            status=_status(v),
        )


class ClauseSource(DocumentSource):
    kind, label, model = "clause", "Clauses", kb.LicenseClause
    parents = {kb.TermsVersion: "version", kb.TermsDocument: "version__document"}
    related = ("version", "version__document", "version__document__publisher")

    def document(self, c):
        doc = c.version.document
        type_label = vocabulary.CLAUSE_TYPES.get(c.clause_type, (c.clause_type,))[0]
        excluded = c.parameters.get("jurisdictions", []) if c.clause_type == "jurisdiction_exclusion" else []
        return SearchDocument(
            kind=self.kind,
            pk=c.pk,
            title=" · ".join(part for part in (c.heading or type_label, doc.name, c.section) if part),
            url=reverse("kb:terms", args=[doc.spdx_id]) + f"#clause-{c.pk}",
            names=[c.key, doc.spdx_id],
            body=_join(type_label + ".", c.quote, markdown_text(c.summary), markdown_text(c.notes)),
            subtitle=f"Clause ({type_label}) · {doc.name} ({c.version.version})",
            organizations=[doc.publisher.slug] if doc.publisher else [],
            licenses=[doc.spdx_id],
            jurisdictions=[str(code) for code in excluded if isinstance(code, str)],
            status=_status(c),
        )


class ProvisionSource(DocumentSource):
    kind, label, model = "provision", "Provisions", kb.Provision
    parents = {kb.Instrument: "instrument"}
    related = ("instrument", "instrument__jurisdiction")

    def document(self, p):
        inst = p.instrument
        return SearchDocument(
            kind=self.kind,
            pk=p.pk,
            title=f"{inst.short_name} · {p.article}: {p.title}",
            url=reverse("kb:provision", args=[p.ref]),
            names=[p.ref, inst.short_name, p.article],
            body=_join(inst.title + ".", p.quote, markdown_text(p.summary), markdown_text(p.notes)),
            subtitle=f"Provision · {inst.jurisdiction.name}",
            jurisdictions=[inst.jurisdiction.code],
            status=_status(p),
        )



_SOURCES = {}


def register_source(source):
    """Add a kind of searchable thing (an instance of a DocumentSource subclass)."""
    _SOURCES[source.kind] = source


def sources():
    return dict(_SOURCES)


def all_documents():
    for source in _SOURCES.values():
        yield from source.documents()


for _source in (ModelSource(), DatasetSource(), TermsSource(), VersionSource(), ClauseSource(), ProvisionSource()):
    register_source(_source)
