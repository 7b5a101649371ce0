"""Rules (data, editable in the admin), their examples, and the log of checks made.

A rule says where it looks (`scope`), when it fires (`condition`, CEL), what it means (`effect`,
`message`, `remedy`) and what it rests on (the clause in hand, plus `clauses` and `provisions`).
The engine (policies.engine) reads rules through its snapshot; nothing here evaluates anything.
"""

import contextlib
import hashlib
import json
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, models, transaction
from django.db.models.expressions import RawSQL
from simple_history.models import HistoricalRecords

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


def canonical_json(data):
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def input_hash(workflow_input):
    """sha256 of the workflow's canonical JSON: the same input, however its keys were ordered, has one hash."""
    return hashlib.sha256(canonical_json(workflow_input).encode("utf-8")).hexdigest()


class CheckManager(models.Manager):
    def record(self, decided, *, channel, requester=None, revision_token=None):
        """Log decisions made together (one check, or a batch), all or none; returns their Checks in order.

        `decided` is a list of (workflow input, Decision) pairs. Each decision is stamped with its
        check's id (decision.check_id) and stored as JSON beside its input.

        With `revision_token`, the PolicyRevision token of the snapshot the decisions were made with,
        each INSERT stores the decision's policy_version only if that token is still the current one,
        as the same statement reads it (PolicyRevision.objects.value_if_current), and NULL otherwise,
        which the NOT NULL column refuses. So if the rules or the knowledge base changed since, nothing
        is written and None is returned, for the caller to decide again: a decision is never logged
        against a revision that had been replaced when its log entry was written. A single check
        costs one statement and no transaction of its own.
        """
        checks = [self.model.for_decision(workflow_input, decision, channel=channel, requester=requester) for workflow_input, decision in decided]
        if revision_token is not None:
            for check in checks:
                check.policy_version = PolicyRevision.objects.using(self.db).value_if_current(revision_token, check.policy_version)
        # One INSERT is atomic by itself; several need a transaction, and inside a caller's transaction a
        # savepoint keeps a refused insert from aborting it.
        several_or_nested = len(checks) > 1 or not transaction.get_autocommit(using=self.db)
        try:
            with transaction.atomic(using=self.db) if several_or_nested else contextlib.nullcontext():
                for check in checks:
                    check.save(force_insert=True, using=self.db)
        except IntegrityError:
            if revision_token is not None and PolicyRevision.objects.using(self.db).token() != revision_token:
                return None  # a token never comes back, so it was already replaced at the insert
            raise
        for check, (_input, decision) in zip(checks, decided, strict=True):
            check.policy_version = decision.policy_version
        return checks


class Check(models.Model):
    """The decision log: every check the CLI, API or portal made, reproducible from its input.

    Written only through Check.objects.record (policies.services.decide_and_record and the batch).
    """

    class Channel(models.TextChoices):
        CLI = "cli", "Command line"
        API = "api", "API"
        PORTAL = "portal", "Portal"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="checks")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    input = models.JSONField(help_text="The workflow as submitted.")
    input_hash = models.CharField(max_length=64, db_index=True, help_text="sha256 of the canonical JSON of the input.")
    as_of = models.DateField()
    policy_version = models.CharField(max_length=80, db_index=True)
    verdict = models.CharField(max_length=12, choices=[(v, v) for v in ("prohibited", "review", "conditional", "allowed")])
    decision = models.JSONField()

    objects = CheckManager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.id} {self.verdict}"

    @classmethod
    def for_decision(cls, workflow_input, decision, *, channel, requester=None):
        """An unsaved Check for `decision`, which is stamped with the check's id before its JSON is taken."""
        check = cls(
            channel=channel,
            requester=requester,
            input=workflow_input,
            input_hash=input_hash(workflow_input),
            as_of=decision.as_of,
            policy_version=decision.policy_version,
            verdict=decision.verdict,
        )
        decision.check_id = str(check.id)
        check.decision = decision.to_json()
        return check


class PolicyRevisionQuerySet(models.QuerySet):
    def token(self):
        """The current token ("" before anything has changed)."""
        return next(iter(self.filter(pk=1).values_list("token", flat=True)), "")

    def value_if_current(self, token, value):
        """An expression for an INSERT or UPDATE: the text `value` while `token` is the current token, else NULL.

        Django's RawSQL with parameters, because the same condition built from Case, When and Exists
        took about as much CPU to compile, on every logged check, as the rest of the insert
        (docs/benchmarks.md).
        """
        table = connections[self.db].ops.quote_name(self.model._meta.db_table)
        condition = f"COALESCE((SELECT token FROM {table} WHERE id = 1), '') = %s"
        return RawSQL(f"CASE WHEN {condition} THEN %s END", (token, value), output_field=models.CharField())

    def lock(self):
        """Lock the revision until the transaction ends, so no change to the rules or the knowledge
        base can commit meanwhile (their signal handlers update this row); returns its token."""
        revision, _ = self.select_for_update().get_or_create(pk=1, defaults={"token": ""})
        return revision.token


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

    objects = PolicyRevisionQuerySet.as_manager()

    def __str__(self):
        return self.token
