"""Is the graph up, which Neo4j is it, and how many nodes of each kind does it hold."""

from __future__ import annotations

from dataclasses import dataclass

from neo4j import AsyncDriver, RoutingControl

from graph.db import queries
from graph.db.settings import Settings
from graph.db.store import translated_errors
from ontology.model import load


@dataclass(frozen=True)
class HealthReport:
    """Neo4j's version and edition, and node counts by ontology label."""

    version: str
    edition: str
    counts: dict[str, int]


async def check(driver: AsyncDriver, settings: Settings) -> HealthReport:
    """Ask Neo4j for its version and counts; GraphUnavailableError when it does not answer."""
    labels = load().labels
    with translated_errors(settings):
        info = await driver.execute_query(
            queries.SERVER_VERSION,
            database_=settings.neo4j_database,
            routing_=RoutingControl.READ,
        )
        counted = await driver.execute_query(
            queries.count_by_label(labels),
            database_=settings.neo4j_database,
            routing_=RoutingControl.READ,
        )
    record = info.records[0]
    return HealthReport(
        version=record["version"],
        edition=record["edition"],
        counts=dict(sorted(counted.records[0]["counts"].items())),
    )
