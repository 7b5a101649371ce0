"""Drafts and publishing: saving an edit over the draft it was based on, and publishing a draft
(the only way a rule edited in the admin reaches the engine).

A rule has one pending draft, kept in its row; its last published version lives in its history.
Two editors working on one rule are kept apart by optimistic concurrency: an edit carries the
revision (the id of the rule's latest history record) it was based on, and is refused, with who
changed the rule since and when, if the rule has moved on in the meantime.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from policies.models import Rule

PUBLISH_PERMISSION = "policies.publish_rule"


class PublishRefused(PermissionDenied):
    """Publishing was not allowed; the message says why."""


class StaleEdit(Exception):
    """An edit was based on a revision of the rule that is no longer the latest; the message says whose change came in between."""


def current_revision(rule_id, model=Rule):
    """The record's revision: the id of its latest history record (None for a record not saved yet).

    Every save, publish, restore, citation change and fixture load writes a history record, so
    any change to the record moves the revision on. `model`: any model with simple-history
    (rules, and the knowledge-base records and their pending changes, kbreview).
    """
    return model.history.filter(id=rule_id).order_by("-history_id").values_list("history_id", flat=True).first()


SAVE_REFUSED = "Nothing was saved: open the rule again to see the current version (its History shows what changed), then redo your edit."
PUBLISH_REFUSED = "Nothing was published: review the impact again to see the current version (its History shows what changed)."


def refuse_stale_edit(rule_id, based_on, refused=SAVE_REFUSED, model=Rule, since="after you opened it"):
    """Raise StaleEdit unless `based_on` is still the record's current revision.

    Call it inside the transaction that saves the edit: the row lock taken here makes a second
    editor's save wait for the first to commit, and then see the first one's revision.
    """
    # Without the model's default ordering: it may join related tables (a lineage edge orders by its
    # models' names), and PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    locked = model._default_manager.select_for_update().order_by().filter(pk=rule_id).first()
    latest = model.history.filter(id=rule_id).order_by("-history_id").first()
    if locked is None or latest is None or latest.history_id == based_on:
        return
    who = latest.history_user.get_username() if latest.history_user else "load_kb or a script (no user recorded)"
    when = timezone.localtime(latest.history_date).strftime("%Y-%m-%d %H:%M %Z")
    why = f' ("{latest.history_change_reason}")' if latest.history_change_reason else ""
    label = model._meta.verbose_name
    raise StaleEdit(f'{label[:1].upper()}{label[1:]} "{locked}" was changed by {who} at {when}{why} {since}. {refused}')


REVISION_MISSING = "Not published: the page did not say which revision you reviewed; review the impact again."


def reviewed_revision(post):
    """The revision an impact page's publish form says was reviewed, or None when it says none."""
    try:
        return int(post.get("revision", ""))
    except ValueError:
        return None


def refuse_unreviewed_publish(obj, revision):
    """PublishRefused unless `obj` (a rule, a pending knowledge-base change) is still at the revision the
    publisher reviewed. Call inside the publishing transaction (it locks the row)."""
    try:
        refuse_stale_edit(obj.pk, revision, refused=PUBLISH_REFUSED, model=type(obj))
    except StaleEdit as exc:
        raise PublishRefused(str(exc)) from None


def editors_since_publication(obj):
    """The ids of the users who changed `obj` (a Rule, or any model with simple-history and a
    `status` whose `Status.PUBLISHED` marks a publication) since it was last published (None for a
    change no user was recorded for), read from its history: every record newer than the last
    published one."""
    editors = set()
    for status, user_id in obj.history.order_by("-history_date", "-history_id").values_list("status", "history_user_id"):
        if status == type(obj).Status.PUBLISHED:
            break
        editors.add(user_id)
    return editors


def refuse_without_permission(user, permission, what):
    if not user.has_perm(permission):
        raise PublishRefused(f'You may not publish {what}: you lack the "{permission}" permission.')


