"""Stored results of the license drift audit (policies.audit decides; audit.services stores)."""

from django.db import models


class AuditResult(models.Model):
    """One model's conflicts between its declared license (and name) and its ancestors' terms."""

    class Source(models.TextChoices):
        CURATED = "curated", "Knowledge base"
        REGISTRY = "registry", "Registry (Hugging Face card)"

    model_key = models.CharField(max_length=220, unique=True, help_text='"kb:<slug>" or "hub:<repo_key>".')
    source = models.CharField(max_length=10, choices=Source.choices)
    name = models.CharField(max_length=200, help_text="The model's slug or repo id, as shown.")
    declared_license = models.CharField(max_length=300, blank=True, help_text="SPDX ids of the declared license; empty when unknown.")
    conflicts = models.JSONField(default=list, blank=True)
    unknowns = models.JSONField(default=list, blank=True, help_text="Parts of the lineage the audit could not see.")
    conflict_count = models.PositiveIntegerField(default=0)
    fingerprint = models.CharField(max_length=32, help_text="What the result depends on besides the policy version (policies.audit.fingerprint).")
    policy_version = models.CharField(max_length=80)
    audited_at = models.DateTimeField()

    class Meta:
        ordering = ["model_key"]
        indexes = [models.Index(fields=["conflict_count"], name="audit_result_conflicts")]

    def __str__(self):
        return f"{self.name}: {self.conflict_count} conflicts"
