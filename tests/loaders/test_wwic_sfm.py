"""WhoWasInCommand import and export on Security Force Monitor's own platform data.

`tests/loaders/sfm_fixtures.py` converts SFM's Django fixtures (../shared/peers/sfm-cms-real)
into the WWIC spreadsheets, dates as SFM stores them (`2008-00-00`), into a temporary folder.
The expected counts and flags are computed here from the fixtures, not from the importer.
"""

from __future__ import annotations

import csv
import datetime as dt
import time
from collections import Counter
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from graph.asof import PartialDate
from graph.db.reader import Reader
from graph.db.settings import Settings
from graph.reads import models
from graph.reads.command import chain_of_command, commanders_at
from loaders.errors import SKIPPED
from loaders.importing import run_import
from loaders.wwic import FORMAT, columns, export_wwic
from tests.graph.reads.counting import run
from tests.loaders.sfm_fixtures import (
    SFM_FIXTURES,
    WWIC_FILES,
    Cited,
    Row,
    SfmData,
    Span,
    convert,
    iso_date,
    write_wwic,
)
from tests.loaders.test_importing import export_and_import_again

pytestmark = pytest.mark.skipif(
    not SFM_FIXTURES.is_dir(), reason=f"SFM's platform fixtures not found: {SFM_FIXTURES}"
)
RELATIONS = {"child": "command", "member": "member"}


@pytest.fixture(scope="module")
def sfm() -> SfmData:
    return SfmData.load()


