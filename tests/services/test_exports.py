"""Exports at the service level: keyset batches (statements, released connections) and CSV/NDJSON shapes."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, insert

from app.db import Database
from app.schemas.claims import RELATION_READINGS, ClaimPublic
from app.services import anchoring, claims, exports, jsonld
from app.services.claim_bodies import refresh_claim_bodies
from app.services.claim_filters import ClaimFilters
from app.services.claims import current_claim
from app.services.errors import NotFound, UnknownFilterValues
from app.services.tables import CLAIM, CLAIM_ENTITY, CLAIM_THEME, CONTEXT_NOTE, DOCUMENT, ENTITY, THEME
from tests.conftest import StatementLog

DOCUMENT_ID = "doc-tricky"
DOCUMENT_URL = "https://example.org/articles/tricky?lang=en"
# (id, statement, quote): CSV-hostile and non-ASCII text that must come back exactly.
TRICKY_CLAIMS = [
    ("x-001", 'A statement, with "double quotes", and commas', 'He said "yes", then left'),
    ("x-002", "Line one\nline two\r\nline three", "a quote\nover two lines"),
    ("x-003", "Unicode: Pakistan’s café, 中文, — and 🚀", "“curly” quotes, ‘single’ ones & an emoji 🚀"),  # noqa: RUF001
    ("x-004", "=SUM(A1:A2) only looks like a formula", "-leading dash & ampersand, comma"),
]
FILLER_COUNT = 19
TOTAL = len(TRICKY_CLAIMS) + FILLER_COUNT


def insert_claims(database: Database, *, url: str | None = DOCUMENT_URL) -> list[str]:
    """A document whose text holds each claim's quote at its span; returns the claim ids in document order."""
    rows = [
        *TRICKY_CLAIMS,
        *((f"f-{n:03}", f"Filler claim {n}.", f"filler quote {n}") for n in range(FILLER_COUNT)),
    ]
    text, claim_rows = "", []
    for n, (claim_id, statement, quote) in enumerate(rows):
        text += "Some words before. "
        span = {"span_start": len(text), "span_end": len(text) + len(quote)}
        claim_rows.append({"id": claim_id, "document_id": DOCUMENT_ID, "statement": statement, "quote": quote,
                           "kind": "fact" if n % 2 else "opinion", "anchor_version": 1, **span})  # fmt: skip
        text += quote + " "
    with database.write() as connection:
        connection.execute(
            insert(DOCUMENT).values(
                id=DOCUMENT_ID,
                title="A “tricky”, test document",
                text=text,
                sha256=hashlib.sha256(text.encode()).hexdigest(),
                language="en",
                publisher="Example Press",
                url=url,
                published_date=dt.date(2024, 5, 17),
            )
        )
        connection.execute(
            insert(THEME),
            [
                {"id": 1, "slug": "alpha", "name": "Alpha, first", "description": "A.", "position": 1},
                {"id": 2, "slug": "beta", "name": "Beta", "description": "B.", "position": 2},
            ],
        )
        connection.execute(
            insert(ENTITY),
            [
                {"id": 1, "slug": "acme", "name": "Acme", "name_key": "acme", "type": "company",
                 "description": "A company.", "external_ids": {}},
                {"id": 2, "slug": "ruritania", "name": "Ruritania", "name_key": "ruritania",
                 "type": "country", "description": "A country.", "external_ids": {}},
            ],
        )  # fmt: skip
        anchoring.sync_versions(connection, [DOCUMENT_ID])  # its text as version 1
        connection.execute(insert(CLAIM), claim_rows)
        connection.execute(
            insert(CLAIM_THEME),
            [{"claim_id": row[0], "theme_id": 1 + n % 2} for n, row in enumerate(rows)]
            + [{"claim_id": "x-001", "theme_id": 2}],
        )
        connection.execute(
            insert(CLAIM_ENTITY),
            [{"claim_id": "x-001", "entity_id": 1}, {"claim_id": "x-001", "entity_id": 2},
             {"claim_id": "x-003", "entity_id": 1}],
        )  # fmt: skip
        connection.execute(
            insert(CONTEXT_NOTE),
            [
                {"claim_id": "x-001", "position": 0, "note": 'Another paper says "no", firmly.',
                 "sources": [{"title": "Paper, one", "publisher": None, "url": "https://example.net/1",
                              "date": "2020"}]},
                {"claim_id": "x-001", "position": 1, "note": "A second note\nover two lines.",
                 "sources": [{"title": None, "publisher": "Press", "url": None, "date": None}]},
            ],
        )  # fmt: skip
        refresh_claim_bodies(connection)  # the rows were written past the service
    return [row[0] for row in rows]


@pytest.fixture
def export_database(migrated_database: Database) -> Database:
    """A fresh database holding the tricky document and its claims."""
    insert_claims(migrated_database)
    return migrated_database


