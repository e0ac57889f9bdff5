"""Copies of the seed annotations in a temporary folder, edited to make good or bad seed files."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from seed.loader import DEFAULT_ANNOTATIONS

Raw = dict[str, Any]
Edit = Callable[[Raw, Path], None]


def original_raw() -> Raw:
    """The seed annotation file, parsed but not validated."""
    raw: Raw = yaml.safe_load(DEFAULT_ANNOTATIONS.read_text(encoding="utf-8"))
    return raw


def write_seed(folder: Path, edit: Edit | None = None) -> Path:
    """Copy the seed annotations and their text files into `folder`, apply `edit`, return the new path."""
    folder.mkdir(parents=True, exist_ok=True)
    raw = original_raw()
    for document in raw["documents"]:
        if "text_file" not in document:  # a cited document: no text held
            continue
        shutil.copyfile(DEFAULT_ANNOTATIONS.parent / document["text_file"], folder / document["text_file"])
    if edit is not None:
        edit(raw, folder)
    path = folder / "annotations.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def claim(raw: Raw, claim_id: str) -> Raw:
    """The raw claim with this id."""
    found: Raw = next(c for c in raw["claims"] if c["id"] == claim_id)
    return found


def entity(raw: Raw, slug: str) -> Raw:
    """The raw entity with this slug."""
    found: Raw = next(e for e in raw["entities"] if e["slug"] == slug)
    return found


def problem_with(problems: list[str], *needles: str) -> str:
    """The first problem mentioning every needle (case-insensitively); fails listing all problems if none."""
    for problem in problems:
        if all(needle.casefold() in problem.casefold() for needle in needles):
            return problem
    raise AssertionError(f"no problem mentions all of {needles!r}; problems were:\n" + "\n".join(problems))
