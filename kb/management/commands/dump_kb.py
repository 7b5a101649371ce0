from django.core.management.base import BaseCommand, CommandError

from kb.fixtures_io import SECTIONS, dump_fixtures


class Command(BaseCommand):
    help = "Write the knowledge base (and rules) as YAML in the format fixtures/ uses, one file per section."

    def add_arguments(self, parser):
        parser.add_argument("output_dir", help="directory to write <section>.yaml files into")
        parser.add_argument("--section", action="append", dest="sections", help="only this section (repeatable)")

    def handle(self, *args, output_dir, sections, **options):
        unknown = sorted(set(sections or []) - set(SECTIONS))
        if unknown:
            raise CommandError(f"--section: unknown section {', '.join(unknown)} (known: {', '.join(sorted(SECTIONS))})")
        for name, (path, count) in dump_fixtures(output_dir, sections).items():
            self.stdout.write(f"{name}: {count} records -> {path}")
