from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kb.fixtures_io import FixtureError, load_fixtures


class Command(BaseCommand):
    help = (
        "Load the knowledge base (and the rules) from YAML fixtures. Idempotent and all-or-nothing. Curated rows the "
        "fixtures no longer contain are removed (kept-forever ones ended, with a note), and listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fixtures", default=str(settings.KB_FIXTURES_DIR), help="fixtures directory (default: %(default)s)")
        parser.add_argument("--dry-run", action="store_true", help="say what a load would create, update, remove and end; write nothing")
        parser.add_argument(
            "--keep-stale", action="store_true",
            help="leave rows the fixtures no longer contain in place (e.g. loading an extra directory on top of the shipped one)",
        )

    def handle(self, *args, fixtures, dry_run, keep_stale, **options):
        try:
            stats = load_fixtures(fixtures, progress_stream=self.stderr._out, prune=not keep_stale, dry_run=dry_run)
        except FixtureError as exc:
            raise CommandError(f"{exc}\nNothing was written.") from None
        for line in stats.lines():
            self.stdout.write(line)
        for line in stats.pruned_lines():
            self.stdout.write(line)
        for line in (*stats.skipped_lines(), *stats.kept_lines()):
            self.stdout.write(self.style.WARNING(line))
        if dry_run:
            self.stdout.write(self.style.SUCCESS("Dry run: nothing was written." + (" A load would change the lines above." if stats.changed else "")))
            return
        done = "Knowledge base loaded." if stats.changed else "Knowledge base already up to date."
        if stats.skipped:
            self.stdout.write(self.style.WARNING(f"{done[:-1]}, except {len(stats.skipped)} skipped record(s) listed above."))
        else:
            self.stdout.write(self.style.SUCCESS(done))
