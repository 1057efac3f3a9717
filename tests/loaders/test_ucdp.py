"""UCDP GED CSVs through `run_import`, on the real Neo4j: events, sides, places, estimates."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from neo4j import Driver

from graph.db.settings import Settings
from loaders import pipeline, tabular
from loaders.errors import InvalidRecordsError, MissingInputError
from loaders.importing import run_import
from loaders.ucdp import FORMAT
from ontology.model import load as load_ontology
from tests.loaders.csv_rows import first_row_with
from tests.loaders.test_acled import event, place_chain, rows
from tests.loaders.test_importing import assert_reimport_changes_nothing
from tests.loaders.test_records import graph_state

DATA = Path(__file__).parent / "event_data"
SYRIA = DATA / "ucdp_syria.csv"
BAD = DATA / "ucdp_bad.csv"
ONE_SIDED = "event:ucdp-244657"
STATE_BASED = "event:ucdp-244658"
NON_STATE = "event:ucdp-244659"


def test_chunks_are_self_contained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tabular, "CHUNK_ROWS", 1)
    chunks = list(FORMAT.read([SYRIA]))
    assert [c.rows for c in chunks] == [1, 1, 1]
    ontology = load_ontology()
    for chunk in chunks:
        assert pipeline.validate(chunk.records, ontology) == []
        assert {"source:ucdp-ged", "org:ucdp", "place:ucdp-syria"} <= {r.id for r in chunk.records}


def test_events_sides_places_and_precision_codes(driver: Driver, settings: Settings) -> None:
    run_import(settings, FORMAT, [SYRIA])
    strike = event(driver, ONE_SIDED)
    assert strike["name"] == "Government of Syria - Civilians, Ariha town, 2017-01-03"
    assert (strike["start"], strike["end"]) == ("2017-01-03", "2017-01-03")
    assert (strike["type_of_violence"], strike["date_precision"], strike["geo_precision"]) == (
        "3",
        "1",
        "1",
    )
    assert strike["conflict_name"] == "Government of Syria - Civilians"
    assert strike["civilian_targeting"] is True
    assert strike["place_description"] == "Ariha town, Idlib governorate"
    assert {"relid: SYR-2017-3-1039-12", "priogrid_gid: 179353"} <= set(strike["classification"])
    month = event(driver, STATE_BASED)  # date_prec 4, 2017-01-01 to 2017-01-31: the month
    assert (month["start"], month["end"], month["date_precision"]) == ("2017-01", "2017-01", "4")
    bounds = (month["start_earliest"].iso_format(), month["end_latest"].iso_format())
    assert bounds == ("2017-01-01", "2017-01-31")
    assert month["name"].endswith(", 2017-01")
    assert "civilian_targeting" not in month

    sides = rows(
        driver,
        "MATCH (e:Event)<-[:OF_EVENT]-(a:Attribution)-[:OF_ACTOR]->(o:Organization), "
        "(a)-[:CLAIMED_BY]->(:Organization {id: 'org:ucdp'}) "
        "RETURN e.id AS event, a.role AS role, a.slot AS slot, o.id AS actor, o.org_kind AS kind",
    )
    assert sorted(tuple(s.values()) for s in sides) == [
        (ONE_SIDED, "side_a", "side_a", "org:ucdp-121", "state"),
        (ONE_SIDED, "target", "side_b", "org:ucdp-1", "other"),
        (STATE_BASED, "side_a", "side_a", "org:ucdp-121", "state"),
        (STATE_BASED, "side_b", "side_b", "org:ucdp-1007", "armed_group"),
        (NON_STATE, "side_a", "side_a", "org:ucdp-234", "armed_group"),
        (NON_STATE, "side_b", "side_b", "org:ucdp-1007", "armed_group"),
    ]

    assert place_chain(driver, ONE_SIDED) == [
        (
            "place:ucdp-syria.idlib-governorate.ariha-district.ariha-town",
            "Ariha town",
            "town",
        ),
        ("place:ucdp-syria.idlib-governorate.ariha-district", "Ariha district", "district"),
        ("place:ucdp-syria.idlib-governorate", "Idlib governorate", "governorate"),
        ("place:ucdp-syria", "Syria", "country"),
    ]
    (town,) = rows(
        driver,
        "MATCH (:Event {id: $id})-[:AT_PLACE]->(p) RETURN p.latitude AS lat, p.longitude AS lon",
        id=ONE_SIDED,
    )
    assert town == {"lat": 35.8111, "lon": 36.6098}
    # where_prec 4: only the province is known; its centroid stays off every place
    assert place_chain(driver, STATE_BASED)[0] == (
        "place:ucdp-syria.idlib-governorate",
        "Idlib governorate",
        "governorate",
    )
    assert {"where_coordinates: Idlib governorate", "latitude: 35.9306"} <= set(
        month["classification"]
    )

    (citation,) = rows(
        driver,
        "MATCH (:Event {id: $id})-[:CITED_IN]->(c:Citation)-[:FROM_SOURCE]->(s:Source) "
        "RETURN c.locator AS locator, c.quote AS quote, c.access_point AS access_point, "
        "s.id AS source",
        id=STATE_BASED,
    )
    assert citation == {
        "locator": "UCDP GED event 244658; source_article: Reuters,2017-01-31,"
        '"Fighting rages in Idlib countryside"; source_office: Beirut; '
        "source_date: 2017-01-31; source_original: Reuters",
        "quote": "Fighting rages in Idlib countryside",
        "access_point": "244658",
        "source": "source:ucdp-ged",
    }


def test_estimates_and_deaths_per_side_with_their_source(
    driver: Driver, settings: Settings
) -> None:
    run_import(settings, FORMAT, [SYRIA])
    counts = rows(
        driver,
        "MATCH (c:CasualtyCount)-[:OF_EVENT]->(:Event {id: $id}), "
        "(c)-[:CLAIMED_BY]->(:Organization {id: 'org:ucdp'}), "
        "(c)-[:CITED_IN]->(:Citation)-[:FROM_SOURCE]->(:Source {id: 'source:ucdp-ged'}) "
        "RETURN c.count_kind AS kind, c.scope AS scope, c.killed AS killed",
        id=ONE_SIDED,
    )
    assert sorted((tuple(c.values()) for c in counts), key=str) == sorted(
        [
            ("best_estimate", None, 12),
            ("low_estimate", None, 10),
            ("high_estimate", None, 15),
            ("best_estimate", "side A deaths", 0),
            ("best_estimate", "side B deaths", 0),
            ("best_estimate", "civilian deaths", 12),
            ("best_estimate", "deaths of unknown status", 0),
        ],
        key=str,
    )


def test_reimporting_changes_nothing(driver: Driver, settings: Settings) -> None:
    assert_reimport_changes_nothing(driver, settings, FORMAT, [SYRIA])


def test_a_malformed_row_names_file_line_and_column_and_nothing_is_written(
    driver: Driver, settings: Settings
) -> None:
    with pytest.raises(InvalidRecordsError) as raised:
        run_import(settings, FORMAT, [BAD])
    message = str(raised.value)
    assert f"{BAD}:3: type_of_violence: '4' is not a known code: write one of 1, 2, 3" in message
    assert f"{BAD}:3: date_start: '2017-13-03' is not a date" in message
    assert f"{BAD}:3: deaths_civilians: 'twelve' is not a whole number" in message
    assert f"{BAD}:2:" not in message
    assert graph_state(driver) == ([], [])


def test_a_missing_column_is_an_error_naming_it(tmp_path: Path) -> None:
    header, *lines = SYRIA.read_text(encoding="utf-8").splitlines()
    no_best = tmp_path / "no_best.csv"
    no_best.write_text("\n".join([header.replace(",best,", ",bset,"), *lines]) + "\n")
    with pytest.raises(MissingInputError, match=f"^{no_best}:1: missing column\\(s\\) best: "):
        list(FORMAT.read([no_best]))


def test_an_actor_id_beyond_the_bound_is_a_problem_of_its_row(tmp_path: Path) -> None:
    header, first, *rest = SYRIA.read_text(encoding="utf-8").splitlines()
    columns = header.split(",")
    long_id = tmp_path / "long_id.csv"
    cells = next(csv.reader([first]))
    cells[columns.index("side_a_new_id")] = "1" * 201
    with long_id.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([columns, cells, *csv.reader(rest)])
    (chunk,) = FORMAT.read([long_id])
    assert [str(p) for p in chunk.problems] == [
        f"{long_id}:2: side_a_new_id: is 201 characters long; an id may have at most 200: "
        "shorten it"
    ]
    assert ONE_SIDED not in {r.id for r in chunk.records}


@pytest.mark.parametrize(
    ("precision", "start", "end", "expected"),
    [
        ("4", "2017-01-01", "2017-01-31", ("2017-01", "2017-01")),  # the month
        ("5", "2017-01-01", "2017-12-31", ("2017", "2017")),  # the year
        ("4", "2016-02-01", "2016-02-29", ("2016-02", "2016-02")),
        ("3", "2017-01-02", "2017-01-08", ("2017-01-02", "2017-01-08")),  # a week: days kept
        ("4", "2017-01-05", "2017-01-25", ("2017-01-05", "2017-01-25")),  # not a whole month
        ("5", "2017-01-01", "2017-06-30", ("2017-01-01", "2017-06-30")),
        ("1", "2017-01-01", "2017-01-31", ("2017-01-01", "2017-01-31")),  # lasted the month
        ("4", "2017-01", "2017-01", ("2017-01", "2017-01")),  # written partial: kept
        ("5", "2017-00-00", "2017", ("2017", "2017")),
    ],
)
def test_dates_are_as_precise_as_ucdp_knows_them(
    tmp_path: Path, precision: str, start: str, end: str, expected: tuple[str, str]
) -> None:
    given = first_row_with(
        SYRIA, tmp_path / "dates.csv", date_prec=precision, date_start=start, date_end=end
    )
    (chunk,) = FORMAT.read([given])
    assert chunk.problems == []
    (found,) = [r for r in chunk.records if r.id == ONE_SIDED]
    assert (found.properties["start"], found.properties["end"]) == expected
