"""Liveness and readiness answers."""

from typing import Literal

from app.schemas.common import Schema


class Liveness(Schema):
    """The process is up."""

    status: Literal["ok"]


class Readiness(Schema):
    """The database is reachable and migrated to the newest revision."""

    status: Literal["ready"]
    database: str
    revision: str | None
