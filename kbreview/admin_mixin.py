"""The knowledge-base admin's side of review: an edit that can change a decision becomes a pending
change (kbreview.services.propose_change) instead of being saved; the record's page shows it."""

from django import forms
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from kbreview.models import KbChange
from kbreview.reviewed import is_reviewed_model, needs_review, value_of
from kbreview.selectors import differences, pending_change_for, proposers
from kbreview.services import ChangeError, propose_addition, propose_change, propose_deletion, refuse_stale_proposal
from policies.publishing import StaleEdit, current_revision


class ReviewedEditForm(forms.ModelForm):
    """Shows a pending change's proposed values, and refuses an edit based on a record or a pending
    change that moved on since the form was opened (as rules do, policies.publishing)."""

    change_reason = forms.CharField(
        max_length=100, help_text="Why this change (kept in the history; a reviewer reads it).", widget=forms.TextInput(attrs={"size": 80})
    )
    based_on_revision = forms.IntegerField(required=False, widget=forms.HiddenInput)
    based_on_change = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pending = None
        if self.instance.pk is None or not is_reviewed_model(type(self.instance)):
            return
        self.fields["based_on_revision"].initial = current_revision(self.instance.pk, model=type(self.instance))
        self.pending = pending_change_for(self.instance)
        if self.pending is not None:
            self.fields["based_on_change"].initial = current_revision(self.pending.pk, model=KbChange)
            for name, diff in self.pending.values.items():
                if name in self.fields:
                    self.initial[name] = diff["new"]  # the editor goes on from the proposal, not from the live row

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and is_reviewed_model(type(self.instance)):
            if cleaned.get("based_on_revision") is None and current_revision(self.instance.pk, model=type(self.instance)) is not None:
                raise ValidationError("This form does not say which revision of the record it edits; open the record again. Nothing was saved.")
            try:
                refuse_stale_proposal(target=self.instance, based_on=cleaned.get("based_on_revision"), based_on_change=cleaned.get("based_on_change"))
            except StaleEdit as exc:
                raise ValidationError(str(exc)) from None
        return cleaned


def _same_text(submitted, live):
    """A text field posted back unchanged: forms strip whitespace and browsers send line ends as CRLF, so a
    stored "text\n" comes back as "text"; that is no change to review."""
    if not (isinstance(submitted, str) and isinstance(live, str)):
        return False
    return submitted.replace("\r\n", "\n").strip() == live.replace("\r\n", "\n").strip()


