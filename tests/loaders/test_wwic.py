"""WhoWasInCommand import and export, on Security Force Monitor's own importer test files."""

from __future__ import annotations

import asyncio
import csv
import itertools
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

import loaders.wwic.importer as wwic_importer
from graph.asof import InvalidDateError, PartialDate
from graph.db import store
from graph.db.reader import Reader
from graph.db.settings import Settings
from graph.reads import models
from graph.reads.command import chain_of_command
from loaders.errors import InvalidRecordsError, MissingInputError, NotUtf8Error
from loaders.importing import run_import
from loaders.limits import MAX_TEXT
from loaders.wwic import FORMAT, columns, export_wwic
from loaders.wwic.row_reader import RowReader, date_from_parts, parse_date
from tests.conftest import REPO
from tests.loaders.test_importing import assert_reimport_changes_nothing, export_round_trip
from tests.loaders.test_records import graph_state

SAMPLE = REPO.parent / "shared" / "peers" / "sfm-importer"
FILES = ("units.csv", "persons.csv", "persons_extra.csv", "incidents.csv", "sources.csv")
# The command chain of SFM's test units, bottom up, and the person posted to each.
CHAIN = ("Delta", "Gamma", "Beta", "Alpha")
DELTA = "org:sfm-acb6ea98-97b3-41e1-8df2-903be407e907"
PERSONS = {
    "Alpha": "person:sfm-3d55875b-a7db-46e3-83ad-f4feea4c74cc",
    "Beta": "person:sfm-5fdd09e9-27f1-4dc3-a92f-a022e6730543",
    "Gamma": "person:sfm-45cbd39d-0011-42b6-b46b-eb6ab0a9006e",
    "Delta": "person:sfm-08700499-9b00-4f92-81e2-50c1438bf073",
}
# Silsila's typing of a record and derived values: not SFM values, so not cited.
# Not values SFM gave: ids, kinds, and the search keys derived from the names.
UNCITED = {"id", "org_kind", "place_kind", "event_kind", "search_keys"}

pytestmark = pytest.mark.skipif(
    not SAMPLE.is_dir(), reason=f"SFM's importer test files not found: {SAMPLE}"
)


def unit(name: str) -> str:
    return f"Importer Test Organization {name} Name"


def person(name: str) -> str:
    return f"Importer Test Person {name} Name"


def ready_ids(file: str, kind: str, prefix: str) -> set[str]:
    """The ids of a sample file's rows with status 3, read here independently of the importer."""
    with (SAMPLE / file).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {
        f"{prefix}:sfm-{r[f'{kind}:id:admin']}" for r in rows if r[f"{kind}:status:admin"] == "3"
    }


def query(driver: Driver, cypher: str, **parameters: Any) -> list[dict[str, Any]]:
    return [r.data() for r in driver.execute_query(cypher, parameters, database_="neo4j").records]


def imported_ids(driver: Driver, label: str, prefix: str) -> set[str]:
    rows = query(driver, f"MATCH (n:{label}) WHERE n.id STARTS WITH $p RETURN n.id AS id", p=prefix)
    return {r["id"] for r in rows}


def copy_sample(folder: Path) -> Path:
    folder.mkdir()
    for name in FILES:
        shutil.copy(SAMPLE / name, folder / name)
    return folder


def test_sfm_sample_imports_units_persons_incidents_and_their_relations(
    driver: Driver, settings: Settings
) -> None:
    run_import(settings, FORMAT, [SAMPLE])
    assert imported_ids(driver, "Organization", "org:") == ready_ids("units.csv", "unit", "org")
    assert imported_ids(driver, "Person", "person:") == ready_ids("persons.csv", "person", "person")
    assert imported_ids(driver, "Event", "event:") == ready_ids(
        "incidents.csv", "incident", "event"
    )
    relations = {
        (r["child"], r["parent"], r["relation"])
        for r in query(
            driver,
            "MATCH (c)<-[:CHILD_UNIT]-(r:UnitRelation)-[:PARENT_UNIT]->(p) "
            "RETURN c.name AS child, p.name AS parent, r.relation AS relation",
        )
    }
    for child, parent in itertools.pairwise(CHAIN):
        assert (unit(child), unit(parent), "command") in relations
    assert not [r for r in relations if r[0] == unit("Alpha")]
    assert ("Is-member Organization name", "Has-member Organization name", "member") in relations
    postings = query(
        driver,
        "MATCH (p)<-[:OF_PERSON]-(x:Posting)-[:IN_ORGANIZATION]->(o) "
        "RETURN p.name AS person, o.name AS unit, x.role AS role",
    )
    for name in CHAIN:
        assert (person(name), unit(name)) in {(p["person"], p["unit"]) for p in postings}
    assert len([p for p in postings if p["person"] == person("Delta")]) == 1  # duplicate row


