"""Keyset pagination with opaque cursors, shared by every list."""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Select, tuple_

from app.schemas.common import PageMeta
from app.services.errors import InvalidCursor

MAX_INT = 2**63 - 1


def page_json(data: Sequence[Any], meta: PageMeta) -> bytes:
    """A page's JSON body (`{"data": [...], "meta": {...}}`, as `Page` serialises it) from items orjson
    writes as they are: plain dicts in the schema's key order, or `orjson.Fragment`s of JSON text."""
    return orjson.dumps({"data": data, "meta": meta_dict(meta)})


def meta_dict(meta: PageMeta) -> dict[str, Any]:
    """A page's `meta` as its answer shows it: a field a subclass adds is left out while null."""
    return {k: v for k, v in meta.model_dump().items() if v is not None or k in PageMeta.model_fields}


def encode_cursor(kind: str, key: Sequence[str | int | float]) -> str:
    """An opaque token naming the last row of a page of list `kind`."""
    payload = orjson.dumps([kind, *key])  # compact UTF-8 JSON, the bytes json.dumps gives, but faster
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode_cursor(kind: str, token: str, types: Sequence[type]) -> list[Any]:
    """The key inside a token; raises InvalidCursor for anything this service did not issue."""
    try:
        # orjson, for speed: what it refuses and json would take (NaN, integers past 64 bits, text not
        # in UTF-8), the checks below would refuse anyway.
        payload = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise InvalidCursor from error
    if not isinstance(payload, list) or len(payload) != len(types) + 1 or payload[0] != kind:
        raise InvalidCursor
    key = payload[1:]
    for value, expected in zip(key, types, strict=True):
        # bool is an int subclass, and SQLite integers stop at 2**63 - 1.
        if type(value) is not expected or (isinstance(value, int) and not -MAX_INT <= value <= MAX_INT):
            raise InvalidCursor
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidCursor
    return key


def after(statement: Select[Any], order: Sequence[ColumnElement[Any]], key: Sequence[Any]) -> Select[Any]:
    """Restrict an ordered select to the rows after `key` (a row-value comparison the index serves)."""
    return statement.where(tuple_(*order) > tuple_(*key))
