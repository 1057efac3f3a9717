"""`run_import`: check all, then write; reuse by name; never overwrite what others cite."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from neo4j import Driver

from graph.db import store
from graph.db.export import read_graph
from graph.db.reader import Reader
from graph.db.runtime import LocalNeo4j
from graph.db.settings import Settings
from graph.db.store import open_async_driver
from graph.reads.entities import entity_detail
from loaders import importing, journal, pipeline
from loaders.errors import InvalidRecordsError, RecordProblem
from loaders.formats import Chunk, ImportFormat
from loaders.journal import ImportInterruptedError
from loaders.pipeline import Record
from loaders.records import read_paths
from loaders.resolve import Resolver
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


def test_records_depending_on_a_rejected_one_are_skipped_and_counted_apart(
    driver: Driver, settings: Settings
) -> None:
    moon = TOWN | {"place_kind": "moon"}  # line 3; the events at it depend on it
    unread = RecordProblem("rows.csv", 6, "start", "'32 Sept' is not a date: use YYYY-MM-DD")
    fmt = RowsFormat([[SOURCE, moon, event(1), event(2, start="2016-13"), unread]])
    told: list[tuple[int, list[str], list[str]]] = []
    summary = importing.run_import(
        settings,
        fmt,
        [],
        skip_invalid=True,
        on_rejected=lambda found, records: told.append(
            (found[0].line, [p.problem for p in found], [r.id for r in records])
        ),
    )
    assert sorted(told) == [
        (3, [f"'moon' is not one of {list(load_ontology().kind_values('Place'))}"], ["place:t"]),
        (4, ["skipped because place:t (line 3) was rejected"], ["event:test-1"]),
        (5, ["'2016-13' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD"], ["event:test-2"]),
        (6, ["'32 Sept' is not a date: use YYYY-MM-DD"], []),
    ]
    assert summary.rejected_counts.lines() == [
        "2 rejected: is not a date",
        "1 rejected: is not one of the allowed values",
        "1 skipped because a record they depend on was rejected",
    ]
    assert nodes(driver) == 1  # the source alone

    with pytest.raises(InvalidRecordsError) as refused:
        importing.run_import(settings, fmt, [])
    message = str(refused.value)
    assert message.startswith("4 problem(s) found; nothing was loaded.")
    assert "rows.csv:4: place: skipped because place:t (line 3) was rejected" in message
    assert message.endswith(
        "By reason:\n  2 rejected: is not a date\n  1 rejected: is not one of the allowed values"
        "\n  1 skipped because a record they depend on was rejected"
    )


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


def test_a_chunk_written_while_the_one_before_commits_protects_what_that_one_wrote(
    driver: Driver, settings: Settings
) -> None:
    """Chunk 2 is resolved while chunk 1 is still being written: a statement chunk 1 cites to
    one source is not overwritten by chunk 2's, which cites another only."""
    other = {"type": "Source", "id": "source:test-other", "name": "Another export"}
    first = {"type": "Person", "id": "person:test-witnessed", "name": "First Name"}
    again = {**first, "name": "Second Name", "citations": [{**cite(2)[0], "source": other["id"]}]}
    chunks = [[SOURCE, {**first, "citations": cite(1)}], [SOURCE, other, again]]
    summary = importing.run_import(settings, RowsFormat(chunks), [])
    assert summary.created["Person"] == 1
    name = driver.execute_query(
        "MATCH (p:Person {id: 'person:test-witnessed'})-[:CITED_IN]->(:Citation)"
        "-[:FROM_SOURCE]->(s:Source) RETURN p.name AS name, collect(s.id) AS sources"
    ).records
    assert [(r["name"], r["sources"]) for r in name] == [("First Name", [SOURCE["id"]])]


def test_what_a_write_under_way_puts_in_the_graph_counts_as_there(
    default_dataset: Driver, settings: Settings
) -> None:
    ontology = load_ontology()
    resolver = Resolver(default_dataset, settings, ontology)
    record = Record(
        "Person", {"id": "person:test-unwritten", "name": "N", "citations": cite(1)}, "f", 2
    )
    assert resolver.resolve([record]).present == frozenset()
    written = {"person:test-unwritten": {"source:elsewhere"}}
    resolution = resolver.resolve([record], written)
    assert resolution.present == {"person:test-unwritten"}
    assert resolution.protected == ["person:test-unwritten"]
    assert resolution.records == []
    same = {"person:test-unwritten": {"source:test-import"}}
    assert resolver.resolve([record], same).records == [record]


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
    """Import PATHS, then `export_and_import_again`."""
    importing.run_import(settings, fmt, paths)
    return export_and_import_again(driver, settings, fmt, export, out)