def test_every_imported_value_has_a_source_and_a_confidence(
    driver: Driver, settings: Settings
) -> None:
    run_import(settings, FORMAT, [SAMPLE])
    rows = query(
        driver,
        "MATCH (n) WHERE NOT n:Citation AND NOT n:Source "
        "OPTIONAL MATCH (n)-[:CITED_IN]->(c) "
        "RETURN n.id AS id, labels(n) AS labels, properties(n) AS values, "
        "collect(properties(c)) AS citations",
    )
    checked = 0
    for row in rows:
        # incidents.csv gives one source column for the whole row, and no confidence
        incident = {"Event", "Attribution"} & set(row["labels"])
        for name in row["values"]:
            if name in UNCITED or name.endswith(("_earliest", "_latest")):
                continue
            supporting = [c for c in row["citations"] if name in c.get("supports", [name])]
            assert supporting, f"{row['id']}.{name} has no citation"
            assert incident or any("confidence" in c for c in supporting), f"{row['id']}.{name}"
            checked += 1
    assert checked > 100
    perpetrator_unit = "org:sfm-5cdf5379-bbf6-4f31-961b-a82eddfccaf4"
    (values,) = query(driver, "MATCH (o {id: $id}) RETURN properties(o) AS v", id=perpetrator_unit)
    assert "country" not in values["v"]  # SFM gives it neither source nor confidence


def test_values_dates_and_access_points_as_sfm_wrote_them(
    driver: Driver, settings: Settings
) -> None:
    run_import(settings, FORMAT, [SAMPLE])
    (alpha,) = query(
        driver,
        "MATCH (o:Organization {name: $name})-[:CITED_IN]->(c) WHERE 'name' IN c.supports "
        "RETURN o AS unit, c AS citation",
        name=unit("Alpha"),
    )
    assert alpha["citation"]["access_point"] == "67a6807e-7088-406d-bc5c-98ea593fa85d"
    assert (alpha["citation"]["page"], alpha["citation"]["locator"]) == ("1", "page 1")
    assert alpha["citation"]["confidence"] == "Low"
    assert "archive_url" not in alpha["citation"]
    assert alpha["unit"]["first_cited_is_start"] is True
    assert alpha["unit"]["open_ended"] is True
    (gamma,) = query(driver, "MATCH (o {name: $n}) RETURN o.first_cited AS d", n=unit("Gamma"))
    assert gamma["d"] == "2018-01-01"  # the parts, not the full date '2019-01-01'
    warnings = [str(w) for c in FORMAT.read([SAMPLE]) for w in c.warnings]
    assert any("units.csv:6: unit:first_cited_date: '2019-01-01'" in w for w in warnings)
    (beta,) = query(driver, "MATCH (p:Person {name: $n}) RETURN p", n=person("Beta"))
    assert (beta["p"]["gender"], beta["p"]["birth_date"]) == ("Female", ["1980-01-01"])
    assert beta["p"]["deceased"] is False
    (event,) = query(
        driver,
        "MATCH (e:Event)-[:AT_PLACE]->(p) OPTIONAL MATCH (e)<-[:OF_EVENT]-(a:Attribution) "
        "-[:OF_ACTOR]->(x) RETURN e, p.name AS place, collect(x.name) AS perpetrators",
    )
    assert event["e"]["classification"] == ["Torture", "illegal detention"]
    assert (event["e"]["start"], event["e"]["end"]) == ("2008-10-21", "2008-10-26")
    assert event["e"]["description"].endswith("; descriptions should allow semicolons")
    assert event["place"] == "Ciudad Juárez"
    assert sorted(event["perpetrators"]) == [
        "Test Incident perpetrator (Test Incident Alpha)",
        "Test Incident perpetrator unit (Test Incident Alpha)",
    ]


def test_chain_of_command_of_delta_with_everyone_posted_at_each_level(
    driver: Driver, settings: Settings
) -> None:
    run_import(settings, FORMAT, [SAMPLE])

    async def chain() -> models.Chain:
        async_driver = store.open_async_driver(settings)
        try:
            reader = Reader(async_driver, settings)
            return await chain_of_command(reader, DELTA, at=PartialDate.parse("2018-06-01"))
        finally:
            await async_driver.close()

    levels = asyncio.run(chain()).levels
    assert [level.unit.name for level in levels] == [unit(name) for name in CHAIN]
    assert [level.relation for level in levels[1:]] == ["command"] * 3
    for level, name in zip(levels, CHAIN, strict=True):
        assert PERSONS[name] in {p.person.id for p in level.posted}


