"""GET /health: is the graph up, which Neo4j, how many nodes of each kind."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import DriverDep, SettingsDep
from api.models import ErrorPublic, HealthPublic, Neo4jPublic
from api.security import Role, RoleDep
from graph.db import health

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=HealthPublic,
    responses={503: {"model": ErrorPublic, "description": "Neo4j is not reachable."}},
)
async def get_health(driver: DriverDep, settings: SettingsDep, role: RoleDep) -> HealthPublic:
    """Neo4j's version and reachability, and node counts by label (for the public role,
    without restricted persons and the claims about or by them)."""
    report = await health.check(driver, settings, public=role == Role.public)
    neo4j = Neo4jPublic(reachable=True, version=report.version, edition=report.edition)
    return HealthPublic(neo4j=neo4j, counts=report.counts)
