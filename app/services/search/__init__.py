"""Full-text search: one analyzer in Python, so SQLite FTS5 and PostgreSQL tsvector index the same terms."""
