"""Loads an annotation file (by default the seed's) into the database; runs on first start, `seed` and in
tests."""

from __future__ import annotations

from pathlib import Path

from app.db import Database
from app.services.annotations import read_annotations
from seed import sync

SEED_DIR = Path(__file__).resolve().parent
DEFAULT_ANNOTATIONS = SEED_DIR / "annotations.yaml"


def load_seed(database: Database, path: Path = DEFAULT_ANNOTATIONS) -> sync.SyncReport:
    """Validate an annotation file and bring the database in line with it, in one transaction."""
    data = read_annotations(path)
    with database.write() as connection:
        return sync.apply(connection, data.annotations, data.texts)
