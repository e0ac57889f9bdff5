"""Readiness: can the database be reached, and is it migrated to the newest revision?"""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from app.db import Database
from app.schemas.health import Readiness
from app.services import migrations
from app.services.errors import ServiceError


class NotReady(ServiceError):
    """The service cannot answer from its database yet."""


def readiness(database: Database) -> Readiness:
    """Readiness report; raises NotReady saying what is wrong."""
    try:
        revision = migrations.current_revision(database)
    except SQLAlchemyError as error:
        raise NotReady(f"The database cannot be reached: {type(error).__name__}.") from error
    head = migrations.head_revision()
    if revision != head:
        raise NotReady(f"The database is at revision {revision!r}, not {head!r}; run `sectorfacts migrate`.")
    return Readiness(status="ready", database=database.url.get_backend_name(), revision=revision)
