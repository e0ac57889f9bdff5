"""CORS for browsers on other origins (Starlette's middleware), with refused preflights as problem details."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from app.api.problems import problem

ALLOWED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
ALLOWED_HEADERS = ("Accept", "Authorization", "Content-Type", "If-Match", "If-None-Match", "X-Request-ID")
# What a browser script may read besides the CORS-safelisted response headers.
EXPOSED_HEADERS = (
    "ETag",
    "Link",
    "X-Request-ID",
    "Retry-After",
    "RateLimit-Policy",
    "RateLimit",
    "Content-Disposition",
    "Location",
)


class ProblemCORSMiddleware(CORSMiddleware):
    """Starlette's CORS middleware; a refused preflight answers a 400 problem rather than plain text."""

    def preflight_response(self, request_headers: Headers) -> Response:
        """Starlette's answer, with a refusal rewritten as problem details."""
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        headers = {
            name: value
            for name, value in response.headers.items()
            if name.lower() not in {"content-type", "content-length"}
        }
        return problem(None, response.status_code, bytes(response.body).decode(), headers=headers)
