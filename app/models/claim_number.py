"""The highest number each claim id prefix has had: where the next server-chosen claim id comes from."""

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from app.models.base import DERIVED, key_text


class ClaimNumber(SQLModel, table=True):
    """Per prefix (`pkit` of `pkit-069`), the highest number of any claim id ever stored with it, live or
    deleted (the change log keeps a deleted one's), and the longest number's digit count.

    Derived state: a trigger moves it past every inserted claim id (migration 0018); a create takes the
    next number from it (app/services/writes/claim_ids.py); loads that bypass the trigger refill it.
    """

    __tablename__ = "claim_number"
    __table_args__ = {"info": DERIVED}

    prefix: str = Field(primary_key=True, sa_type=key_text(100))
    last_number: int = Field(sa_type=BigInteger)
    width: int
