"""Rules as search documents: the portal's search finds a rule by what it checks and what it cites.

Registered with kb.search from PoliciesConfig.ready(), so kb never imports policies.
"""

from django.urls import reverse

from kb import models as kb
from kb.markdown import markdown_text
from kb.search.documents import DocumentSource, SearchDocument
from policies.models import Rule


class RuleSource(DocumentSource):
    kind, label, model = "rule", "Rules", Rule
    prefetch = ("clauses__version__document", "provisions__instrument__jurisdiction")
    # A rule's document names the terms documents and instruments it cites.
    parents = {kb.TermsDocument: "clauses__version__document", kb.Instrument: "provisions__instrument"}

    def document(self, rule):
        clauses, provisions = list(rule.clauses.all()), list(rule.provisions.all())
        documents = {c.version.document.spdx_id: c.version.document.name for c in clauses}
        scope_jurisdictions = (rule.scope or {}).get("jurisdictions") or []
        jurisdictions = {p.instrument.jurisdiction.code for p in provisions} | {j for j in scope_jurisdictions if isinstance(j, str)}
        state = " · draft, not in force" if rule.status == Rule.Status.DRAFT else ""
        state += " · disabled" if not rule.enabled else ""
        cites = [*documents.values(), *(f"{p.instrument.short_name} {p.article}" for p in provisions)]
        return SearchDocument(
            kind=self.kind,
            pk=rule.pk,
            title=rule.title,
            url=reverse("policies:rules") + f"#rule-{rule.slug}",
            names=[rule.slug, rule.title],
            # What the rules page shows: the description, not the message and remedy templates
            # (their {fact} placeholders are filled in only in a check's result).
            body="\n".join(part for part in (
                f"{rule.get_effect_display()} rule.",
                markdown_text(rule.description),
                "Cites: " + "; ".join(cites) + "." if cites else "",
            ) if part),
            subtitle=f"Rule · {rule.get_effect_display()}{state}",
            licenses=sorted(documents),
            jurisdictions=sorted(jurisdictions),
        )
