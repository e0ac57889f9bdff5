"""The context-note contract: a note with its id, for editing it on its own."""

from app.schemas.claims import Source
from app.schemas.common import Schema


class NotePublic(Schema):
    """What another source says that bears on a claim, addressable as /v1/notes/{id}."""

    id: int
    claim_id: str
    note: str
    sources: list[Source]
