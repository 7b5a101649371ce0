from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from kbreview import services
from kbreview.admin_mixin import ViewOnlyAdminMixin
from kbreview.models import KbChange
from kbreview.selectors import differences, proposers
from policies import impact
from policies.publishing import REVISION_MISSING, PublishRefused, current_revision, reviewed_revision


@admin.register(KbChange)
class KbChangeAdmin(ViewOnlyAdminMixin, SimpleHistoryAdmin):
    """Pending knowledge-base changes: read here, previewed and published on their impact page. They
    are made by editing a record in the knowledge-base admin, never here."""

    list_display = ("__str__", "record", "status", "proposed_by", "updated_at", "published_by")
    list_filter = ("status", "content_type")
    fields = ("record", "action", "status", "changes", "reason", "proposed_by", "created_at", "updated_at", "published_by", "published_at", "impact_link")
    readonly_fields = fields
    actions = ["withdraw"]

    @admin.display(description="record")
    def record(self, change):
        target = change.target()
        if change.object_id is None:
            return f"a new {change.target_model._meta.verbose_name}"
        if target is None:
            return f"{change.target_model._meta.verbose_name} #{change.object_id} (deleted)"
        opts = target._meta
        return format_html('<a href="{}">{}: {}</a>', reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[target.pk]), opts.verbose_name, target)

    @admin.display(description="proposed by")
    def proposed_by(self, change):
        return ", ".join(proposers(change))

    @admin.display(description="changes (live → proposed)")
    def changes(self, change):
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {} &rarr; {}</li>", differences(change)))

    @admin.display(description="impact")
    def impact_link(self, change):
        if change.status != KbChange.Status.PENDING:
            return "-"
        url = reverse("admin:kbreview_kbchange_impact", args=[change.pk])
        return format_html('<a href="{}">Preview the impact on the last {} days of checks</a>', url, impact.WINDOW_DAYS)

    def has_withdraw_permission(self, request):
        return request.user.has_perm(services.PUBLISH_PERMISSION)

    @admin.action(description="Withdraw the selected pending changes", permissions=["withdraw"])
    def withdraw(self, request, queryset):
        for change in queryset:
            try:
                services.withdraw_change(change=change, user=request.user)
            except services.ChangeError as exc:
                self.message_user(request, f"Not withdrawn: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"Withdrew change #{change.pk}.", messages.SUCCESS)

    def get_urls(self):
        extra = [path("<int:pk>/impact/", self.admin_site.admin_view(self.impact_view), name="kbreview_kbchange_impact")]
        return extra + super().get_urls()

    @staticmethod
    def may_review(request, change):
        """Who proposes (may change the record) or publishes sees the impact; nobody else."""
        user, opts = request.user, change.target_model._meta
        may_propose = user.has_perm(f"{opts.app_label}.{change.action}_{opts.model_name}")  # add_, change_ or delete_
        return may_propose or user.has_perm("kbreview.view_kbchange") or user.has_perm(services.PUBLISH_PERMISSION)

    def impact_view(self, request, pk):
        change = get_object_or_404(KbChange, pk=pk)
        if not self.may_review(request, change):
            raise PermissionDenied
        if request.method == "POST":
            return self.publish_reviewed(request, change)
        # The revision is read before the change's values: an edit landing in between shows the newer
        # values under the older revision, and publishing them is refused (the safe side).
        revision = current_revision(change.pk, model=KbChange)
        change = get_object_or_404(KbChange, pk=pk)
        report, problem = None, ""
        if change.status == KbChange.Status.PENDING:
            try:
                report = services.preview_change_impact(change=change)
            except services.ChangeError as exc:
                problem = str(exc)
        context = {
            **self.admin_site.each_context(request), "title": f"Impact of change #{change.pk}", "change": change, "report": report,
            "problem": problem, "differences": differences(change), "proposers": ", ".join(proposers(change)), "record": self.record(change),
            "opts": self.opts, "revision": revision,
            "can_publish": report is not None and request.user.has_perm(services.PUBLISH_PERMISSION),
        }
        return TemplateResponse(request, "admin/kbreview/kbchange/impact.html", context)

    def publish_reviewed(self, request, change):
        """Publish the change exactly as reviewed on the impact page (its revision), or say why not."""
        if not request.user.has_perm(services.PUBLISH_PERMISSION):
            raise PermissionDenied
        revision = reviewed_revision(request.POST)
        if revision is None:
            self.message_user(request, REVISION_MISSING, messages.ERROR)
            return redirect("admin:kbreview_kbchange_impact", change.pk)
        try:
            services.publish_change(change=change, user=request.user, revision=revision)
        except PublishRefused as exc:
            self.message_user(request, f"Not published: {exc}", messages.ERROR)
            return redirect("admin:kbreview_kbchange_impact", change.pk)
        self.message_user(request, f"Published change #{change.pk} as reviewed: checks now use it.", messages.SUCCESS)
        return redirect("admin:kbreview_kbchange_change", change.pk)
