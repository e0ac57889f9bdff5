"""Claim tallies: how many claims there are in all and under each theme, entity, kind, document and
(theme, entity) pair.

Derived state: triggers on the claims and their links keep it exact whatever writes (migrations 0004 and
0005); the app only reads it, in place of counting.
"""

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from app.models.base import DERIVED, key_text


class ClaimTally(SQLModel, table=True):
    """The claims counted under one value of one dimension ("all" has the value "")."""

    __tablename__ = "claim_tally"
    __table_args__ = {"info": DERIVED}

    dimension: str = Field(primary_key=True, max_length=10)
    value: str = Field(primary_key=True, sa_type=key_text(100))
    claims: int


class DataRevision(SQLModel, table=True):
    """A counter that triggers move on at every write to the data answers are computed from (claims,
    links, relations, themes, entities, aliases, documents, search entries, stored claim answers): one row,
    id 1 (migration 0017)."""

    __tablename__ = "data_revision"
    __table_args__ = {"info": DERIVED}

    id: int = Field(primary_key=True)
    revision: int = Field(sa_type=BigInteger)
