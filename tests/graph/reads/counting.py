"""A real reader that counts the statements it runs, for tests of how many round trips a
question takes; and the db hits of a statement, for tests of what a statement costs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from neo4j import Driver

from graph.db.reader import Reader
from graph.db.settings import Settings
from graph.db.store import open_async_driver
from loaders import pipeline
from loaders.records import read_paths
from ontology.model import load as load_ontology

T = TypeVar("T")


class CountingReader(Reader):
    """A real reader that counts the statements it runs."""

    statements = 0

    async def rows(self, query: str, **params: Any) -> list[dict[str, Any]]:
        self.statements += 1
        return await super().rows(query, **params)


def run(settings: Settings, work: Callable[[Any], Awaitable[T]], public: bool = True) -> T:
    """WORK(reader) on a fresh driver and reader for one viewer."""

    async def go() -> T:
        driver = open_async_driver(settings)
        try:
            return await work(CountingReader(driver, settings, public=public))
        finally:
            await driver.close()

    return asyncio.run(go())


def db_hits(driver: Driver, settings: Settings, query: str, **params: Any) -> int:
    """The db hits of QUERY run by the public role, every operator of its plan added up, as
    Neo4j plans it for the graph now (a plan cached from a smaller graph can differ)."""
    _resample_once_per_graph_state(driver, settings)
    found = driver.execute_query(
        f"PROFILE CYPHER replan=force {query}",
        {**params, "public": True},
        database_=settings.neo4j_database,
    )
    assert found.records, "the profiled statement answers something"

    def total(plan: dict[str, Any]) -> int:
        return int(plan.get("dbHits", 0)) + sum(total(c) for c in plan.get("children", []))

    profile = found.summary.profile
    assert profile is not None
    return PlanCost(total(profile), _operators(profile))


_resampled_at: set[str] = set()


def _resample_once_per_graph_state(driver: Driver, settings: Settings) -> None:
    """Index statistics are sampled in the background: a sample taken when an earlier test's
    graph was larger can make the planner start from the wrong end, so resample first. Only
    once per graph state (`Reader.graph_version`, what the app keeps answers by): the resample
    also empties Neo4j's plan cache, and every statement after it is planned again."""
    state = run(settings, lambda reader: reader.graph_version())
    if state is not None and state in _resampled_at:
        return
    driver.execute_query("CALL db.prepareForReplanning()", database_=settings.neo4j_database)
    if state is not None:
        _resampled_at.add(state)


class PlanCost(int):
    """Db hits that also say which operators spent them, for a failing test's message."""

    operators: str

    def __new__(cls, hits: int, operators: str) -> PlanCost:
        cost = super().__new__(cls, hits)
        cost.operators = operators
        return cost

    def __str__(self) -> str:
        return str(int(self))

    def __repr__(self) -> str:
        return f"{int(self)} db hits:\n{self.operators}"


def _operators(plan: dict[str, Any], depth: int = 0) -> str:
    details = plan.get("args", {}).get("Details", "")
    line = f"{'  ' * depth}{plan.get('operatorType')} {details} [{plan.get('dbHits', 0)}]"
    return "\n".join([line, *(_operators(c, depth + 1) for c in plan.get("children", []))])


def load_records(settings: Settings, folder: Path, records: list[dict[str, Any]]) -> None:
    """RECORDS loaded into the graph by the loading pipeline, as a JSON Lines file would be."""
    path = folder / "records.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    pipeline.load(settings, load_ontology(), read_paths([path]))
