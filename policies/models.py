"""Rules (data, editable in the admin), their examples, and the log of checks made.

A rule says where it looks (`scope`), when it fires (`condition`, CEL), what it means (`effect`,
`message`, `remedy`) and what it rests on (the clause in hand, plus `clauses` and `provisions`).
The engine (policies.engine) reads rules through its snapshot; nothing here evaluates anything.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from kb.fastjson import FastJSONField
from kb.models import EffectiveWindow, KeptForever, LicenseClause, Provision
from policies.engine.conditions import ConditionError, compile_condition
from policies.engine.decision import EFFECTS
from policies.engine.scope import cel_target, validate_scope
from policies.engine.templates import template_problems


class Rule(KeptForever, EffectiveWindow):
    kept_reason = (
        "A rule that was ever published is named by stored decisions and its published versions are its history. "
        "To retire it, untick enabled (or set effective_to) and publish that. Only a draft never published can be deleted."
    )

    class Effect(models.TextChoices):
        PROHIBIT = "prohibit", "Prohibit"
        REVIEW = "review", "Review"
        REQUIRE = "require", "Require"
        PERMIT = "permit", "Permit"

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown: what the rule checks and why.")
    effect = models.CharField(max_length=10, choices=Effect.choices)
    scope = models.JSONField(default=dict, blank=True, help_text="Where the rule looks; see policies/engine/scope.py.")
    condition = models.TextField(blank=True, help_text="CEL over the declared facts; blank = always when in scope.")
    message = models.TextField(help_text="Template; may name facts, e.g. {document.name} or {student.name}.")
    remedy = models.TextField(blank=True, help_text="Template: how to fix or what to do.")
    clauses = models.ManyToManyField(LicenseClause, blank=True, related_name="rules", help_text="Clauses cited besides the one in hand.")
    provisions = models.ManyToManyField(
        Provision, blank=True, related_name="rules", help_text="Provisions cited; the rule applies only while all of them are in force."
    )
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    enabled = models.BooleanField(default=True)
    # Published by default: rules loaded from fixtures/ were reviewed in git. The admin saves every
    # edit as a draft, which checks ignore until someone with the publish permission publishes it.
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PUBLISHED, db_index=True,
        help_text="Checks use published rules only; edits in the admin are drafts until published.",
    )
    history = HistoricalRecords(m2m_fields=[clauses, provisions])

    class Meta:
        ordering = ["slug"]
        permissions = [("publish_rule", "Can publish rules")]

    def __str__(self):
        return self.slug

    def natural_key(self):
        return (self.slug,)

    @classmethod
    def kept_among(cls, queryset):
        published = cls.history.filter(status=cls.Status.PUBLISHED).values("id")
        return queryset.filter(models.Q(status=cls.Status.PUBLISHED) | models.Q(pk__in=published))

    def clean(self):
        super().clean()
        errors = {}
        problems = validate_scope(self.scope)
        if problems:
            errors["scope"] = problems
        else:
            target = cel_target(self.scope)
            try:
                compile_condition(self.condition, target)
            except ConditionError as exc:
                errors["condition"] = str(exc)
            for name in ("message", "remedy"):
                problems = template_problems(getattr(self, name), target)
                if problems:
                    errors[name] = problems
        if errors:
            raise ValidationError(errors)


class RuleExample(models.Model):
    """A workflow and what the rule must do with it: produce this effect, or stay quiet ("none")."""

    EXPECTED_CHOICES = [(effect, effect) for effect in EFFECTS] + [("none", "none (stays quiet)")]

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="examples")
    name = models.CharField(max_length=200)
    workflow = models.JSONField()
    as_of = models.DateField(null=True, blank=True, help_text="Overrides the workflow's as_of.")
    expected = models.CharField(
        max_length=10, choices=EXPECTED_CHOICES, help_text="The effect the rule must produce on this workflow, or none."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["rule", "name"]
        constraints = [models.UniqueConstraint(fields=["rule", "name"], name="policies_example_unique_name")]

    def __str__(self):
        return f"{self.rule.slug}: {self.name}"


class Check(models.Model):
    """The decision log: every check the CLI, API or portal made, reproducible from its input."""

    class Channel(models.TextChoices):
        CLI = "cli", "Command line"
        API = "api", "API"
        PORTAL = "portal", "Portal"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="checks")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    input = FastJSONField(help_text="The workflow as submitted.")
    input_hash = models.CharField(max_length=64, db_index=True, help_text="sha256 of the canonical JSON of the input.")
    as_of = models.DateField()
    policy_version = models.CharField(max_length=80, db_index=True)
    verdict = models.CharField(max_length=12, choices=[(v, v) for v in ("prohibited", "review", "conditional", "allowed")])
    decision = FastJSONField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.id} {self.verdict}"


class CheckShare(models.Model):
    """A link to one logged check that its owner chose to share: whoever has the link may read the
    check (its input and decision) in the portal. Kept apart from the log, whose insert stays as it is;
    deleting the row revokes the link (policies.access)."""

    shared = models.OneToOneField(Check, on_delete=models.CASCADE, related_name="share")
    token = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"share of {self.shared_id}"


class PolicyRevision(models.Model):
    """One row whose token changes whenever the knowledge base or the rules change.

    The engine's snapshot cache compares this token (one indexed read per check) instead of
    re-reading the knowledge base. A random token, not a counter: a rolled-back change must never
    make a later, different change look like one already cached.
    """

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.token
