"""ACLED export CSVs through `run_import`, on the real Neo4j: events, involved actors, places."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from graph.db.settings import Settings
from loaders import pipeline, tabular
from loaders.acled import FORMAT
from loaders.errors import InvalidRecordsError, MissingInputError, NotUtf8Error, SourceFileError
from loaders.importing import run_import
from loaders.limits import MAX_TEXT
from loaders.records import read_paths
from ontology.model import load as load_ontology
from tests.conftest import REPO
from tests.loaders.csv_rows import first_row_with
from tests.loaders.test_importing import assert_reimport_changes_nothing
from tests.loaders.test_records import graph_state

DATA = Path(__file__).parent / "event_data"
SYRIA = DATA / "acled_syria.csv"
BAD = DATA / "acled_bad.csv"
AIRSTRIKE = "event:acled-syr123001"
CLASH = "event:acled-syr123002"
PROVINCE_ONLY = "event:acled-syr123003"


def rows(driver: Driver, query: str, **parameters: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in driver.execute_query(query, parameters).records]


def event(driver: Driver, event_id: str) -> dict[str, Any]:
    (found,) = rows(driver, "MATCH (e:Event {id: $id}) RETURN properties(e) AS e", id=event_id)
    return dict(found["e"])


def place_chain(driver: Driver, event_id: str) -> list[tuple[str, str, str]]:
    """(id, name, kind) from the event's place up its `within` chain to the top."""
    found = rows(
        driver,
        "MATCH (:Event {id: $id})-[:AT_PLACE]->(p:Place) "
        "MATCH path = (p)-[:WITHIN*0..]->(top:Place) WHERE NOT (top)-[:WITHIN]->() "
        "RETURN [x IN nodes(path) | [x.id, x.name, x.place_kind]] AS chain",
        id=event_id,
    )
    return [tuple(x) for x in found[0]["chain"]]


def test_chunks_are_self_contained_and_reading_twice_gives_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tabular, "CHUNK_ROWS", 2)
    chunks = list(FORMAT.read([SYRIA]))
    assert [c.rows for c in chunks] == [2, 2]
    ontology = load_ontology()
    for chunk in chunks:  # every id a record names is defined in its own chunk
        assert pipeline.validate(chunk.records, ontology) == []
    ids = [[r.id for r in c.records] for c in chunks]
    assert "source:acled" in ids[0]
    assert "source:acled" in ids[1]
    assert "org:acled-military-forces-of-syria-2000-2024" in ids[1]  # re-emitted
    again = list(FORMAT.read([SYRIA]))
    assert [c.records for c in again] == [c.records for c in chunks]


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2023-03-15", "2023-03-15"),
        ("15 March 2023", "2023-03-15"),
        ("5 Mar 2023", "2023-03-05"),
        ("15-March-2023", "2023-03-15"),
        ("15-03-2023", "2023-03-15"),
        ("2023-03-15 00:00:00.000", "2023-03-15"),
        ("31 February 2023", None),
        ("15 Marchh 2023", None),
        ("03/15/2023", None),
        ("2023-03", None),
    ],
)
def test_event_dates_in_both_acled_styles(text: str, day: str | None) -> None:
    assert tabular.parse_day(text) == day


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2023-03-15", "2023-03-15"),
        ("15 March 2023", "2023-03-15"),
        ("2023-03", "2023-03"),
        ("2023-03-00", "2023-03"),  # 00: the day is not known (as SFM writes it)
        ("2023-00-00", "2023"),
        ("2023-00", "2023"),
        ("2023", "2023"),
        ("March 2023", "2023-03"),
        ("Mar. 2023", "2023-03"),
        ("2023-13", None),
        ("Marchh 2023", None),
        ("03/2023", None),
    ],
)
def test_partial_dates_keep_the_precision_they_are_written_with(
    text: str, date: str | None
) -> None:
    assert tabular.parse_date(text) == date


@pytest.mark.parametrize(
    ("event_date", "time_precision", "start"),
    [
        ("2023-03-15", "1", "2023-03-15"),
        ("2023-03-15", "2", "2023-03-15"),  # the week around the day: read it as +/- 3 days
        ("15 March 2023", "3", "2023-03"),  # only the month: ACLED's day is a placeholder
        ("March 2023", "1", "2023-03"),  # a cell that is partial is never made more precise
        ("2023-00-00", "3", "2023"),
        ("2023", "1", "2023"),
    ],
)
def test_event_dates_become_partial_dates_as_precise_as_acled_knows_them(
    tmp_path: Path, event_date: str, time_precision: str, start: str
) -> None:
    given = first_row_with(
        SYRIA, tmp_path / "dates.csv", event_date=event_date, time_precision=time_precision
    )
    (chunk,) = FORMAT.read([given])
    assert chunk.problems == []
    (found,) = [r for r in chunk.records if r.id == AIRSTRIKE]
    assert (found.properties["start"], found.properties["date_precision"]) == (
        start,
        time_precision,
    )
    assert found.properties["name"].endswith(f", {event_date}")  # verbatim, for the export


