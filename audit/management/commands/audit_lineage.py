"""manage.py audit_lineage [--format json] [--only-changed]: the license drift audit (audit.services)."""

import json

from django.core.management.base import BaseCommand

from audit import selectors, services


class Command(BaseCommand):
    help = "Check every model with weight parents, released as it is, against its ancestors' terms; store and report conflicts."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--only-changed", action="store_true", help="Re-audit only models whose lineage, license or the policy version changed.")
        parser.add_argument("--as-of", default=None, help="The date terms are read on (YYYY-MM-DD; default today).")

    def handle(self, *args, **options):
        run = services.audit_lineage(only_changed=options["only_changed"], as_of=options["as_of"])
        rows = selectors.conflict_rows()
        if options["format"] == "json":
            self.stdout.write(json.dumps({
                "policy_version": run.policy_version, "audited": run.audited, "unchanged": run.unchanged, "groups": run.groups,
                "conflicts": rows,
            }, indent=2))
            return
        self.stdout.write(f"{run.audited} models audited in {run.groups} groups, {run.unchanged} unchanged; policy {run.policy_version}")
        for row in rows:
            self.stdout.write(f"{row['model']} [{row['declared_license'] or 'no license'}] {row['kind']}: {row['ancestor']} ({row['terms']}) "
                              f"path {' -> '.join(row['path'])} evidence {'/'.join(row['evidence'])}\n  fix: {row['fix']}")
        self.stdout.write(f"{len(rows)} conflicts")
