"""The theme contract."""

from app.schemas.common import Schema


class ThemePublic(Schema):
    """A theme and how many claims concern it."""

    slug: str
    name: str
    description: str
    claim_count: int
