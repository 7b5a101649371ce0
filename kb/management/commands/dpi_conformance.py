from pathlib import Path

from django.core.management.base import BaseCommand

from kb.ingest.dpi_conformance import conformance, markdown


class Command(BaseCommand):
    help = (
        "Compare Provenant's commercial-use class of every imported Data Provenance Initiative record with DPI's own, "
        "and give the reason for each difference. Run import_dpi first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--markdown", metavar="PATH", help="also write the full table as Markdown (e.g. docs/dpi-conformance.md)")

    def handle(self, *args, markdown=None, **options):
        report = conformance()
        total = len(report.rows)
        if not total:
            self.stdout.write("No DPI records in the knowledge base: run `manage.py import_dpi DIR` first.")
            return
        self.stdout.write(f"{report.agree} of {total} records agree ({100 * report.agree / total:.1f}%)")
        for reason, n in report.reasons.most_common():
            self.stdout.write(f"  {reason}: {n}")
        if markdown:
            Path(markdown).write_text(_markdown(report), encoding="utf-8")
            self.stdout.write(f"wrote {markdown}")


_markdown = markdown
