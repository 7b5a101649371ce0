"""The registry: what the Hugging Face Hub declares about public models, as their uploaders wrote it.

One job: keep each Hub repository's declared metadata (license, pipeline, dates, card commit) and its
declared or inferred parents. Nothing here is curated. The knowledge base (`kb`) stays the trusted
core: a HubModel whose repo_key equals a curated AIModel's hf_id (case-insensitive) is still stored,
but pages and the engine use the curated record and show any conflict with what the card declares.
"""

from django.db import models


class Evidence(models.TextChoices):
    DECLARED = "declared", "Declared by the uploader"
    INFERRED = "inferred", "Inferred from the repository name"


class Relation(models.TextChoices):
    """The Hub's own vocabulary for `base_model_relation`."""

    FINETUNE = "finetune", "Fine-tune"
    ADAPTER = "adapter", "Adapter"
    MERGE = "merge", "Merge"
    QUANTIZED = "quantized", "Quantized"


class RelationBasis(models.TextChoices):
    CARD = "card", "Stated in the card (base_model_relation)"
    HUB_RULE = "hub_rule", "Inferred as the Hub documents it"
    NAME = "name", "Inferred from the repository name"


class HubModel(models.Model):
    """One Hub repository, as its card and the Hub's API declare it."""

    repo_id = models.CharField(max_length=200, help_text="As published, case kept.")
    repo_key = models.CharField(max_length=200, unique=True, help_text="repo_id in lower case: lookups (exact and prefix).")
    author = models.CharField(max_length=100, blank=True, db_index=True)
    sha = models.CharField(max_length=40, blank=True, help_text="The commit the card was read at.")
    license = models.CharField(max_length=100, blank=True, help_text='The Hub\'s license id ("llama3.1", "apache-2.0", "other").')
    license_name = models.CharField(max_length=200, blank=True, help_text='For license "other".')
    license_link = models.CharField(max_length=500, blank=True)
    pipeline_tag = models.CharField(max_length=60, blank=True)
    library_name = models.CharField(max_length=60, blank=True)
    gated = models.CharField(max_length=10, blank=True, help_text='"", "auto" or "manual".')
    created_at = models.DateTimeField(null=True, blank=True)
    last_modified = models.DateTimeField(null=True, blank=True)
    downloads = models.BigIntegerField(default=0)
    datasets = models.JSONField(default=list, blank=True, help_text="Dataset ids the card declares.")
    imported_at = models.DateTimeField()
    fingerprint = models.CharField(
        max_length=32, blank=True, editable=False,
        help_text="A digest of the record as last imported: an unchanged record is recognized without parsing it again.",
    )

    class Meta:
        verbose_name = "Hub model"
        ordering = ["repo_key"]
        # Prefix search needs no index of its own: on PostgreSQL Django gives the unique repo_key a
        # second, varchar_pattern_ops index (`LIKE 'abc%'` uses it whatever the collation); on SQLite
        # the selectors use a range on the unique index. Trigram similarity: migration 0002.

    def __str__(self):
        return self.repo_id

    @property
    def card_url(self):
        return f"https://huggingface.co/{self.repo_id}"

    @property
    def card_url_at_sha(self):
        return f"https://huggingface.co/{self.repo_id}/blob/{self.sha}/README.md" if self.sha else ""


class HubEdge(models.Model):
    """One declared (or inferred) parent of a Hub model."""

    # Neither column needs an index of its own: (child, parent_key) is unique and (parent_key, relation)
    # is indexed, and each serves as the index on its first column; fewer indexes, faster imports.
    child = models.ForeignKey(HubModel, on_delete=models.CASCADE, related_name="parent_edges", db_index=False)
    parent_repo_id = models.CharField(max_length=200, help_text="As declared in base_model.")
    parent_key = models.CharField(
        max_length=200, help_text="Lower case: joins to HubModel.repo_key and to curated AIModel.hf_id."
    )
    # The child's repo_key again: walking down a family then needs the edges alone (index-only).
    child_key = models.CharField(max_length=200, blank=True, editable=False)
    relation = models.CharField(max_length=10, choices=Relation.choices)
    relation_basis = models.CharField(max_length=10, choices=RelationBasis.choices)
    evidence = models.CharField(max_length=10, choices=Evidence.choices)
    pattern = models.CharField(max_length=60, blank=True, help_text="The name pattern that matched, for inferred edges.")

    class Meta:
        verbose_name = "Hub lineage edge"
        constraints = [models.UniqueConstraint(fields=["child", "parent_key"], name="registry_hubedge_unique_parent")]
        indexes = [models.Index(fields=["parent_key", "relation", "child_key"], name="registry_hubedge_family")]

    def __str__(self):
        return f"{self.child_id} -> {self.parent_repo_id} ({self.relation}, {self.evidence})"


class ImportCursor(models.Model):
    """Where a live-Hub import stopped, so that the next run of the same query resumes there."""

    query = models.CharField(max_length=300, unique=True, help_text="The import's query, e.g. 'author=unsloth'.")
    done = models.BigIntegerField(default=0, help_text="Models already imported in the listing's order.")
    last_repo_id = models.CharField(max_length=200, blank=True)
    finished = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.query}: {self.done}"


class FamilyTotal(models.Model):
    """Every model below a large family head (to the lineage depth bound), counted per relation by the
    import that last changed the family, so that a head with tens of thousands of descendants is not
    walked on each page view. Heads with smaller families have no row: they are counted by a walk.

    Maintained only by registry.services (after each import run); a row always equals a fresh walk.
    """

    head_key = models.CharField(max_length=200, unique=True, help_text="The head's repo id in lower case (it may be curated only).")
    finetune = models.PositiveIntegerField(default=0)
    adapter = models.PositiveIntegerField(default=0)
    merge = models.PositiveIntegerField(default=0)
    quantized = models.PositiveIntegerField(default=0)
    counted_at = models.DateTimeField()

    class Meta:
        verbose_name = "Hub family total"

    def __str__(self):
        return f"{self.head_key}: {self.total} descendants"

    @property
    def total(self):
        return self.finetune + self.adapter + self.merge + self.quantized

    def by_relation(self):
        return {relation: getattr(self, relation) for relation in Relation.values}
