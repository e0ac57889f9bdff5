"""Leases: a named job that one process at a time may run, held by renewing it before it expires."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.db import Database
from app.services.tables import LEASE


def acquire(database: Database, name: str, holder: str, seconds: float) -> bool:
    """Take or renew the lease `name` for `holder` for `seconds`; False while another holder's is live."""
    now = dt.datetime.now(dt.UTC)
    expires = now + dt.timedelta(seconds=seconds)
    try:
        with database.write() as connection:
            held = connection.execute(select(LEASE.c.name).where(LEASE.c.name == name)).one_or_none()
            if held is None:
                connection.execute(insert(LEASE).values(name=name, holder=holder, expires_at=expires))
                return True
            taken = connection.execute(
                update(LEASE)
                .where(LEASE.c.name == name, or_(LEASE.c.holder == holder, LEASE.c.expires_at < now))
                .values(holder=holder, expires_at=expires)
            )
            return taken.rowcount == 1
    except IntegrityError:  # another process made the row first
        return False


def release(database: Database, name: str, holder: str) -> None:
    """Give the lease up now (at shutdown), so another process need not wait for it to expire."""
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    with database.write() as connection:
        connection.execute(
            update(LEASE).where(LEASE.c.name == name, LEASE.c.holder == holder).values(expires_at=past)
        )
