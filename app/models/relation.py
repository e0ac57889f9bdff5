"""Claim relations: how one claim bears on another (supports, contradicts, qualifies, repeats, is part of)."""

from typing import Literal, get_args

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import key_text

RelationType = Literal["supports", "contradicts", "qualifies", "same-as", "part-of"]
RELATION_TYPES: tuple[str, ...] = get_args(RelationType)


class ClaimRelation(SQLModel, table=True):
    """ "subject <type> object", with the curator's note on how the two claims bear on each other.

    `part-of`: the subject is a part of the object (a combined claim). `same-as`: the subject repeats
    the object; stored once, never mirrored. A claim never relates to itself, and a triple is stored
    once. Deleting either claim deletes the relation (the foreign keys cascade).
    """

    __tablename__ = "claim_relation"
    __table_args__ = (
        CheckConstraint("type IN ('" + "', '".join(RELATION_TYPES) + "')", name="type"),
        CheckConstraint("subject_id <> object_id", name="not_self"),
        UniqueConstraint("subject_id", "type", "object_id"),
        # A claim's relations are read from both ends.
        Index("ix_claim_relation_object_id_type", "object_id", "type"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subject_id: str = Field(foreign_key="claim.id", ondelete="CASCADE", sa_type=key_text(100))
    type: str = Field(max_length=20)
    object_id: str = Field(foreign_key="claim.id", ondelete="CASCADE", sa_type=key_text(100))
    note: str
    # Bumped by every write; the ETag names it (app/services/writes/revisions.py).
    revision: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
