"""Is the graph up, which Neo4j is it, and how many nodes of each kind does it hold."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import partial
from typing import Any

import neo4j
from neo4j import AsyncDriver, RoutingControl

from graph.db import queries
from graph.db.kept import kept
from graph.db.reader import Reader, restricted_pages
from graph.db.settings import Settings
from graph.db.store import translated_errors
from ontology.model import load


@dataclass(frozen=True)
class HealthReport:
    """Neo4j's version and edition, and node counts by ontology label."""

    version: str
    edition: str
    counts: dict[str, int]


async def check(driver: AsyncDriver, settings: Settings, public: bool = True) -> HealthReport:
    """Ask Neo4j for its version and counts; GraphUnavailableError when it does not answer.

    The public role's counts leave out restricted persons and the claims about or by them,
    so a count cannot tell that a witness is there; what they leave out is counted once per
    graph version."""
    labels = load().labels
    with translated_errors(settings):
        info = await _read(driver, settings, queries.SERVER_VERSION)
        counted = await _read(driver, settings, queries.count_by_label(labels))
        hidden = (
            await kept(
                Reader(driver, settings), "hidden_counts", (), partial(_hidden, driver, settings)
            )
            if public
            else {}
        )
    counts: dict[str, int] = dict(counted[0]["counts"])
    for label, withheld in hidden.items():
        if label in counts:
            counts[label] -= withheld
    record = info[0]
    return HealthReport(
        version=record["version"], edition=record["edition"], counts=dict(sorted(counts.items()))
    )


async def _hidden(driver: AsyncDriver, settings: Settings) -> Counter[str]:
    """Per label, the records the public role may not see: every restricted person and the
    claims about or by them."""

    async def page(after: str, limit: int) -> tuple[Counter[str], int, str]:
        rows = await _read(driver, settings, queries.HIDDEN_COUNTS, after=after, limit=limit)
        if not rows:
            return Counter(), 0, ""
        counts = Counter({c["label"]: c["hidden"] for c in rows[0]["counts"]})
        return counts, rows[0]["persons"], rows[0]["last"]

    hidden: Counter[str] = Counter()
    for counts in await restricted_pages(page):
        hidden.update(counts)
    return hidden


async def _read(
    driver: AsyncDriver, settings: Settings, query: str, **params: Any
) -> list[neo4j.Record]:
    result = await driver.execute_query(
        query, params, database_=settings.neo4j_database, routing_=RoutingControl.READ
    )
    return list(result.records)
