"""Properties of search: any string as `q` gets an answer, never a server error."""

from __future__ import annotations

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.services.search.query import QueryError, parse, to_fts5, to_tsquery

# Text with the query syntax's own characters over-represented, so operators and quotes collide.
query_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("\"()*-:^ AND OR NOT NEAR careem fin \u2019'\x00")),
        st.characters(codec="utf-8"),
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=query_text)
def test_any_query_string_is_answered_without_a_server_error(client: TestClient, q: str) -> None:
    for path in ("/v1/search", "/v1/claims", "/v1/claims/facets", "/v1/autocomplete"):
        answer = client.get(path, params={"q": q})
        assert answer.status_code < 500, (path, q, answer.text)


@settings(max_examples=500, deadline=None)
@given(q=query_text)
def test_rendered_engine_queries_quote_every_term(q: str) -> None:
    try:
        node = parse(q)
    except QueryError:
        return
    fts5, tsquery = to_fts5(node), to_tsquery(node)
    # Outside the quoted terms, only the syntax this module writes itself may appear.
    assert set(_outside(fts5, '"')) <= set("() *ANDORNT")
    assert set(_outside(tsquery, "'")) <= set("()&|!<->:* ")


def _outside(text: str, quote: str) -> str:
    return "".join(part for index, part in enumerate(text.split(quote)) if index % 2 == 0)