def export_and_import_again(
    driver: Driver,
    settings: Settings,
    fmt: ImportFormat,
    export: Callable[[list[GraphNode], list[GraphLink], Path], T],
    out: Path,
) -> T:
    """EXPORT the graph to OUT, import OUT into an emptied graph: the same graph.

    Returns what EXPORT returned (its row counts).
    """
    before = graph_state(driver)
    nodes, links = read_graph(driver, settings, load_ontology())
    written = export(nodes, links, out)
    store.delete_all(driver, settings)
    assert graph_state(driver) == ([], [])
    importing.run_import(settings, fmt, [out])
    assert graph_state(driver) == before
    return written


# ----- interrupted imports ------------------------------------------------------------------


@dataclass
class EventsFormat:
    """Chunks of SIZES events at one town, each chunk self-contained.

    The write pass (every second read) fails with a read error at chunk STOP_AT.
    """

    sizes: list[int]
    stop_at: int | None = None
    renamed_at: int | None = None  # the chunk from which the town has another name
    name: str = "events"
    summary: str = "events made up by the test"
    reads: int = 0

    def read(self, paths: Sequence[Path]) -> Iterator[Chunk]:
        self.reads += 1
        for number, size in enumerate(self.sizes):
            if self.reads % 2 == 0 and number == self.stop_at:
                raise OSError("events.csv could not be read")
            first = sum(self.sizes[:number])
            town: dict[str, Any] = TOWN
            if self.renamed_at is not None and number >= self.renamed_at:
                town = {**TOWN, "name": "T, as later rows name it"}
            rows = [SOURCE, town, *(event(n) for n in range(first, first + size))]
            chunk = Chunk(rows=size)
            for line, row in enumerate(rows, start=first + 2):
                data = dict(row)
                label = str(data.pop("type"))
                chunk.records.append(Record(label, data, "events.csv", line))
            yield chunk

    def ids(self, chunks: int) -> set[str]:
        """The ids of the events in the first CHUNKS chunks."""
        return {f"event:test-{n}" for n in range(sum(self.sizes[:chunks]))}


def event_ids(driver: Driver) -> set[str]:
    return {r["id"] for r in driver.execute_query("MATCH (e:Event) RETURN e.id AS id").records}


class Neo4jKiller(threading.Thread):
    """Kills the Neo4j server (SIGKILL) as soon as a transaction is seen writing a batch of
    rows once the graph holds AFTER_EVENTS events (the chunks before the one to kill are
    committed)."""

    def __init__(self, runtime: LocalNeo4j, after_events: int) -> None:
        super().__init__(daemon=True)
        self.runtime = runtime
        self.after_events = after_events
        self.in_transaction = False

    def run(self) -> None:
        settings = self.runtime.settings
        server = self.runtime.process()
        if server is None:
            return
        deadline = time.monotonic() + 120
        with store.connect(settings) as watcher:
            while len(event_ids(watcher)) < self.after_events and time.monotonic() < deadline:
                time.sleep(0.01)
            while not self.in_transaction and time.monotonic() < deadline:
                self.in_transaction = bool(
                    watcher.execute_query(
                        "SHOW TRANSACTIONS YIELD currentQuery "
                        "WHERE currentQuery CONTAINS $word RETURN count(*) AS n",
                        word="UNWIND $rows",
                    ).records[0]["n"]
                )
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=60)


@pytest.mark.restarts_neo4j
def test_neo4j_killed_mid_chunk_leaves_whole_chunks_and_running_the_import_again_completes_it(
    driver: Driver, settings: Settings, neo4j_runtime: LocalNeo4j, journals: Path, tmp_path: Path
) -> None:
    given = tmp_path / "events.csv"
    given.write_text("the test's events\n", encoding="utf-8")
    fmt = EventsFormat([20, 20, 300, 20])
    killer = Neo4jKiller(neo4j_runtime, after_events=len(fmt.ids(2)))
    killer.start()
    try:
        with pytest.raises(ImportInterruptedError) as stopped:
            importing.run_import(settings, fmt, [given])
    finally:
        killer.join(timeout=180)
        neo4j_runtime.start()
    assert killer.in_transaction  # the third chunk's transaction was open when it was killed
    assert "Neo4j is not reachable" in str(stopped.value)
    assert "2 of 4 chunks were committed: the graph holds part of it" in str(stopped.value)
    with store.connect(settings) as after_restart:
        assert event_ids(after_restart) == fmt.ids(2)  # nothing of the killed transaction
        [found] = importing.interrupted_imports(after_restart, settings)
        assert (found.held.chunks, found.held.uncertain, found.held.lost) == (2, False, False)

        said: list[importing.Interrupted] = []
        summary = importing.run_import(settings, fmt, [given], on_interrupted=said.append)
        assert [each.describe() for each in said] == [
            f"Resuming an interrupted import of {given}: 2 of 4 chunks were committed: the "
            "graph holds part of it; re-running completes it."
        ]
        assert summary.resumed == 2
        assert summary.created["Event"] == 320
        resumed = graph_state(after_restart)
        assert journal.unfinished(settings) == []
        store.delete_all(after_restart, settings)
        importing.run_import(settings, EventsFormat([20, 20, 300, 20]), [given])
        assert graph_state(after_restart) == resumed  # as if it had never stopped


