"""A read-only Model Context Protocol server over the fact base (the official `mcp` SDK, stdio or HTTP).

Its tools call the services (app/services) over a Database directly, as the other commands do, rather than
the HTTP API: nothing else has to be running, no query logic is repeated, and an answer is built from the
same rows and schemas `GET /v1/claims` and `GET /v1/claims/{id}/cite` answer with. Every claim comes with
its quote, span, source document and ready citation, so an assistant can quote the exact words and credit
them. Links (permalinks) point at the HTTP API under `base_url`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import Field

from app import __version__
from app.db import Database
from app.schemas.citations import CitedClaim, CitedClaimPage, SpannedCitation
from app.schemas.common import Page
from app.schemas.entities import EntityPublic
from app.schemas.themes import ThemePublic
from app.services import entities, themes
from app.services.cited_claims import cited_claim, cited_claims, search_filters, spanned_citation
from app.services.claim_filters import ClaimFilters
from app.services.errors import ServiceError
from app.services.search.query import MAX_QUERY_LENGTH, QueryError

NAME = "sectorfacts"
INSTRUCTIONS = (
    "Claims about Pakistan's IT sector, each resting on a verbatim quote from a published document. "
    "When you answer from a claim, quote its `quote` exactly and give its `citation` (or source and "
    "permalink); `context` holds notes from other sources, which are not part of the document: attribute "
    "them to their own sources. Find theme slugs with list_themes and entity slugs with find_entities."
)
# Every tool only reads, and answers from this database alone.
READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)
DEFAULT_LIMIT = 10
MAX_LIMIT = 50

ClaimId = Annotated[
    str, Field(min_length=1, max_length=64, description="A claim id, e.g. from search_claims.")
]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description="Claims per page.")]
Cursor = Annotated[
    str | None, Field(default=None, max_length=500, description="`next_cursor` of the previous page.")
]
ResultT = TypeVar("ResultT")


def _answer(read: Callable[[], ResultT]) -> ResultT:
    """Run a read; a client's mistake (an unknown slug or id, a bad query or cursor) is a tool error."""
    try:
        return read()
    except (ServiceError, QueryError) as error:
        raise ToolError(str(error)) from error


def build_server(database: Database, *, base_url: str) -> MCPServer:
    """The MCP server with its read-only tools over `database`; citations link under `base_url`."""
    server: MCPServer = MCPServer(NAME, title="Sector Facts", instructions=INSTRUCTIONS, version=__version__)

    def claims_page(filters: ClaimFilters, limit: int, cursor: str | None) -> CitedClaimPage:
        return _answer(lambda: cited_claims(database, filters, limit=limit, cursor=cursor, base_url=base_url))

    @server.tool(annotations=READ_ONLY)
    def search_claims(
        query: Annotated[
            str,
            Field(
                min_length=1,
                max_length=MAX_QUERY_LENGTH,
                description='Words (all must match), "a phrase", prefix*, OR, NOT or -word.',
            ),
        ],
        theme: Annotated[str | None, Field(default=None, max_length=100, description="A theme slug.")] = None,
        entity: Annotated[
            str | None, Field(default=None, max_length=100, description="An entity slug or alias.")
        ] = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> CitedClaimPage:
        """Claims matching a full-text query, best match first, each with its quote, span, source and
        citation; optionally only those of one theme or entity."""
        return claims_page(
            _answer(
                lambda: search_filters(
                    query, themes=[theme.lower()] if theme else [], entities=[entity] if entity else []
                )
            ),
            limit,
            cursor,
        )

    @server.tool(annotations=READ_ONLY)
    def get_claim(claim_id: ClaimId) -> CitedClaim:
        """One claim: statement, exact quote and span, themes, entities, notes from other sources, and
        its source document and citation."""
        return _answer(lambda: cited_claim(database, claim_id, base_url=base_url))

    @server.tool(annotations=READ_ONLY)
    def cite_claim(claim_id: ClaimId) -> SpannedCitation:
        """A ready citation of one claim: the quote and its span, its source document, a permalink, a link
        that highlights the quote in the document, and a plain-text reference."""
        return _answer(lambda: spanned_citation(database, claim_id, base_url=base_url))

    @server.tool(annotations=READ_ONLY)
    def list_entity_claims(
        entity: Annotated[str, Field(min_length=1, max_length=100, description="An entity slug or alias.")],
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> CitedClaimPage:
        """Claims naming one entity (company, body, place…), in document order, each cited."""
        return claims_page(ClaimFilters(scope_entity=entity), limit, cursor)

    @server.tool(annotations=READ_ONLY)
    def list_theme_claims(
        theme: Annotated[str, Field(min_length=1, max_length=100, description="A theme slug.")],
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> CitedClaimPage:
        """Claims about one theme, in document order, each cited."""
        return claims_page(ClaimFilters(scope_theme=theme.lower()), limit, cursor)

    @server.tool(annotations=READ_ONLY)
    def list_themes(limit: Limit = MAX_LIMIT, cursor: Cursor = None) -> Page[ThemePublic]:
        """The themes (slug, name, description) with how many claims each has."""
        return _answer(lambda: themes.list_themes(database, limit=limit, cursor=cursor))

    @server.tool(annotations=READ_ONLY)
    def find_entities(
        name: Annotated[
            str | None, Field(default=None, max_length=100, description="Start of a name or alias.")
        ] = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Page[EntityPublic]:
        """Entities (slug, name, type, aliases) whose name or an alias starts with `name`, or all."""
        return _answer(lambda: entities.list_entities(database, types=[], q=name, limit=limit, cursor=cursor))

    return server
