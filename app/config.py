"""Service settings, read once from SECTORFACTS_* environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///data/sectorfacts.db"


class Settings(BaseSettings):
    """Everything the service reads from its environment; frozen once built."""

    model_config = SettingsConfigDict(env_prefix="SECTORFACTS_", frozen=True, extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL; a relative SQLite path is relative to the working directory.",
    )
    read_database_url: str | None = Field(
        default=None,
        description="PostgreSQL only: a read replica for queries; writes and migrations use database_url.",
    )
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0, le=600_000)
    seed_on_empty: bool = Field(
        default=True, description="On `serve`, migrate and seed an empty database before serving."
    )
    pool_size: int = Field(default=8, ge=1, le=256, description="Connections per worker (PostgreSQL).")
    pool_timeout_s: float = Field(
        default=10, gt=0, le=600, description="How long a request waits for a free connection before a 503."
    )
    statement_timeout_ms: int = Field(default=5000, ge=100, le=600_000)
