"""The snapshot contract: the whole fact base as files, and the manifest that describes them."""

import datetime as dt

from pydantic import Field

from app.schemas.common import Schema


class SnapshotFile(Schema):
    """One file of a snapshot."""

    name: str = Field(description="The file's name, e.g. `claims.ndjson`.")
    media_type: str
    records: int | None = Field(
        default=None, description="Lines of an NDJSON file (one resource each); null for SQLite."
    )
    bytes: int
    sha256: str = Field(description="SHA-256 of the file, in hex: check a download against it.")


class SnapshotManifest(Schema):
    """What a snapshot holds and the point of the change log it is consistent with."""

    id: str = Field(description="The snapshot's name: when it was taken and its change id.")
    format: int = Field(description="The layout of the files; changes only when they change shape.")
    created_at: dt.datetime
    change_id: int = Field(
        description="The last change the snapshot includes (0: none): apply `GET /v1/changes?since=` this "
        "id to bring it up to date."
    )
    schema_revision: str = Field(description="The database's migration (Alembic revision) when taken.")
    counts: dict[str, int] = Field(
        description="Resources per kind: claims, documents, themes, entities, notes."
    )
    files: list[SnapshotFile]


class PublishedSnapshot(SnapshotManifest):
    """A snapshot's manifest with where to download each file."""

    links: dict[str, str] = Field(description="Each file's name and its download URL (this snapshot's own).")
