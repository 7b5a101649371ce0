"""Pending knowledge-base changes: propose, preview the impact, publish, withdraw.

The only write path from a pending change to a knowledge-base record is `_apply`, used by publishing
and (inside a transaction that is rolled back) by the impact preview. Publishing shares its checks
with rules (policies.publishing): the reviewed revision, the publish permission and four eyes over
everyone who changed the proposal.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from kbreview.models import KbChange
from kbreview.reviewed import from_json, value_of
from kbreview.selectors import pending_change_for, proposers
from policies import impact
from policies.engine import snapshot as snapshots
from policies.engine.compiled import compile_policy
from policies.engine.loader import load_policy
from policies.publishing import (
    PublishRefused,
    StaleEdit,
    current_revision,
    refuse_own_work,
    refuse_stale_edit,
    refuse_unreviewed_publish,
    refuse_without_permission,
)

PUBLISH_PERMISSION = "kbreview.publish_kbchange"
SAVE_REFUSED = "Nothing was saved: open the record again to see it as it is now, with any pending change, then redo your edit."
TARGET_MOVED = "Nothing was published: edit the record again (your edit becomes the pending change), then review its impact."


class ChangeError(Exception):
    """A pending change cannot be applied or previewed; the message says why, naming the field."""


def _label(model, target):
    return f'{model._meta.verbose_name} "{target}"'


def refuse_stale_proposal(*, target, based_on, based_on_change):
    """StaleEdit unless the record (`based_on`: its revision) and its pending change (`based_on_change`:
    the change's revision, None when there was none) are still as the editor opened them.

    Call inside the transaction that saves the edit: it locks the record's row, so two editors of one
    record are served one after the other and the second sees the first one's change.
    """
    model = type(target)
    refuse_stale_edit(target.pk, based_on, refused=SAVE_REFUSED, model=model)
    pending = pending_change_for(target)
    if pending is not None:
        refuse_stale_edit(pending.pk, based_on_change, refused=SAVE_REFUSED, model=KbChange, since="after you opened the record")
    elif based_on_change is not None:
        raise StaleEdit(f"The pending change you edited on {_label(model, target)} was published or withdrawn after you opened it. {SAVE_REFUSED}")


def propose_change(*, target, proposed, user, reason):
    """Make `proposed` ({field name: JSON value, see kbreview.reviewed.value_of}) the pending change of
    `target` (a saved record, as it is live), replacing what an earlier pending change proposed.

    Only fields whose value differs from the live record are kept. Returns the KbChange, or None when
    nothing differs (a pending change is then withdrawn: the editor put every value back).
    """
    values = {}
    for name, new in proposed.items():
        old = value_of(target, name)
        if old != new:
            values[name] = {"old": old, "new": new}
    pending = pending_change_for(target)
    if not values:
        if pending is not None:
            withdraw_change(change=pending, user=user, reason=f"Withdrawn by the edit: {reason}")
        return None
    change = pending or KbChange(content_type=ContentType.objects.get_for_model(type(target)), object_id=target.pk, author=user)
    change.values, change.reason = values, reason
    change.target_revision = current_revision(target.pk, model=type(target))
    change._history_user, change._change_reason = user, reason[:100]
    change.save()
    return change


def withdraw_change(*, change, user, reason="Withdrawn"):
    """End a pending change without applying it (kept, with its history, as withdrawn)."""
    with transaction.atomic(using=router.db_for_write(KbChange)):
        change = KbChange.objects.select_for_update().get(pk=change.pk)
        if change.status != KbChange.Status.PENDING:
            raise ChangeError(f"Change #{change.pk} is {change.get_status_display().lower()}, not pending.")
        change.status = KbChange.Status.WITHDRAWN
        change._history_user, change._change_reason = user, reason[:100]
        change.save()
    return change


def propose_addition(*, model, proposed, user, reason):
    """A pending change that adds a `model` record with the `proposed` values (as propose_change)."""
    change = KbChange(
        action=KbChange.Action.ADD, content_type=ContentType.objects.get_for_model(model), author=user, reason=reason,
        values={name: {"old": None, "new": value} for name, value in proposed.items()},
    )
    change._history_user, change._change_reason = user, reason[:100]
    change.save()
    return change


def propose_deletion(*, target, user, reason):
    """A pending change that deletes `target`; refused (ChangeError) while another change of it is pending."""
    pending = pending_change_for(target)
    if pending is not None:
        raise ChangeError(
            f"{_label(type(target), target)} has a pending change (#{pending.pk}); publish or withdraw it before proposing to delete the record"
        )
    change = KbChange(
        action=KbChange.Action.DELETE, content_type=ContentType.objects.get_for_model(type(target)), object_id=target.pk, author=user,
        reason=reason, target_revision=current_revision(target.pk, model=type(target)),
    )
    change._history_user, change._change_reason = user, reason[:100]
    change.save()
    return change


def _apply(change, target, *, user=None, reason=""):
    """Write the change into `target` (None for an addition), validated as the admin form validates, m2m
    included; or delete it. Returns the record written. `user` and `reason` go into its history."""
    if change.action == KbChange.Action.ADD:
        target = change.target_model()
    target._history_user, target._change_reason = user, reason[:100]
    if change.action == KbChange.Action.DELETE:
        try:
            target.delete()
        except ProtectedError as exc:  # kept records (kb.models.KeptForever) and what other records point to
            raise ChangeError(f"the record cannot be deleted ({exc.args[0]})") from None
        return target
    many = {}
    for name, diff in change.values.items():
        field = target._meta.get_field(name)
        if field.many_to_many:
            many[name] = diff["new"]
        else:
            setattr(target, field.attname, from_json(field, diff["new"]))
    try:
        target.full_clean()
    except ValidationError as exc:
        problems = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items())
        raise ChangeError(f"the change no longer validates ({problems})") from None
    target.save()
    for name, ids in many.items():
        getattr(target, name).set(ids)
    return target


class _Rollback(Exception):
    pass


def _locked_target(change):
    if change.object_id is None:
        return None
    # order_by(): see policies.publishing.refuse_stale_edit (no outer joins under FOR UPDATE).
    return change.target_model._default_manager.select_for_update().order_by().filter(pk=change.object_id).first()


def candidate_policy(*, change):
    """The compiled policy with `change` applied, without touching the live one.

    The change is written and the policy read by the engine's own loader inside a transaction that is
    then rolled back, so the candidate is exactly what publishing would give, and nothing else sees it
    (the revision token, the history and the search index's pending work are rolled back with it).
    Raises ChangeError when the record is gone or the change no longer validates.
    """
    read = {}
    try:
        with transaction.atomic(using=router.db_for_write(change.target_model)):
            target = _locked_target(change)
            if target is None and change.action != KbChange.Action.ADD:
                raise ChangeError(f"the {change.target_model._meta.verbose_name} it changes was deleted")
            _apply(change, target, reason="impact preview (rolled back)")
            read["policy"] = load_policy()
            raise _Rollback
    except _Rollback:
        pass
    return compile_policy(read["policy"])


def preview_change_impact(*, change, days=impact.WINDOW_DAYS, now=None):
    """Every logged check of the last `days` days whose verdict would change if `change` were published."""
    base = snapshots.current()
    after = candidate_policy(change=change)
    return impact.preview_candidate_impact(after, label=f"change #{change.pk}", base=base, days=days, now=now)


def publish_change(*, change, user, revision):
    """Apply `change` to its record as `user`, exactly as reviewed (`revision`: the change's revision on
    the impact page), in one transaction; or raise PublishRefused naming why, with nothing written.

    The record's history gets the new values (who published, whose change, why); the policy revision
    moves on through the knowledge base's save signals, so every cached snapshot is replaced.
    """
    with transaction.atomic(using=router.db_for_write(KbChange)):
        refuse_unreviewed_publish(change, revision)
        change.refresh_from_db()
        refuse_without_permission(user, PUBLISH_PERMISSION, "knowledge-base changes")
        if change.status != KbChange.Status.PENDING:
            raise PublishRefused(f"Change #{change.pk} is {change.get_status_display().lower()}, not pending.")
        model = change.target_model
        target = _locked_target(change)
        if target is None and change.action != KbChange.Action.ADD:
            raise PublishRefused(f"Change #{change.pk}: the {model._meta.verbose_name} it changes was deleted.")
        what = f"a new {model._meta.verbose_name}" if target is None else _label(model, target)
        refuse_own_work(change, user, f"The pending change #{change.pk} to {what}")
        if target is not None:
            try:
                refuse_stale_edit(target.pk, change.target_revision, refused=TARGET_MOVED, model=model, since="after the change was proposed")
            except StaleEdit as exc:
                raise PublishRefused(str(exc)) from None
            target.refresh_from_db()
        try:
            written = _apply(change, target, user=user, reason=f"Published #{change.pk} by {', '.join(proposers(change))}: {change.reason}")
        except ChangeError as exc:
            raise PublishRefused(f"Nothing was published: {exc}.") from None
        if change.action == KbChange.Action.ADD:
            change.object_id = written.pk
        change.status, change.published_by, change.published_at = KbChange.Status.PUBLISHED, user, timezone.now()
        change._history_user, change._change_reason = user, "Published"
        change.save()
    return change
