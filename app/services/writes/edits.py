"""The one skeleton of every revisioned write: check If-Match, load, change, bump the revision, log the
change and keep the search index up to date, all in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Connection, Select, Table, delete

from app.db import Database
from app.pipelining import UNREAD
from app.services.claim_bodies import refresh_claim_bodies
from app.services.revisioned import missing
from app.services.writes.errors import Conflict
from app.services.writes.history import record
from app.services.writes.revisions import Current, bump, check_if_match, require_if_match
from app.services.writes.transaction import Actor, writing

PublicT = TypeVar("PublicT", bound=BaseModel)
KeyT = TypeVar("KeyT", str, int)
# Writes an edit into a loaded resource (its values and next revision, through `Editable.bump`);
# answers False when the edit asks for nothing the resource does not already have, having written nothing,
# True when it wrote, or the resource as it now stands when the change knows it without reading it again.
Change = Callable[[Connection, Current[PublicT]], "bool | PublicT"]
# Refuses to delete a resource still in use (raises Conflict).
Check = Callable[[Current[PublicT]], None]
# Deletes, and logs, what goes with a resource about to be deleted.
Cascade = Callable[[Connection, Actor, Current[PublicT]], None]


def asks_nothing_new(public: BaseModel, values: dict[str, Any]) -> bool:
    """True when the resource already has every value a patch sends."""
    return all(getattr(public, name) == value for name, value in values.items())


def _public_key(current: Current[Any]) -> Any:
    """The key the resource is known by in URLs (most kinds' rows are named by it)."""
    return current.key


def numbered_key(current: Current[Any]) -> int:
    """The row number of a resource named by one (notes, relations): its key as the integer column holds."""
    return int(current.key)


@dataclass(frozen=True)
class Editable(Generic[PublicT, KeyT]):
    """A kind of resource edited at a revision: where its rows are, how to find one, what a change touches."""

    kind: str
    table: Table
    # The column that names a row, and that name taken from the resource (it never changes with an edit).
    column: str
    # The resource by the key a request names, or None when there is none (or it raises Gone/NotFound).
    find: Callable[[Connection, KeyT], Current[PublicT] | None]
    # `find` for loading the resource an edit starts from, when something quicker gives the same answer
    # (a claim's stored body: one statement where `find` runs one per part). After a write in the
    # transaction `find` is used: what is stored is rewritten from it.
    find_to_edit: Callable[[Connection, KeyT], Current[PublicT] | None] | None = None
    key_of: Callable[[Current[PublicT]], KeyT] = _public_key
    reindex: Callable[[Connection, list[str]], object] | None = None
    # In place of `reindex`: the search entry from the resource as it was and is (None: not there).
    reindex_one: Callable[[Connection, PublicT | None, PublicT | None], object] | None = None
    # The claims whose stored bodies show the resource (ids, or a SELECT of them): refreshed by each write.
    # None: the claim of `claim_of`, if any.
    shown_in: Callable[[PublicT], Sequence[str] | Select[Any]] | None = None
    # The claim whose history also lists a change to this resource.
    claim_of: Callable[[PublicT], str] | None = None
    # What a deletion takes with it that is a logged resource of its own (a claim's relations).
    cascade: Cascade[PublicT] | None = None
    # The resource is a claim, built from its rows as its stored body is: a write stores the claim it
    # has just read instead of reading it again.
    is_claim: bool = False
    # A write's transaction runs in a pipeline on PostgreSQL (transaction.writing): for kinds whose
    # writes send no COPY.
    pipeline: bool = False

    def row(self, current: Current[PublicT]) -> ColumnElement[bool]:
        """The condition that selects the resource's row."""
        return self.table.c[self.column] == self.key_of(current)

    def load(self, connection: Connection, key: KeyT, if_match: str) -> Current[PublicT]:
        """The resource as it stands; raises Gone/NotFound, or PreconditionFailed (412) when If-Match
        names another revision."""
        found = (self.find_to_edit or self.find)(connection, key)
        if found is None:
            raise missing(connection, self.kind, str(key))
        check_if_match(if_match, found)
        return found

    def bump(self, connection: Connection, before: Current[PublicT], values: dict[str, Any]) -> None:
        """Write `values` into the resource's row with the next revision; 412 if it moved on meanwhile."""
        bump(connection, self.table, self.row(before), before, values)

    def assigning(self, values: dict[str, Any]) -> Change[PublicT]:
        """The change that writes `values` into the resource's own columns."""

        def change(connection: Connection, before: Current[PublicT]) -> bool:
            if asks_nothing_new(before.public, values):
                return False
            self.bump(connection, before, values)
            return True

        return change

    def refresh_bodies(
        self, connection: Connection, current: Current[PublicT], *, deleted: bool = False
    ) -> None:
        """Rewrite the stored bodies of the claims that show the resource, as it now stands (`deleted`:
        it is gone)."""
        resource = current.public
        known: dict[str, Any] = {str(current.key): None if deleted else resource} if self.is_claim else {}
        if self.shown_in is not None:
            refresh_claim_bodies(connection, self.shown_in(resource), known)
        elif self.claim_of is not None:
            refresh_claim_bodies(connection, [self.claim_of(resource)], known)

    def log(
        self,
        connection: Connection,
        actor: Actor,
        action: str,
        before: Current[PublicT] | None,
        after: Current[PublicT] | None,
    ) -> None:
        """Record the change, and bring the search index up to date with it."""
        subject = after or before
        assert subject is not None
        claim_id = self.claim_of(subject.public) if self.claim_of is not None else None
        record(connection, actor, action, before, after, claim_id=claim_id)
        if self.reindex_one is not None:
            was = before.public if before is not None else None
            self.reindex_one(connection, was, after.public if after is not None else None)
        elif self.reindex is not None:
            self.reindex(connection, [subject.key])

    def created(
        self, connection: Connection, actor: Actor, key: KeyT, known: PublicT | None = None
    ) -> Current[PublicT]:
        """The resource just inserted under `key`, logged as created: `known` when the write built it
        from what it inserted, else read."""
        after = Current(self.kind, str(key), 1, known) if known is not None else self.find(connection, key)
        assert after is not None
        self.refresh_bodies(connection, after)
        self.log(connection, actor, "create", None, after)
        return after

    @contextmanager
    def _loading(
        self, database: Database, key: KeyT, if_match: str | None
    ) -> Iterator[tuple[Connection, Current[PublicT]]]:
        """A write transaction, with the resource at the revision If-Match names (428 without one)."""
        if_match = require_if_match(if_match)
        with writing(database, pipeline=self.pipeline) as connection:
            yield connection, self.load(connection, key, if_match)

    def update(
        self, database: Database, actor: Actor, key: KeyT, if_match: str | None, change: Change[PublicT]
    ) -> Current[PublicT]:
        """Apply `change` to the resource at the revision If-Match names; an edit that changes nothing
        visible writes nothing and answers the resource as it stands."""
        with self._loading(database, key, if_match) as (connection, before):
            outcome = change(connection, before)
            if outcome is False:
                return before
            if outcome is True:
                after = self.find(connection, self.key_of(before))
                assert after is not None
            else:
                # `bump` moved the revision on by one, and nothing else in this transaction did.
                after = Current(self.kind, before.key, before.revision + 1, outcome)
            if after.public == before.public:
                # It wrote only what was there: undo it whole, so no revision is spent and nothing logged.
                connection.rollback()
                return before
            self.refresh_bodies(connection, after)
            self.log(connection, actor, "update", before, after)
            return after

    def delete(
        self,
        database: Database,
        actor: Actor,
        key: KeyT,
        if_match: str | None,
        check: Check[PublicT] | None = None,
    ) -> None:
        """Delete the resource at the revision If-Match names, once `check` allows; its history stays."""
        with self._loading(database, key, if_match) as (connection, before):
            if check is not None:
                check(before)
            if self.cascade is not None:
                self.cascade(connection, actor, before)
            # Its row count is not read: the transaction holds the writers' lock since the load.
            deleting = delete(self.table).where(self.row(before), self.table.c.revision == before.revision)
            connection.execute(deleting.execution_options(**UNREAD))
            self.refresh_bodies(connection, before, deleted=True)
            self.log(connection, actor, "delete", before, None)


def unused(how: str, path: str) -> Check[Any]:
    """The check that refuses (409) to delete a theme or entity claims still carry; `how` they carry it
    ("is on"), and `path` where its claims are listed ("/v1/themes")."""

    def check(resource: Current[Any]) -> None:
        if count := resource.public.claim_count:
            raise Conflict(
                f"The {resource.kind} {resource.key!r} {how} {count} claim(s); take it off them first "
                f"(GET {path}/{resource.key}/claims lists them).",
                claim_count=count,
            )

    return check
