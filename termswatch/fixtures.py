"""The `terms_watch` section of the fixtures: which knowledge-base document each tracked text is.

    terms_watch:
      - name: genai-eu-versions
        url: https://github.com/OpenTermsArchive/genai-eu-versions
        documents:
          - {service: Grok, type: Acceptable Use Policy, terms: LicenseRef-xAI-Terms}
          - {service: Grok, type: Privacy Policy, terms: null, note: privacy policy}

Registered with kb.fixtures_io by TermsWatchConfig, after the terms it names (order 95).
"""

from kb.models import TermsDocument
from termswatch.models import Repository, TrackedDocument

DOCUMENT_FIELDS = {"service", "type", "terms", "note"}


def load_mapping(records, stats, cache, progress):
    known = dict(TermsDocument.objects.values_list("spdx_id", "id"))
    for record in records:
        data = record.data
        if not isinstance(data, dict) or not data.get("name"):
            raise record.error("name", "a repository needs a name")
        unknown = set(data) - {"name", "url", "documents"}
        if unknown:
            raise record.error(sorted(unknown)[0], "unknown field (known: name, url, documents)")
        repository, created = Repository.objects.get_or_create(name=data["name"], defaults={"url": data.get("url") or ""})
        if not created and repository.url != (data.get("url") or ""):
            repository.url = data.get("url") or ""
            repository.save(update_fields=["url"])
            stats.count("terms watch repositories", "updated")
        else:
            stats.count("terms watch repositories", "created" if created else "unchanged")
        existing = {(d.service, d.document_type): d for d in repository.documents.all()}
        seen = set()
        for i, entry in enumerate(data.get("documents") or []):
            where = f"documents[{i}]"
            if not isinstance(entry, dict) or not entry.get("service") or not entry.get("type"):
                raise record.error(where, "each document needs a service and a type")
            extra = set(entry) - DOCUMENT_FIELDS
            if extra:
                raise record.error(f"{where}.{sorted(extra)[0]}", f"unknown field (known: {', '.join(sorted(DOCUMENT_FIELDS))})")
            key = (entry["service"], entry["type"])
            if key in seen:
                raise record.error(where, f"{key[0]} / {key[1]} is listed twice")
            seen.add(key)
            spdx_id = entry.get("terms")
            if spdx_id is not None and spdx_id not in known:
                raise record.error(f"{where}.terms", f'no terms document "{spdx_id}" in the knowledge base')
            terms_id, note = known.get(spdx_id), entry.get("note") or ""
            document = existing.get(key)
            if document is None:
                TrackedDocument.objects.create(repository=repository, service=key[0], document_type=key[1], terms_id=terms_id, note=note)
                stats.count("tracked documents", "created")
            elif (document.terms_id, document.note) != (terms_id, note):
                document.terms_id, document.note = terms_id, note
                document.save(update_fields=["terms", "note"])
                stats.count("tracked documents", "updated")
            else:
                stats.count("tracked documents", "unchanged")
        progress()


def dump_mapping():
    records = []
    for repository in Repository.objects.prefetch_related("documents__terms"):
        documents = []
        for d in repository.documents.all():
            entry = {"service": d.service, "type": d.document_type, "terms": d.terms.spdx_id if d.terms else None}
            if d.note:
                entry["note"] = d.note
            documents.append(entry)
        records.append({"name": repository.name, "url": repository.url, "documents": documents})
    return records
