"""What validate_kb reports for the terms watch (registered by TermsWatchConfig)."""

from kb.validation import Problem
from termswatch import selectors


def clause_label(clause):
    return f"{clause.version.document.spdx_id}/{clause.version.version}/{clause.key}"


def clauses_needing_reverification(report):
    """A warning per curated clause that a captured version touched after it was last read."""
    for flags in selectors.clauses_needing_reverification().values():
        newest = flags[0]
        reasons = sorted({flag.get_reason_display().lower() for flag in flags})
        report.warnings.append(Problem(
            "license clauses", clause_label(newest.clause), "checked_on",
            f"needs re-verification: {len(flags)} captured version(s) since it was read; newest "
            f"{newest.version.document} of {newest.version.captured_at:%Y-%m-%d} ({newest.version.commit[:8]}), "
            f"section {newest.section or '(spans sections)'!r}: {'; '.join(reasons)}",
        ))
