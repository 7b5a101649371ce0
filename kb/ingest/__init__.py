"""Importers: outside records brought into the knowledge base as `declared` knowledge, labelled by
where they came from (`Dataset.imported_from`), never outranking what a person verified."""
