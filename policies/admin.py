from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.forms.models import BaseInlineFormSet
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from kb.admin import KeptForeverAdminMixin, KnowledgeBaseFormMixin
from policies import impact
from policies.engine import scope as rule_scope
from policies.engine.compiled import RuleError
from policies.models import Check, Rule, RuleExample
from policies.publishing import (
    PUBLISH_PERMISSION,
    REVISION_MISSING,
    PublishRefused,
    StaleEdit,
    current_revision,
    publish_rule,
    refuse_stale_edit,
    reviewed_revision,
)
from policies.testing import example_problem


def scope_help():
    """The scope field's help for editors: its keys and values from the engine's own tables."""
    keys = "; ".join(
        f"{key} ({', '.join(values) if values else 'any ids'})"
        for key, values in (("target", rule_scope.TARGETS), *rule_scope.LIST_KEYS.items(), ("subject", ("student", "deployment")))
    )
    return format_html(
        "Where the rule looks, as a JSON object. Every key is optional; a key that is given must match, and a list means any of "
        "its values. Keys: {}. Example: <code>{}</code>",
        keys, '{"target": "clause", "clause_types": ["output_training"], "release": ["open_weights", "api"]}',
    )


class RuleForm(forms.ModelForm):
    change_reason = forms.CharField(
        max_length=100, help_text="Why this change (kept in the rule's history).", widget=forms.TextInput(attrs={"size": 80})
    )
    # The revision of the rule this edit started from (see policies.publishing): saving over a
    # newer one, e.g. another editor's draft saved meanwhile, is refused instead of overwriting it.
    based_on_revision = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Rule
        # Not `status`: only the publish action changes it.
        fields = (
            "slug", "title", "description", "effect", "scope", "condition", "message", "remedy", "clauses", "provisions",
            "effective_from", "effective_to", "enabled",
        )
        help_texts = {"scope": scope_help()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["based_on_revision"].initial = current_revision(self.instance.pk)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            based_on = cleaned.get("based_on_revision")
            if based_on is None and current_revision(self.instance.pk) is not None:
                raise ValidationError("This form does not say which revision of the rule it edits; open the rule again. Nothing was saved.")
            try:
                refuse_stale_edit(self.instance.pk, based_on)
            except StaleEdit as exc:
                raise ValidationError(str(exc)) from None
        # The examples formset (validated after this form) runs the examples against the rule as
        # edited, citations included; the m2m values are not on the unsaved instance, so pass them.
        self.instance._candidate_citations = (cleaned.get("clauses") or [], cleaned.get("provisions") or [])
        return cleaned


class RuleExampleFormSet(BaseInlineFormSet):
    """Runs every example against the rule as edited (unsaved); a failing example blocks the save."""

    def clean(self):
        super().clean()
        rule = self.instance
        citations = getattr(rule, "_candidate_citations", None)
        if any(self.errors) or citations is None:
            return  # the rule form's own errors come first
        # A disabled rule's examples run too (as if it were enabled, which the candidate snapshot
        # does): they say what the rule does when switched on, and enabling it is one click away.
        try:
            snapshot = impact.candidate_snapshot(rule, *citations)
        except RuleError:
            return  # shown at the field by Rule.clean
        problems = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or self._should_delete_form(form):
                continue
            problem = example_problem(rule.slug, data["workflow"], data.get("as_of"), data["expected"], snapshot)
            if problem:
                problems.append(f'Example "{data["name"]}" fails: {problem}.')
        if problems:
            raise ValidationError(problems)


class RuleExampleInline(admin.StackedInline):
    model = RuleExample
    formset = RuleExampleFormSet
    extra = 0


@admin.register(Rule)
class RuleAdmin(KeptForeverAdminMixin, KnowledgeBaseFormMixin, SimpleHistoryAdmin):
    """Every save is validated (Rule.clean compiles the condition; the examples run) and becomes a
    draft with a reason in its history; only the "Publish" action puts it in front of checks."""

    form = RuleForm
    list_display = ("slug", "effect", "status", "enabled", "effective_from", "effective_to")
    list_filter = ("status", "effect", "enabled")
    search_fields = ("slug", "title", "description", "condition")
    filter_horizontal = ("clauses", "provisions")
    readonly_fields = ("status", "impact_link")
    inlines = [RuleExampleInline]
    actions = ["publish"]

    def save_model(self, request, obj, form, change):
        obj.status = Rule.Status.DRAFT
        obj._change_reason = form.cleaned_data["change_reason"]
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        reason = form.cleaned_data["change_reason"]
        for obj in formset.save(commit=False):
            obj._change_reason = reason
            obj.save()
        for obj in formset.deleted_objects:
            obj._change_reason = reason
            obj.delete()
        formset.save_m2m()

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Restoring an earlier version is an edit like any other: one transaction, so the
        # stale-edit check's row lock holds until the restore is saved (Django's change view is
        # atomic already; simple-history's restore view is not).
        with transaction.atomic(using=router.db_for_write(Rule)):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def has_publish_permission(self, request):
        return request.user.has_perm(PUBLISH_PERMISSION)

    @admin.action(description="Publish the selected draft rules", permissions=["publish"])
    def publish(self, request, queryset):
        for rule in queryset:
            try:
                publish_rule(rule, request.user)
            except PublishRefused as exc:
                self.message_user(request, f"Not published: {exc}", messages.ERROR)
            else:
                self.message_user(request, f'Published "{rule.slug}".', messages.SUCCESS)

    @admin.display(description="Impact")
    def impact_link(self, obj):
        if obj is None or obj.pk is None or obj.status != Rule.Status.DRAFT:
            return "-"
        url = reverse("admin:policies_rule_impact", args=[obj.pk])
        return format_html('<a href="{}">Preview impact on the last {} days of checks</a>', url, impact.WINDOW_DAYS)

    def get_urls(self):
        extra = [path("<int:pk>/impact/", self.admin_site.admin_view(self.impact_view), name="policies_rule_impact")]
        return extra + super().get_urls()

    def impact_view(self, request, pk):
        rule = get_object_or_404(Rule, pk=pk)
        if not self.has_view_permission(request, rule):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        if request.method == "POST":
            return self.publish_reviewed(request, rule)
        # The revision is read before the rule's fields: if an edit lands in between, the page shows
        # the newer draft under the older revision, and publishing it is refused (the safe side).
        revision = current_revision(rule.pk)
        rule = get_object_or_404(Rule, pk=pk)
        report = impact.preview_impact(rule)
        context = {
            **self.admin_site.each_context(request), "title": f"Impact of {rule.slug}", "rule": rule, "report": report,
            "opts": self.opts, "revision": revision,
            "can_publish": rule.status == Rule.Status.DRAFT and self.has_publish_permission(request),
        }
        return TemplateResponse(request, "admin/policies/rule/impact.html", context)

    def publish_reviewed(self, request, rule):
        """Publish the draft exactly as reviewed on the impact page (its revision), or say why not."""
        if not self.has_publish_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        revision = reviewed_revision(request.POST)
        if revision is None:
            self.message_user(request, REVISION_MISSING, messages.ERROR)
            return redirect("admin:policies_rule_impact", rule.pk)
        try:
            with transaction.atomic(using=router.db_for_write(Rule)):
                publish_rule(rule, request.user, revision=revision)
        except PublishRefused as exc:
            self.message_user(request, f"Not published: {exc}", messages.ERROR)
            return redirect("admin:policies_rule_impact", rule.pk)
        self.message_user(request, f'Published "{rule.slug}" as reviewed.', messages.SUCCESS)
        return redirect("admin:policies_rule_change", rule.pk)


@admin.register(RuleExample)
class RuleExampleAdmin(SimpleHistoryAdmin):
    """Read-only with its history here: examples are edited on their rule, where they are run."""

    list_display = ("rule", "name", "expected", "as_of")
    list_filter = ("expected",)
    search_fields = ("rule__slug", "name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Check)
class CheckAdmin(admin.ModelAdmin):
    """The decision log is read-only: impact previews and replays re-run it, so no row is changed or deleted here."""

    list_display = ("created_at", "requester", "verdict", "student", "channel", "as_of")
    list_filter = ("verdict", "channel")
    list_select_related = ("requester",)
    readonly_fields = [f.name for f in Check._meta.fields]

    @admin.display(description="student")
    def student(self, check):
        return (check.input.get("student") or {}).get("name", "") if isinstance(check.input, dict) else ""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
