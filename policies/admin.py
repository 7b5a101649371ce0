from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from policies.models import Check, Rule, RuleExample


class RuleExampleInline(admin.StackedInline):
    model = RuleExample
    extra = 0


@admin.register(Rule)
class RuleAdmin(SimpleHistoryAdmin):
    """Rule.clean() compiles the condition and checks scope and templates, so a bad rule is refused on save."""

    list_display = ("slug", "effect", "enabled", "effective_from", "effective_to")
    list_filter = ("effect", "enabled")
    search_fields = ("slug", "title", "description", "condition")
    filter_horizontal = ("clauses", "provisions")
    inlines = [RuleExampleInline]


@admin.register(Check)
class CheckAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "channel", "verdict", "as_of", "requester")
    list_filter = ("verdict", "channel")
    readonly_fields = [f.name for f in Check._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
