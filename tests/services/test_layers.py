"""Imports go one way between the layers: read from the source with `ast`, so nothing is imported to check."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Layer -> the modules it must not import (a name refuses itself and everything under it).
FORBIDDEN = {
    "app.services": ("fastapi", "starlette", "app.api", "seed", "app.drafting"),
    "migrations": ("app", "seed"),
    "app.models": ("app.services", "app.schemas", "app.api"),
    "app.schemas": ("app.services", "app.api"),
}
# Packages whose imports of one another must form no loop.
PACKAGES = ("seed", "migrations", "app.services", "app.drafting", "app.schemas", "app.models", "app.api")


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(source: str, module: str, is_package: bool = False) -> Iterator[tuple[int, str]]:
    """Every name the source of `module` imports, dotted in full (relative imports resolved), with its
    line: `from app import api` is `app.api`, as a module or a name in one may be."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            origin = ".".join([*base, *([node.module] if node.module else [])])
            yield from ((node.lineno, f"{origin}.{alias.name}".lstrip(".")) for alias in node.names)


def _files(layer: str) -> list[Path]:
    folder = ROOT.joinpath(*layer.split("."))
    return sorted(folder.rglob("*.py"))


def _imports_of(path: Path) -> Iterator[tuple[int, str]]:
    return _imports(path.read_text(encoding="utf-8"), _module(path), path.name == "__init__.py")


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _refused(layer: str, imported: Iterator[tuple[int, str]]) -> list[tuple[int, str]]:
    return [(line, name) for line, name in imported if any(_within(name, no) for no in FORBIDDEN[layer])]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_layer_imports_what_it_must_not(layer: str) -> None:
    assert _files(layer), f"{layer} has no files: the check would pass vacuously"
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in _files(layer)
        for line, name in _refused(layer, _imports_of(path))
    ]
    assert wrong == []


def test_the_check_sees_plain_from_and_relative_imports() -> None:
    """A parser that saw no import would let every layer pass."""
    source = "\n".join(
        [
            "import fastapi.routing",
            "from seed.loader import load_seed",
            "from ..api import deps",
            "import json",
            "from app import drafting",
            "from app.services.keys import lookup_key",
        ]
    )
    found = _refused("app.services", _imports(source, "app.services.sample"))
    assert found == [
        (1, "fastapi.routing"),
        (2, "seed.loader.load_seed"),
        (3, "app.api.deps"),
        (5, "app.drafting"),
    ]


def _package(name: str) -> str | None:
    """The package of PACKAGES that the module or name `name` belongs to (the most specific one)."""
    matches = [package for package in PACKAGES if _within(name, package)]
    return max(matches, key=len, default=None)


def test_the_packages_import_one_another_without_loops() -> None:
    edges: dict[str, set[str]] = {package: set() for package in PACKAGES}
    for package in PACKAGES:
        for path in _files(package):
            owner = _package(_module(path))
            for _, name in _imports_of(path):
                target = _package(name)
                if owner is not None and target is not None and target != owner:
                    edges[owner].add(target)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(
            following == goal or (following not in seen and reaches(following, goal, seen | {following}))
            for following in edges[start]
        )

    loops = sorted(f"{a} -> {b} -> ... -> {a}" for a in PACKAGES for b in edges[a] if reaches(b, a, {b}))
    assert loops == []
