"""Each claim's answer, stored: the JSON object the API sends for it, written by the service."""

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from app.models.base import DERIVED, key_text


class ClaimBody(SQLModel, table=True):
    """A claim's public JSON (`ClaimPublic` serialised), kept by `app.services.claim_bodies`.

    Derived state: lists read it by primary key and splice the bytes into their answer as they are.
    Deleting the claim deletes it (the foreign key cascades).
    """

    __tablename__ = "claim_body"
    # SQLite keeps each answer inline with its key.
    __table_args__ = {"sqlite_with_rowid": False, "info": DERIVED}

    claim_id: str = Field(foreign_key="claim.id", primary_key=True, ondelete="CASCADE", sa_type=key_text(100))
    body: str = Field(sa_type=Text())
