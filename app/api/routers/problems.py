"""/problems/{name}: what each problem `type` this API returns means."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from app.api.openapi import ok
from app.api.problems import PROBLEM_TYPES
from app.api.route_class import ApiRoute
from app.schemas.common import Schema

router = APIRouter(prefix="/problems", tags=["problems"], route_class=ApiRoute)

ProblemName = Literal[
    "not-found",
    "invalid-request",
    "unknown-filter-value",
    "invalid-cursor",
    "payload-too-large",
    "too-many-requests",
    "unauthorized",
    "forbidden",
    "conflict",
    "gone",
    "precondition-failed",
    "precondition-required",
    "service-unavailable",
    "internal-error",
]


class ProblemType(Schema):
    """The documentation of one problem type."""

    type: str
    title: str
    status: int
    description: str


@router.get("/{name}", summary="Describe a problem type", responses=ok("problem_type"))
async def describe_problem(name: ProblemName) -> ProblemType:
    """The meaning of a problem `type` URI found in an error answer."""
    status, title, description = PROBLEM_TYPES[name]
    return ProblemType(type=f"/problems/{name}", title=title, status=status, description=description)
