"""`QueryModel` reads a query string as Starlette's `request.query_params` does, and refuses an invalid one
the same way every time."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qsl

import pytest
from fastapi.exceptions import RequestValidationError
from hypothesis import given
from hypothesis import strategies as st
from starlette.datastructures import QueryParams
from starlette.requests import Request

from app.api.params import CLAIM_LIST_QUERY, ClaimListQuery
from app.api.query_models import QueryModel, query_pairs

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


@given(st.text(alphabet=st.sampled_from("ab=&%+;2F0 é\t"), max_size=24))
def test_query_pairs_are_parse_qsls_pairs(text: str) -> None:
    assert query_pairs(text) == parse_qsl(text, keep_blank_values=True)
