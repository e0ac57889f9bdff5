"""On PostgreSQL a claim write runs in a psycopg pipeline (app/pipelining.py): the statements whose answers
it never reads travel with the next one it reads, and a create sends all its reads before reading any, so
it waits for the server far fewer times than it runs statements; what it reads is answered as outside a
pipeline; and a failing unread statement undoes the whole write."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DBAPIError

from app.db import Database
from app.pipelining import UNREAD
from app.schemas.writes import ClaimCreate, ClaimPatch
from app.services.tables import CHANGE, CLAIM, CLAIM_THEME
from app.services.writes.claims import create_claim, delete_claim, update_claim
from app.services.writes.errors import InvalidWrite
from app.services.writes.transaction import writing
from tests.conftest import statements_on
from tests.databases import engine_under_test
from tests.services.test_claim_numbers import ACTOR, ROWS, _body, _fill

THEME_U = "INSERT INTO theme (slug, name, description, position) VALUES ('u', 'U', 'Another.', 1)"
pytestmark = pytest.mark.skipif(engine_under_test() != "postgresql", reason="psycopg's pipeline mode")


@contextmanager
def answers_awaited(database: Database) -> Iterator[list[int]]:
    """Counts, in the one-item list it yields, the times the write connections waited for the server to
    be ready for more: one ReadyForQuery message each (libpq's protocol trace), at every sync, every
    statement run outside a pipeline, BEGIN and COMMIT."""
    import psycopg

    counted = [0]
    traces: dict[int, Any] = {}

    def trace(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        # Closed when the connection is checked in (`count`).
        file = traces[id(dbapi_connection)] = tempfile.TemporaryFile()  # noqa: SIM115
        dbapi_connection.pgconn.trace(file.fileno())
        dbapi_connection.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)

    def count(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.pgconn.untrace()
        file = traces.pop(id(dbapi_connection))
        file.seek(0)
        counted[0] += file.read().decode().count("\tReadyForQuery\t")
        file.close()

    engine = database.write_engine
    event.listen(engine, "checkout", trace)
    event.listen(engine, "checkin", count)
    try:
        yield counted
    finally:
        event.remove(engine, "checkout", trace)
        event.remove(engine, "checkin", count)


def _waits_and_statements(database: Database, write: Any) -> tuple[int, int]:
    with answers_awaited(database) as waits, statements_on(database.write_engine) as log:
        write()
    return waits[0], len(log.statements)


def test_a_claim_write_waits_for_the_server_far_fewer_times_than_it_runs_statements(
    migrated_database: Database,
) -> None:
    _fill(migrated_database, [*ROWS, THEME_U])
    create_claim(migrated_database, ACTOR, _body())  # warm: first-use work aside
    created: list[str] = []

    def create() -> None:
        created.append(create_claim(migrated_database, ACTOR, _body(quote="Prices rose")).public.id)

    waits, statements = _waits_and_statements(migrated_database, create)
    # BEGIN and the lock with every read the claim needs (its document, its themes, its id's prefix; it
    # names no entity, so none is looked up); the claim number's update; the claim, its links, body,
    # change and search entry with COMMIT. Without the pipeline: 12 (BEGIN, one each, COMMIT).
    assert statements == 10  # BEGIN and COMMIT aside
    assert waits == 3, (waits, statements)

    patch = ClaimPatch(statement="Prices rose again.", themes=["u"])
    waits, statements = _waits_and_statements(
        migrated_database, lambda: update_claim(migrated_database, ACTOR, created[0], "*", patch)
    )
    # BEGIN and the lock with the claim's read; the themes'; the claim's update (its row count is read);
    # its links, body and change with the search entry's update (its row count read too); COMMIT.
    # Without the pipeline: 11.
    assert statements == 9
    assert waits == 5, (waits, statements)

    waits, statements = _waits_and_statements(
        migrated_database, lambda: delete_claim(migrated_database, ACTOR, created[0], "*")
    )
    # BEGIN and the lock with the claim's read; its deletion, change and search entry with COMMIT.
    # Without the pipeline: 7.
    assert statements == 5
    assert waits == 2, (waits, statements)


def test_inside_a_pipeline_reads_see_the_unread_statements_before_them(migrated_database: Database) -> None:
    _fill(migrated_database, ROWS)
    claim_id = create_claim(migrated_database, ACTOR, _body()).public.id
    with writing(migrated_database, pipeline=True) as connection:
        connection.execute(
            text("DELETE FROM claim_theme WHERE claim_id = :id").execution_options(**UNREAD), {"id": claim_id}
        )
        links = connection.execute(select(func.count()).select_from(CLAIM_THEME)).scalar_one()
        renamed = connection.execute(
            text("UPDATE claim SET statement = 'Renamed.' WHERE id IN (:id, 'no-such-claim')"),
            {"id": claim_id},
        )
        assert renamed.rowcount == 1  # a row count read inside the pipeline is the statement's own
        connection.rollback()
    assert links == 0
    with migrated_database.read() as connection:
        assert connection.execute(select(func.count()).select_from(CLAIM_THEME)).scalar_one() == 1


def test_a_failing_unread_statement_undoes_the_whole_write(migrated_database: Database) -> None:
    _fill(migrated_database, ROWS)
    with migrated_database.write() as connection:
        # The search entry, the last statement a create sends and never reads, refuses this statement.
        connection.execute(
            text(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "IF NEW.title = 'Refused.' THEN RAISE EXCEPTION 'refused entry'; END IF; RETURN NEW; END $$"
            )
        )
        connection.execute(
            text("CREATE TRIGGER refuse BEFORE INSERT ON search_entry FOR EACH ROW EXECUTE FUNCTION refuse()")
        )

    def counts() -> tuple[int, int]:
        with migrated_database.read() as connection:
            claims = connection.execute(select(func.count()).select_from(CLAIM)).scalar_one()
            changes = connection.execute(select(func.count()).select_from(CHANGE)).scalar_one()
        return claims, changes

    before = counts()
    refused = ClaimCreate.model_validate({**_body().model_dump(), "statement": "Refused."})
    with pytest.raises(DBAPIError, match="refused entry"):
        create_claim(migrated_database, ACTOR, refused)
    assert counts() == before
    # The connection went back to the pool usable: the next write is made.
    create_claim(migrated_database, ACTOR, _body())
    assert counts() == (before[0] + 1, before[1] + 1)
    _transactions_are_whole_again(migrated_database)


def _transactions_are_whole_again(database: Database) -> None:
    """A write outside a pipeline that raises leaves nothing: the pool lends no connection in autocommit."""

    def write_then_fail() -> None:
        with database.write() as connection:
            connection.execute(
                text("INSERT INTO theme (slug, name, description, position) VALUES ('x', 'X', '', 9)")
            )
            raise RuntimeError("undo")

    with pytest.raises(RuntimeError):
        write_then_fail()
    with database.read() as connection:
        assert connection.execute(text("SELECT count(*) FROM theme WHERE slug = 'x'")).scalar_one() == 0


def test_a_refused_or_empty_write_leaves_nothing_and_the_connection_as_it_was(
    migrated_database: Database,
) -> None:
    _fill(migrated_database, ROWS)
    claim_id = create_claim(migrated_database, ACTOR, _body()).public.id
    with migrated_database.read() as connection:
        changes = connection.execute(select(func.count()).select_from(CHANGE)).scalar_one()
    # Refused before it writes (an unknown theme), then a patch that asks for nothing new (rolled back by
    # the write itself, inside the pipeline).
    with pytest.raises(InvalidWrite):
        create_claim(
            migrated_database, ACTOR, ClaimCreate.model_validate({**_body().model_dump(), "themes": ["nope"]})
        )
    unchanged = update_claim(migrated_database, ACTOR, claim_id, "*", ClaimPatch(kind="fact"))
    assert unchanged.revision == 1
    with migrated_database.read() as connection:
        assert connection.execute(select(func.count()).select_from(CHANGE)).scalar_one() == changes
        assert connection.execute(select(func.count()).select_from(CLAIM)).scalar_one() == 1
    _transactions_are_whole_again(migrated_database)
