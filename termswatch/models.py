"""Captured versions of AI services' terms (Open Terms Archive) and the curated clauses they touch.

An Open Terms Archive *versions* repository is a git history in which each commit records a new
version of one document, `<Service>/<Document type>.md`. We keep every captured version's text, the
document it belongs to, and the knowledge-base terms document it is mapped to (a mapping kept as
data: fixtures/termswatch/mapping.yaml). Text from Open Terms Archive is outside content: it is
shown escaped, never rendered as HTML.
"""

from django.db import models

from kb.models import LicenseClause, TermsDocument


class Repository(models.Model):
    """One Open Terms Archive versions repository, and how far it has been imported."""

    name = models.CharField(max_length=100, unique=True, help_text='e.g. "genai-eu-versions".')
    url = models.URLField(max_length=300, blank=True, help_text="The public repository, for links to commits.")
    last_commit = models.CharField(max_length=40, blank=True, help_text="The last commit imported; the next import starts after it.")
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "repositories"

    def __str__(self):
        return self.name

    def commit_url(self, sha, path=""):
        if not self.url:
            return ""
        return f"{self.url}/blob/{sha}/{path}" if path else f"{self.url}/commit/{sha}"


class TrackedDocument(models.Model):
    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="documents")
    service = models.CharField(max_length=200)
    document_type = models.CharField(max_length=200)
    terms = models.ForeignKey(
        TermsDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="tracked_documents",
        help_text="The knowledge base's terms document for this text (from the mapping); empty when the KB has none.",
    )
    note = models.CharField(max_length=300, blank=True, help_text="From the mapping: why there is no terms document, or a caveat.")
    removed_at = models.DateTimeField(null=True, blank=True, help_text="When the repository stopped tracking it (its file was deleted).")

    class Meta:
        ordering = ["service", "document_type"]
        constraints = [models.UniqueConstraint(fields=["repository", "service", "document_type"], name="termswatch_document_unique")]

    def __str__(self):
        return f"{self.service} / {self.document_type}"

    @property
    def path(self):
        return f"{self.service}/{self.document_type}.md"


class CapturedVersion(models.Model):
    document = models.ForeignKey(TrackedDocument, on_delete=models.CASCADE, related_name="versions")
    # Position in the repository's history (oldest first): commit dates are the recorder's clock and
    # may go backwards between time zones, the history's order does not.
    sequence = models.PositiveIntegerField()
    commit = models.CharField(max_length=40)
    captured_at = models.DateTimeField(help_text="The commit date: when Open Terms Archive recorded the version.")
    message = models.CharField(max_length=300, blank=True, help_text="The commit's subject line.")
    text = models.TextField(help_text="The version's Markdown as captured.")
    # What changed against the previous version of the same document, worked out once at import:
    # {"old": [section titles of the previous text], "new": [section titles of this text]}.
    changed_sections = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["document", "sequence"]
        constraints = [models.UniqueConstraint(fields=["document", "commit"], name="termswatch_version_unique_commit")]
        indexes = [models.Index(fields=["document", "sequence"])]

    def __str__(self):
        return f"{self.document} @ {self.captured_at:%Y-%m-%d %H:%M} ({self.commit[:8]})"

    @property
    def is_technical(self):
        # Open Terms Archive's own wording for a re-extraction after a change of its filters.
        return self.message.startswith("Apply technical or declaration upgrade")

    @property
    def source_url(self):
        return self.document.repository.commit_url(self.commit, self.document.path.replace(" ", "%20"))


class ClauseFlag(models.Model):
    """A captured version that touched the section holding a curated clause after the clause was last read.

    Written by `watch_terms`. A flag stays in the table; whether it is still open is worked out from
    the clause as it is now (selectors.flag_is_open): re-verifying the clause against that version or a
    later one (its source_url names the commit, or its checked_on date is on or after the capture)
    closes it.
    """

    class Reason(models.TextChoices):
        SECTION_CHANGED = "section_changed", "A new version changed the section holding the clause"
        QUOTE_VANISHED = "quote_vanished", "The clause's quote no longer appears in the text"

    clause = models.ForeignKey(LicenseClause, on_delete=models.PROTECT, related_name="terms_flags")
    version = models.ForeignKey(CapturedVersion, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    section = models.CharField(max_length=300, blank=True)
    detected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version__captured_at"]
        constraints = [models.UniqueConstraint(fields=["clause", "version", "reason"], name="termswatch_flag_unique")]

    def __str__(self):
        return f"{self.clause}: {self.get_reason_display()} ({self.version})"


class WatchRun(models.Model):
    """One `watch_terms` run: the versions it reported are those above the previous run's mark."""

    ran_at = models.DateTimeField(auto_now_add=True)
    up_to_version = models.PositiveBigIntegerField(default=0, help_text="The highest CapturedVersion id reported.")
    new_versions = models.PositiveIntegerField(default=0)
    flags = models.PositiveIntegerField(default=0, help_text="Open flags after the run.")
    webhook_status = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-ran_at"]

    def __str__(self):
        return f"watch run {self.ran_at:%Y-%m-%d %H:%M} ({self.new_versions} new)"
