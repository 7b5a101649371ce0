"""What `load_kb` does with curated rows the fixtures no longer contain.

A record deleted from a fixture must leave the database too, or a database loaded before keeps a
fact the curators took back (a lineage edge the source never stated, a jurisdiction code that
was a YAML accident). Only rows the fixtures own are touched: datasets and lineage edges an import
wrote (`imported_from`, evidence `declared`) belong to their importer, and the model registry is
another app. Rows the decision log and `as_of` checks rely on are never deleted (`KeptForever`):
a withdrawn provision or terms version is ended on the day of the load instead, with a note saying
that this end date is the withdrawal, not a date in the source; a clause, which has no window, is
kept and reported so that a curator decides. Rows still referenced by something the fixtures do not
own (an imported dataset naming an organization or a license) are kept and reported.

A row a person created in the admin (its first history record names a user) is not the fixtures' either:
it is kept and reported until someone dumps it into the fixtures (`dump_kb`) or deletes it there.

A section no fixture file mentions at all is left alone: a directory holding only rules must not
empty the knowledge base. Each function takes the section's records (already loaded, so every key
was checked), the load's Stats and the load's date.
"""

from kb import models as kb


def _strings(records, *names):
    """The natural keys the records give, as the strings the database stores."""
    keys = set()
    for record in records:
        data = record.data if isinstance(record.data, dict) else {}
        keys.add(tuple(None if data.get(n) is None else str(data.get(n)) for n in names))
    return keys


def _children(records, child_key, parent_key, *names):
    keys = set()
    for record in records:
        data = record.data if isinstance(record.data, dict) else {}
        for child in data.get(child_key) or []:
            if isinstance(child, dict):
                keys.add((str(data.get(parent_key)), *(None if child.get(n) is None else str(child.get(n)) for n in names)))
    return keys


WITHDRAWN_NOTE = (
    "Withdrawn from the knowledge base on {day}: the fixtures no longer contain it. It is kept because logged "
    "decisions and `as_of` checks may cite it, and ended on that day so that later checks do not apply it; "
    "that end date is the day of the withdrawal, not a date in the source."
)


def created_in_admin(row):
    """The user who created `row` by hand (its first history record names one), or None for rows a load or an
    import wrote: those run without a user."""
    first = row.history.order_by("history_date", "history_id").select_related("history_user").first()
    return first.history_user if first is not None and first.history_user is not None else None


def _keep_if_hand_made(row, kind, label, stats):
    user = created_in_admin(row)
    if user is not None:
        stats.keep(kind, label, f"{user.get_username()} created it in the admin; run dump_kb to make it a fixture, or delete it there")
    return user is not None


def _end(row, kind, label, stats, today):
    """End a kept row (a window it has) on the load's day, once; report it."""
    if row.effective_to is not None and row.effective_to <= today:
        return  # already ended (by an earlier load, or by its own text)
    if _keep_if_hand_made(row, kind, label, stats):
        return
    if row.effective_from is not None and row.effective_from >= today:
        stats.keep(kind, label, "not yet in force, so it cannot be ended today; restore it in the fixtures or end it by hand")
        return
    row.effective_to = today
    note = WITHDRAWN_NOTE.format(day=today.isoformat())
    row.notes = f"{row.notes.rstrip()}\n\n{note}" if row.notes.strip() else note
    row.save(update_fields=["effective_to", "notes"])
    stats.end(kind, label)


def _delete(row, kind, label, stats):
    if not _keep_if_hand_made(row, kind, label, stats):
        stats.remove(kind, label)
        row.delete()


def prune_organizations(records, stats, today):
    wanted = {slug for (slug,) in _strings(records, "slug")}
    for org in kb.Organization.objects.exclude(slug__in=wanted).order_by("slug"):
        users = [
            f"{n} {what}" for n, what in (
                (org.models.count(), "model(s)"), (org.terms_documents.count(), "terms document(s)"), (org.datasets.count(), "dataset(s)"),
            ) if n
        ]
        if users:
            stats.keep("organizations", org.slug, f"still named by {', '.join(users)} the fixtures do not own")
        else:
            _delete(org, "organizations", org.slug, stats)


def prune_jurisdictions(records, stats, today):
    wanted = {code for (code,) in _strings(records, "code")}

    def depth(j):
        return 0 if j.parent is None else 1 + depth(j.parent)

    # Children before parents: a stale subtree goes leaf first.
    for j in sorted(kb.Jurisdiction.objects.exclude(code__in=wanted).select_related("parent"), key=depth, reverse=True):
        if kb.Jurisdiction.objects.filter(parent=j).exists():
            stats.keep("jurisdictions", j.code, "a jurisdiction that is kept lies under it")
        elif j.instruments.exists():
            stats.keep("jurisdictions", j.code, "instruments still name it")
        else:
            _delete(j, "jurisdictions", j.code, stats)


