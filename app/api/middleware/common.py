"""What the middleware share: the route a request matched and the paths operators poll."""

from __future__ import annotations

from starlette.types import Scope

# Polled by load balancers and Prometheus: never rate-limited, never cached.
OPERATIONAL_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
UNMATCHED = "<unmatched>"


def request_path(scope: Scope) -> str:
    """The path below the app's root_path, as the router matches it."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root) : len(root) + 1] in ("", "/"):
        return path[len(root) :] or "/"
    return path


def is_operational(scope: Scope) -> bool:
    """True for the health and metrics endpoints."""
    return request_path(scope) in OPERATIONAL_PATHS


def route_template(scope: Scope) -> str:
    """The template of the route that answered (`/v1/claims/{claim_id}`), never the raw path."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of request header `name` (lower-case bytes), or None."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None
