"""Atom feed of captured versions (django.contrib.syndication). Item text is escaped here: the
feed's summaries are HTML, and captured titles are outside content."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join

from kb.weburl import is_http_url
from termswatch import selectors
from termswatch.models import CapturedVersion

ITEMS = 50


class TermsChangesFeed(Feed):
    feed_type = Atom1Feed
    title = "Provenant: changes in AI services' terms"
    subtitle = "Versions captured by Open Terms Archive (texts: Open Terms Archive contributors, ODC-BY 1.0) and the curated clauses they touch."

    def link(self):
        return reverse("termswatch:documents")

    def items(self):
        latest = CapturedVersion.objects.filter(document__terms__isnull=False).order_by("-sequence", "-pk")[:ITEMS]
        return selectors.version_changes(CapturedVersion.objects.filter(pk__in=[v.pk for v in latest]))[::-1]

    def item_title(self, change):
        v = change.version
        return f"{v.document}: {'technical re-extraction' if v.is_technical else 'new version'} captured {v.captured_at:%Y-%m-%d}"

    def item_link(self, change):
        url = reverse("termswatch:document", args=[change.version.document_id])
        if change.previous is not None:
            url += f"?from={change.previous.pk}&to={change.version.pk}"
        return url

    def item_guid(self, change):
        return f"{change.version.document.repository.name}:{change.version.commit}:{change.version.document.path}"

    item_guid_is_permalink = False

    def item_pubdate(self, change):
        return change.version.captured_at

    def item_description(self, change):
        sections = format_html_join("", "<li>{}</li>", ((title,) for title in change.sections))
        clauses = format_html_join(
            "", "<li><strong>{}</strong> {} ({})</li>",
            ((f.clause.version.document.spdx_id, f.clause.key, f.section or "spans sections") for f in change.clauses),
        )
        body = format_html("<p>Sections changed:</p><ul>{}</ul>", sections) if change.sections else format_html("<p>{}</p>", "No section changed (layout only).")
        if change.clauses:
            body += format_html("<p>Curated clauses in a changed section:</p><ul>{}</ul>", clauses)
        if is_http_url(change.version.source_url):
            body += format_html('<p><a href="{}">Captured text</a></p>', change.version.source_url)
        return body
