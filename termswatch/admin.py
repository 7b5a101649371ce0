from django.contrib import admin
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from kb import models as kb
from kb.admin import LicenseClauseAdmin
from termswatch import redecide, selectors
from termswatch.models import CapturedVersion, ClauseFlag, Repository, TrackedDocument, WatchRun


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by import_terms_versions and watch_terms, never by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Repository)
class RepositoryAdmin(ReadOnlyAdmin):
    list_display = ("name", "url", "last_commit", "imported_at")


@admin.register(TrackedDocument)
class TrackedDocumentAdmin(ReadOnlyAdmin):
    list_display = ("service", "document_type", "terms", "version_count", "removed_at")
    list_filter = ("repository", ("terms", admin.EmptyFieldListFilter))
    search_fields = ("service", "document_type")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(version_count=Count("versions"))

    @admin.display(ordering="version_count", description="versions")
    def version_count(self, obj):
        return obj.version_count


@admin.register(CapturedVersion)
class CapturedVersionAdmin(ReadOnlyAdmin):
    list_display = ("document", "captured_at", "commit", "message")
    list_filter = ("document__service",)
    search_fields = ("commit", "document__service", "document__document_type")
    date_hierarchy = "captured_at"
    exclude = ("text",)  # long outside text: read it on the portal's Terms changes page
    readonly_fields = ("portal_link",)

    @admin.display(description="text")
    def portal_link(self, obj):
        url = reverse("termswatch:document", args=[obj.document_id]) + f"?to={obj.pk}"
        return format_html('<a href="{}">This version against the one before, on the Terms changes page</a>', url)


class OpenFlagFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", "Needs re-verification"), ("no", "Re-verified since")]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        open_ids = [flag.pk for flag in selectors.open_flags()]
        return queryset.filter(pk__in=open_ids) if self.value() == "yes" else queryset.exclude(pk__in=open_ids)


@admin.register(ClauseFlag)
class ClauseFlagAdmin(ReadOnlyAdmin):
    list_display = ("clause", "reason", "section", "version", "detected_at")
    list_filter = (OpenFlagFilter, "reason")
    list_select_related = ("clause__version__document", "version__document")


@admin.register(WatchRun)
class WatchRunAdmin(ReadOnlyAdmin):
    list_display = ("ran_at", "new_versions", "flags", "webhook_status")


# The knowledge base's clause admin, with the terms watch's view of each clause. kb does not know the
# terms watch; this app registers the same admin again with two more read-only fields.
admin.site.unregister(kb.LicenseClause)


@admin.register(kb.LicenseClause)
class WatchedLicenseClauseAdmin(LicenseClauseAdmin):
    list_display = (*LicenseClauseAdmin.list_display, "terms_watch")

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "terms_watch", "relying_checks")

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f not in ("terms_watch", "relying_checks")]
        return [*fields, "terms_watch", "relying_checks"]

    def changelist_view(self, request, extra_context=None):
        self._flagged = selectors.clauses_needing_reverification()
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._flagged = selectors.clauses_needing_reverification()
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="terms watch")
    def terms_watch(self, obj):
        flags = getattr(self, "_flagged", {}).get(obj.pk) if obj and obj.pk else None
        if not flags:
            return "-"
        newest = flags[0]
        url = reverse("termswatch:document", args=[newest.version.document_id])
        return format_html(
            '<strong>Needs re-verification</strong>: {} later version(s) of <a href="{}">{}</a> changed its section (newest {})',
            len(flags), url, newest.version.document, f"{newest.version.captured_at:%Y-%m-%d}",
        )

    @admin.display(description="checks relying on it")
    def relying_checks(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        url = reverse("admin:termswatch_clause_redecide", args=[obj.pk])
        return format_html('<a href="{}">Which checks of the last {} days relied on this clause, and which would get another verdict</a>', url, redecide.WINDOW_DAYS)

    def get_urls(self):
        extra = [path("<int:pk>/redecide/", self.admin_site.admin_view(self.redecide_view), name="termswatch_clause_redecide")]
        return extra + super().get_urls()

    def redecide_view(self, request, pk):
        clause = get_object_or_404(kb.LicenseClause.objects.select_related("version__document"), pk=pk)
        if not self.has_view_permission(request, clause):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        report = redecide.redecide(clause)
        context = {**self.admin_site.each_context(request), "title": f"Re-deciding after a change of {clause}", "report": report, "opts": self.opts}
        return TemplateResponse(request, "admin/termswatch/redecide.html", context)
