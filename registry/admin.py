from django.contrib import admin

from registry import models


class HubEdgeInline(admin.TabularInline):
    model = models.HubEdge
    extra = 0
    fields = ("parent_repo_id", "parent_key", "relation", "relation_basis", "evidence", "pattern")


@admin.register(models.HubModel)
class HubModelAdmin(admin.ModelAdmin):
    list_display = ("repo_id", "author", "license", "pipeline_tag", "gated", "downloads", "last_modified")
    search_fields = ("repo_key",)
    show_full_result_count = False  # a count over millions of rows on every page load
    readonly_fields = ("imported_at",)
    inlines = [HubEdgeInline]


@admin.register(models.HubEdge)
class HubEdgeAdmin(admin.ModelAdmin):
    list_display = ("child", "parent_repo_id", "relation", "relation_basis", "evidence", "pattern")
    list_filter = ("relation", "relation_basis", "evidence")
    search_fields = ("parent_key",)
    raw_id_fields = ("child",)
    show_full_result_count = False


@admin.register(models.ImportCursor)
class ImportCursorAdmin(admin.ModelAdmin):
    list_display = ("query", "done", "last_repo_id", "finished", "updated_at")