def test_events_involved_actors_places_fatalities_and_citation(
    driver: Driver, settings: Settings
) -> None:
    summary = run_import(settings, FORMAT, [SYRIA])
    assert summary.rows == 4
    strike = event(driver, AIRSTRIKE)
    assert strike["name"] == "Air/drone strike in Ariha, 2023-03-15"
    assert (strike["event_kind"], strike["start"]) == ("airstrike", "2023-03-15")
    assert (strike["date_precision"], strike["geo_precision"]) == ("1", "1")
    assert strike["civilian_targeting"] is True
    assert strike["sub_event_type"] == "Air/drone strike"
    assert strike["disorder_type"] == "Political violence"
    assert {"interaction: 78", "iso: 760", "region: Middle East"} <= set(strike["classification"])
    assert {"source_scale: National", "timestamp: 1679308800"} <= set(strike["classification"])
    clash = event(driver, CLASH)
    assert (clash["event_kind"], clash["start"], clash["date_precision"]) == (
        "clashes",
        "2023-03-16",
        "2",
    )
    assert clash["civilian_targeting"] is False

    roles = rows(driver, "MATCH (a:Attribution) RETURN DISTINCT a.role AS role")
    assert roles == [{"role": "involved"}]
    actors = rows(
        driver,
        "MATCH (:Event {id: $id})<-[:OF_EVENT]-(a:Attribution)-[:OF_ACTOR]->(o:Organization), "
        "(a)-[:CLAIMED_BY]->(:Organization {id: 'org:acled'}) "
        "RETURN o.name AS actor, o.org_kind AS kind, a.slot AS slot, a.inter AS inter",
        id=CLASH,
    )
    assert sorted(tuple(a.values()) for a in actors) == [
        ("Ansar al Tawhid", "other", "assoc_actor_2", None),
        ("Hayat Tahrir al Sham", "armed_group", "actor2", "2"),
        ("Military Forces of Syria (2000-2024)", "armed_force", "actor1", "1"),
        ("National Defence Forces", "other", "assoc_actor_1", None),
        ("Turkistan Islamic Party", "other", "assoc_actor_2", None),
    ]

    assert place_chain(driver, AIRSTRIKE) == [
        ("place:acled-syria.idlib.ariha.ariha.ariha", "Ariha", "other"),
        ("place:acled-syria.idlib.ariha.ariha", "Ariha", "subdistrict"),
        ("place:acled-syria.idlib.ariha", "Ariha", "district"),
        ("place:acled-syria.idlib", "Idlib", "governorate"),
        ("place:acled-syria", "Syria", "country"),
    ]
    (ariha,) = rows(
        driver,
        "MATCH (p:Place {id: 'place:acled-syria.idlib.ariha.ariha.ariha'}) "
        "RETURN p.latitude AS lat, p.longitude AS lon",
    )
    assert ariha == {"lat": 35.8111, "lon": 36.6098}

    (count,) = rows(
        driver,
        "MATCH (c:CasualtyCount)-[:OF_EVENT]->(:Event {id: $id}), "
        "(c)-[:CLAIMED_BY]->(o:Organization), (c)-[:CITED_IN]->(:Citation)-[:FROM_SOURCE]->(s) "
        "RETURN c.killed AS killed, c.count_kind AS kind, o.id AS by, o.org_kind AS org_kind, "
        "s.id AS source, s.name AS source_name",
        id=AIRSTRIKE,
    )
    assert count == {
        "killed": 4,
        "kind": "reported",
        "by": "org:acled",
        "org_kind": "monitoring_ngo",
        "source": "source:acled",
        "source_name": "ACLED (Armed Conflict Location & Event Data)",
    }
    (citation,) = rows(
        driver,
        "MATCH (:Event {id: $id})-[:CITED_IN]->(c:Citation)-[:FROM_SOURCE]->(:Source) "
        "RETURN c.locator AS locator, c.quote AS quote, c.access_point AS access_point",
        id=AIRSTRIKE,
    )
    assert citation == {
        "locator": "event SYR123001; sources: Syrian Observatory for Human Rights",
        "quote": "On 15 March 2023, Russian warplanes carried out air strikes on a market in "
        "Ariha city (Ariha, Idlib), killing 4 civilians, including a child, and wounding 9 "
        "others.",
        "access_point": "SYR123001",
    }


