"""Keep a separate search index (whoosh) in step with the database, after each commit.

Saves and deletes of knowledge-base rows mark documents stale; once the transaction commits, one
locked write replaces them. A rolled-back transaction changes nothing. `load_kb` asks for a full
rebuild instead (it may touch every row). With SEARCH_BACKEND=postgres there is nothing to sync.
"""

import logging
import threading

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from kb.search.documents import doc_id, sources
from kb.signals import knowledge_base_loaded

log = logging.getLogger(__name__)

_pending = threading.local()


def _backend():
    from kb.search.base import get_backend

    backend = get_backend()
    return backend if backend.needs_sync else None


def _state():
    """This thread's pending work. Every mark registers an on_commit flush; the first flush after a
    commit takes all pending work and the others find nothing (cheap), so work marked inside a
    savepoint that was rolled back is at worst re-read from the database, never lost."""
    state = getattr(_pending, "state", None)
    if state is None:
        state = _pending.state = {"stale": set(), "rebuild": False}
    transaction.on_commit(_flush)
    return state


def _flush():
    state = getattr(_pending, "state", None)
    _pending.state = None
    if state is None or not (state["stale"] or state["rebuild"]):
        return
    backend = _backend()
    if backend is None:
        return
    try:
        if state["rebuild"]:
            rebuild_index(backend)
        else:
            _update(backend, state["stale"])
    except Exception:
        # The database write has committed; a failed index write must not turn it into an error page.
        # `manage.py rebuild_index` repairs the index.
        log.exception("search index update failed; run `manage.py rebuild_index`")


def _update(backend, stale):
    documents, deleted = [], []
    by_kind = {}
    for kind, pk in stale:
        by_kind.setdefault(kind, set()).add(pk)
    for kind, pks in by_kind.items():
        if kind not in sources():
            continue
        found = sources()[kind].documents(pks)
        documents.extend(found)
        deleted.extend(doc_id(kind, pk) for pk in pks - {d.pk for d in found})
    backend.update(documents, deleted_ids=deleted)


def rebuild_index(backend=None, progress=None):
    from kb.search.documents import all_documents

    backend = backend or _backend()
    if backend is None:
        return 0
    return backend.rebuild(all_documents(), progress=progress)


def mark_stale(sender, instance, deleting=False):
    if _backend() is None:
        return
    stale = set()
    for kind, source in sources().items():
        if sender in source.watched_models():
            pks = [instance.pk] if deleting and sender is source.model else source.stale(sender, instance)
            stale.update((kind, pk) for pk in pks if pk is not None)
    if stale:
        _state()["stale"].update(stale)


def _on_save(sender, instance, raw=False, **kwargs):
    if not raw:
        mark_stale(sender, instance)


def _on_delete(sender, instance, **kwargs):
    mark_stale(sender, instance, deleting=True)


def _on_m2m(sender, instance, action, **kwargs):
    # A model's terms, a rule's citations: the document of the row whose relation changed is stale.
    if action in ("post_add", "post_remove", "post_clear"):
        mark_stale(type(instance), instance)


def _on_loaded(sender, stats, **kwargs):
    # A load that changed nothing leaves a built index as it is (rebuilding it is most of a load's time).
    backend = _backend()
    if backend is not None and (stats.changed or not backend.ids()):
        _state()["rebuild"] = True


def watched_models():
    return {model for source in sources().values() for model in source.watched_models()}


def connect():
    """Called from KbConfig.ready() (and again harmlessly: dispatch_uid dedupes)."""
    for model in watched_models():
        post_save.connect(_on_save, sender=model, dispatch_uid=f"search-save-{model._meta.label}")
        post_delete.connect(_on_delete, sender=model, dispatch_uid=f"search-delete-{model._meta.label}")
    for source in sources().values():
        for m2m in source.model._meta.many_to_many:
            through = m2m.remote_field.through
            m2m_changed.connect(_on_m2m, sender=through, dispatch_uid=f"search-m2m-{through._meta.label}")
    knowledge_base_loaded.connect(_on_loaded, dispatch_uid="search-kb-loaded")
