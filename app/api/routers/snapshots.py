"""/v1/snapshots: the whole fact base as files, for a mirror to load before it follows /v1/changes."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from app.api.openapi import NOT_FOUND
from app.api.params import SnapshotFileName, SnapshotId
from app.api.route_class import ApiRoute
from app.schemas.snapshots import PublishedSnapshot
from app.services import snapshots
from app.services.errors import NotFound

router = APIRouter(prefix="/v1/snapshots", tags=["snapshots"], route_class=ApiRoute)
_ID = "20261206T085839Z-0"
# The files of a snapshot of the seeded database (`sectorfacts snapshot`), as its manifest lists them.
_FILES: list[dict[str, object]] = [
    {
        "name": name,
        "media_type": snapshots.MEDIA_TYPES["." + name.rsplit(".", 1)[1]],
        "records": records,
        "bytes": size,
        "sha256": digest,
    }
    for name, records, size, digest in (
        ("claims.ndjson", 68, 38336, "2b71a76d907ff8ede497aab6688ecf8ac140ef08911534b56a1ccfaabaf8b683"),
        ("documents.ndjson", 1, 4372, "2ac66c7e8dca88789c3e2c3b906602787228a5fb540476cbfa40ea09f419ae9d"),
        ("themes.ndjson", 11, 2106, "48d276547421c1a79162a33f644b8e0740b9b9f82da32f395036784e44bd2562"),
        ("entities.ndjson", 21, 4733, "b716b858738d83c2bd3e55969628d8feaea59f87711aba09dc91c472d6cdb8fa"),
        ("notes.ndjson", 6, 2907, "786138fa66ed2e049cb3ed5f12ffa69979a8d8160455438e6d863f45e5b9eda5"),
        (
            "sectorfacts.sqlite",
            None,
            438272,
            "a122ebf594096e4b2eaa5de824027328e07ab25bb008f8e2c4df688722854d7f",
        ),
    )
]
# Its manifest.json.
MANIFEST_EXAMPLE: dict[str, object] = {
    "id": _ID,
    "format": 1,
    "created_at": "2026-12-06T08:58:39Z",
    "change_id": 0,
    "schema_revision": "0011",
    "counts": {"claims": 68, "documents": 1, "themes": 11, "entities": 21, "notes": 6},
    "files": _FILES,
}
# A line of themes.ndjson: a theme as GET /v1/themes/{slug} answers it.
NDJSON_EXAMPLE = (
    '{"slug":"outlook","name":"Outlook","description":"Expectations and predictions about the future of '
    'Pakistan\u2019s IT sector and tech ecosystem.","claim_count":6}\n'
)
FILE_EXAMPLES: dict[str, object] = {
    snapshots.NDJSON: NDJSON_EXAMPLE,
    "application/vnd.sqlite3": "(the SQLite database file)",
}
PUBLISHED_EXAMPLE = MANIFEST_EXAMPLE | {
    "links": {file["name"]: f"http://127.0.0.1:8000/v1/snapshots/{_ID}/{file['name']}" for file in _FILES}
}


def _folder(request: Request) -> Path:
    """The configured snapshots folder; without one there is no snapshot to find."""
    configured: str | None = request.app.state.settings.snapshot_dir
    if not configured:
        raise NotFound("snapshot", "latest")
    return Path(configured)


@router.get(
    "/latest",
    summary="Get the latest snapshot",
    response_model=PublishedSnapshot,
    responses={200: {"content": {"application/json": {"example": PUBLISHED_EXAMPLE}}}, **NOT_FOUND},
)
def get_latest_snapshot(request: Request) -> PublishedSnapshot:
    """The newest snapshot's manifest: its change id, schema revision, counts, and each file's size,
    SHA-256 and download link.

    Load the files (NDJSON, one resource per line as its GET answers it; or the SQLite file), then apply
    `GET /v1/changes?since=<change_id>` to be up to date. The links name this snapshot's id, so the files
    stay those of this manifest when a newer snapshot is taken meanwhile. 404 before the first snapshot.
    """
    manifest = snapshots.read_manifest(_folder(request))
    base = str(request.base_url).rstrip("/")
    links = {file.name: f"{base}/v1/snapshots/{manifest.id}/{file.name}" for file in manifest.files}
    return PublishedSnapshot(**manifest.model_dump(), links=links)


@router.get(
    "/{snapshot_id}/{file}",
    summary="Download a snapshot file",
    responses={
        200: {
            "description": "The file, as its manifest describes it (ETag: its SHA-256).",
            "content": {
                media_type: {"schema": {"type": "string", "format": "binary"}, "example": example}
                for media_type, example in FILE_EXAMPLES.items()
            },
        },
        **NOT_FOUND,
    },
    response_class=FileResponse,
)
def get_snapshot_file(request: Request, snapshot_id: SnapshotId, file: SnapshotFileName) -> FileResponse:
    """One file of a snapshot (`latest` for the newest): an NDJSON file or the SQLite file; 404 for a
    file its manifest does not list."""
    folder = _folder(request)
    path, described = snapshots.snapshot_file(folder, snapshot_id, file)
    return FileResponse(
        path,
        media_type=described.media_type,
        filename=described.name,
        headers={"ETag": f'"{described.sha256}"'},
    )
