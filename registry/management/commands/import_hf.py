import gc
from pathlib import Path

import orjson
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from registry import hub, services


class Command(BaseCommand):
    help = (
        "Import Hugging Face Hub models into the registry: from the live Hub (--author, --search, --repo-id, --all), "
        "from a JSON-lines file of Hub API records (--jsonl) or from one model card (--card with --repo-id). "
        "Files and cards are all-or-nothing; live listings commit batch by batch and resume where they stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--jsonl", help="a file of Hub API model records, one JSON object a line ('-' for standard input)")
        parser.add_argument("--card", help="a model card (README.md with YAML front matter); needs --repo-id")
        parser.add_argument("--repo-id", action="append", default=[], help="a Hub repository id (repeatable)")
        parser.add_argument("--author", help="every model of this Hub user or organization")
        parser.add_argument("--search", help="every model whose id contains this text")
        parser.add_argument("--all", action="store_true", help="every model on the Hub (about two million; resumable)")
        parser.add_argument("--restart", action="store_true", help="a live listing: start from the beginning, not from the saved cursor")
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--no-audit", action="store_true", help="do not re-audit license drift for the imported models and their descendants")
        parser.add_argument("--timeout", type=float, default=10.0, help="seconds for each --repo-id look-up (default: %(default)s)")

    def handle(self, *args, jsonl, card, repo_id, author, search, all, restart, batch_size, timeout, no_audit=False, **options):
        live = bool(author or search or all)
        sources = sum(bool(x) for x in (jsonl, card, live, repo_id and not card))
        if sources != 1:
            raise CommandError("Give exactly one source: --jsonl FILE, --card FILE --repo-id ID, --repo-id ID..., or --author/--search/--all.")
        if all and (author or search):
            raise CommandError("--all lists every model: give it without --author or --search.")
        if card and len(repo_id) != 1:
            raise CommandError("--card needs exactly one --repo-id: a card does not always say which repository it belongs to.")
        # This process does nothing but import: what Django loaded so far is moved out of the garbage
        # collector's sight, which otherwise walks it again and again while millions of records pass
        # (a third of an unchanged re-import's time in bench/registry.py).
        gc.freeze()
        started = timezone.now()
        bar = tqdm(file=self.stderr, unit="model", desc="Importing", disable=None)
        try:
            if jsonl:
                result = services.import_records(records=self._jsonl(jsonl), batch_size=batch_size, progress=bar.update)
            elif card:
                text = self._read(card)
                result = services.import_records(records=[hub.record_from_card(text=text, repo_id=repo_id[0])], progress=bar.update)
            elif repo_id:
                records = [hub.fetch_model(repo_id=r, timeout=timeout) for r in repo_id]
                result = services.import_records(records=records, progress=bar.update)
            else:
                result = services.import_hub_listing(author=author, search=search, batch_size=batch_size, progress=bar.update, restart=restart)
        except (hub.RecordError, services.ImportFailed) as exc:
            raise CommandError(f"{exc}\nNothing was written.") from None
        except hub.HubUnavailable as exc:
            raise CommandError(f"{exc}\nNothing was written.") from None
        finally:
            bar.close()
        if result.resumed_from:
            self.stdout.write(f"resumed after {result.resumed_from} models imported by an earlier run")
        self.stdout.write(
            f"{result.seen} records: {result.created} created, {result.updated} updated, {result.unchanged} unchanged; "
            f"{result.edges_written} lineage edges written"
        )
        for error in result.invalid[:20]:
            self.stdout.write(self.style.WARNING(f"skipped {error}"))
        if len(result.invalid) > 20:
            self.stdout.write(self.style.WARNING(f"and {len(result.invalid) - 20} more skipped"))
        self.stdout.write(self.style.SUCCESS("Registry imported." if result.created or result.updated else "Registry already up to date."))
        if not no_audit and (result.created or result.updated):
            self._audit(started)

    def _audit(self, started):
        """The license drift audit of what this run wrote (rows it created or changed carry its
        imported_at) and of every model below them (audit.services.audit_after_import)."""
        from django.apps import apps

        if not apps.is_installed("audit"):
            return
        from audit.services import audit_after_import
        from registry.models import HubModel

        keys = HubModel.objects.filter(imported_at__gte=started).values_list("repo_key", flat=True)
        run = audit_after_import(keys=list(keys))
        self.stdout.write(f"license drift audit: {run.audited} models re-audited ({run.with_conflicts} with conflicts), {run.unchanged} unchanged")

    def _read(self, path):
        try:
            return Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from None

    def _jsonl(self, path):
        import sys

        handle = sys.stdin.buffer if path == "-" else None
        try:
            handle = handle or open(path, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from None
        try:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    yield orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    raise hub.RecordError(None, f"line {number}", f"not valid JSON ({exc})") from None
        finally:
            if handle is not sys.stdin.buffer:
                handle.close()
