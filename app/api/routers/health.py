"""/healthz and /readyz: for load balancers and orchestrators."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import DatabaseDep
from app.api.openapi import UNAVAILABLE, ok
from app.api.route_class import ApiRoute
from app.schemas.health import Liveness, Readiness
from app.services import health

router = APIRouter(tags=["health"], route_class=ApiRoute)


@router.get("/healthz", summary="Liveness", responses=ok("healthz"))
async def healthz() -> Liveness:
    """200 while the process can answer; touches no database."""
    return Liveness(status="ok")


@router.get("/readyz", summary="Readiness", responses=ok("readyz") | UNAVAILABLE)
def readyz(database: DatabaseDep) -> Readiness:
    """200 when the database is reachable and migrated to the newest revision, else 503."""
    return health.readiness(database)
