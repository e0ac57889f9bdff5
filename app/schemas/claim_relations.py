"""The claim-relation contract: "subject <type> object", with the curator's note, at /v1/relations/{id}."""

from pydantic import Field

from app.models import RelationType
from app.schemas.common import Schema


class RelationPublic(Schema):
    """How one claim bears on another: the subject claim `type` the object claim.

    `supports`, `contradicts`, `qualifies`: the subject supports, contradicts or qualifies the object.
    `same-as`: the subject repeats the object (stored once). `part-of`: the subject is a part of the
    object, a combined claim.
    """

    id: int
    subject_id: str = Field(description="The claim that bears on the object.")
    type: RelationType
    object_id: str = Field(description="The claim it bears on.")
    note: str = Field(description="The curator's note on how the two claims bear on each other.")
