"""Service settings, read once from SECTORFACTS_* environment variables."""

from __future__ import annotations

import json
import re
from typing import Annotated, Literal, Self

import limits
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///data/sectorfacts.db"
_ORIGIN = re.compile(r"\*|[a-z][a-z0-9+.-]*://[^/\s?#]+")
# Fits the docs pages and the explorer: everything from this origin; Swagger UI and ReDoc set inline
# styles and data: images, and ReDoc runs its search in a blob: worker.
DEFAULT_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


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
    pool_size: int = Field(
        default=8,
        ge=1,
        le=256,
        description="Read connections per worker (PostgreSQL); writes a quarter of it.",
    )
    pool_timeout_s: float = Field(
        default=10, gt=0, le=600, description="How long a request waits for a free connection before a 503."
    )
    statement_timeout_ms: int = Field(default=5000, ge=100, le=600_000)
    opentelemetry: bool = Field(
        default=False,
        description="FastAPI's own OpenTelemetry spans, metrics and logs for each request, when an "
        "OpenTelemetry SDK is configured in the process; off: FastAPI does not look for one on every request "
        "(a noticeable share of a small read's CPU). The service's own metrics are at /metrics either way.",
    )
    reads_require_key: bool = Field(
        default=False,
        description="Answer /v1 reads only with `Authorization: Bearer <key>` (any scope); writes always "
        "need a key.",
    )
    cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="Origins browsers may call the API from (comma-separated or a JSON list); `*` for any.",
    )
    cors_allow_credentials: bool = Field(
        default=False, description="Let browsers send cookies (never with `*`)."
    )
    cors_max_age_s: int = Field(
        default=600, ge=0, le=86_400, description="How long browsers cache a preflight."
    )
    cache_control: str = Field(default="no-cache", description="Cache-Control of successful GET answers.")
    gzip_min_bytes: int = Field(default=1024, ge=0, description="Compress bodies at least this large.")
    rate_limit: str | None = Field(
        default=None, description="Requests per client, e.g. `120/minute` or `10/second`; unset: no limit."
    )
    rate_limit_storage: str = Field(
        default="memory://", description="Where counts live (a `limits` storage URI; memory is per process)."
    )
    max_body_bytes: int = Field(default=1_048_576, ge=0, description="Larger request bodies answer 413.")
    query_timeout_ms: int = Field(
        default=5000, ge=0, le=600_000, description="SQLite: time limit on each read query (0: none)."
    )
    inline_read_budget_ms: float = Field(
        default=5,
        ge=0,
        le=1000,
        description="SQLite: a read runs on the event loop (no thread hand-off) while it takes at most this "
        "much CPU time; past it, it is run again in the thread pool (0: every read in the pool). PostgreSQL "
        "reads through psycopg always run on the event loop, which serves other requests while they wait.",
    )
    answer_cache_mb: int = Field(
        default=32,
        ge=0,
        le=4096,
        description="Facets answers each process keeps while the data stay the same, at most this many MB "
        "(0: none kept, each computed).",
    )
    content_security_policy: str = Field(default=DEFAULT_CONTENT_SECURITY_POLICY)
    snapshot_dir: str | None = Field(
        default=None,
        description="The folder `sectorfacts snapshot` writes snapshots to and `GET /v1/snapshots/latest` "
        "serves them from; unset: no snapshots are served.",
    )
    metrics_enabled: bool = Field(default=True, description="Serve Prometheus metrics at /metrics.")
    gc_freeze: bool = Field(
        default=True,
        description="At startup, move what the app built into the garbage collector's permanent generation "
        "(once per process), so that full collections skip it instead of stalling the event loop on it.",
    )
    thread_switch_interval_ms: float = Field(
        default=1.0,
        ge=0.1,
        le=100,
        description="While the app runs, a thread waiting for the interpreter gets it within this long "
        "(Python's own default is 5 ms): a write in a worker thread waits less for the busy event loop "
        "between its statements, and the loop less for the writer.",
    )
    stream_poll_interval_s: float = Field(
        default=0.5,
        gt=0,
        le=60,
        description="How often each process looks for new changes for /v1/changes/stream (a write in the "
        "same process is seen at once).",
    )
    stream_heartbeat_s: float = Field(
        default=15, gt=0, le=300, description="A comment line on an idle change stream this often."
    )
    stream_max_s: float = Field(
        default=300,
        gt=0,
        le=86_400,
        description="A change stream ends after this long; clients reconnect with Last-Event-ID and miss "
        "nothing (and a server shutting down is not held by a stream).",
    )
    shutdown_timeout_s: float = Field(
        default=20, gt=0, le=3600, description="`serve`: at shutdown, how long open answers may still run."
    )
    webhook_delivery: bool = Field(
        default=True,
        description="Deliver webhooks from this server process (one process at a time holds the lease); "
        "off: run `sectorfacts deliver` instead, or deliver nothing.",
    )
    webhook_poll_interval_s: float = Field(
        default=1.0, gt=0, le=600, description="How often the deliverer looks for changes to deliver."
    )
    webhook_timeout_s: float = Field(
        default=10, gt=0, le=120, description="How long a receiver has to answer one delivery."
    )
    webhook_backoff_s: float = Field(
        default=2,
        gt=0,
        le=3600,
        description="Wait after a hook's first failed attempt; doubled after each further one.",
    )
    webhook_backoff_max_s: float = Field(
        default=600, gt=0, le=86_400, description="The longest wait between two attempts."
    )
    webhook_max_attempts: int = Field(
        default=10,
        ge=1,
        le=100,
        description="Failed attempts in a row after which a hook is disabled (re-enable it with PATCH).",
    )
    webhook_lease_s: float = Field(
        default=30,
        gt=0,
        le=3600,
        description="How long the delivering process holds its lease without renewing it: another takes "
        "over this long after it stops.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "text"] = "json"

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            parts = json.loads(text) if text.startswith("[") else text.split(",")
            if not isinstance(parts, list):
                raise ValueError("must be a comma-separated or JSON list of origins")
            origins = tuple(str(part).strip() for part in parts if str(part).strip())
            # An origin is scheme://host[:port], no path: "https://a.example/" would never match.
            if bad := [origin for origin in origins if not _ORIGIN.fullmatch(origin)]:
                raise ValueError(f"not an origin (scheme://host[:port], or *): {', '.join(bad)}")
            return origins
        return value

    @field_validator("cache_control", "content_security_policy")
    @classmethod
    def _header_value(cls, value: str) -> str:
        if any(ord(char) < 32 or ord(char) > 126 for char in value):
            raise ValueError("must be printable ASCII on one line")
        return value

    @field_validator("rate_limit")
    @classmethod
    def _rate_limit(cls, value: str | None) -> str | None:
        if value is not None and value.strip():
            limits.parse(value)
            return value.strip()
        return None

    @model_validator(mode="after")
    def _no_wildcard_with_credentials(self) -> Self:
        if self.cors_allow_credentials and "*" in self.cors_origins:
            raise ValueError("cors_origins `*` cannot be combined with cors_allow_credentials")
        return self
