from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from kb import models as kb
from kb.widgets import MarkdownPreviewWidget
from kbreview.admin_mixin import ReviewedEditsAdminMixin, ViewOnlyAdminMixin

MARKDOWN_FIELDS = {"summary", "notes", "description"}


class KnowledgeBaseFormMixin:
    """Long Markdown fields get a preview rendered by the one renderer; URLs typed without a
    scheme are taken as https (Django 6's default, set explicitly so 5.2 does not warn)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.TextField) and db_field.name in MARKDOWN_FIELDS:
            kwargs["widget"] = MarkdownPreviewWidget(attrs={"rows": 6})
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class KeptForeverAdminMixin:
    """For models.KeptForever: no bulk delete, no delete link on a kept row's page, and a delete link
    followed anyway (bookmarked, typed) explains why and what to do instead.

    has_delete_permission stays true for a single row so that deleting a parent (a terms document
    with versions) lists the versions as protected, rather than as a permission the user lacks.
    """

    def has_delete_permission(self, request, obj=None):
        return obj is not None and super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.model.is_kept(obj):
            extra_context = {**(extra_context or {}), "show_delete": False}
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.model.is_kept(obj):
            self.message_user(request, str(kb.KeptForeverError(self.model, [obj])), messages.ERROR)
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
        return super().delete_view(request, object_id, extra_context)


class KnowledgeBaseAdmin(ReviewedEditsAdminMixin, KnowledgeBaseFormMixin, SimpleHistoryAdmin):
    """History (who, when, field-by-field changes) and Markdown previews for every KB model; an edit
    that can change a decision waits as a pending change for review (kbreview)."""


class ClauseInline(ViewOnlyAdminMixin, KnowledgeBaseFormMixin, admin.StackedInline):
    model = kb.LicenseClause
    extra = 0
    can_delete = False  # clauses are kept (kb.models.KeptForever)
    fields = ("key", "section", "heading", "clause_type", "quote", "summary", "parameters", "source_url", "checked_on", "verification")


class VersionInline(ViewOnlyAdminMixin, KnowledgeBaseFormMixin, admin.TabularInline):
    model = kb.TermsVersion
    extra = 0
    can_delete = False  # superseded versions are kept: end one with effective_to instead
    fields = ("version", "effective_from", "effective_to", "url", "checked_on", "verification")
    show_change_link = True


class ParentEdgeInline(ViewOnlyAdminMixin, KnowledgeBaseFormMixin, admin.TabularInline):
    """Edges where this record is the child: what it was made from."""

    model = kb.LineageEdge
    extra = 0
    verbose_name = "made from"
    verbose_name_plural = "lineage: made from"
    autocomplete_fields = ("parent_model", "parent_dataset")
    fields = ("relation", "parent_model", "parent_dataset", "evidence_kind", "source_url", "checked_on", "verification")


class ModelParentEdgeInline(ParentEdgeInline):
    fk_name = "child_model"


class DatasetParentEdgeInline(ParentEdgeInline):
    fk_name = "child_dataset"


class ModelChildEdgeInline(ViewOnlyAdminMixin, KnowledgeBaseFormMixin, admin.TabularInline):
    model = kb.LineageEdge
    fk_name = "parent_model"
    extra = 0
    verbose_name = "derived record"
    verbose_name_plural = "lineage: used to make"
    autocomplete_fields = ("child_model", "child_dataset")
    fields = ("relation", "child_model", "child_dataset", "evidence_kind", "source_url", "checked_on", "verification")


@admin.register(kb.Organization)
class OrganizationAdmin(KnowledgeBaseAdmin):
    list_display = ("name", "slug", "country")
    search_fields = ("name", "slug")
    list_filter = ("country",)


@admin.register(kb.TermsDocument)
class TermsDocumentAdmin(KnowledgeBaseAdmin):
    list_display = ("name", "spdx_id", "kind", "publisher", "free_and_open_source")
    list_filter = ("kind", "publisher", "free_and_open_source")
    search_fields = ("name", "spdx_id", "summary")
    inlines = [VersionInline]


@admin.register(kb.TermsVersion)
class TermsVersionAdmin(KeptForeverAdminMixin, KnowledgeBaseAdmin):
    list_display = ("document", "version", "effective_from", "effective_to", "verification", "checked_on")
    list_filter = ("verification", "document__kind", "document")
    search_fields = ("document__name", "document__spdx_id", "version", "summary")
    date_hierarchy = "effective_from"
    inlines = [ClauseInline]


@admin.register(kb.LicenseClause)
class LicenseClauseAdmin(KeptForeverAdminMixin, KnowledgeBaseAdmin):
    list_display = ("__str__", "clause_type", "heading", "verification")
    list_filter = ("clause_type", "verification", "version__document")
    search_fields = ("key", "section", "heading", "quote", "summary", "version__document__name")


@admin.register(kb.AIModel)
class AIModelAdmin(KnowledgeBaseAdmin):
    list_display = ("name", "hf_id", "organization", "access", "release_date", "verification")
    list_filter = ("access", "organization", "verification", "weights_terms")
    search_fields = ("name", "slug", "hf_id", "aliases", "description")
    filter_horizontal = ("weights_terms", "service_terms")
    inlines = [ModelParentEdgeInline, ModelChildEdgeInline]


@admin.register(kb.Dataset)
class DatasetAdmin(KnowledgeBaseAdmin):
    list_display = ("name", "hf_id", "license", "origin", "verification", "imported_from")
    list_filter = ("imported_from", "origin", "license", "verification")
    search_fields = ("name", "slug", "hf_id", "aliases", "description")
    filter_horizontal = ("other_licenses",)
    # The importer owns these: edited here, the next import would put its own values back.
    readonly_fields = ("imported_from", "imported_record")
    inlines = [DatasetParentEdgeInline]


@admin.register(kb.LineageEdge)
class LineageEdgeAdmin(KnowledgeBaseAdmin):
    list_display = ("__str__", "relation", "evidence_kind", "verification", "checked_on")
    list_filter = ("relation", "evidence_kind", "verification")
    search_fields = ("child_model__name", "child_dataset__name", "parent_model__name", "parent_dataset__name", "evidence")
    autocomplete_fields = ("child_model", "child_dataset", "parent_model", "parent_dataset")


@admin.register(kb.Jurisdiction)
class JurisdictionAdmin(KnowledgeBaseAdmin):
    list_display = ("code", "name", "parent")
    search_fields = ("code", "name")


class ProvisionInline(ViewOnlyAdminMixin, KnowledgeBaseFormMixin, admin.StackedInline):
    model = kb.Provision
    extra = 0
    can_delete = False  # provisions are kept (kb.models.KeptForever)
    fields = ("ref", "article", "title", "summary", "quote", "roles", "effective_from", "effective_to", "url", "source_url", "checked_on", "verification")


@admin.register(kb.Instrument)
class InstrumentAdmin(KnowledgeBaseAdmin):
    list_display = ("short_name", "kind", "jurisdiction", "binding")
    list_filter = ("kind", "jurisdiction", "binding")
    search_fields = ("short_name", "title", "slug")
    inlines = [ProvisionInline]


@admin.register(kb.Provision)
class ProvisionAdmin(KeptForeverAdminMixin, KnowledgeBaseAdmin):
    list_display = ("ref", "article", "title", "instrument", "effective_from", "effective_to", "verification")
    list_filter = ("instrument__jurisdiction", "instrument", "verification")
    search_fields = ("ref", "article", "title", "summary", "quote")
    date_hierarchy = "effective_from"


admin.site.site_header = "Provenant administration"
admin.site.site_title = "Provenant admin"
