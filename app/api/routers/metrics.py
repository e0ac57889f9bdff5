"""/metrics: Prometheus metrics of this process."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.api.metrics import Metrics
from app.api.route_class import ApiRoute

router = APIRouter(tags=["health"], route_class=ApiRoute)

EXAMPLE = """# HELP sectorfacts_http_requests_total HTTP requests answered, by route template and status.
# TYPE sectorfacts_http_requests_total counter
sectorfacts_http_requests_total{method="GET",route="/v1/claims/{claim_id}",status="200"} 42.0
"""


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={
        200: {
            "description": "The Prometheus text exposition format.",
            "content": {"text/plain": {"schema": {"type": "string"}, "example": EXAMPLE}},
        }
    },
)
def metrics(request: Request) -> Response:
    """Requests and latency by route template and status, database time, and process figures."""
    registry: Metrics = request.app.state.metrics
    body, media_type = registry.render()
    return Response(body, media_type=media_type)
