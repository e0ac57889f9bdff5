"""Alembic migrations: the only authority on the schema."""
