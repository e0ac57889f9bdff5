"""`QueryModel` reads a query string as Starlette's `request.query_params` does, and keeps the models of
the query strings asked most recently, never an invalid one."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict
from starlette.datastructures import QueryParams
from starlette.requests import Request

from app.api.params import CLAIM_LIST_QUERY, ClaimListQuery
from app.api.query_models import KEPT_QUERIES, KEPT_QUERY_BYTES, QueryModel

QUERY_STRINGS = [
    b"",
    b"theme=talent-workforce",
    b"theme=talent-workforce&entity=careem&limit=5",
    b"theme=a&theme=b,c&kind=fact&kind=",
    b"limit=3&limit=7",
    b"q=caf%C3%A9+bar&sort=relevance&unknown=1",
    b"theme=&entity=%20careem%20&contradicted=true&as_of=2020-02",
    b"quantity_min=1e3&quantity_max=2000&quantity_unit=USD&include_undated=false",
    b"cursor=WyJjbGFpbXMiXQ&format=jsonld&orphaned=0",
    b"&&theme=x&=y&theme",
]


def _as_before(query_string: bytes) -> ClaimListQuery:
    """The model as it was built from `request.query_params`: each field looked up in turn."""
    given = QueryParams(query_string)
    values: dict[str, Any] = {}
    for name in ClaimListQuery.model_fields:
        if name in CLAIM_LIST_QUERY.lists:
            if found := given.getlist(name):
                values[name] = found
        elif (value := given.get(name)) is not None:
            values[name] = value
    return ClaimListQuery.model_validate(values)


def _request(query_string: bytes) -> Request:
    return Request(
        {"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": query_string}
    )


@pytest.mark.parametrize("query_string", QUERY_STRINGS)
def test_a_query_string_gives_the_model_the_query_params_gave(query_string: bytes) -> None:
    assert CLAIM_LIST_QUERY.validated(query_string) == _as_before(query_string)
    assert asyncio.run(CLAIM_LIST_QUERY(_request(query_string))) == _as_before(query_string)


@pytest.mark.parametrize("query_string", [b"limit=0", b"theme=a&cursor=not+a+cursor", b"sort=x&format=xml"])
def test_an_invalid_query_string_is_refused_every_time_with_the_same_errors(query_string: bytes) -> None:
    model = QueryModel(ClaimListQuery)
    errors = []
    for _ in range(2):
        with pytest.raises(RequestValidationError) as raised:
            asyncio.run(model(_request(query_string)))
        errors.append(raised.value.errors())
    assert errors[0] == errors[1]
    assert all(error["loc"][0] == "query" for error in errors[0])
    assert model.kept.cache_info().currsize == 0


def test_the_models_kept_are_shared_and_bounded() -> None:
    model = QueryModel(ClaimListQuery)
    first = asyncio.run(model(_request(b"theme=a&limit=3")))
    assert asyncio.run(model(_request(b"theme=a&limit=3"))) is first
    assert asyncio.run(model(_request(b"limit=3&theme=a"))) == first  # another string, an equal model
    for index in range(KEPT_QUERIES + 10):
        asyncio.run(model(_request(b"limit=%d" % (index % 100 + 1) + b"&theme=%d" % index)))
    assert model.kept.cache_info().currsize == KEPT_QUERIES
    long = b"theme=" + b",".join([b"a" * 100] * (KEPT_QUERY_BYTES // 100 + 1))
    assert asyncio.run(model(_request(long))) is not asyncio.run(model(_request(long)))  # not kept


def test_a_model_that_can_change_is_never_kept() -> None:
    class Mutable(BaseModel):
        model_config = ConfigDict(extra="ignore")
        limit: int = 1

    model = QueryModel(Mutable)
    assert asyncio.run(model(_request(b"limit=2"))) is not asyncio.run(model(_request(b"limit=2")))