def refuse_own_work(obj, user, label):
    """With four eyes (POLICY_FOUR_EYES), PublishRefused when `user` (or an unrecorded user) changed `obj`
    since its last publication. Everyone who changed it counts, not only the last saver: a colleague's
    no-op save must not let an author publish their own text."""
    if not settings.POLICY_FOUR_EYES:
        return
    editors = editors_since_publication(obj)
    if user.pk in editors or None in editors or not editors:
        who = "you" if user.pk in editors else "an unknown user"
        raise PublishRefused(
            f"{label} was changed since its last publication by {who}; with four eyes (POLICY_FOUR_EYES) "
            "someone who did not change it must publish it."
        )


def publish_rule(rule, user, revision=None):
    """Publish `rule` as `user`, or raise PublishRefused naming the reason. Returns the rule.

    `revision`: the revision the publisher reviewed (e.g. on the impact page). When given, the
    draft is published only if it is still that revision, so an edit saved after the review cannot
    reach checks unseen. Call inside a transaction (the revision check locks the rule's row).
    """
    if revision is not None:
        refuse_unreviewed_publish(rule, revision)
        rule.refresh_from_db()
    refuse_without_permission(user, PUBLISH_PERMISSION, "rules")
    if rule.status == Rule.Status.PUBLISHED:
        raise PublishRefused(f'Rule "{rule.slug}" is already published.')
    refuse_own_work(rule, user, f'Rule "{rule.slug}"')
    rule.status = Rule.Status.PUBLISHED
    rule._change_reason = "Published"
    rule._history_user = user
    rule.save(update_fields=["status"])
    return rule


EDIT_PERMISSION = "policies.change_rule"


def may_see_drafts(user):
    """Editors (who may change rules) see pending drafts; everyone else sees what checks use."""
    return user is not None and user.has_perm(EDIT_PERMISSION)


def rules_as_seen_by(user, rules):
    """`rules` (Rule rows) as `user` may see them, each with `cited_clauses` and `cited_provisions`.

    An editor sees each row as it is, a pending draft included. Everyone else sees what checks use:
    a draft row is replaced by the rule's last published version (its fields, clauses and provisions
    from its history), and a rule never published is left out, so draft text is never shown to them.
    """
    from django.apps import apps

    from kb.models import LicenseClause, Provision

    rules = list(rules)
    drafts = {rule.pk for rule in rules if rule.status == Rule.Status.DRAFT}
    if may_see_drafts(user) or not drafts:
        for rule in rules:
            rule.cited_clauses, rule.cited_provisions = list(rule.clauses.all()), list(rule.provisions.all())
        return rules
    records = {}
    for record in Rule.history.filter(id__in=drafts, status=Rule.Status.PUBLISHED).exclude(history_type="-").order_by("id", "-history_date", "-history_id"):
        records.setdefault(record.id, record)
    through = {name: apps.get_model("policies", f"HistoricalRule_{name}") for name in ("clauses", "provisions")}
    history_ids = [record.history_id for record in records.values()]
    clause_ids, provision_ids = {}, {}
    for history_id, clause_id in through["clauses"].objects.filter(history_id__in=history_ids).order_by("id").values_list("history_id", "licenseclause_id"):
        clause_ids.setdefault(history_id, []).append(clause_id)
    for history_id, provision_id in through["provisions"].objects.filter(history_id__in=history_ids).order_by("id").values_list("history_id", "provision_id"):
        provision_ids.setdefault(history_id, []).append(provision_id)
    clauses = LicenseClause.objects.select_related("version__document").in_bulk([i for ids in clause_ids.values() for i in ids])
    provisions = Provision.objects.select_related("instrument").in_bulk([i for ids in provision_ids.values() for i in ids])
    seen = []
    for rule in rules:
        if rule.pk not in drafts:
            rule.cited_clauses, rule.cited_provisions = list(rule.clauses.all()), list(rule.provisions.all())
        elif rule.pk in records:
            record = records[rule.pk]
            rule = record.instance  # the rule as it was published (simple_history's HistoricalRecord.instance)
            rule.cited_clauses = [clauses[i] for i in clause_ids.get(record.history_id, ()) if i in clauses]
            rule.cited_provisions = [provisions[i] for i in provision_ids.get(record.history_id, ()) if i in provisions]
        else:
            continue  # never published: nothing to show but the draft
        seen.append(rule)
    return seen
