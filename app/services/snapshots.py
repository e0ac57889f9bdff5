"""Snapshots: the whole fact base as files (NDJSON per kind of resource, and a SQLite database) with a
manifest, all from ONE read of the database, and the change id they are consistent with.

Each NDJSON line is a resource exactly as its GET answers it (and as the change log's `after` holds it),
so a mirror loads the files and then applies `GET /v1/changes?since=<change_id>`. A folder holds the
snapshots, each in a subfolder named by its id, and `LATEST` names the newest complete one: a snapshot is
written under a temporary name and renamed, so a reader never sees half of one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from pydantic import BaseModel
from sqlalchemy import Connection, delete, func, select, update

from app.config import Settings
from app.db import Database, create_database
from app.schemas.snapshots import SnapshotFile, SnapshotManifest
from app.services.copying import copy_from, snapshot_read
from app.services.documents import every_document
from app.services.entities import every_entity
from app.services.errors import NotFound
from app.services.notes import every_note
from app.services.tables import API_KEY, CHANGE, CLAIM, CLAIM_BODY
from app.services.themes import every_theme

FORMAT = 1
MANIFEST = "manifest.json"
LATEST = "LATEST"
SQLITE_FILE = "sectorfacts.sqlite"
NDJSON = "application/x-ndjson"
MEDIA_TYPES = {".ndjson": NDJSON, ".sqlite": "application/vnd.sqlite3", ".json": "application/json"}
# The NDJSON files, each named after the kind of resource its lines are.
KINDS = ("claims", "documents", "themes", "entities", "notes")
SNAPSHOT_ID = re.compile(r"[0-9]{8}T[0-9]{6}Z-[0-9]+")
DEFAULT_KEEP = 3
CLAIM_ORDER = (CLAIM.c.document_id, CLAIM.c.span_start, CLAIM.c.span_end, CLAIM.c.id)


class SnapshotError(Exception):
    """A snapshot could not be written; nothing was published."""


def _write_lines(path: Path, lines: Iterable[bytes]) -> int:
    count = 0
    with path.open("wb") as out:
        for line in lines:
            out.write(line)
            out.write(b"\n")
            count += 1
    return count


def _json(models: Iterable[BaseModel]) -> Iterable[bytes]:
    for model in models:
        yield model.__pydantic_serializer__.to_json(model)


def _claim_bodies(reader: Connection) -> Iterable[bytes]:
    """Every claim's stored answer (what GET /v1/claims/{id} answers), in document order."""
    query = (
        select(CLAIM_BODY.c.body)
        .join_from(CLAIM, CLAIM_BODY, CLAIM_BODY.c.claim_id == CLAIM.c.id)
        .order_by(*CLAIM_ORDER)
    )
    for (body,) in reader.execute(query):
        yield body.encode() if isinstance(body, str) else bytes(body)


def _write_sqlite(reader: Connection, path: Path) -> None:
    """The data tables as `reader` sees them, in a new SQLite file, without the API keys."""
    target = create_database(Settings(database_url=f"sqlite:///{path}"))
    try:
        copy_from(reader, target)
        with target.write() as writer:
            # Published: who wrote stays (key_name, as /v1/changes shows it); the keys' hashes do not.
            writer.execute(update(CHANGE).values(key_id=None))
            writer.execute(delete(API_KEY))
    finally:
        target.dispose()
    raw = sqlite3.connect(path)
    try:
        raw.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        raw.execute("VACUUM")  # and no deleted key pages left in it
    finally:
        raw.close()


def _describe(path: Path, records: int | None) -> SnapshotFile:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return SnapshotFile(
        name=path.name,
        media_type=MEDIA_TYPES[path.suffix],
        records=records,
        bytes=path.stat().st_size,
        sha256=digest.hexdigest(),
    )