@pytest.mark.parametrize(
    ("renamed_at", "town_written"),
    [(None, [True, False, False]), (1, [True, True, False])],
)
def test_the_source_and_place_every_chunk_names_are_written_once_unless_a_chunk_changes_them(
    driver: Driver,
    settings: Settings,
    journals: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    renamed_at: int | None,
    town_written: list[bool],
) -> None:
    given = tmp_path / "events.csv"
    given.write_text("the test's events\n", encoding="utf-8")
    fmt = EventsFormat([5, 5, 5], renamed_at=renamed_at)
    written: list[set[str]] = []
    write = pipeline.write

    def noting(
        driver: Driver, settings: Settings, nodes: list[pipeline.NodeRow], *args: Any, **kw: Any
    ) -> pipeline.LoadSummary:
        written.append({str(node.properties["id"]) for node in nodes})
        return write(driver, settings, nodes, *args, **kw)

    monkeypatch.setattr(pipeline, "write", noting)
    importing.run_import(settings, fmt, [given])

    assert [TOWN["id"] in ids for ids in written] == town_written
    assert [SOURCE["id"] in ids for ids in written] == [True, False, False]
    assert [len([i for i in ids if i.startswith("event:")]) for ids in written] == [5, 5, 5]
    at_town = driver.execute_query(
        "MATCH (e:Event)-[:AT_PLACE]->(t:Place {id: $id}) RETURN t.name AS name, count(e) AS n",
        id=TOWN["id"],
    ).records
    name = TOWN["name"] if renamed_at is None else "T, as later rows name it"
    assert [(r["name"], r["n"]) for r in at_town] == [(name, 15)]


def test_a_stopped_import_says_what_the_graph_holds_and_running_it_again_skips_those_chunks(
    driver: Driver, settings: Settings, journals: Path, tmp_path: Path
) -> None:
    given = tmp_path / "events.csv"
    given.write_text("the test's events\n", encoding="utf-8")
    fmt = EventsFormat([5, 5, 5, 5], stop_at=2)
    with pytest.raises(ImportInterruptedError) as stopped:
        importing.run_import(settings, fmt, [given])
    assert str(stopped.value) == (
        "the import stopped: events.csv could not be read\n"
        f"{given} (events): 2 of 4 chunks were committed: the graph holds part of it. "
        "Running the same `silsila import` again completes it."
    )
    assert event_ids(driver) == fmt.ids(2)
    [found] = importing.interrupted_imports(driver, settings)
    assert found.describe() == (
        f"An import of {given} (events) was interrupted: 2 of 4 chunks were committed: the "
        f"graph holds part of it. `silsila import events {given}` completes it."
    )

    fmt.stop_at = None
    summary = importing.run_import(settings, fmt, [given])
    assert (summary.resumed, summary.created["Event"]) == (2, 10)
    assert event_ids(driver) == fmt.ids(4)
    assert journal.unfinished(settings) == []


def test_a_chunk_committed_just_before_its_journal_entry_is_found_by_its_witness(
    driver: Driver, settings: Settings, journals: Path
) -> None:
    """The journal is written after the commit: a kill between them leaves it one behind."""
    fmt = EventsFormat([5, 5, 5], stop_at=2)
    with pytest.raises(ImportInterruptedError):
        importing.run_import(settings, fmt, [])
    [log] = journal.unfinished(settings)
    log.committed = 1  # as a kill between the second chunk's commit and its entry leaves it
    log.save()
    [found] = importing.interrupted_imports(driver, settings)
    assert (found.held.chunks, found.held.uncertain) == (2, False)
    log.witnesses[1] = "citation:not-in-the-graph"  # the same kill, before the commit
    log.save()
    [found] = importing.interrupted_imports(driver, settings)
    assert (found.held.chunks, found.held.uncertain) == (1, False)


