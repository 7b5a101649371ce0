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
        self.stdout.write(self.style.SUCCESS("Knowledge base loaded." if stats.changed else "Knowledge base already up to date."))