def test_export_then_import_into_an_empty_graph_gives_the_same_graph(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    counts = export_round_trip(driver, settings, FORMAT, [SAMPLE], export_wwic, tmp_path / "export")
    assert counts["units.csv"] == 8  # Alpha's two sites, five relations, one bare unit
    assert (counts["persons.csv"], counts["persons_extra.csv"], counts["incidents.csv"]) == (
        5,
        1,
        1,
    )


def test_reimporting_changes_nothing(driver: Driver, settings: Settings) -> None:
    assert_reimport_changes_nothing(driver, settings, FORMAT, [SAMPLE])


def test_small_chunks_give_the_same_graph(
    driver: Driver, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_import(settings, FORMAT, [SAMPLE])
    whole = graph_state(driver)
    store.delete_all(driver, settings)
    monkeypatch.setattr(wwic_importer, "CHUNK_ROWS", 1)
    chunks = list(FORMAT.read([SAMPLE]))
    assert len(chunks) == 13  # 7 units, 5 persons and 1 incident, each with what it names
    run_import(settings, FORMAT, [SAMPLE])
    assert graph_state(driver) == whole


def test_a_malformed_row_names_file_line_and_column_and_nothing_is_written(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    folder = copy_sample(tmp_path / "bad")
    units = folder / "units.csv"
    with units.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames or []), list(reader)
    rows[3]["unit:first_cited_date_month"] = "13"  # Beta, on line 5
    with units.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(InvalidRecordsError) as error:
        run_import(settings, FORMAT, [folder])
    assert f"{units}:5: unit:first_cited_date: " in str(error.value)
    assert graph_state(driver) == ([], [])


def test_a_row_marked_as_a_duplicate_is_skipped_and_reading_twice_gives_the_same(
    tmp_path: Path,
) -> None:
    folder = copy_sample(tmp_path / "duplicate")
    persons = folder / "persons.csv"
    with persons.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames or []), list(reader)
    copy = rows[0] | {"person:id:admin": "0c9c1e8e-0000-4000-8000-000000000001"}
    copy["person:comments:admin"] = "Duplicate of Importer Test Person Alpha Name"
    with persons.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=header).writerow(copy)
    first = [r for chunk in FORMAT.read([folder]) for r in chunk.records]
    assert [r for r in first if r.id == "person:sfm-0c9c1e8e-0000-4000-8000-000000000001"] == []
    again = [r for chunk in FORMAT.read([folder]) for r in chunk.records]
    assert [r.properties for r in again] == [r.properties for r in first]
    assert "person:sfm-3d55875b-a7db-46e3-83ad-f4feea4c74cc" in {r.id for r in first}


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("10/21/2008", "2008-10-21"),  # incidents: US month/day/year
        ("01/01/80", "1980-01-01"),  # persons_extra: a date of birth with a two-digit year
        ("2019-11-29T10:25:45Z", "2019-11-29"),  # sources: a timestamp
        ("10/2008", "2008-10"),
        ("2020", "2020"),
        ("2008-00-00", "2008"),  # SFM's platform: an unknown month and day are 00
        ("2010-10-00", "2010-10"),
    ],
)
def test_dates_in_the_forms_sfm_writes_keep_their_precision(text: str, date: str) -> None:
    assert parse_date(text) == date


@pytest.mark.parametrize(
    ("parts", "date"),
    [(("2008", "00", "00"), "2008"), (("2010", "10", "0"), "2010-10"), (("2010", "", ""), "2010")],
)
def test_a_month_or_day_of_00_in_the_date_parts_is_not_known(
    parts: tuple[str, str, str], date: str
) -> None:
    assert date_from_parts(*parts) == date


@pytest.mark.parametrize("text", ["2008-00-12", "2008-13-00", "0000-00-00"])
def test_a_day_without_its_month_or_a_month_that_is_none_is_not_a_date(text: str) -> None:
    with pytest.raises(InvalidDateError, match="is not a date"):
        parse_date(text)


