import json

from django.core.management.base import BaseCommand

from termswatch.checks import clause_label
from termswatch.models import ClauseFlag
from termswatch.services import run_watch


class Command(BaseCommand):
    help = (
        "Report the terms versions captured since the last run: sections changed, curated clauses affected, a diff; "
        "list clauses whose quote vanished; flag clauses that need re-verification; call TERMS_WEBHOOK_URL if set."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--diff-lines", type=int, default=10, help="Changed passages shown per version in text output (0: none).")

    def handle(self, *args, format, diff_lines, **options):
        from termswatch.services import webhook_body

        report = run_watch()
        if format == "json":
            body = webhook_body(report)
            body["stale"] = [self._stale_json(s) for s in report.stale]
            body["webhook"] = report.webhook
            self.stdout.write(json.dumps(body, indent=2, sort_keys=True))
            return
        from termswatch import text

        self.stdout.write(f"{len(report.changes)} new version(s) since the last run.")
        for change in report.changes:
            v = change.version
            kind = " (technical re-extraction)" if v.is_technical else ""
            terms = f" [{v.document.terms.spdx_id}]" if v.document.terms else ""
            self.stdout.write(f"\n== {v.document}{terms} captured {v.captured_at:%Y-%m-%d %H:%M} {v.commit[:12]}{kind}")
            for title in change.sections:
                self.stdout.write(f"   section changed: {title}")
            for finding in change.clauses:
                reason = ClauseFlag.Reason(finding.reason).label.lower()
                self.stdout.write(self.style.WARNING(f"   clause affected: {clause_label(finding.clause)}: {reason} ({finding.section or 'spans sections'})"))
            if diff_lines and change.previous is not None:
                snippets = text.change_snippets(change.previous.text, v.text, limit=diff_lines + 1)
                for line in snippets[:diff_lines]:
                    self.stdout.write(f"   {line}")
                if len(snippets) > diff_lines:
                    self.stdout.write("   … more changes (see the portal's Terms changes page)")
        if report.stale:
            self.stdout.write(f"\n{len(report.stale)} curated clause(s) whose quote is not in the latest captured text:")
        for stale in report.stale:
            where = (
                f"vanished in {stale.vanished_in.captured_at:%Y-%m-%d} ({stale.vanished_in.commit[:12]}), section {stale.section!r}"
                if stale.vanished_in else "never found in any captured version (check the quote)"
            )
            self.stdout.write(self.style.WARNING(f"  {clause_label(stale.clause)} in {stale.document}: {where}"))
            for line in stale.diff[2 : 2 + diff_lines]:
                self.stdout.write(f"     {line}")
        self.stdout.write(f"\n{len(report.open_flags)} open re-verification flag(s).")
        if report.webhook:
            self.stdout.write(f"webhook: {report.webhook}")

    @staticmethod
    def _stale_json(stale):
        return {
            "clause": clause_label(stale.clause),
            "tracked_document": str(stale.document),
            "latest": stale.latest.commit,
            "vanished_in": stale.vanished_in.commit if stale.vanished_in else None,
            "section": stale.section,
            "diff": stale.diff,
        }