def test_a_one_chunk_import_that_stops_leaves_the_graph_as_it_was(
    driver: Driver, settings: Settings, journals: Path
) -> None:
    with pytest.raises(ImportInterruptedError) as stopped:
        importing.run_import(settings, EventsFormat([5], stop_at=0), [])
    assert "the graph is as it was before it" in str(stopped.value)
    assert "Running the same `silsila import` again imports it." in str(stopped.value)
    assert nodes(driver) == 0


def test_chunks_the_graph_no_longer_holds_are_written_again(
    driver: Driver, settings: Settings, journals: Path
) -> None:
    fmt = EventsFormat([5, 5, 5], stop_at=2)
    with pytest.raises(ImportInterruptedError):
        importing.run_import(settings, fmt, [])
    store.delete_all(driver, settings)  # e.g. the database was emptied since
    said: list[importing.Interrupted] = []
    fmt.stop_at = None
    summary = importing.run_import(settings, fmt, [], on_interrupted=said.append)
    assert "the graph no longer holds the 2 chunk(s)" in said[0].describe()
    assert "every chunk is written again" in said[0].describe()
    assert summary.resumed == 0
    assert event_ids(driver) == fmt.ids(3)


def test_an_interrupted_import_of_other_or_changed_files_is_reported_not_resumed(
    driver: Driver, settings: Settings, journals: Path, tmp_path: Path
) -> None:
    first, other = tmp_path / "first.csv", tmp_path / "other.csv"
    first.write_text("first\n", encoding="utf-8")
    other.write_text("other\n", encoding="utf-8")
    with pytest.raises(ImportInterruptedError):
        importing.run_import(settings, EventsFormat([5, 5, 5], stop_at=1), [first])

    said: list[importing.Interrupted] = []
    summary = importing.run_import(
        settings, EventsFormat([5, 5]), [other], on_interrupted=said.append
    )
    assert summary.resumed == 0
    assert [each.describe() for each in said] == [
        f"An import of {first} (events) was interrupted: 1 of 3 chunks were committed: the "
        f"graph holds part of it. `silsila import events {first}` completes it."
    ]
    first.write_text("first, changed\n", encoding="utf-8")
    [found] = importing.interrupted_imports(driver, settings)
    assert found.changed
    assert f"Its files have changed since; delete {journals}" in found.describe()


def test_an_import_being_written_by_another_process_is_not_called_interrupted_nor_resumed(
    driver: Driver, settings: Settings, journals: Path
) -> None:
    fmt = EventsFormat([5, 5, 5], stop_at=1)
    with pytest.raises(ImportInterruptedError):
        importing.run_import(settings, fmt, [])
    [log] = journal.unfinished(settings)
    with journal.writing(log.path, "events.csv"):  # as the other process holds it
        [found] = importing.interrupted_imports(driver, settings)
        assert found.describe() == (
            "An import of (no files) (events) is being written right now: 1 of 3 chunks "
            "committed so far."
        )
        fmt.stop_at = None
        with pytest.raises(journal.ImportRunningError):
            importing.run_import(settings, fmt, [])
    assert event_ids(driver) == fmt.ids(1)


def test_the_nodes_an_import_creates_outright_are_those_neither_held_nor_repeated() -> None:
    """A record the graph holds, its citations (their ids hash its id) and a node that comes
    twice are merged; every other node is created without being looked for."""
    ontology = load_ontology()
    [chunk] = EventsFormat([3]).read([])
    found, _ = pipeline.normalise(
        chunk.records, ontology, pipeline.known_labels(chunk.records, ontology)
    )
    held = "event:test-1"
    twice = next(n for n in found if n.properties["id"] == "event:test-2")
    new = pipeline.new_nodes([*found, twice], {held, SOURCE["id"]})
    cited = {n.owner: n.properties["id"] for n in found if n.owner is not None}
    assert set(cited) >= {"event:test-0", held, "event:test-2"}
    assert {"event:test-0", cited["event:test-0"], TOWN["id"]} <= new
    assert not {held, cited[held], SOURCE["id"], "event:test-2"} & new
    assert cited["event:test-2"] in new


def test_an_import_onto_part_of_its_records_gives_the_graph_an_import_into_an_empty_one_gives(
    driver: Driver, settings: Settings, journals: Path, tmp_path: Path
) -> None:
    given = tmp_path / "events.csv"
    given.write_text("the test's events\n", encoding="utf-8")
    importing.run_import(settings, EventsFormat([20, 20]), [given])
    whole = graph_state(driver)
    store.delete_all(driver, settings)
    importing.run_import(settings, EventsFormat([20]), [given])
    summary = importing.run_import(settings, EventsFormat([20, 20]), [given])
    assert (summary.created["Event"], summary.matched["Event"]) == (20, 20)
    assert graph_state(driver) == whole
