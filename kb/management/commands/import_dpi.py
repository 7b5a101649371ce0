from django.core.management.base import BaseCommand, CommandError

from kb.fixtures_io import FixtureError
from kb.ingest.dpi import SHARED_REVISION, DpiError, import_dpi


class Command(BaseCommand):
    help = (
        "Import the Data Provenance Initiative's dataset records (DIR holds data_summaries/ and constants/) as declared "
        "datasets, licenses and generated_by lineage. All-or-nothing and idempotent: a second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", help="a checkout of Data-Provenance-Collection (e.g. ../shared/data/dpi)")
        parser.add_argument(
            "--revision", default=SHARED_REVISION,
            help="the DPI commit DIR holds, for the records' citations (default: %(default)s, the snapshot in ../shared/data/dpi)",
        )
        parser.add_argument("--mapping", default=None, help="license and generator mapping (default: fixtures/kb/dpi.yaml)")

    def handle(self, *args, directory, revision, mapping, **options):
        try:
            report = import_dpi(directory=directory, revision=revision, mapping_path=mapping, progress=self.stderr._out)
        except (DpiError, FixtureError) as exc:
            raise CommandError(f"{exc}\nNothing was written.") from None
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("DPI records imported." if report.changed else "DPI records already up to date."))
