from django.core.management.base import BaseCommand, CommandError

from kb.search.base import get_backend
from kb.search.documents import sources
from kb.search.sync import rebuild_index


class Command(BaseCommand):
    help = "Rebuild the search index (whoosh files, or the PostgreSQL search table) from the knowledge-base tables."

    def handle(self, *args, **options):
        backend = get_backend()
        if not backend.needs_sync:
            self.stdout.write(f"The {backend.name} backend searches the database directly; there is no index to rebuild.")
            return
        stream = self.stderr._out
        bar = None
        if getattr(stream, "isatty", lambda: False)():
            from tqdm import tqdm

            total = sum(source.queryset().count() for source in sources().values())
            bar = tqdm(total=total, file=stream, unit="doc", desc="Indexing")
        try:
            count = rebuild_index(backend, progress=bar.update if bar else None)
        except TimeoutError as exc:
            raise CommandError(str(exc)) from None
        finally:
            if bar:
                bar.close()
        where = getattr(backend, "index_dir", None) or "the PostgreSQL search table"
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} documents in {where}."))