def parse_csv(text: str) -> list[dict[str, str]]:
    """CSV text as rows keyed by the header, checking the header is exactly the documented columns."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert tuple(reader.fieldnames or ()) == exports.CSV_COLUMNS
    return list(reader)


def csv_view(claim: dict[str, Any]) -> dict[str, str]:
    """What a claim's CSV row must hold, computed from its JSON shape."""
    return {
        "id": claim["id"],
        "statement": claim["statement"],
        "kind": claim["kind"],
        "document_id": claim["document_id"],
        # A paraphrase has no span and no quote: empty cells.
        "span_start": str(claim["span"]["start"]) if claim["span"] else "",
        "span_end": str(claim["span"]["end"]) if claim["span"] else "",
        "quote": claim["quote"] if claim["quote"] is not None else "",
        "themes": "|".join(theme["slug"] for theme in claim["themes"]),
        "entities": "|".join(entity["slug"] for entity in claim["entities"]),
        "context": "\n".join(note["note"] for note in claim["context"]),
        "context_json": json.dumps(claim["context"], ensure_ascii=False, separators=(",", ":")),
        "basis": claim["basis"],
        **{
            f"source_{name}": claim["source"][name] or ""
            for name in ("title", "publisher", "url", "published_date")
        },
        **{
            reading: ";".join(r["claim"]["id"] for r in claim["relations"] if r["relation"] == reading)
            for reading in RELATION_READINGS
        },
        **{name: str(count) for name, count in claim["corroboration"].items()},
        "relations_json": json.dumps(claim["relations"], ensure_ascii=False, separators=(",", ":")),
        "valid_from": claim["validity"]["valid_from"] or "",
        "valid_to": claim["validity"]["valid_to"] or "",
        # Each figure as `<amount> <unit>` (the amount in Python's general format: 3.1e+09).
        "quantities": ";".join(f"{q['amount']:g} {q['unit']}" for q in claim["quantities"]),
        "quantities_json": json.dumps(claim["quantities"], ensure_ascii=False, separators=(",", ":")),
    }


def _all_claims(database: Database, filters: ClaimFilters) -> list[ClaimPublic]:
    page = claims.list_claims(database, filters, limit=100)
    assert page.meta.next_cursor is None
    return page.data


@pytest.mark.parametrize("batch_size", [1, 5, 7, TOTAL, 500])
def test_batches_cover_the_whole_set_in_document_order(export_database: Database, batch_size: int) -> None:
    batches = list(exports.claim_batches(export_database, ClaimFilters(), batch_size=batch_size))
    assert [len(batch) for batch in batches[:-1]] == [batch_size] * (len(batches) - 1)
    assert 0 < len(batches[-1]) <= batch_size
    assert [claim for batch in batches for claim in batch] == _all_claims(export_database, ClaimFilters())


@pytest.mark.parametrize(
    "filters",
    [
        ClaimFilters(themes=["beta"]),
        ClaimFilters(kinds=["opinion"], entities=["Acme"]),
        ClaimFilters(scope_theme="alpha"),
    ],
    ids=["theme", "kind-entity", "scope"],
)
def test_batches_apply_the_filters_unchanged(export_database: Database, filters: ClaimFilters) -> None:
    exported = [
        claim for batch in exports.claim_batches(export_database, filters, batch_size=3) for claim in batch
    ]
    assert exported
    assert exported == _all_claims(export_database, filters)


@pytest.fixture
def read_log(export_database: Database) -> Iterator[StatementLog]:
    log = StatementLog()
    event.listen(export_database.read_engine, "before_cursor_execute", log)
    yield log
    event.remove(export_database.read_engine, "before_cursor_execute", log)


def _statements_for(database: Database, log: StatementLog, batch_size: int, filters: ClaimFilters) -> int:
    log.statements.clear()
    for _ in exports.claim_batches(database, filters, batch_size=batch_size):
        pass
    return len(log.statements)


def _expected_statements(claims: int, batch_size: int, per_batch: int) -> int:
    # A batch that comes back full is followed by one more query, which may find nothing.
    return math.ceil(claims / batch_size) * per_batch + (1 if claims % batch_size == 0 else 0)


def test_statements_grow_with_the_number_of_batches(
    export_database: Database, read_log: StatementLog
) -> None:
    # One batch: the claims' order keys, then the claims with their themes, entities and context.
    per_batch = _statements_for(export_database, read_log, TOTAL + 1, ClaimFilters())
    assert per_batch == 2, read_log.statements
    for batch_size in (1, 3, 5, 10, TOTAL):
        count = _statements_for(export_database, read_log, batch_size, ClaimFilters())
        assert count == _expected_statements(TOTAL, batch_size, per_batch), (batch_size, read_log.statements)
    # Filters are resolved once (one lookup for the theme), not once a batch.
    alpha = len(_all_claims(export_database, ClaimFilters(themes=["alpha"])))
    for batch_size in (2, 5):
        filtered = _statements_for(export_database, read_log, batch_size, ClaimFilters(themes=["alpha"]))
        assert filtered == 1 + _expected_statements(alpha, batch_size, per_batch), read_log.statements


