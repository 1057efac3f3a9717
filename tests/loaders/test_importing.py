"""`run_import`: check all, then write; reuse by name; never overwrite what others cite."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from neo4j import Driver

from graph.db import store
from graph.db.export import read_graph
from graph.db.reader import Reader
from graph.db.settings import Settings
from graph.db.store import open_async_driver
from graph.reads.entities import entity_detail
from loaders import importing, pipeline
from loaders.errors import InvalidRecordsError, RecordProblem
from loaders.formats import Chunk, ImportFormat
from loaders.pipeline import Record
from loaders.records import read_paths
from loaders.snhr import FORMAT as SNHR
from ontology.model import load as load_ontology
from ontology.rdf import GraphLink, GraphNode
from tests.conftest import REPO
from tests.loaders.test_records import graph_state
from tests.loaders.test_snhr import EXCERPT

T = TypeVar("T")
SOURCE = {"type": "Source", "id": "source:test-import", "name": "A test export"}


def cite(row: int) -> list[dict[str, Any]]:
    return [{"source": "source:test-import", "locator": f"row {row}", "access_point": f"r{row}"}]


@dataclass
class RowsFormat:
    """A format whose "file" is a list of chunks of record dicts: row problems included."""

    chunks: list[list[dict[str, Any] | RecordProblem]] = field(default_factory=list)
    name: str = "rows"
    summary: str = "records given in the test"

    def read(self, paths: Sequence[Path]) -> Iterator[Chunk]:
        for number, rows in enumerate(self.chunks):
            chunk = Chunk(rows=len(rows))
            for line, row in enumerate(rows, start=number * 100 + 2):
                if isinstance(row, RecordProblem):
                    chunk.problems.append(row)
                    continue
                data = dict(row)
                label = str(data.pop("type"))
                chunk.records.append(Record(label, data, "rows.csv", line))
            yield chunk


TOWN = {"type": "Place", "id": "place:t", "name": "T", "place_kind": "town", "citations": cite(0)}


def event(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "type": "Event",
        "id": f"event:test-{n}",
        "name": f"Test event {n}",
        "event_kind": "shelling",
        "start": "2016-09-01",
        "place": TOWN["id"],
        "citations": cite(n),
        **extra,
    }


def nodes(driver: Driver) -> int:
    return int(driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"])


def load_default(settings: Settings) -> None:
    pipeline.load(settings, load_ontology(), read_paths([REPO / "data" / "default"]))


def test_a_bad_row_in_a_later_chunk_means_nothing_is_written(
    driver: Driver, settings: Settings
) -> None:
    bad = RecordProblem("rows.csv", 204, "event_date", "'32 Sept' is not a date: use YYYY-MM-DD")
    fmt = RowsFormat([[SOURCE, event(1), TOWN], [SOURCE, bad]])
    with pytest.raises(InvalidRecordsError) as failure:
        importing.run_import(settings, fmt, [])
    assert "rows.csv:204: event_date: '32 Sept' is not a date" in str(failure.value)
    assert nodes(driver) == 0


def test_skip_invalid_writes_whole_valid_rows_and_lists_the_others(
    driver: Driver, settings: Settings
) -> None:
    broken = event(2, start="2016-13")  # not a date: the schema says so
    fmt = RowsFormat([[SOURCE, TOWN, event(1), broken]])
    summary = importing.run_import(settings, fmt, [], skip_invalid=True)
    ids = {r["id"] for r in driver.execute_query("MATCH (e:Event) RETURN e.id AS id").records}
    assert ids == {"event:test-1"}
    assert [(p.line, p.field) for p in summary.problems] == [(5, "start")]


def test_snhr_places_are_reused_by_name_and_reimport_changes_nothing(
    driver: Driver, settings: Settings
) -> None:
    """On the report's excerpt (tests/data/seeds/), which keeps its one Hawwar incident."""
    load_default(settings)
    summary = importing.run_import(settings, SNHR, [EXCERPT])
    assert summary.reused["place:snhr-import-aleppo-hawwar"] == "place:hawwar"
    linked = driver.execute_query(
        "MATCH (e:Event)-[:AT_PLACE]->(p:Place {id: 'place:hawwar'}) "
        "WHERE e.id STARTS WITH 'event:snhr-import' RETURN count(e) AS n"
    ).records[0]["n"]
    assert linked == 1
    assert nodes_with_id(driver, "place:snhr-import-aleppo-hawwar") == 0
    before = graph_state(driver)
    again = importing.run_import(settings, SNHR, [EXCERPT])
    assert sum(again.created.values()) == 0
    assert graph_state(driver) == before