def test_a_province_only_event_is_placed_in_its_province_and_a_month_only_date_is_a_month(
    driver: Driver, settings: Settings
) -> None:
    run_import(settings, FORMAT, [SYRIA])
    shelling = event(driver, PROVINCE_ONLY)
    assert (shelling["start"], shelling["date_precision"], shelling["geo_precision"]) == (
        "2023-03",
        "3",
        "3",
    )
    assert shelling["name"] == "Shelling/artillery/missile attack in Idlib, 2023-03-15"
    assert place_chain(driver, PROVINCE_ONLY) == [
        ("place:acled-syria.idlib", "Idlib", "governorate"),
        ("place:acled-syria", "Syria", "country"),
    ]
    # the provincial capital ACLED codes as a stand-in is kept verbatim, on no place
    assert {"location: Idlib", "latitude: 35.9306", "longitude: 36.6339"} <= set(
        shelling["classification"]
    )
    assert rows(driver, "MATCH (p:Place {name: 'Idlib'}) RETURN p.latitude AS lat") == [
        {"lat": None}
    ]
    # a missing admin3 keeps its place in the id, so the location never takes an admin3's id
    assert place_chain(driver, "event:acled-syr123004")[0][0] == (
        "place:acled-syria.aleppo.al-bab..al-bab"
    )


def test_reimporting_changes_nothing(driver: Driver, settings: Settings) -> None:
    assert_reimport_changes_nothing(driver, settings, FORMAT, [SYRIA])


def test_a_malformed_row_names_file_line_and_column_and_nothing_is_written(
    driver: Driver, settings: Settings
) -> None:
    with pytest.raises(InvalidRecordsError) as raised:
        run_import(settings, FORMAT, [BAD])
    message = str(raised.value)
    assert f"{BAD}:3: event_date: '15 Marchh 2023' is not a date" in message
    assert f"{BAD}:3: fatalities: 'about 4' is not a whole number" in message
    assert f"{BAD}:4: event_id_cnty: required: an ACLED event id" in message
    assert f"{BAD}:2:" not in message
    assert graph_state(driver) == ([], [])


def test_skip_invalid_loads_the_good_rows(driver: Driver, settings: Settings) -> None:
    summary = run_import(settings, FORMAT, [BAD], skip_invalid=True)
    assert len(summary.row_problems) == 3
    found = rows(driver, "MATCH (e:Event) RETURN e.id AS id")
    assert found == [{"id": AIRSTRIKE}]


