"""Re-audit license drift when the policy the audit reads is published: a rule saved as published,
or a knowledge-base load that changed something. Only results whose fingerprint covers what changed
are audited again (audit.services.audit_lineage with only_changed; policies.audit.PolicyParts), after
the transaction commits, and only once an audit has been run at all."""

from django.db import transaction
from django.db.models.signals import post_save

from kb.fixtures_io import is_bulk_loading
from kb.signals import knowledge_base_loaded


def reaudit():
    from audit.models import AuditResult
    from audit.services import audit_lineage

    if AuditResult.objects.exists():
        audit_lineage(only_changed=True)


def _rule_saved(sender, instance, **kwargs):
    if instance.status == instance.Status.PUBLISHED and not is_bulk_loading():  # load_kb sends knowledge_base_loaded once
        transaction.on_commit(reaudit)


def _loaded(sender, stats, **kwargs):
    if stats.changed:
        transaction.on_commit(reaudit)


def connect():
    from policies.models import Rule

    post_save.connect(_rule_saved, sender=Rule, dispatch_uid="audit-reaudit-rule-published")
    knowledge_base_loaded.connect(_loaded, weak=False, dispatch_uid="audit-reaudit-kb-loaded")