def prune_terms(records, stats, today):
    wanted_docs = {spdx for (spdx,) in _strings(records, "spdx_id")}
    wanted_versions = _children(records, "versions", "spdx_id", "version")
    wanted_clauses = set()
    for record in records:
        data = record.data if isinstance(record.data, dict) else {}
        for version in data.get("versions") or []:
            if isinstance(version, dict):
                for clause in version.get("clauses") or []:
                    if isinstance(clause, dict):
                        wanted_clauses.add((str(data.get("spdx_id")), str(version.get("version")), str(clause.get("key"))))
    for clause in kb.LicenseClause.objects.select_related("version__document").order_by("pk"):
        key = (clause.version.document.spdx_id, clause.version.version, clause.key)
        if key in wanted_clauses or key[:2] not in wanted_versions:
            continue  # a clause of a withdrawn version ends with its version
        stats.keep(
            "clauses", "@".join(key[:2]) + "#" + key[2],
            "clauses are kept forever and have no window to end, and its version is still in the fixtures: "
            "it still applies; restore it in the fixture, or give the version a successor without it",
        )
    for version in kb.TermsVersion.objects.select_related("document").order_by("document__spdx_id", "effective_from"):
        if (version.document.spdx_id, version.version) not in wanted_versions:
            _end(version, "terms versions", f"{version.document.spdx_id}@{version.version}", stats, today)
    for doc in kb.TermsDocument.objects.exclude(spdx_id__in=wanted_docs).order_by("spdx_id"):
        if doc.versions.exists():
            stats.keep("terms documents", doc.spdx_id, "its versions are kept forever (ended above)")
        elif doc.datasets.exists() or doc.datasets_also.exists():
            stats.keep("terms documents", doc.spdx_id, "imported datasets name it as their license")
        else:
            _delete(doc, "terms documents", doc.spdx_id, stats)


def prune_models(records, stats, today):
    wanted = {slug for (slug,) in _strings(records, "slug")}
    # A model's lineage edges go with it (they cascade); curated edges to it are stale anyway, since a
    # fixture edge naming a missing model does not load.
    for model in kb.AIModel.objects.exclude(slug__in=wanted).order_by("slug"):
        _delete(model, "models", model.slug, stats)


def prune_datasets(records, stats, today):
    wanted = {slug for (slug,) in _strings(records, "slug")}
    for dataset in kb.Dataset.objects.filter(imported_from="").exclude(slug__in=wanted).order_by("slug"):
        if dataset.imported_record:
            # An import attached its record to this curated row; deleting it would drop the import too.
            stats.keep("datasets", dataset.slug, "an imported record is attached to it; run the import again after removing it by hand")
        else:
            _delete(dataset, "datasets", dataset.slug, stats)


EDGE_KEY = ("child_model", "child_dataset", "relation", "parent_model", "parent_dataset")


def edge_label(key):
    child, child_dataset, relation, parent, parent_dataset = key
    return f"{child or child_dataset} <- {relation} <- {parent or parent_dataset}"


def prune_lineage(records, stats, today):
    wanted = _strings(records, *EDGE_KEY)
    # Declared edges are an importer's (kb.ingest.dpi), never a fixture's.
    rows = kb.LineageEdge.objects.exclude(evidence_kind=kb.LineageEdge.EvidenceKind.DECLARED).values_list(
        "pk", "child_model__slug", "child_dataset__slug", "relation", "parent_model__slug", "parent_dataset__slug",
    )
    stale = [(pk, key) for pk, *key in rows if tuple(key) not in wanted]
    for pk, key in sorted(stale, key=lambda item: tuple(str(v) for v in item[1])):
        # One by one: the history and the signals see each.
        _delete(kb.LineageEdge.objects.get(pk=pk), "lineage edges", edge_label(key), stats)


def prune_instruments(records, stats, today):
    wanted = {slug for (slug,) in _strings(records, "slug")}
    wanted_refs = {ref for (_slug, ref) in _children(records, "provisions", "slug", "ref")}
    for provision in kb.Provision.objects.exclude(ref__in=wanted_refs).order_by("ref"):
        _end(provision, "provisions", provision.ref, stats, today)
    for instrument in kb.Instrument.objects.exclude(slug__in=wanted).order_by("slug"):
        if instrument.provisions.exists():
            stats.keep("instruments", instrument.slug, "its provisions are kept forever (ended)")
        else:
            _delete(instrument, "instruments", instrument.slug, stats)