def test_a_wrong_header_is_an_error_naming_the_missing_columns_and_nothing_is_written(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    ucdp_like = tmp_path / "not_acled.csv"
    ucdp_like.write_text("id,date_start,side_a\n1,2017-01-03,Government of Syria\n")
    with pytest.raises(MissingInputError) as raised:
        run_import(settings, FORMAT, [ucdp_like], skip_invalid=True)
    assert str(raised.value).startswith(
        f"{ucdp_like}:1: missing column(s) event_id_cnty, event_date, time_precision"
    )
    assert "and 12 more: the first line must be the export's header" in str(raised.value)
    assert graph_state(driver) == ([], [])


def test_a_missing_column_is_named_even_when_the_rest_of_the_header_is_right(
    tmp_path: Path,
) -> None:
    header, *lines = SYRIA.read_text(encoding="utf-8").splitlines()
    no_notes = tmp_path / "no_notes.csv"
    no_notes.write_text("\n".join([header.replace(",notes,", ",remarks,"), *lines]) + "\n")
    with pytest.raises(MissingInputError, match=f"^{no_notes}:1: missing column\\(s\\) notes: "):
        list(FORMAT.read([no_notes]))


def with_cells(path: Path, changes: dict[int, dict[str, str]]) -> Path:
    """SYRIA with the cells CHANGES gives for some rows (0 is the first data row), as PATH."""
    with SYRIA.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, found = list(reader.fieldnames or []), list(reader)
    for number, cells in changes.items():
        found[number].update(cells)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(found)
    return path


def test_values_beyond_the_bounds_are_named_and_a_long_text_is_left_out(tmp_path: Path) -> None:
    long_actor = "Military Forces of Russia " * 500
    path = with_cells(
        tmp_path / "long.csv",
        {
            0: {"notes": "n" * (MAX_TEXT + 1), "actor1": long_actor},
            1: {"event_id_cnty": "S" * 5000},
            2: {"fatalities": "1" * 5000},
        },
    )
    (chunk,) = FORMAT.read([path])
    assert [str(p) for p in chunk.problems] == [
        f"{path}:3: event_id_cnty: is 5,000 characters long; an id may have at most 200: "
        "shorten it",
        f"{path}:4: fatalities: '1111111111111111111111111111111111111111'… (5,000 characters) "
        "is not a whole number: write digits only (up to 18), e.g. 3",
    ]
    assert [str(w) for w in chunk.warnings] == [
        f"{path}:2: notes: is 100,001 characters long, more than the 100,000 allowed; left out"
    ]
    events = {r.id: r for r in chunk.records if r.label == "Event"}
    assert set(events) == {AIRSTRIKE, "event:acled-syr123004"}
    assert "quote" not in events[AIRSTRIKE].properties["citations"][0]
    (actor,) = [r for r in chunk.records if r.properties.get("name") == long_actor.strip()]
    assert len(actor.id) < 200  # an id made of a name stays short, and the same every time
    again = next(iter(FORMAT.read([path])))
    assert actor.id in {r.id for r in again.records}


def test_a_latin_1_file_is_named_by_its_line_not_a_byte_offset(tmp_path: Path) -> None:
    header, first, *_ = SYRIA.read_text(encoding="utf-8").splitlines()
    rows_before = [first.replace("SYR123001", f"SYR9{n:05d}") for n in range(40)]  # > 8 kB
    latin = tmp_path / "latin1.csv"
    text = "\n".join([header, *rows_before, first.replace("Ariha city", "Ariha café")])
    latin.write_bytes(text.encode("latin-1"))
    column = first.replace("Ariha city", "Ariha café").index("é") + 1
    with pytest.raises(NotUtf8Error) as raised:
        list(FORMAT.read([latin]))
    assert str(raised.value) == (
        f"{latin}:42: not UTF-8 text (byte 0xE9 at column {column}): re-save the file as UTF-8"
    )


def test_a_quote_left_open_is_named_by_the_line_its_row_starts_on(tmp_path: Path) -> None:
    header, first, *_ = SYRIA.read_text(encoding="utf-8").splitlines()
    opened = tmp_path / "open_quote.csv"
    rest = "\n".join(["no closing quote"] * 70_000)  # past the 1,000,000 characters of a cell
    opened.write_text(f'{header}\n{first}\nSYR9,"{rest}\n')
    with pytest.raises(SourceFileError, match=f"^{opened}:3: the row starting here cannot be"):
        list(FORMAT.read([opened]))


def test_a_row_with_a_stray_comma_is_refused(tmp_path: Path) -> None:
    header, good = SYRIA.read_text(encoding="utf-8").splitlines()[:2]
    shifted = tmp_path / "shifted.csv"
    shifted.write_text(f"{header}\n{good},extra\n", encoding="utf-8")
    (chunk,) = FORMAT.read([shifted])
    assert [(p.line, p.field) for p in chunk.problems] == [(2, "(row)")]
    assert chunk.records == []


def test_a_repeated_event_id_is_refused(tmp_path: Path) -> None:
    header, good = SYRIA.read_text(encoding="utf-8").splitlines()[:2]
    twice = tmp_path / "twice.csv"
    twice.write_text(f"{header}\n{good}\n{good}\n", encoding="utf-8")
    (chunk,) = FORMAT.read([twice])
    assert [str(p) for p in chunk.problems] == [
        f"{twice}:3: (row): 'event:acled-syr123001' repeats line 2: give each event once"
    ]


def test_acled_admin1_resolves_to_the_curated_governorate(
    driver: Driver, settings: Settings
) -> None:
    pipeline.load(settings, load_ontology(), read_paths([REPO / "data" / "default"]))
    run_import(settings, FORMAT, [SYRIA])
    assert place_chain(driver, PROVINCE_ONLY)[0][0] == "place:idlib-governorate"
    assert rows(driver, "MATCH (p:Place {id: 'place:acled-syria.idlib'}) RETURN p.id") == []
    chain = [place for place, _, _ in place_chain(driver, AIRSTRIKE)]
    assert chain[-2:] == ["place:idlib-governorate", "place:syria"]