@pytest.fixture(scope="module")
def converted(sfm: SfmData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SFM's data as the five WWIC files, in a folder of the test session's own."""
    folder = tmp_path_factory.mktemp("sfm-wwic")
    write_wwic(sfm, folder)
    return folder


def query(driver: Driver, cypher: str, **parameters: Any) -> list[dict[str, Any]]:
    return [r.data() for r in driver.execute_query(cypher, parameters, database_="neo4j").records]


def uuid(record_id: str) -> str:
    return record_id.split(":sfm-", 1)[1]


def open_code(values: dict[str, Any]) -> str:
    """The open-ended code SFM's codebook gives what the graph holds (blank: none given)."""
    if values.get("last_cited_is_end") is True:
        return "E"
    found = values.get("open_ended")
    return "" if found is None else "Y" if found else "N"


def test_sfm_data_imports_whole_with_every_open_ended_flag_and_exports_back_as_given(
    driver: Driver, settings: Settings, sfm: SfmData, converted: Path, tmp_path: Path
) -> None:
    started = time.perf_counter()
    summary = run_import(settings, FORMAT, [converted])
    print(f"SFM's data: {summary.rows:,} rows imported in {time.perf_counter() - started:.1f} s")
    assert (summary.problem_count, len(summary.rejected_rows)) == (0, 0)
    assert summary.read_warnings == []
    counts = query(
        driver,
        "MATCH (n) WHERE n:Organization OR n:UnitRelation OR n:Person OR n:Posting "
        "RETURN [x IN labels(n) WHERE x IN $types][0] AS type, count(*) AS n",
        types=["Organization", "UnitRelation", "Person", "Posting"],
    )
    assert {r["type"]: r["n"] for r in counts} == {
        "Organization": 146,
        "UnitRelation": 67,
        "Person": 19,
        "Posting": 52,
    }
    assert (len(sfm.units), len(sfm.relations), len(sfm.persons), len(sfm.postings)) == (
        146,
        67,
        19,
        52,
    )
    # one import, several questions of it: each import of this set takes seconds
    assert_every_open_ended_flag_is_kept(driver, sfm)
    assert_every_flag_is_cited_even_without_its_date(driver)
    assert_partial_dates_keep_their_precision(driver, sfm)
    assert_commanders_are_commanders(driver, sfm)
    assert_chains_and_commanders_follow_the_fixtures(settings, sfm)
    assert_export_gives_back_the_rows_sfm_gave(driver, settings, converted, tmp_path / "out")


def assert_every_open_ended_flag_is_kept(driver: Driver, sfm: SfmData) -> None:
    relations = query(
        driver,
        "MATCH (c)<-[:CHILD_UNIT]-(r:UnitRelation)-[:PARENT_UNIT]->(p) "
        "RETURN c.id AS child, p.id AS parent, properties(r) AS r",
    )
    found = Counter(
        (uuid(x["child"]), uuid(x["parent"]), x["r"]["relation"], open_code(x["r"]))
        for x in relations
    )
    wanted = Counter((r.child, r.parent, RELATIONS[r.kind], r.span.end_flag) for r in sfm.relations)
    assert found == wanted
    flags = Counter(r.span.end_flag for r in sfm.compositions())
    assert flags == {"Y": 41, "N": 15, "E": 1}
    kept = Counter(code for (_, _, relation, code) in found.elements() if relation == "command")
    assert kept == flags
    # open-ended and never cited again: the flag is kept all the same
    no_last = [x for x in relations if open_code(x["r"]) == "Y" and "last_cited" not in x["r"]]
    assert len(no_last) == sum(
        1 for r in sfm.relations if r.span.end_flag == "Y" and r.span.last_cited is None
    )
    assert len(no_last) > 20


def assert_every_flag_is_cited_even_without_its_date(driver: Driver) -> None:
    uncited = query(
        driver,
        "MATCH (n) WHERE n:Organization OR n:UnitRelation OR n:Posting "
        "UNWIND [k IN keys(n) WHERE k IN $flags] AS flag "
        "OPTIONAL MATCH (n)-[:CITED_IN]->(c) WHERE flag IN c.supports "
        "WITH n, flag, count(c) AS citations WHERE citations = 0 "
        "RETURN n.id AS id, flag",
        flags=["open_ended", "last_cited_is_end", "first_cited_is_start"],
    )
    assert uncited == []
    cited = query(
        driver,
        "MATCH (r:UnitRelation)-[:CITED_IN]->(c) "
        "WHERE r.open_ended AND r.last_cited IS NULL AND 'open_ended' IN c.supports "
        "RETURN count(DISTINCT r) AS n",
    )
    assert cited[0]["n"] > 20


def assert_partial_dates_keep_their_precision(driver: Driver, sfm: SfmData) -> None:
    stored = {
        (uuid(r["child"]), uuid(r["parent"]), r["first"])
        for r in query(
            driver,
            "MATCH (c)<-[:CHILD_UNIT]-(r:UnitRelation)-[:PARENT_UNIT]->(p) "
            "RETURN c.id AS child, p.id AS parent, r.first_cited AS first",
        )
    }
    partial = {
        (r.child, r.parent, str(r.span.first_cited.value))
        for r in sfm.relations
        if r.span.first_cited and str(r.span.first_cited.value).endswith("-00")
    }
    assert len(partial) >= 5
    for child, parent, sfm_form in partial:  # 2008-00-00 is 2008, 2016-09-00 September 2016
        assert (child, parent, iso_date(Cited(sfm_form, (), ""))) in stored, sfm_form
    published = query(driver, "MATCH (s:Source) WHERE size(s.published) = 4 RETURN count(s) AS n")
    assert published[0]["n"] > 0


def assert_commanders_are_commanders(driver: Driver, sfm: SfmData) -> None:
    """SFM's "Commander" is Silsila's `commander`, whom the chain of command looks for."""
    roles = Counter(r["role"] for r in query(driver, "MATCH (p:Posting) RETURN p.role AS role"))
    wanted = sum(1 for p in sfm.postings if p.role and p.role.value == "Commander")
    assert wanted > 20
    assert roles["commander"] == wanted


# ----- chains of command, against what the fixtures say -----------------------------------

ZONA_29 = "29 Zona Militar"


def day(text: str) -> tuple[dt.date, dt.date]:
    """The first and last day a partial ISO date (`2008`, `2010-10`, `2012-05-03`) covers."""
    parts = [int(p) for p in text.split("-")]
    first = dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    if len(parts) == 3:
        return first, first
    if len(parts) == 2:
        following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return first, following - dt.timedelta(days=1)
    return first, dt.date(first.year, 12, 31)


COMMAND_ROLES = ("Commander", "Head")
STRENGTH = ("no", "possible", "certain")


def best(answers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Each person's surest answer over their postings, those that may hold only."""
    found: dict[str, str] = {}
    for person, certainty in answers:
        if STRENGTH.index(certainty) > STRENGTH.index(found.get(person, "no")):
            found[person] = certainty
    return found


def expected_certainty(span: Span, at: str, end_is_real: bool) -> str:
    """SFM's rule, worked out here: certain between the first and last citation, no outside a
    real start or end, possible otherwise."""
    when = day(at)
    first, last = iso_date(span.first_cited), iso_date(span.last_cited)
    if first and span.real_start == "Y" and when[1] < day(first)[0]:
        return "no"
    if last and end_is_real and when[0] > day(last)[1]:
        return "no"
    low, high = first or last, last or first
    if low and high and day(low)[1] <= when[0] and when[1] <= day(high)[0]:
        return "certain"
    return "possible"


def pairs(sfm: SfmData) -> list[tuple[str, str]]:
    """(unit, date) pairs to ask about: inside each composition's cited span, and after the
    last citation of each open-ended one; 29 Zona Militar (two parents) among them."""
    found = []
    for relation in sfm.compositions():
        first, last = iso_date(relation.span.first_cited), iso_date(relation.span.last_cited)
        if first and last and day(first)[1] < day(last)[0]:
            middle = day(first)[1] + (day(last)[0] - day(first)[1]) / 2
            found.append((relation.child, middle.isoformat()))
        if relation.span.end_flag == "Y" and last:
            found.append((relation.child, str(day(last)[1].year + 2)))
    return sorted(set(found))


def assert_chains_and_commanders_follow_the_fixtures(settings: Settings, sfm: SfmData) -> None:
    asked = pairs(sfm)
    assert len(asked) >= 20
    zona = next(u.uuid for u in sfm.units.values() if u.name.value.strip() == ZONA_29)
    assert any(unit == zona for unit, _ in asked)
    two_parents = open_ended_past_last = 0
    for unit, at in asked:
        chain, commanders = run(settings, partial(_answers, unit=unit, at=at))
        holding = {
            r.parent: expected_certainty(r.span, at, r.span.end_flag == "E")
            for r in sfm.compositions()
            if r.child == unit
        }
        holding = {parent: c for parent, c in holding.items() if c != "no"}
        above = [chain.levels[1]] if len(chain.levels) > 1 else []
        shown = {
            uuid(level.unit.id): level.relation_as_of.certainty.value
            for level in above
            if level.relation == "command" and level.relation_as_of is not None
        }
        shown |= {
            uuid(o.unit.id): o.relation_as_of.certainty.value
            for level in above
            for o in level.also_under
            if o.relation == "command"
        }
        assert shown == holding, (unit, at)
        if "certain" in holding.values():  # a parent the sources place there for sure leads
            assert holding[uuid(chain.levels[1].unit.id)] == "certain", (unit, at)
        two_parents += len(holding) > 1
        followed = chain.levels[1].relation_as_of if len(chain.levels) > 1 else None
        open_ended_past_last += followed is not None and "open-ended" in followed.reason
        wanted = best(
            (p.person, expected_certainty(p.span, at, p.span.end_flag == "Y"))
            for p in sfm.postings
            if p.unit == unit and p.role and p.role.value in COMMAND_ROLES
        )
        found = best((uuid(c.person.id), c.as_of.certainty.value) for c in commanders)
        assert found == wanted, (unit, at)
    assert two_parents >= 1
    assert open_ended_past_last >= 1


async def _answers(
    reader: Reader, unit: str, at: str
) -> tuple[models.Chain, list[models.Commander]]:
    when = PartialDate.parse(at)
    unit_id = f"org:sfm-{unit}"
    return await chain_of_command(reader, unit_id, when), await commanders_at(reader, unit_id, when)


# ----- export ------------------------------------------------------------------------------


def read_rows(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def as_read(rows: Iterable[Row], name: str) -> Counter[tuple[str, ...]]:
    """Each row as the importer reads it: every column it reads, stripped, in any order."""
    read = columns.REQUIRED_COLUMNS[name]
    return Counter(tuple((row.get(column) or "").strip() for column in read) for row in rows)


def assert_export_gives_back_the_rows_sfm_gave(
    driver: Driver, settings: Settings, converted: Path, out: Path
) -> None:
    """The imported graph exported to OUT gives back SFM's rows, and imported again from OUT
    the same graph."""
    export_and_import_again(driver, settings, FORMAT, export_wwic, out)
    for name in ("units.csv", "persons.csv", "persons_extra.csv", "incidents.csv"):
        given, back = read_rows(converted / name), read_rows(out / name)
        assert as_read(back, name) == as_read(given, name), name
    sources = {r[columns.ACCESS_POINT_ID]: r for r in read_rows(converted / "sources.csv")}
    written = read_rows(out / "sources.csv")
    cited = {
        point
        for name in ("units.csv", "persons.csv")
        for row in read_rows(converted / name)
        for column, cell in row.items()
        if column.endswith(":source")
        for point in cell.split(";")
        if point
    }
    assert {r[columns.ACCESS_POINT_ID] for r in written} == cited
    assert as_read(written, "sources.csv") == as_read(
        [sources[r[columns.ACCESS_POINT_ID]] for r in written], "sources.csv"
    )
    # said above with every column; here what was lost before: flags and SFM's spellings
    lost_before = (("units.csv", "unit:related_unit_open"), ("persons.csv", "person:posting_role"))
    for name, column in lost_before:
        given, back = read_rows(converted / name), read_rows(out / name)
        assert Counter(r[column] for r in back) == Counter(r[column] for r in given), column
    assert "Commander" in {r["person:posting_role"] for r in read_rows(out / "persons.csv")}
    assert {"Y", "N", "E"} <= {r["unit:related_unit_open"] for r in read_rows(out / "units.csv")}


# ----- one fault, one error -----------------------------------------------------------------


def rewrite(path: Path, change: dict[int, dict[str, str]]) -> None:
    """Change the cells of some data rows of a CSV file (row 0 is on line 2)."""
    rows = read_rows(path)
    header = list(rows[0])
    for number, cells in change.items():
        rows[number] |= cells
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def cited_by(row: Row) -> set[str]:
    """The access points a row's source columns name."""
    return {a for k, v in row.items() if k.endswith(":source") for a in v.split(";") if a}


def test_a_rejected_source_or_unit_is_one_problem_and_what_depends_on_it_is_skipped(
    sfm: SfmData, tmp_path: Path
) -> None:
    folder = tmp_path / "faults"
    tables = write_wwic(sfm, folder)
    units, persons = tables["units.csv"], tables["persons.csv"]
    # A unit given by one row, which relations and postings name as their unit: its name is
    # blanked. An access point one posting row alone cites, of another unit: its restricted
    # flag unreadable (a date that cannot be read would only be left out, with a warning).
    rows_of = Counter(r["unit:id:admin"] for r in units)
    posted_to = Counter(p.unit for p in sfm.postings)
    above = Counter(r.parent for r in sfm.relations)
    unit = max((u for u in posted_to if rows_of[u] == 1), key=lambda u: min(above[u], posted_to[u]))
    unit_line = 2 + next(i for i, r in enumerate(units) if r["unit:id:admin"] == unit)
    citing = Counter(a for row in units + persons for a in cited_by(row))
    point_line, access_point = next(
        (line, a)
        for line, row in enumerate(persons, 2)
        if row.get("person:posting_unit_id:admin") != unit
        for a in sorted(cited_by(row))
        if citing[a] == 1
    )
    points = [r["source:access_point_id:admin"] for r in tables["sources.csv"]]
    source_line = 2 + points.index(access_point)
    rewrite(folder / "units.csv", {unit_line - 2: {"unit:name": ""}})
    rewrite(folder / "sources.csv", {source_line - 2: {"source:restricted:admin": "maybe"}})

    said = [p for chunk in FORMAT.read([folder]) for p in chunk.problems]
    faults = [(Path(p.file).name, p.line, p.field) for p in said if p.reason != SKIPPED]
    assert faults == [
        ("sources.csv", source_line, "source:restricted:admin"),
        ("units.csv", unit_line, "unit:name"),
    ]
    skipped = {(Path(p.file).name, p.line, p.problem) for p in said if p.reason == SKIPPED}
    sources_csv, units_csv = folder / "sources.csv", folder / "units.csv"
    point = f"skipped because access point {access_point!r} ({sources_csv}:{source_line})"
    below = [n for n, r in enumerate(units, 2) if r.get("unit:related_unit_id:admin") == unit]
    posted = [n for n, r in enumerate(persons, 2) if r.get("person:posting_unit_id:admin") == unit]
    assert below
    assert posted
    org = f"skipped because org:sfm-{unit}"
    assert skipped == (
        {("persons.csv", point_line, f"{point} was rejected")}
        | {("units.csv", n, f"{org} (line {unit_line}) was rejected") for n in below}
        | {("persons.csv", n, f"{org} ({units_csv}:{unit_line}) was rejected") for n in posted}
    )
    assert not [p for p in said if "is not in sources.csv" in p.problem]


def test_the_converter_writes_the_layout_of_sfms_importer_files(tmp_path: Path) -> None:
    data = convert(tmp_path)  # one call, for other tests of the same data
    assert len(data.units) == 146
    assert {p.name for p in tmp_path.iterdir()} == set(WWIC_FILES)
    for name in WWIC_FILES:
        with (tmp_path / name).open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        assert set(columns.REQUIRED_COLUMNS[name]) <= set(header), name
    dates = [r["unit:first_cited_date"] for r in read_rows(tmp_path / "units.csv")]
    assert any(d.endswith("-00-00") for d in dates)
    assert any(d.endswith("-00") and not d.endswith("-00-00") for d in dates)
