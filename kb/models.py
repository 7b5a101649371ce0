"""The knowledge base: who made which model from what, under which terms, and which laws apply.

Every fact carries where it came from (`source_url`), when somebody last read that source
(`checked_on`) and how sure we are (`verification`). Uncertain facts stay in the knowledge base,
marked as such; they are never shown as certain.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from kb import vocabulary


class Verification(models.TextChoices):
    VERIFIED = "verified", "Verified"
    PARTLY_VERIFIED = "partly_verified", "Partly verified"
    UNVERIFIED = "unverified", "Unverified"
    # Imported knowledge, labelled so that it never passes for what a person checked.
    DECLARED = "declared", "Declared by its publisher or an outside record, not checked by us"
    INFERRED = "inferred", "Inferred from a name, not checked by us"


class Sourced(models.Model):
    """Where a fact was read, when, and how sure we are of it."""

    source_url = models.URLField(max_length=500, help_text="Where the fact was read (the publisher's page or a snapshot).")
    checked_on = models.DateField(help_text="The date the source was last read.")
    verification = models.CharField(max_length=20, choices=Verification.choices, default=Verification.UNVERIFIED)
    notes = models.TextField(blank=True, help_text="Markdown: caveats, what is uncertain and why.")

    class Meta:
        abstract = True


class EffectiveWindow(models.Model):
    """A half-open window [effective_from, effective_to): null ends are open."""

    effective_from = models.DateField(null=True, blank=True)
    effective_to = models.DateField(null=True, blank=True, help_text="First day it no longer applies.")

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.effective_from and self.effective_to and self.effective_to <= self.effective_from:
            raise ValidationError({"effective_to": "must be after effective_from"})

    def in_force_on(self, day):
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_to is None or day < self.effective_to
        )


class KeptForeverError(models.ProtectedError):
    """A record that stored decisions or the history rely on was about to be deleted."""

    def __init__(self, model, objects):
        names = "; ".join(str(o) for o in objects[:5]) + ("; …" if len(objects) > 5 else "")
        label = model._meta.verbose_name_plural
        super().__init__(f"{label[:1].upper()}{label[1:]} are kept, never deleted ({names}). {model.kept_reason}", objects)

    def __str__(self):
        return self.args[0]


class KeptQuerySet(models.QuerySet):
    def delete(self):
        kept = list(self.model.kept_among(self))
        if kept:
            raise KeptForeverError(self.model, kept)
        return super().delete()


class KeptForever(models.Model):
    """Rows that are never deleted: the decision log and the history cite them.

    Deleting one (instance or queryset) raises KeptForeverError, naming what to do instead
    (`kept_reason`); foreign keys into these models PROTECT, so no cascade reaches them either.
    """

    kept_reason = ""
    objects = KeptQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def kept_among(cls, queryset):
        """The rows of `queryset` that may not be deleted (all of them unless a model says otherwise)."""
        return queryset

    @classmethod
    def is_kept(cls, obj):
        return obj.pk is not None and cls.kept_among(cls._default_manager.filter(pk=obj.pk)).exists()

    def delete(self, *args, **kwargs):
        if self.is_kept(self):
            raise KeptForeverError(type(self), [self])
        return super().delete(*args, **kwargs)


def window_constraint(name):
    return models.CheckConstraint(
        condition=Q(effective_from__isnull=True) | Q(effective_to__isnull=True) | Q(effective_to__gt=models.F("effective_from")),
        name=name,
    )


class Organization(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code of the headquarters.")
    url = models.URLField(max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class TermsDocument(models.Model):
    """A license, service terms, usage policy or dataset license, identified by SPDX id or LicenseRef-…"""

    class Kind(models.TextChoices):
        OPEN_SOURCE = "open_source", "Open-source license"
        OPEN_WEIGHTS = "open_weights", "Open-weights license with use restrictions"
        RESEARCH = "research", "Research-only or non-commercial license"
        SERVICE_TERMS = "service_terms", "Service terms (contract)"
        USAGE_POLICY = "usage_policy", "Usage policy"
        DATA_LICENSE = "data_license", "Data or content license"

    # Contract-only terms bind whoever accepted them; a license travels with the work.
    CONTRACT_KINDS = {Kind.SERVICE_TERMS, Kind.USAGE_POLICY}

    spdx_id = models.CharField(max_length=100, unique=True, help_text="SPDX id, or LicenseRef-… for others.")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    publisher = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="terms_documents")
    url = models.URLField(max_length=500, blank=True, help_text="The canonical page of the current text.")
    summary = models.TextField(blank=True, help_text="Markdown.")
    free_and_open_source = models.BooleanField(
        default=False, help_text="A free and open-source license without use restrictions (EU AI Act Art. 53(2) sense)."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.spdx_id,)

    @property
    def is_contract(self):
        return self.kind in self.CONTRACT_KINDS


class TermsVersion(KeptForever, Sourced, EffectiveWindow):
    kept_reason = (
        "Checks made under a version cite it and `as_of` checks need it. To supersede it, set its effective_to "
        "and add the next version; to correct it, edit it (the history keeps the earlier text)."
    )

    document = models.ForeignKey(TermsDocument, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(max_length=100, help_text='Label as published, e.g. "2024-01-31" or "1.0".')
    url = models.URLField(max_length=500, blank=True, help_text="The publisher's URL for this version.")
    # Regional variants: a publisher may run parallel texts by the user's residence (OpenAI's Europe
    # Terms of Use for the EEA, Switzerland and the UK beside its rest-of-world ones). A version with
    # `applies_in` binds parties domiciled there; one without binds everyone no regional version in
    # force claims. The check chooses by organization.country (policies.engine.exposure).
    applies_in = models.JSONField(
        default=list, blank=True,
        help_text='Jurisdiction codes whose residents this version binds, e.g. ["EU", "IS", "LI", "NO", "CH", "UK"]; empty = everyone else.',
    )
    applicability = models.TextField(
        blank=True, help_text="The publisher's own words on who this version binds (a short quote from source_url); required with applies_in.",
    )
    summary = models.TextField(blank=True, help_text="Markdown.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["document__name", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["document", "version"], name="kb_termsversion_unique_label"),
            window_constraint("kb_termsversion_window_ordered"),
        ]

    def __str__(self):
        return f"{self.document.name} ({self.version})"

    def natural_key(self):
        return (self.document.spdx_id, self.version)

    def clean(self):
        super().clean()
        if self.applies_in and not self.applicability:
            raise ValidationError({"applicability": "quote the publisher's words on who this version binds (applies_in is set)"})
        if not isinstance(self.applies_in, list) or not all(isinstance(c, str) and c for c in self.applies_in):
            raise ValidationError({"applies_in": "a list of jurisdiction codes"})
        if not self.document_id:
            return
        # Two versions of one document in force on the same day for the same parties would make `as_of`
        # ambiguous; regional variants (another applies_in) run in parallel by design.
        siblings = TermsVersion.objects.filter(document_id=self.document_id).exclude(pk=self.pk)
        start, end = self.effective_from, self.effective_to
        if start is not None:
            siblings = siblings.filter(Q(effective_to__isnull=True) | Q(effective_to__gt=start))
        if end is not None:
            siblings = siblings.filter(Q(effective_from__isnull=True) | Q(effective_from__lt=end))
        clash = next((v for v in siblings if sorted(v.applies_in or []) == sorted(self.applies_in or [])), None)
        if clash is not None:
            raise ValidationError(
                {"effective_from": f"overlaps version {clash.version!r} ({clash.effective_from or '…'} to {clash.effective_to or '…'}); "
                 "end the earlier version first (list versions oldest first in fixtures)"}
            )


class LicenseClause(KeptForever, Sourced):
    """One citable clause of a terms version, typed from a controlled vocabulary."""

    kept_reason = "Decisions and rules cite clauses. To correct one, edit it (the history keeps the earlier text)."

    version = models.ForeignKey(TermsVersion, on_delete=models.PROTECT, related_name="clauses")
    key = models.SlugField(max_length=80, help_text="Stable id within the version, e.g. outputs-improve-other-llms.")
    section = models.CharField(max_length=100, blank=True, help_text='As numbered in the text, e.g. "§1.b.v".')
    heading = models.CharField(max_length=200, blank=True)
    clause_type = models.CharField(max_length=40, choices=vocabulary.CLAUSE_TYPE_CHOICES)
    quote = models.TextField(blank=True, help_text="A short verbatim quote (under ~50 words).")
    summary = models.TextField(help_text="Plain-language summary, Markdown.")
    parameters = models.JSONField(default=dict, blank=True, help_text="Typed parameters; see the clause type.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["version", "section", "key"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="kb_clause_unique_key")]

    def __str__(self):
        return f"{self.version}: {self.section or self.key}"

    def natural_key(self):
        return (*self.version.natural_key(), self.key)

    def clean(self):
        super().clean()
        problems = vocabulary.check_parameters(self.clause_type, self.parameters)
        if problems:
            raise ValidationError({"parameters": problems})


class Access(models.TextChoices):
    OPEN_WEIGHTS = "open_weights", "Open weights"
    API = "api", "API only"
    BOTH = "both", "Open weights and API"


class ParameterCountBasis(models.TextChoices):
    """Where a model's parameter count comes from: model names round (Qwen2.5-7B holds 7.61B), so a
    count is exact only as far as its basis says."""

    STATED = "stated", "the publisher's stated total"
    # Weight listings (Ollama, GGUF repositories, Hugging Face's safetensors metadata) count tensors
    # exactly, but they are not the publisher's word and may count a variant (tied embeddings, an
    # extra head); kept apart from `stated` so a reader knows whose figure it is.
    COUNTED = "counted", "the total a listing of the published weights shows, not the publisher's own figure"
    NOMINAL = "nominal", "the nominal size in the model's name, not an exact total"
    RECALLED = "recalled", "as recalled, not re-read in a source"


class AIModel(Sourced):
    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=200)
    aliases = models.JSONField(default=list, blank=True, help_text="Other names and API ids, a list of strings.")
    hf_id = models.CharField("Hugging Face id", max_length=200, null=True, blank=True, unique=True)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="models")
    release_date = models.DateField(null=True, blank=True)
    access = models.CharField(max_length=20, choices=Access.choices)
    weights_terms = models.ManyToManyField(TermsDocument, blank=True, related_name="models_by_weights")
    weights_terms_unknown = models.BooleanField(default=False, help_text="Weights are public but their terms are not known.")
    service_terms = models.ManyToManyField(TermsDocument, blank=True, related_name="models_by_service")
    service_terms_unknown = models.BooleanField(default=False, help_text="A service is offered but its terms are not known.")
    parameter_count = models.BigIntegerField(null=True, blank=True)
    parameter_count_basis = models.CharField(
        max_length=10, choices=ParameterCountBasis.choices, blank=True, help_text="Required with a parameter count: where it comes from."
    )
    training_compute_flop = models.FloatField(null=True, blank=True)
    training_compute_source = models.CharField(max_length=500, blank=True, help_text="Where the FLOP figure comes from.")
    modalities = models.JSONField(
        default=list, blank=True, help_text='Modalities the model takes in or produces: "text", "image", "audio", "video".'
    )
    description = models.TextField(blank=True, help_text="Markdown.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = "AI model"
        constraints = [
            # clean() names the field for editors and load_kb; this keeps bulk updates and raw SQL honest too.
            models.CheckConstraint(
                condition=(Q(parameter_count__isnull=True) & Q(parameter_count_basis=""))
                | (Q(parameter_count__isnull=False) & Q(parameter_count_basis__in=ParameterCountBasis.values)),
                name="kb_aimodel_parameter_count_has_basis",
                violation_error_message="A parameter count needs a basis, and a basis needs a count.",
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        super().clean()
        unknown = sorted(set(self.modalities or []) - set(vocabulary.MODALITIES))
        if unknown:
            raise ValidationError({"modalities": f"unknown modality: {', '.join(unknown)} (known: {', '.join(vocabulary.MODALITIES)})"})
        if self.parameter_count is not None and not self.parameter_count_basis:
            raise ValidationError({"parameter_count_basis": f"say where the parameter count comes from ({', '.join(ParameterCountBasis.values)})"})
        if self.parameter_count is None and self.parameter_count_basis:
            raise ValidationError({"parameter_count_basis": "there is no parameter count for it to qualify"})

    @property
    def has_open_weights(self):
        return self.access in (Access.OPEN_WEIGHTS, Access.BOTH)

    @property
    def has_service(self):
        return self.access in (Access.API, Access.BOTH)


class Dataset(Sourced):
    class Origin(models.TextChoices):
        HUMAN = "human", "Human-written"
        GENERATED = "generated", "Model-generated"
        MIXED = "mixed", "Mixed"
        WEB = "web", "Web crawl"
        UNKNOWN = "unknown", "Unknown"

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=200)
    aliases = models.JSONField(default=list, blank=True)
    hf_id = models.CharField("Hugging Face id", max_length=200, null=True, blank=True, unique=True)
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="datasets")
    license = models.ForeignKey(
        TermsDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="datasets", help_text="Empty = unknown."
    )
    other_licenses = models.ManyToManyField(
        TermsDocument, blank=True, related_name="datasets_also",
        help_text="Further licenses that apply together with `license` (a conjunction: all of them bind).",
    )
    license_expression = models.CharField(
        max_length=500, blank=True, help_text='All licenses as an SPDX expression, e.g. "CC-BY-NC-4.0 AND MIT"; empty = only `license`.'
    )
    licenses_unmapped = models.JSONField(
        default=list, blank=True, help_text="License names a source gave that no terms document here stands for (their terms are unknown).",
    )
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.UNKNOWN)
    # A generated dataset's generator is judged under the terms in force when the data was made, not on
    # the check's date: `generated_on` when the source states it, else `release_date` (policies.engine.exposure).
    release_date = models.DateField(null=True, blank=True, help_text="When the dataset was first published, as its source states.")
    generated_on = models.DateField(
        null=True, blank=True, help_text="When its model-generated part was made, as its source states; empty = not stated."
    )
    description = models.TextField(blank=True, help_text="Markdown.")
    imported_from = models.CharField(
        max_length=20, blank=True, default="", db_index=True,
        help_text='Where the row came from: "" = curated by hand, "dpi" = the Data Provenance Initiative\'s records.',
    )
    imported_record = models.JSONField(
        default=dict, blank=True,
        help_text="The imported record's own fields as read (also kept on a curated row an import matched, to show where they differ).",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def curated(self):
        return not self.imported_from


class DatasetFacet(models.Model):
    """A value to filter datasets by (a language, a task, a text source, a creator), read from an
    imported record: one row per value, so that both databases filter on an index."""

    class Facet(models.TextChoices):
        LANGUAGE = "language", "Language"
        TASK = "task", "Task"
        SOURCE = "source", "Text source"
        CREATOR = "creator", "Creator"

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="facets")
    facet = models.CharField(max_length=20, choices=Facet.choices)
    value = models.CharField(max_length=200)

    class Meta:
        ordering = ["facet", "value"]
        constraints = [models.UniqueConstraint(fields=["dataset", "facet", "value"], name="kb_datasetfacet_unique")]
        indexes = [models.Index(fields=["facet", "value"], name="kb_datasetfacet_lookup")]

    def __str__(self):
        return f"{self.get_facet_display()}: {self.value}"

    def natural_key(self):
        return (self.slug,)


class LineageEdge(Sourced):
    """child was made from parent. Either end is a model or a dataset; exactly one of each pair is set."""

    class Relation(models.TextChoices):
        FINE_TUNE = "fine_tune", "Fine-tune"
        ADAPTER = "adapter", "Adapter (LoRA etc.)"
        QUANTIZED = "quantized", "Quantized"
        MERGE = "merge", "Merge"
        PRUNED = "pruned", "Pruned"
        CONTINUED_PRETRAINING = "continued_pretraining", "Continued pretraining"
        LOGIT_DISTILLATION = "logit_distillation", "Logit distillation"
        OUTPUT_DISTILLATION = "output_distillation", "Output distillation / synthetic data"
        TRAINED_ON = "trained_on", "Trained on dataset"
        GENERATED_BY = "generated_by", "Generated by"

    # Relations whose child holds (a transform of) the parent's weights: the weights' license travels.
    WEIGHT_DERIVED = {
        Relation.FINE_TUNE,
        Relation.ADAPTER,
        Relation.QUANTIZED,
        Relation.MERGE,
        Relation.PRUNED,
        Relation.CONTINUED_PRETRAINING,
    }
    DISTILLATION = {Relation.LOGIT_DISTILLATION, Relation.OUTPUT_DISTILLATION}

    class EvidenceKind(models.TextChoices):
        DEVELOPER_DOCUMENTED = "developer_documented", "Documented by the developer"
        PAPER = "paper", "Paper"
        MODEL_CARD = "model_card", "Model card"
        REPORTED = "reported", "Reported (press, testimony)"
        ALLEGED = "alleged", "Alleged"
        # An outside record's word (e.g. the Data Provenance Initiative's "Model Generated"), not checked by us.
        DECLARED = "declared", "Declared by an outside record"

    child_model = models.ForeignKey(AIModel, null=True, blank=True, on_delete=models.CASCADE, related_name="parent_edges")
    child_dataset = models.ForeignKey(Dataset, null=True, blank=True, on_delete=models.CASCADE, related_name="parent_edges")
    relation = models.CharField(max_length=30, choices=Relation.choices)
    parent_model = models.ForeignKey(AIModel, null=True, blank=True, on_delete=models.CASCADE, related_name="child_edges")
    parent_dataset = models.ForeignKey(Dataset, null=True, blank=True, on_delete=models.CASCADE, related_name="child_edges")
    evidence_kind = models.CharField(max_length=30, choices=EvidenceKind.choices)
    evidence = models.TextField(blank=True, help_text="What the source says, in a sentence or a short quote.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["child_model__name", "child_dataset__name", "relation"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(child_model__isnull=False) & Q(child_dataset__isnull=True))
                | (Q(child_model__isnull=True) & Q(child_dataset__isnull=False)),
                name="kb_edge_exactly_one_child",
            ),
            models.CheckConstraint(
                condition=(Q(parent_model__isnull=False) & Q(parent_dataset__isnull=True))
                | (Q(parent_model__isnull=True) & Q(parent_dataset__isnull=False)),
                name="kb_edge_exactly_one_parent",
            ),
            models.CheckConstraint(
                condition=Q(child_model__isnull=True) | Q(parent_model__isnull=True) | ~Q(child_model=models.F("parent_model")),
                name="kb_edge_model_not_own_parent",
            ),
            models.CheckConstraint(
                condition=Q(child_dataset__isnull=True)
                | Q(parent_dataset__isnull=True)
                | ~Q(child_dataset=models.F("parent_dataset")),
                name="kb_edge_dataset_not_own_parent",
            ),
            models.UniqueConstraint(
                fields=["child_model", "child_dataset", "relation", "parent_model", "parent_dataset"],
                name="kb_edge_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self):
        return f"{self.child} ← {self.get_relation_display().lower()} ← {self.parent}"

    @property
    def child(self):
        return self.child_model or self.child_dataset

    @property
    def parent(self):
        return self.parent_model or self.parent_dataset

    def clean(self):
        super().clean()
        errors = {}
        if bool(self.child_model_id) == bool(self.child_dataset_id):
            errors["child_model"] = "set exactly one of child_model and child_dataset"
        if bool(self.parent_model_id) == bool(self.parent_dataset_id):
            errors["parent_model"] = "set exactly one of parent_model and parent_dataset"
        if self.child_model_id and self.child_model_id == self.parent_model_id:
            errors["parent_model"] = "a model cannot be its own parent"
        if self.child_dataset_id and self.child_dataset_id == self.parent_dataset_id:
            errors["parent_dataset"] = "a dataset cannot be its own parent"
        if self.relation == self.Relation.TRAINED_ON and not (self.child_model_id and self.parent_dataset_id):
            errors["relation"] = "trained_on links a model (child) to a dataset (parent)"
        if self.relation == self.Relation.GENERATED_BY and not (self.child_dataset_id and self.parent_model_id):
            errors["relation"] = "generated_by links a dataset (child) to a model (parent)"
        if self.relation in self.WEIGHT_DERIVED | self.DISTILLATION and not (self.child_model_id and self.parent_model_id):
            errors["relation"] = f"{self.relation} links two models"
        if errors:
            raise ValidationError(errors)


class Jurisdiction(models.Model):
    code = models.CharField(max_length=10, unique=True, help_text='"EU", "DE", "US", "US-CA", …')
    name = models.CharField(max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def natural_key(self):
        return (self.code,)

    def clean(self):
        super().clean()
        node, seen = self.parent, {self.pk}
        while node is not None:
            if node.pk in seen:
                raise ValidationError({"parent": "the jurisdiction hierarchy cannot contain a cycle"})
            seen.add(node.pk)
            node = node.parent


class Instrument(Sourced):
    """A law, directive, guideline, code of practice or court decision."""

    class Kind(models.TextChoices):
        REGULATION = "regulation", "Regulation"
        DIRECTIVE = "directive", "Directive"
        STATUTE = "statute", "Statute"
        ADMINISTRATIVE = "administrative", "Administrative measures"
        GUIDANCE = "guidance", "Guidance"
        CODE_OF_PRACTICE = "code_of_practice", "Code of practice"
        COURT_DECISION = "court_decision", "Court decision"

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=300)
    short_name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="instruments")
    binding = models.BooleanField(default=True, help_text="False for guidance that is not legally binding.")
    url = models.URLField(max_length=500, blank=True)
    summary = models.TextField(blank=True, help_text="Markdown.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["short_name"]

    def __str__(self):
        return self.short_name

    def natural_key(self):
        return (self.slug,)


class Provision(KeptForever, Sourced, EffectiveWindow):
    kept_reason = (
        "Decisions and rules cite provisions and `as_of` checks need them. To end one, set its effective_to; "
        "to correct it, edit it (the history keeps the earlier text)."
    )

    ref = models.CharField(max_length=60, unique=True, help_text='Stable id, e.g. "EU-AIA-53-1-a".')
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="provisions")
    article = models.CharField(max_length=100, help_text='As cited, e.g. "Art. 53(1)(a)".')
    title = models.CharField(max_length=300)
    summary = models.TextField(help_text="Markdown.")
    quote = models.TextField(blank=True, help_text="A short verbatim quote.")
    roles = models.JSONField(default=list, blank=True, help_text='Who it applies to, e.g. ["gpai_provider"].')
    url = models.URLField(max_length=500, blank=True, help_text="The official text of the provision.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["instrument__short_name", "ref"]
        constraints = [window_constraint("kb_provision_window_ordered")]

    def __str__(self):
        return f"{self.instrument.short_name} {self.article}: {self.title}"

    def natural_key(self):
        return (self.ref,)

    def clean(self):
        super().clean()
        unknown = sorted(set(self.roles or []) - set(vocabulary.ROLES))
        if unknown:
            raise ValidationError({"roles": f"unknown role(s): {', '.join(unknown)}"})


from kb.search.models import SearchEntry  # noqa: E402,F401  (the search table is a kb model, defined beside its backend)
