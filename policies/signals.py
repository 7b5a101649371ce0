"""Invalidate the engine's snapshot whenever anything it reads is saved or deleted."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from kb import models as kb
from kb.fixtures_io import is_bulk_loading
from kb.signals import knowledge_base_loaded
from policies.models import Rule
from policies.services import bump_revision

WATCHED = (
    kb.Organization, kb.TermsDocument, kb.TermsVersion, kb.LicenseClause, kb.AIModel, kb.Dataset, kb.LineageEdge,
    kb.Jurisdiction, kb.Instrument, kb.Provision, Rule,
)
WATCHED_M2M = (kb.AIModel.weights_terms.through, kb.AIModel.service_terms.through, Rule.clauses.through, Rule.provisions.through)


def _changed(sender, **kwargs):
    if not is_bulk_loading():  # load_kb bumps once, through knowledge_base_loaded
        bump_revision()


def _m2m_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and not is_bulk_loading():
        bump_revision()


def _loaded(sender, stats, **kwargs):
    if stats.changed:  # an unchanged load leaves the engine's cached snapshot valid
        bump_revision()


def connect():
    for model in WATCHED:
        post_save.connect(_changed, sender=model, dispatch_uid=f"policies-revision-save-{model._meta.label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"policies-revision-delete-{model._meta.label}")
    for through in WATCHED_M2M:
        m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"policies-revision-m2m-{through._meta.label}")
    knowledge_base_loaded.connect(_loaded, weak=False, dispatch_uid="policies-revision-load")
