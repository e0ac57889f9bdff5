"""What a write refuses, each with its problem type (documented at GET /problems/{name})."""

from __future__ import annotations

from app.services.errors import ProblemError

REALM = 'Bearer realm="sectorfacts"'


class Unauthorized(ProblemError):
    """No key, or a key that is unknown or revoked."""

    problem = "unauthorized"
    status = 401

    def __init__(self, detail: str, *, error: str | None = None) -> None:
        challenge = REALM + (f', error="{error}"' if error else "")
        super().__init__(detail, headers={"WWW-Authenticate": challenge})


class Forbidden(ProblemError):
    """A valid key whose scope does not allow this request."""

    problem = "forbidden"
    status = 403

    def __init__(self, detail: str, *, needed: str) -> None:
        challenge = f'{REALM}, error="insufficient_scope", scope="{needed}"'
        super().__init__(detail, headers={"WWW-Authenticate": challenge}, scope=needed)


class InvalidWrite(ProblemError):
    """The body is well-formed but refers to what does not exist, or its quote does not fit its document."""

    problem = "invalid-request"
    status = 422

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        listed = [{"location": location, "message": message} for location, message in errors]
        detail = "; ".join(f"{location}: {message}" for location, message in errors)
        super().__init__(detail, errors=listed)


class Conflict(ProblemError):
    """The write would duplicate a slug or name, or remove something still in use."""

    problem = "conflict"
    status = 409


class Gone(ProblemError):
    """The resource existed and was deleted; its history remains."""

    problem = "gone"
    status = 410

    def __init__(self, kind: str, key: str, history: str) -> None:
        super().__init__(
            f"The {kind} {key!r} was deleted; its history is at {history}.",
            headers={"Link": f'<{history}>; rel="history"'},
            history=history,
        )


class PreconditionFailed(ProblemError):
    """If-Match names a revision that is no longer current: someone else changed the resource."""

    problem = "precondition-failed"
    status = 412

    def __init__(self, kind: str, key: str, current: str) -> None:
        super().__init__(
            f"The {kind} {key!r} changed since you read it (If-Match does not name its current ETag). "
            "GET it again, reapply your edit, and send the new ETag.",
            current_etag=current,
        )


class PreconditionRequired(ProblemError):
    """PATCH and DELETE need If-Match, so an edit never silently overwrites another."""

    problem = "precondition-required"
    status = 428

    def __init__(self) -> None:
        super().__init__(
            "This request needs an If-Match header with the ETag of the revision you edited "
            "(GET the resource to read its ETag)."
        )
