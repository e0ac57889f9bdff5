"""What services raise for a client's mistake; the API turns each into problem details."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every client-caused error a service reports."""


class NotFound(ServiceError):
    """A resource named in the path does not exist."""

    def __init__(self, kind: str, key: str) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"No {kind} {key!r}.")


class UnknownFilterValues(ServiceError):
    """A filter names values that do not exist, which would otherwise hide a typo behind an empty list."""

    def __init__(self, parameter: str, values: list[str], hint: str) -> None:
        self.parameter = parameter
        self.values = values
        names = ", ".join(repr(value) for value in values)
        super().__init__(f"Unknown {parameter} {names}. {hint}")


class InvalidCursor(ServiceError):
    """A pagination cursor that this service did not issue for this list."""

    def __init__(self) -> None:
        super().__init__("The cursor is not valid for this list; start again without `cursor`.")


class ProblemError(ServiceError):
    """A refusal that names its own problem type, status, headers and extra members (curation errors)."""

    problem = "invalid-request"
    status = 422

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None, **extra: object) -> None:
        self.headers = headers or {}
        self.extra = extra
        super().__init__(detail)
