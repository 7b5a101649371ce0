from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kb.fixtures_io import FixtureError, load_fixtures


class Command(BaseCommand):
    help = "Load the knowledge base (and the rules) from YAML fixtures. Idempotent and all-or-nothing."

    def add_arguments(self, parser):
        parser.add_argument("--fixtures", default=str(settings.KB_FIXTURES_DIR), help="fixtures directory (default: %(default)s)")

    def handle(self, *args, fixtures, **options):
        try:
            stats = load_fixtures(fixtures, progress_stream=self.stderr._out)
        except FixtureError as exc:
            raise CommandError(f"{exc}\nNothing was written.") from None
        for line in stats.lines():
            self.stdout.write(line)
        for line in stats.skipped_lines():
            self.stdout.write(self.style.WARNING(line))
        done = "Knowledge base loaded." if stats.changed else "Knowledge base already up to date."
        if stats.skipped:
            self.stdout.write(self.style.WARNING(f"{done[:-1]}, except {len(stats.skipped)} skipped record(s) listed above."))
        else:
            self.stdout.write(self.style.SUCCESS(done))
