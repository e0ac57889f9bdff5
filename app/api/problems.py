"""Every error a client can meet, answered as RFC 9457 problem details."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from app.services.errors import InvalidCursor, NotFound, ProblemError, ServiceError, UnknownFilterValues
from app.services.health import NotReady

logger = logging.getLogger("sectorfacts.errors")

PROBLEM_JSON = "application/problem+json"

# The problem types this API defines; each is documented at GET /problems/{name}.
PROBLEM_TYPES: dict[str, tuple[int, str, str]] = {
    "not-found": (404, "Not found", "The resource named in the path does not exist."),
    "invalid-request": (
        422,
        "Invalid request",
        "A parameter is missing, malformed or out of range; `errors` lists each one.",
    ),
    "unknown-filter-value": (
        422,
        "Unknown filter value",
        "A filter names a theme, entity, document, kind or type that does not exist.",
    ),
    "invalid-cursor": (
        422,
        "Invalid cursor",
        "The `cursor` was not issued by this list; start again without it.",
    ),
    "payload-too-large": (
        413,
        "Payload too large",
        "The request body is larger than the server accepts; `limit` gives the most it takes, in bytes.",
    ),
    "too-many-requests": (
        429,
        "Too many requests",
        "This client sent more requests than its rate limit allows; retry after the time in Retry-After.",
    ),
    "unauthorized": (
        401,
        "Unauthorized",
        "A write needs `Authorization: Bearer <key>` with a valid key; none was given, or it is unknown or "
        "revoked.",
    ),
    "forbidden": (403, "Forbidden", "The key is valid but its scope does not allow this request."),
    "conflict": (
        409,
        "Conflict",
        "The write would duplicate an existing slug, id or name, or remove something still in use.",
    ),
    "gone": (410, "Gone", "The resource was deleted; `history` links to the record of its changes."),
    "precondition-failed": (
        412,
        "Precondition failed",
        "If-Match does not name the current ETag: the resource changed since it was read. GET it again.",
    ),
    "precondition-required": (
        428,
        "Precondition required",
        "PATCH and DELETE need If-Match with the ETag of the revision being edited.",
    ),
    "service-unavailable": (
        503,
        "Service unavailable",
        "The database cannot answer right now; retry after the time in Retry-After.",
    ),
    "internal-error": (500, "Internal server error", "An unexpected error; it has been logged."),
}


class BadParameter(ServiceError):
    """A request parameter the framework's own validation cannot express (list sizes, NUL bytes)."""

    def __init__(self, location: str, message: str) -> None:
        self.location = location
        self.message = message
        super().__init__(f"{location}: {message}")


def problem(
    name: str | None,
    status: int,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem details response; `name` None means a plain HTTP error (type about:blank)."""
    if name is None:
        body: dict[str, Any] = {"type": "about:blank", "title": HTTPStatus(status).phrase}
    else:
        body = {"type": f"/problems/{name}", "title": PROBLEM_TYPES[name][1]}
    body |= {"status": status, "detail": detail, **{k: v for k, v in extra.items() if v is not None}}
    return JSONResponse(jsonable_encoder(body), status_code=status, headers=headers, media_type=PROBLEM_JSON)


# FastAPI's answer when it cannot decode a JSON body at all (not UTF-8, nested too deeply). It is the
# same client mistake as malformed JSON, which answers 422, so it gets the same documented answer.
_UNDECODABLE_BODY = "There was an error parsing the body"


# The methods a 405 may list (FastAPI answers HEAD and OPTIONS only where a route declares them).
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at this request's path. Starlette's 405 names only the methods
    of the first route that matched the path, but one path has a route per method (RFC 9110 15.5.6
    wants them all)."""
    router = request.app.router
    allowed = []
    for method in METHODS:
        probe = {**request.scope, "method": method, "fastapi": {}, "path_params": {}}
        probe.pop("route", None)
        if any(route.matches(probe)[0] is Match.FULL for route in router.routes):
            allowed.append(method)
    return allowed


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == _UNDECODABLE_BODY:
        message = "The request body cannot be decoded as JSON (not UTF-8, or nested too deeply)."
        return problem("invalid-request", 422, message, errors=[{"location": "body", "message": message}])
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).description
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    return problem(None, exc.status_code, detail, headers=headers)


def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"location": ".".join(str(part) for part in error["loc"]), "message": error["msg"]}
        for error in exc.errors()
    ]
    summary = "; ".join(f"{e['location']}: {e['message']}" for e in errors)
    return problem("invalid-request", 422, summary or "The request is not valid.", errors=errors)


def _service_error(_request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, NotFound):
        return problem("not-found", 404, str(exc))
    if isinstance(exc, UnknownFilterValues):
        return problem("unknown-filter-value", 422, str(exc), parameter=exc.parameter, values=exc.values)
    if isinstance(exc, InvalidCursor):
        return problem("invalid-cursor", 422, str(exc))
    if isinstance(exc, BadParameter):
        errors = [{"location": exc.location, "message": exc.message}]
        return problem("invalid-request", 422, str(exc), errors=errors)
    if isinstance(exc, ProblemError):
        return problem(exc.problem, exc.status, str(exc), headers=exc.headers, **exc.extra)
    if isinstance(exc, NotReady):
        return problem("service-unavailable", 503, str(exc), headers={"Retry-After": "5"})
    return _internal_error(_request, exc)


# SQLSTATE 42P01: a table is missing, i.e. the database is not migrated (SQLite reports that as an
# OperationalError, PostgreSQL as a ProgrammingError); the service is not ready rather than broken.
_NOT_MIGRATED = "42P01"


def _database_error(request: Request, exc: Exception) -> JSONResponse:
    if getattr(getattr(exc, "orig", None), "sqlstate", None) == _NOT_MIGRATED:
        return _database_unavailable(request, exc)
    return _internal_error(request, exc)


def _database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    logger.warning("database unavailable: %s", exc)
    detail = "The database is unavailable or busy; retry shortly."
    return problem("service-unavailable", 503, detail, headers={"Retry-After": "5"})


def internal_error(exc: BaseException) -> JSONResponse:
    """The 500 problem for an unexpected exception, logged with its traceback."""
    logger.error("unhandled error", exc_info=exc)
    return problem("internal-error", 500, "An unexpected error occurred; it has been logged.")


def _internal_error(_request: Request, exc: Exception) -> JSONResponse:
    return internal_error(exc)


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error, including unexpected ones, as problem details."""
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(ProgrammingError, _database_error)
    app.add_exception_handler(PoolTimeoutError, _database_unavailable)
    app.add_exception_handler(Exception, _internal_error)
