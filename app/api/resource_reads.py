"""The reads every resource router shares: list the resources, get one, list one's claims.

Themes, entities and documents are read the same way; `add_resource_reads` declares the three routes
on a resource's router from a `ResourceReads`, so a change to that pattern is made once. Each route is
an ordinary FastAPI route: its path parameter keeps the resource's own name and type (`slug: ThemeSlug`,
`document_id: DocumentId`), given to FastAPI as the endpoint's signature.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from fastapi import APIRouter, Request, Response

from app.api.deps import DatabaseDep, claim_filters
from app.api.etags import tagged_json
from app.api.formats import answer_claim_list, nested_claim_list_docs
from app.api.openapi import INVALID, NOT_FOUND, responses
from app.api.params import ClaimListParams, CursorParam, LimitParam
from app.api.reading import run_read
from app.api.write_docs import GONE
from app.db import Database

_KEYWORD = inspect.Parameter.KEYWORD_ONLY


@dataclass(frozen=True)
class ResourceReads:
    """How one resource is read: its noun, its key in the path and the service that reads one."""

    noun: str  # "theme"; the routes are named list_themes, get_theme, list_theme_claims
    key: str  # the path parameter's name: "slug"
    key_type: Any  # its bounded type from app.api.params: ThemeSlug
    model: Any  # the one resource's public schema
    read_one: Callable[[Database, str], Any]
    deletable: bool = False  # a deleted one answers 410

    @property
    def plural(self) -> str:
        """The noun's plural, as the list route and its example are named."""
        return self.noun[:-1] + "ies" if self.noun.endswith("y") else self.noun + "s"

    @property
    def article(self) -> str:
        """The noun's indefinite article, for the summaries."""
        return "an" if self.noun[0] in "aeiou" else "a"


def _signature(*parameters: tuple[str, Any] | tuple[str, Any, Any], returns: Any) -> inspect.Signature:
    """A signature of keyword parameters: (name, annotation) or (name, annotation, default)."""
    return inspect.Signature(
        [
            inspect.Parameter(
                name,
                _KEYWORD,
                annotation=rest[0],
                default=rest[1] if len(rest) > 1 else inspect.Parameter.empty,
            )
            for name, *rest in parameters
        ],
        return_annotation=returns,
    )


def _says(words: str, route: str) -> str:
    """The `route:` line of `words`: what the `list`, `get` or `claims` route answers."""
    for line in words.strip().splitlines():
        name, _, text = line.strip().partition(": ")
        if name == route:
            return text
    raise KeyError(route)


def add_resource_reads(
    router: APIRouter,
    tags: list[str | Enum],
    reads: ResourceReads,
    words: str,
    listing: tuple[Callable[..., Any], Any] | None = None,
) -> None:
    """Declare the resource's list (given `listing`: its service and page model), get and claim-list
    routes on `router`, in that order; `words` has a `list:`, `get:` and `claims:` line for their docs."""
    noun, plural, article = reads.noun, reads.plural, reads.article
    if listing is not None:
        list_all, page_model = listing

        async def list_resources(database: Database, limit: int = 20, cursor: str | None = None) -> Any:
            return await run_read(database, list_all, database, limit=limit, cursor=cursor)

        list_resources.__signature__ = _signature(  # type: ignore[attr-defined]
            ("database", DatabaseDep),
            ("limit", LimitParam, 20),
            ("cursor", CursorParam, None),
            returns=page_model,
        )
        router.add_api_route(
            "",
            list_resources,
            name=f"list_{plural}",
            summary=f"List {plural}",
            description=_says(words, "list"),
            tags=tags,
            response_model=page_model,
            responses=responses(f"{plural}_page", INVALID),
        )

    key, key_type = reads.key, reads.key_type
    read_one, scope = reads.read_one, f"scope_{noun}"

    async def get_resource(database: Database, **path: str) -> Response:
        return tagged_json(await run_read(database, read_one, database, path[key]))

    async def list_resource_claims(request: Request, database: Database, query: Any, **path: str) -> Response:
        return await answer_claim_list(request, database, query, claim_filters(query, **{scope: path[key]}))

    get_resource.__signature__ = _signature(  # type: ignore[attr-defined]
        ("database", DatabaseDep), (key, key_type), returns=Response
    )
    list_resource_claims.__signature__ = _signature(  # type: ignore[attr-defined]
        ("request", Request),
        ("database", DatabaseDep),
        (key, key_type),
        ("query", ClaimListParams),
        returns=Response,
    )
    router.add_api_route(
        f"/{{{key}}}",
        get_resource,
        name=f"get_{noun}",
        summary=f"Get {article} {noun}",
        description=_says(words, "get"),
        tags=tags,
        response_model=reads.model,
        responses=responses(noun, NOT_FOUND, *([GONE] if reads.deletable else [])),
    )
    router.add_api_route(
        f"/{{{key}}}/claims",
        list_resource_claims,
        name=f"list_{noun}_claims",
        summary=f"List {article} {noun}'s claims",
        description=_says(words, "claims")
        + ", with the same filters, paging and formats as `GET /v1/claims`.",
        tags=tags,
        **nested_claim_list_docs(),
    )