class ReviewedEditsAdminMixin:
    """For knowledge-base admins. Saving a change form whose changed fields include one the engine reads
    (kbreview.reviewed), or a record that already has a pending change, saves a pending change; so do
    adding and deleting a record. Other edits (notes, dates a source was read, …) are saved at once,
    with their reason in the history."""

    form = ReviewedEditForm

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return ("pending_review", *fields) if obj is not None and is_reviewed_model(self.model) else fields

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if "pending_review" in fields:
            fields.remove("pending_review")
            fields.insert(0, "pending_review")
        return fields

    @staticmethod
    def _review_link(change):
        return reverse("admin:kbreview_kbchange_impact", args=[change.pk])

    def pending_review(self, obj):
        change = pending_change_for(obj)
        if change is None:
            return "No pending change: checks use this record as shown. An edit of a field checks read is saved as a pending change for review."
        rows = format_html_join("", "<li>{}: {} &rarr; {}</li>", differences(change))
        return format_html(
            '<strong>Pending change #{} by {}</strong> ("{}"), not in force: checks use the values left of each arrow; '
            'the form below shows the proposed ones.<ul>{}</ul><a href="{}">Preview its impact on checks, and publish</a>',
            change.pk, ", ".join(proposers(change)), change.reason, rows, self._review_link(change),
        )

    pending_review.short_description = "Review"

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("change_reason", "")
        if is_reviewed_model(self.model):
            proposed = {}
            for name in form.fields:
                try:
                    field = obj._meta.get_field(name)
                except FieldDoesNotExist:  # a form-only field (the reason, the revisions)
                    continue
                proposed[name] = sorted(o.pk for o in form.cleaned_data[name]) if field.many_to_many else value_of(obj, name)
            if not change:
                # A new record is a decision-relevant fact as a whole (a model checks may name, an edge).
                request.kbreview_outcome = propose_addition(model=self.model, proposed=proposed, user=request.user, reason=reason)
                return
            live = self.model._default_manager.get(pk=obj.pk)
            for name, value in proposed.items():
                if _same_text(value, value_of(live, name)):
                    proposed[name] = value_of(live, name)
            changed = [name for name, value in proposed.items() if value != value_of(live, name)]
            if pending_change_for(live) is not None or needs_review(self.model, changed):
                request.kbreview_outcome = propose_change(target=live, proposed=proposed, user=request.user, reason=reason) or "withdrawn"
                return
        obj._change_reason = reason
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if getattr(request, "kbreview_outcome", None) is None:
            super().save_related(request, form, formsets, change)

    def construct_change_message(self, request, form, formsets, add=False):
        # A proposal saved no formset (save_related), so Django's message, built from them, does not apply.
        outcome = getattr(request, "kbreview_outcome", None)
        if isinstance(outcome, KbChange):
            return f"Proposed pending change #{outcome.pk} ({', '.join(outcome.values)})"
        if outcome == "withdrawn":
            return "Put every proposed value back: the pending change was withdrawn"
        return super().construct_change_message(request, form, formsets, add)

    def _proposed(self, request, change):
        self.message_user(
            request,
            format_html(
                'Saved as pending change #{} ({}): checks keep using the knowledge base as it was until someone with the publish '
                'permission publishes it. <a href="{}">Preview its impact</a>.',
                change.pk, ", ".join(change.values) or change.get_action_display().lower(), self._review_link(change),
            ),
            messages.WARNING,
        )

    def _record_page(self, object_id):
        opts = self.model._meta
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id]))

    def response_change(self, request, obj):
        outcome = getattr(request, "kbreview_outcome", None)
        if outcome is None:
            return super().response_change(request, obj)
        if outcome == "withdrawn":
            self.message_user(request, "Your edit put every value back as checks use it: the pending change was withdrawn.", messages.INFO)
        else:
            self._proposed(request, outcome)
        return self._record_page(obj.pk)

    def log_addition(self, request, obj, message):
        if getattr(request, "kbreview_outcome", None) is None:  # a proposal has no record yet; its history says who proposed it
            return super().log_addition(request, obj, message)
        return None

    def response_add(self, request, obj, post_url_continue=None):
        outcome = getattr(request, "kbreview_outcome", None)
        if outcome is None:
            return super().response_add(request, obj, post_url_continue)
        self._proposed(request, outcome)
        return HttpResponseRedirect(self._review_link(outcome))

    def get_actions(self, request):
        actions = super().get_actions(request)
        if is_reviewed_model(self.model):
            actions.pop("delete_selected", None)  # one record at a time, each a pending change
        return actions

    def log_deletions(self, request, queryset):
        if not is_reviewed_model(self.model):
            super().log_deletions(request, queryset)
        # Otherwise nothing is deleted yet: the pending change's history records the proposal.

    def delete_model(self, request, obj):
        if not is_reviewed_model(self.model):
            return super().delete_model(request, obj)
        try:
            request.kbreview_outcome = propose_deletion(target=obj, user=request.user, reason="Deletion proposed in the admin")
        except ChangeError as exc:
            request.kbreview_outcome = str(exc)
        return None

    def response_delete(self, request, obj_display, obj_id):
        outcome = getattr(request, "kbreview_outcome", None)
        if outcome is None:
            return super().response_delete(request, obj_display, obj_id)
        if isinstance(outcome, KbChange):
            self._proposed(request, outcome)
        else:
            self.message_user(request, f"Nothing was deleted: {outcome}.", messages.ERROR)
        return self._record_page(obj_id)

    def revert_disabled(self, request, obj=None):
        return is_reviewed_model(self.model) or super().revert_disabled(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history's revert saves the record and its m2m directly; for a reviewed record that would
        # put an unreviewed state in front of checks, so it is offered read-only (revert_disabled).
        if request.method == "POST" and is_reviewed_model(self.model):
            self.message_user(
                request,
                "Nothing was restored: copy the earlier values into the change form; the edit becomes a pending change for review.",
                messages.ERROR,
            )
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id]))
        return super().history_form_view(request, object_id, version_id, extra_context)


class ViewOnlyAdminMixin:
    """Shown, never added, changed or deleted here. Inlines of reviewed records use it (with a link to the
    record's own page, where edits are reviewed: edited inline they would go live at once), and so do
    pending changes (made by editing their record)."""

    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
