"""Full-text search over the knowledge base: one interface (`search`), two backends (whoosh, PostgreSQL)."""
