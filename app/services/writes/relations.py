"""Claim relations: created, retyped or re-noted, and deleted one at a time, each in the change log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select

from app.db import Database
from app.schemas.claim_relations import RelationPublic
from app.schemas.writes import RelationCreate, RelationPatch
from app.services.claim_relations import current_relation
from app.services.tables import CLAIM, CLAIM_RELATION
from app.services.writes import edits
from app.services.writes.errors import Conflict, InvalidWrite
from app.services.writes.revisions import Current
from app.services.writes.transaction import Actor, transacted

# A relation's changes are listed in its subject's history; both claims' stored bodies show it.
RELATIONS = edits.Editable(
    "relation",
    CLAIM_RELATION,
    "id",
    key_of=edits.numbered_key,
    find=current_relation,
    claim_of=lambda relation: relation.subject_id,
    shown_in=lambda relation: [relation.subject_id, relation.object_id],
)


def _refuse_duplicate(connection: Connection, subject: str, type_: str, object_: str) -> None:
    """Conflict (409) when the triple is stored already (a same-as either way round)."""
    pairs = [(subject, object_)] + ([(object_, subject)] if type_ == "same-as" else [])
    for one, other in pairs:
        found = connection.execute(
            select(CLAIM_RELATION.c.id).where(
                CLAIM_RELATION.c.subject_id == one,
                CLAIM_RELATION.c.type == type_,
                CLAIM_RELATION.c.object_id == other,
            )
        ).scalar()
        if found is not None:
            raise Conflict(
                f"The relation {one} {type_} {other} exists already: /v1/relations/{found}.",
                relation_id=found,
            )


@transacted
def create_relation(connection: Connection, actor: Actor, body: RelationCreate) -> Current[RelationPublic]:
    """Relate two claims; raises InvalidWrite (422) for an unknown claim or a claim related to itself,
    Conflict (409) for a relation that exists already."""
    claims = [body.subject_id, body.object_id]
    known = set(connection.execute(select(CLAIM.c.id).where(CLAIM.c.id.in_(claims))).scalars())
    errors = [
        (f"body.{role}", f"unknown claim {claim_id!r}")
        for role, claim_id in (("subject_id", body.subject_id), ("object_id", body.object_id))
        if claim_id not in known
    ]
    if body.subject_id == body.object_id:
        errors.append(("body.object_id", "a claim cannot relate to itself"))
    if errors:
        raise InvalidWrite(errors)
    _refuse_duplicate(connection, body.subject_id, body.type, body.object_id)
    relation_id = connection.execute(
        insert(CLAIM_RELATION).values(**body.model_dump()).returning(CLAIM_RELATION.c.id)
    ).scalar_one()
    return RELATIONS.created(connection, actor, relation_id)


def update_relation(
    database: Database, actor: Actor, relation_id: int, if_match: str | None, body: RelationPatch
) -> Current[RelationPublic]:
    """Merge-patch a relation's type or note at the revision If-Match names; 409 if the new type makes
    it a relation that exists already."""
    values = body.changes()

    def change(connection: Connection, before: Current[RelationPublic]) -> bool:
        old = before.public
        if values.get("type", old.type) != old.type:
            _refuse_duplicate(connection, old.subject_id, values["type"], old.object_id)
        return RELATIONS.assigning(values)(connection, before)

    return RELATIONS.update(database, actor, relation_id, if_match, change)


def delete_relations_of(connection: Connection, actor: Actor, claim: Current[Any]) -> None:
    """Delete the relations of a claim about to be deleted, each logged as a change of its own."""
    if not claim.public.relations:
        return  # the claim as loaded in this transaction lists all of them, as subject and as object
    relation_ids = connection.execute(
        select(CLAIM_RELATION.c.id)
        .where(or_(CLAIM_RELATION.c.subject_id == claim.key, CLAIM_RELATION.c.object_id == claim.key))
        .order_by(CLAIM_RELATION.c.id)
    ).scalars()
    for relation_id in list(relation_ids):
        before = current_relation(connection, relation_id)
        assert before is not None
        connection.execute(delete(CLAIM_RELATION).where(CLAIM_RELATION.c.id == relation_id))
        RELATIONS.log(connection, actor, "delete", before, None)


def delete_relation(database: Database, actor: Actor, relation_id: int, if_match: str | None) -> None:
    """Remove a relation; it stays in its subject claim's history."""
    RELATIONS.delete(database, actor, relation_id, if_match)
