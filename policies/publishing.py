"""Publishing a draft rule: the only way a rule edited in the admin reaches the engine."""

from django.conf import settings
from django.core.exceptions import PermissionDenied

from policies.models import Rule

PUBLISH_PERMISSION = "policies.publish_rule"


class PublishRefused(PermissionDenied):
    """Publishing was not allowed; the message says why."""


def last_editor(rule):
    """The user of the rule's latest history record (None when unknown, e.g. loaded from fixtures)."""
    record = rule.history.order_by("-history_date", "-history_id").first()
    return record.history_user if record else None


def publish_rule(rule, user):
    """Publish `rule` as `user`, or raise PublishRefused naming the reason. Returns the rule."""
    if not user.has_perm(PUBLISH_PERMISSION):
        raise PublishRefused(f'You may not publish rules: you lack the "{PUBLISH_PERMISSION}" permission.')
    if rule.status == Rule.Status.PUBLISHED:
        raise PublishRefused(f'Rule "{rule.slug}" is already published.')
    if settings.POLICY_FOUR_EYES:
        editor = last_editor(rule)
        if editor is None or editor.pk == user.pk:
            who = "you" if editor is not None else "an unknown user"
            raise PublishRefused(
                f'Rule "{rule.slug}" was last edited by {who}; with four eyes (POLICY_FOUR_EYES) another person must publish it.'
            )
    rule.status = Rule.Status.PUBLISHED
    rule._change_reason = "Published"
    rule._history_user = user
    rule.save(update_fields=["status"])
    return rule
