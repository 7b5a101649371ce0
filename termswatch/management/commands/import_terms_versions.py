from django.core.management.base import BaseCommand, CommandError

from termswatch import gitrepo
from termswatch.models import Repository
from termswatch.services import ImportError_, import_versions


class Command(BaseCommand):
    help = (
        "Store every version an Open Terms Archive versions repository captured (a git clone), incrementally: "
        "a second run reads only the commits added since. Texts: Open Terms Archive contributors, ODC-BY 1.0."
    )

    def add_arguments(self, parser):
        parser.add_argument("repo", help="Path of a clone of the versions repository.")
        parser.add_argument("--name", help="The repository's name in the mapping (default: the only one the mapping lists).")
        parser.add_argument("--rev", default="HEAD", help="Import up to this commit (default HEAD).")
        parser.add_argument("--full", action="store_true", help="Read the whole history again (after a rewritten history).")

    def handle(self, *args, repo, name, rev, full, **options):
        if not name:
            names = list(Repository.objects.values_list("name", flat=True))
            if len(names) != 1:
                raise CommandError(f"--name: say which repository this is (the mapping lists {', '.join(names) or 'none'}; run load_kb first)")
            name = names[0]
        try:
            result = import_versions(repo, name=name, rev=rev, full=full)
        except (ImportError_, gitrepo.GitError) as exc:
            raise CommandError(str(exc)) from None
        if result.up_to_date:
            self.stdout.write(f"{name}: already imported up to {result.head[:12]}; nothing new.")
            return
        self.stdout.write(f"{name}: {result.commits} commit(s) read, {result.versions} version(s) stored, up to {result.head[:12]}.")
        for label in result.new_documents:
            self.stdout.write(self.style.WARNING(f"new document not in the mapping: {label} (add it to fixtures/termswatch/mapping.yaml)"))
        for label in result.removed:
            self.stdout.write(f"no longer tracked (file deleted): {label}")
