"""Roles for policy work: viewer, editor, publisher (groups with model permissions)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEWER, EDITOR, PUBLISHER = "Policy viewer", "Policy editor", "Policy publisher"
KB_MODELS = (
    "organization", "termsdocument", "termsversion", "licenseclause", "aimodel", "dataset", "lineageedge", "jurisdiction",
    "instrument", "provision",
)
POLICY_MODELS = ("rule", "ruleexample", "check")
EDITABLE = [("kb", m) for m in KB_MODELS] + [("policies", "rule"), ("policies", "ruleexample")]


def _ensure_permissions(apps):
    # Permissions are normally created after all migrations (post_migrate); on a fresh database
    # they do not exist yet, so create them now.
    for label in ("kb", "policies"):
        config = apps.get_app_config(label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)


def create_roles(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(pairs):
        wanted = list(pairs)
        found = list(Permission.objects.filter(content_type__app_label__in={a for a, _ in wanted}, codename__in={c for _, c in wanted}))
        found = [p for p in found if (p.content_type.app_label, p.codename) in set(wanted)]
        assert len(found) == len(set(wanted)), f"missing permissions: {set(wanted) - {(p.content_type.app_label, p.codename) for p in found}}"
        return found

    view = [("kb", f"view_{m}") for m in KB_MODELS] + [("policies", f"view_{m}") for m in POLICY_MODELS]
    edit = view + [(app, f"{action}_{model}") for app, model in EDITABLE for action in ("add", "change")]
    publish = edit + [("policies", "publish_rule")]
    for name, pairs in ((VIEWER, view), (EDITOR, edit), (PUBLISHER, publish)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(perms(pairs))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=(VIEWER, EDITOR, PUBLISHER)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0002_rule_status"),
        ("kb", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