def rewrite(path: Path, change: Callable[[list[str], list[dict[str, str]]], list[str]]) -> None:
    """Rewrite the CSV file PATH, CHANGE editing its rows and returning its header."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, found = list(reader.fieldnames or []), list(reader)
    header = change(header, found)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(found)


def test_an_incident_citing_a_rejected_access_point_is_skipped_not_a_second_problem(
    tmp_path: Path,
) -> None:
    folder = copy_sample(tmp_path / "rejected_source")
    sources = folder / "sources.csv"
    incident_point = "a8cedf53-50e6-4ef0-a5df-c1ef1ae00565"  # on line 110, cited by the incident

    def break_flag(header: list[str], found: list[dict[str, str]]) -> list[str]:
        found[108]["source:restricted:admin"] = "maybe"
        return header

    rewrite(sources, break_flag)
    said = [str(p) for chunk in FORMAT.read([folder]) for p in chunk.problems]
    assert said == [
        f"{sources}:110: source:restricted:admin: 'maybe' is not 1 or 0",
        f"{folder / 'incidents.csv'}:2: incident:all:source: skipped because access point "
        f"{incident_point!r} ({sources}:110) was rejected",
    ]


def test_a_publication_date_that_cannot_be_read_is_left_out_and_the_source_kept(
    tmp_path: Path,
) -> None:
    folder = copy_sample(tmp_path / "bad_date")
    sources = folder / "sources.csv"

    def break_date(header: list[str], found: list[dict[str, str]]) -> list[str]:
        found[108]["source:published_timestamp"] = "2020-02-30"
        return header

    rewrite(sources, break_date)
    chunks = list(FORMAT.read([folder]))
    assert [p for chunk in chunks for p in chunk.problems] == []
    warned = [str(w) for chunk in chunks for w in chunk.warnings]
    assert f"{sources}:110: source:published_timestamp: '2020-02-30' is not a date: write " in (
        "\n".join(warned)
    )
    assert any(w.endswith("; left out") for w in warned)


def test_a_folder_without_one_of_the_five_files_is_an_error_naming_it(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path / "no_units")
    (folder / "units.csv").unlink()
    with pytest.raises(MissingInputError) as raised:
        list(FORMAT.read([folder]))
    assert str(raised.value).startswith(f"{folder}: missing units.csv: a WhoWasInCommand export")


def test_a_file_without_a_column_the_importer_reads_is_an_error_naming_it(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path / "no_status")
    units = folder / "units.csv"
    rewrite(units, lambda header, _: [c for c in header if c != "unit:status:admin"])
    with pytest.raises(MissingInputError) as raised:
        list(FORMAT.read([folder]))
    assert str(raised.value) == (
        f"{units}:1: missing column(s) unit:status:admin: the first line must be units.csv's "
        "header, with every column (a column may be empty)"
    )


def test_every_column_read_is_required_and_the_unread_ones_may_be_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: set[tuple[str, str]] = set()
    cell = RowReader._cell

    def noting(reader: RowReader, column: str) -> str:
        read.add((Path(reader.file).name, column))
        return cell(reader, column)

    monkeypatch.setattr(RowReader, "_cell", noting)
    whole = [r for chunk in FORMAT.read([SAMPLE]) for r in chunk.records]
    assert read
    assert {(f, c) for f, c in read if c not in columns.REQUIRED_COLUMNS[f]} == set()
    folder = copy_sample(tmp_path / "unread_columns_dropped")
    for name, unread in columns.UNREAD.items():
        rewrite(
            folder / name, lambda header, _, unread=unread: [c for c in header if c not in unread]
        )
    without = [r for chunk in FORMAT.read([folder]) for r in chunk.records]
    assert [(r.label, r.properties) for r in without] == [(r.label, r.properties) for r in whole]


def test_values_beyond_the_bounds_are_named_and_a_long_text_is_left_out(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path / "long")
    units = folder / "units.csv"

    def lengthen(header: list[str], found: list[dict[str, str]]) -> list[str]:
        found[0]["unit:id:admin"] = "u" * 5000  # line 2
        found[1]["unit:name"] = "N" * (MAX_TEXT + 1)  # line 3
        found[2]["unit:classification"] = "c" * (MAX_TEXT + 1)  # line 4
        return header

    rewrite(units, lengthen)
    chunks = list(FORMAT.read([folder]))
    problems = [str(p) for chunk in chunks for p in chunk.problems]
    assert problems == [
        f"{units}:2: unit:id:admin: is 5,000 characters long; an id may have at most 200: "
        "shorten it",
        f"{units}:3: unit:name: is 100,001 characters long; a text may have at most 100,000: "
        "shorten it",
    ]
    warnings = [str(w) for chunk in chunks for w in chunk.warnings if "characters" in str(w)]
    assert warnings == [
        f"{units}:4: unit:classification: is 100,001 characters long, more than the 100,000 "
        "allowed; left out"
    ]


def test_a_latin_1_file_is_named_by_its_line(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path / "latin1")
    persons = folder / "persons.csv"
    lines = persons.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("Importer Test", "Importér Test", 1)
    persons.write_bytes("\n".join(lines).encode("latin-1"))
    column = lines[3].index("é") + 1
    with pytest.raises(NotUtf8Error) as raised:
        list(FORMAT.read([folder]))
    assert str(raised.value) == (
        f"{persons}:4: not UTF-8 text (byte 0xE9 at column {column}): re-save the file as UTF-8"
    )