def test_each_batch_releases_its_connection_before_it_is_handed_over(export_database: Database) -> None:
    pool = export_database.read_engine.pool
    batches = exports.claim_batches(export_database, ClaimFilters(), batch_size=4)
    assert pool.checkedout() == 0  # type: ignore[attr-defined]
    seen = 0
    for batch in batches:
        assert pool.checkedout() == 0  # type: ignore[attr-defined]
        seen += len(batch)
    assert seen == TOTAL


def test_bad_filters_raise_before_the_first_batch_is_handed_over(export_database: Database) -> None:
    with pytest.raises(UnknownFilterValues, match="no-such-theme"):
        exports.claim_batches(export_database, ClaimFilters(themes=["no-such-theme"]))
    with pytest.raises(NotFound):
        exports.claim_batches(export_database, ClaimFilters(scope_entity="nobody"))


def test_csv_round_trips_quotes_commas_newlines_and_unicode(export_database: Database) -> None:
    chunks = list(exports.csv_chunks(exports.claim_batches(export_database, ClaimFilters(), batch_size=5)))
    assert len(chunks) == math.ceil(TOTAL / 5)
    text = "".join(chunks)
    assert text.startswith(",".join(exports.CSV_COLUMNS) + "\r\n")
    expected = [
        csv_view(claim.model_dump(mode="json")) for claim in _all_claims(export_database, ClaimFilters())
    ]
    assert parse_csv(text) == expected
    tricky = {row["id"]: row for row in parse_csv(text)}
    for claim_id, statement, quote in TRICKY_CLAIMS:
        assert (tricky[claim_id]["statement"], tricky[claim_id]["quote"]) == (statement, quote)
    assert json.loads(tricky["x-001"]["context_json"])[1]["sources"][0] == {
        "title": None, "publisher": "Press", "url": None, "date": None
    }  # fmt: skip
    assert tricky["x-001"]["context"] == 'Another paper says "no", firmly.\nA second note\nover two lines.'
    assert tricky["x-001"]["themes"] == "alpha|beta"
    assert tricky["x-001"]["entities"] == "acme|ruritania"


def test_csv_of_an_empty_set_is_its_header() -> None:
    assert "".join(exports.csv_chunks([])) == ",".join(exports.CSV_COLUMNS) + "\r\n"


def test_ndjson_is_one_claim_a_line_in_the_json_item_shape(export_database: Database) -> None:
    chunks = list(exports.ndjson_chunks(exports.claim_batches(export_database, ClaimFilters(), batch_size=6)))
    assert len(chunks) == math.ceil(TOTAL / 6)
    text = "".join(chunks)
    assert text.endswith("\n")
    lines = text.split("\n")[:-1]
    expected = [claim.model_dump(mode="json") for claim in _all_claims(export_database, ClaimFilters())]
    assert [json.loads(line) for line in lines] == expected
    assert "中文" in text  # UTF-8, not \u escapes


def test_jsonld_claim_links_the_quote_into_the_document_url(export_database: Database) -> None:
    with export_database.read() as connection:
        found = current_claim(connection, "x-004")
    assert found is not None
    claim = found.public
    documents = jsonld.cited_documents(export_database, [DOCUMENT_ID])
    node = jsonld.claim_node(claim, "https://api.example/base/", documents[DOCUMENT_ID])
    assert node["@id"] == "https://api.example/base/v1/claims/x-004"
    appearance = node["appearance"]
    assert appearance["@type"] == "Quotation"
    assert appearance["text"] == claim.quote
    assert appearance["url"] == DOCUMENT_URL + "#:~:text=%2Dleading%20dash%20%26%20ampersand%2C%20comma"
    assert appearance["isPartOf"] | {} == {
        "@type": "CreativeWork",
        "@id": f"https://api.example/base/v1/documents/{DOCUMENT_ID}",
        "identifier": DOCUMENT_ID,
        "name": "A “tricky”, test document",
        "url": DOCUMENT_URL,
        "publisher": {"@type": "Organization", "name": "Example Press"},
        "datePublished": "2024-05-17",
        "version": 1,
    }
    assert claim.span is not None
    assert claim.anchor is not None
    selector = claim.anchor.quote
    assert appearance["oa:hasSelector"] == [
        {"@type": "oa:TextPositionSelector", "oa:start": claim.span.start, "oa:end": claim.span.end},
        {"@type": "oa:TextQuoteSelector", "oa:exact": claim.quote, "oa:prefix": selector.prefix,
         "oa:suffix": selector.suffix},
    ]  # fmt: skip
    assert node["firstAppearance"] == appearance
    assert "review" not in node
