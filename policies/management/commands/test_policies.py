"""Run every rule's examples; report per rule how many passed and whether it is covered both ways."""

from django.core.management.base import BaseCommand, CommandError

from policies.engine import snapshot as snapshots
from policies.testing import run_examples


class Command(BaseCommand):
    help = "Run the rules' examples (each must produce its expected effect, or stay quiet)."

    def add_arguments(self, parser):
        parser.add_argument("--rule", action="append", help="only these rule slugs")
        parser.add_argument("--strict", action="store_true", help="also fail when a rule is not covered both ways")

    def handle(self, *args, rule=None, strict=False, **options):
        report = run_examples(snapshots.current(), slugs=rule)
        for line in report.lines():
            self.stdout.write(line)
        if report.failures or (strict and report.uncovered):
            raise CommandError(f"{len(report.failures)} example(s) failed, {len(report.uncovered)} rule(s) not covered both ways.")
        self.stdout.write(self.style.SUCCESS(report.summary()))
