"""Pending changes to knowledge-base records: proposed in the admin, invisible to checks until published.

A KbChange holds the fields an editor changed on one record (old and new values, as JSON) and the
record's revision (its latest history id) the proposal was made against. Publishing applies the new
values to the record in one transaction (kbreview.services.publish_change); until then the engine,
the portal and the API see the record as it is.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class KbChange(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending review"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Action(models.TextChoices):
        CHANGE = "change", "Change the record"
        ADD = "add", "Add the record"
        DELETE = "delete", "Delete the record"

    action = models.CharField(max_length=10, choices=Action.choices, default=Action.CHANGE)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField(null=True, blank=True, help_text="Empty for a record to add, until it is published.")
    target_revision = models.BigIntegerField(
        null=True, help_text="The record's latest history id when the change was last saved: publishing refuses if the record moved on."
    )
    values = models.JSONField(
        default=dict, blank=True,
        help_text='{field: {"old": live value, "new": proposed value}}, JSON-encoded (m2m as sorted ids); empty for a deletion.',
    )
    reason = models.CharField(max_length=200, help_text="Why the change (kept in the record's history when published).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", help_text="Who proposed it first."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    # Every save is a record: four-eyes reads who changed the proposal (policies.publishing).
    history = HistoricalRecords()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = "knowledge-base change"
        permissions = [("publish_kbchange", "Can publish knowledge-base changes")]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], condition=Q(status="pending"), name="kbreview_one_pending_change_per_record"
            ),
        ]

    def __str__(self):
        what = {self.Action.ADD: "new", self.Action.DELETE: "delete"}.get(self.action, "change")
        return f"#{self.pk} {what} {self.content_type.model} {self.object_id or ''} ({self.get_status_display().lower()})".replace("  ", " ")

    @property
    def target_model(self):
        return self.content_type.model_class()

    def target(self):
        """The record as it is now (None if it was deleted since, or is still to be added)."""
        if self.object_id is None:
            return None
        return self.target_model._default_manager.filter(pk=self.object_id).first()