def _read_into(reader: Connection, work: Path) -> tuple[int, str, dict[str, int]]:
    """Write every file from `reader`'s one snapshot; returns its change id, revision and counts."""
    change_id = int(reader.execute(select(func.coalesce(func.max(CHANGE.c.id), 0))).scalar_one())
    revision = MigrationContext.configure(reader).get_current_revision()
    if revision is None:
        raise SnapshotError("the database is not migrated; run `sectorfacts migrate`")
    counts = {
        "claims": _write_lines(work / "claims.ndjson", _claim_bodies(reader)),
        "documents": _write_lines(work / "documents.ndjson", _json(every_document(reader))),
        "themes": _write_lines(work / "themes.ndjson", _json(every_theme(reader))),
        "entities": _write_lines(work / "entities.ndjson", _json(every_entity(reader))),
        "notes": _write_lines(work / "notes.ndjson", _json(every_note(reader))),
    }
    _write_sqlite(reader, work / SQLITE_FILE)
    return change_id, revision, counts


def write_snapshot(database: Database, folder: Path, *, keep: int = DEFAULT_KEEP) -> SnapshotManifest:
    """Take a snapshot of `database` into a new subfolder of `folder`, make it the latest, and keep only
    the `keep` newest; returns its manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".partial-", dir=folder))
    try:
        with snapshot_read(database) as reader:
            change_id, revision, counts = _read_into(reader, work)
        files = [_describe(work / f"{kind}.ndjson", counts[kind]) for kind in KINDS]
        files.append(_describe(work / SQLITE_FILE, None))
        created = dt.datetime.now(dt.UTC).replace(microsecond=0)
        snapshot_id = f"{created:%Y%m%dT%H%M%SZ}-{change_id}"
        manifest = SnapshotManifest(
            id=snapshot_id,
            format=FORMAT,
            created_at=created,
            change_id=change_id,
            schema_revision=revision,
            counts=counts,
            files=files,
        )
        (work / MANIFEST).write_bytes(manifest.model_dump_json(indent=2).encode() + b"\n")
        final = folder / snapshot_id
        if final.exists():
            raise SnapshotError(f"{final} exists: a snapshot of the same change id was taken this second")
        work.chmod(0o755)  # mkdtemp makes it private; the files are meant to be served
        os.rename(work, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _publish(folder, snapshot_id)
    _prune(folder, keep)
    return manifest


def _publish(folder: Path, snapshot_id: str) -> None:
    pointer = folder / f".{LATEST}.tmp"
    pointer.write_text(snapshot_id + "\n", encoding="utf-8")
    os.replace(pointer, folder / LATEST)  # atomic: readers see the old id or the new one


def _prune(folder: Path, keep: int) -> None:
    taken = sorted(
        (path for path in folder.iterdir() if path.is_dir() and SNAPSHOT_ID.fullmatch(path.name)),
        key=lambda path: path.name,
    )
    for old in taken[: max(0, len(taken) - max(keep, 1))]:
        shutil.rmtree(old, ignore_errors=True)


def _resolve(folder: Path, snapshot_id: str) -> Path:
    """The folder of snapshot `snapshot_id` (`latest`: the newest); raises NotFound."""
    if snapshot_id == "latest":
        try:
            snapshot_id = (folder / LATEST).read_text(encoding="utf-8").strip()
        except OSError:
            raise NotFound("snapshot", "latest") from None
    if not SNAPSHOT_ID.fullmatch(snapshot_id) or not (folder / snapshot_id / MANIFEST).is_file():
        raise NotFound("snapshot", snapshot_id)
    return folder / snapshot_id


def manifest_path(folder: Path, snapshot_id: str = "latest") -> Path:
    """Where the manifest of a snapshot (`latest`: the newest) in `folder` is; raises NotFound."""
    return _resolve(folder, snapshot_id) / MANIFEST


def read_manifest(folder: Path, snapshot_id: str = "latest") -> SnapshotManifest:
    """The manifest of a snapshot (`latest`: the newest) in `folder`; raises NotFound."""
    return SnapshotManifest.model_validate_json(manifest_path(folder, snapshot_id).read_bytes())


def snapshot_file(folder: Path, snapshot_id: str, name: str) -> tuple[Path, SnapshotFile]:
    """A file its snapshot's manifest lists, with its description; raises NotFound for any other name."""
    found = _resolve(folder, snapshot_id)
    manifest = SnapshotManifest.model_validate_json((found / MANIFEST).read_bytes())
    for described in manifest.files:
        if described.name == name:
            return found / name, described
    raise NotFound("snapshot file", name)
