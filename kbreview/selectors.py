"""Reading pending knowledge-base changes."""

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from kbreview.models import KbChange


def pending_change_for(instance):
    """The pending change of a knowledge-base record (None when there is none)."""
    if instance is None or instance.pk is None:
        return None
    content_type = ContentType.objects.get_for_model(type(instance))
    return KbChange.objects.filter(content_type=content_type, object_id=instance.pk, status=KbChange.Status.PENDING).first()


def proposers(change):
    """The usernames of everyone who saved the change, first proposer first ("an unknown user" for a save no user was recorded for)."""
    names = []
    for record in change.history.order_by("history_id").select_related("history_user"):
        name = record.history_user.get_username() if record.history_user else "an unknown user"
        if record.status == KbChange.Status.PENDING and name not in names:
            names.append(name)
    return names


def pending_hold(instance, cache):
    """For load_kb (kb.fixtures_io.register_hold): why a fixture must not write over `instance`, or None."""
    pending = cache.get("kbreview pending")
    if pending is None:
        pending = cache["kbreview pending"] = {
            (content_type_id, object_id): pk
            for pk, content_type_id, object_id in KbChange.objects.filter(status=KbChange.Status.PENDING).values_list(
                "pk", "content_type_id", "object_id"
            )
        }
    pk = pending.get((ContentType.objects.get_for_model(type(instance)).pk, instance.pk))
    if pk is None:
        return None
    change = KbChange.objects.get(pk=pk)
    when = timezone.localtime(change.updated_at).strftime("%Y-%m-%d %H:%M %Z")
    return (
        f"it has a pending change (#{change.pk}) saved by {', '.join(proposers(change))} at {when}, which the fixture would "
        "overwrite; the change was kept. Publish or withdraw it, then run load_kb again."
    )


def readable(model, name, value):
    """A JSON field value of a change, as a person reads it (related records by name, not id)."""
    field = model._meta.get_field(name)
    if field.is_relation and value not in (None, []):
        related = field.related_model._default_manager
        if field.many_to_many:
            return "; ".join(str(o) for o in related.filter(pk__in=value)) or "(none)"
        found = related.filter(pk=value).first()
        return str(found) if found is not None else f"(deleted #{value})"
    if value in (None, "", []):
        return "(empty)"
    return value if isinstance(value, str) else str(value)


def differences(change):
    """[(field's verbose name, live value, proposed value)] of a change, readable."""
    model = change.target_model
    return [
        (model._meta.get_field(name).verbose_name, readable(model, name, diff["old"]), readable(model, name, diff["new"]))
        for name, diff in change.values.items()
    ]
