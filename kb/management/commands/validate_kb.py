import json

from django.core.management.base import BaseCommand

from kb.validation import validate_knowledge_base


class Command(BaseCommand):
    help = ("Check the knowledge base: sources and dates, terms for every model, invariants (exit 1 on any problem), and list "
            "terms documents and model families not re-checked within 180 days (exit 1 with --fail-stale).")

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--fail-stale", action="store_true", help="Exit 1 also when records are overdue for re-checking.")

    def handle(self, *args, format, fail_stale, **options):
        report = validate_knowledge_base()
        if format == "json":
            self.stdout.write(json.dumps(report.as_dict(), indent=2, sort_keys=True))
        else:
            for kind, count in report.counts.items():
                line = f"{kind}: {count}"
                status = report.verification.get(kind)
                if status:
                    line += " (" + ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in sorted(status.items())) + ")"
                self.stdout.write(line)
            for overdue in report.stale:
                self.stdout.write(self.style.WARNING(f"overdue: {overdue}"))
            for warning in report.warnings:
                self.stdout.write(self.style.WARNING(f"warning: {warning}"))
            for problem in report.problems:
                self.stderr.write(str(problem))
            if report.ok:
                self.stdout.write(self.style.SUCCESS("Knowledge base is valid."))
            else:
                self.stderr.write(self.style.ERROR(f"{len(report.problems)} problem(s)."))
        if not report.ok or (fail_stale and report.stale):
            raise SystemExit(1)
