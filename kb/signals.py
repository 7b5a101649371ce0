"""Signals other parts of Provenant listen to (the search index, the engine's snapshot cache)."""

from django.dispatch import Signal

# Sent inside load_kb's transaction once every section has loaded, and by an importer (kb.ingest) that
# wrote rows in bulk (no per-row signals); kwargs: stats.
knowledge_base_loaded = Signal()