def nodes_with_id(driver: Driver, node_id: str) -> int:
    query = "MATCH (n {id: $id}) RETURN count(n) AS n"
    return int(driver.execute_query(query, id=node_id).records[0]["n"])


def test_an_import_never_overwrites_a_statement_cited_to_other_sources(
    driver: Driver, settings: Settings
) -> None:
    load_default(settings)
    impostor = {
        "type": "Person",
        "id": "person:qahtan-khalil",
        "name": "Someone Else",
        "citations": cite(1),
    }
    summary = importing.run_import(settings, RowsFormat([[SOURCE, impostor]]), [])
    assert summary.protected == 1
    name = driver.execute_query(
        "MATCH (p:Person {id: 'person:qahtan-khalil'}) RETURN p.name AS name"
    ).records[0]["name"]
    assert name == "Qahtan Khalil"


def test_an_organization_named_by_an_alias_is_the_existing_one(
    driver: Driver, settings: Settings
) -> None:
    load_default(settings)
    safi = {
        "type": "Organization",
        "id": "org:test-safi",
        "name": "SAFI",
        "org_kind": "security_agency",
        "citations": cite(1),
    }
    posting = {
        "type": "Posting",
        "id": "posting:test-1",
        "person": "person:test-officer",
        "organization": "org:test-safi",
        "role": "officer",
        "citations": cite(2),
    }
    officer = {
        "type": "Person",
        "id": "person:test-officer",
        "name": "Test Officer",
        "citations": cite(2),
    }
    summary = importing.run_import(settings, RowsFormat([[SOURCE, safi, officer, posting]]), [])
    assert summary.reused == {"org:test-safi": "org:air-force-intelligence-directorate"}
    org = driver.execute_query(
        "MATCH (:Posting {id: 'posting:test-1'})-[:IN_ORGANIZATION]->(o) RETURN o.id AS id"
    ).records[0]["id"]
    assert org == "org:air-force-intelligence-directorate"
    assert nodes_with_id(driver, "org:test-safi") == 0


def test_a_restricted_source_is_withheld_from_the_public_and_access_points_are_shown(
    driver: Driver, settings: Settings
) -> None:
    closed = {
        "type": "Source",
        "id": "source:test-closed",
        "name": "Closed",
        "restricted": True,
    }
    unit = {
        "type": "Organization",
        "id": "org:test-unit",
        "name": "Test Unit",
        "org_kind": "military_unit",
        "citations": [
            {"source": "source:test-closed", "locator": "page 3", "access_point": "ap-1"},
            {**cite(1)[0], "page": "7", "archive_url": "https://archive.example/x"},
        ],
    }
    importing.run_import(settings, RowsFormat([[SOURCE, closed, unit]]), [])

    async def detail(public: bool) -> list[Any]:
        async_driver = open_async_driver(settings)
        try:
            found = await entity_detail(Reader(async_driver, settings, public), "org:test-unit")
            return found.citations
        finally:
            await async_driver.close()

    public = asyncio.run(detail(True))
    assert [(c.source, c.page, c.archive_url) for c in public] == [
        ("source:test-import", "7", "https://archive.example/x")
    ]
    investigator = asyncio.run(detail(False))
    assert {c.source for c in investigator} == {"source:test-import", "source:test-closed"}


def assert_reimport_changes_nothing(
    driver: Driver, settings: Settings, fmt: ImportFormat, paths: list[Path]
) -> None:
    """Import PATHS twice: the second import creates nothing and leaves the graph as it was."""
    importing.run_import(settings, fmt, paths)
    before = graph_state(driver)
    assert before[0]
    again = importing.run_import(settings, fmt, paths)
    assert sum(again.created.values()) == 0
    assert graph_state(driver) == before


def export_round_trip(
    driver: Driver,
    settings: Settings,
    fmt: ImportFormat,
    paths: list[Path],
    export: Callable[[list[GraphNode], list[GraphLink], Path], T],
    out: Path,
) -> T:
    """Import PATHS, EXPORT the graph to OUT, import OUT into an emptied graph: the same graph.

    Returns what EXPORT returned (its row counts).
    """
    importing.run_import(settings, fmt, paths)
    before = graph_state(driver)
    nodes, links = read_graph(driver, settings, load_ontology())
    written = export(nodes, links, out)
    store.delete_all(driver, settings)
    assert graph_state(driver) == ([], [])
    importing.run_import(settings, fmt, [out])
    assert graph_state(driver) == before
    return written
