"""The filtered event list starts from the filter's indexed anchor and finds exactly what a
plain scan of every event would."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from graph.asof import PartialDate
from graph.db import kept, queries
from graph.db.settings import Settings
from graph.reads import command, events, exposure, sanctions
from graph.reads.events import EventFilter
from tests.graph.reads.counting import CountingReader, db_hits, load_records, run

IDLIB = "place:idlib-governorate"
REGIME = "org:syrian-government-forces"
SNHR_2016 = "source:003_25bd39c06e840184"
# Each filter with a value that the default dataset answers with a few events.
VALUES: dict[str, Any] = {
    "date_from": PartialDate.parse("2011-12"),
    "date_to": PartialDate.parse("2016-09"),
    "place": IDLIB,
    "perpetrator": REGIME,
    "kind": "massacre",
    "min_killed": 10,
    "source": SNHR_2016,
}


def scanned(driver: Driver, where: EventFilter) -> list[str]:
    """The same filter as a plain scan over every event, written without anchors. The filter
    goes as one map: Neo4j plans a statement again for each new set of parameter types, and an
    absent filter's null is a type of its own."""
    records, _, _ = driver.execute_query(
        """
        MATCH (e:Event)
        WHERE ($f.`from` IS NULL OR e.end_latest >= date($f.`from`)
               OR (e.end IS NULL AND e.start_latest >= date($f.`from`)))
          AND ($f.to IS NULL OR e.start_earliest <= date($f.to))
          AND ($f.kind IS NULL OR e.event_kind = $f.kind)
          AND ($f.place IS NULL OR EXISTS {
                MATCH (e)-[:AT_PLACE]->(:Place)-[:WITHIN*0..6]->(t:Place) WHERE t.id = $f.place })
          AND ($f.perpetrator IS NULL OR EXISTS {
                MATCH (e)<-[:OF_EVENT]-(a:Attribution)-[:OF_ACTOR]->(x:Actor)
                WHERE a.role = 'perpetrator' AND x.id = $f.perpetrator })
          AND ($f.source IS NULL OR EXISTS {
                MATCH (e)-[:CITED_IN]->(:Citation)-[:FROM_SOURCE]->(s:Source)
                WHERE s.id = $f.source })
          AND ($f.min_killed IS NULL OR EXISTS {
                MATCH (e)<-[:OF_EVENT]-(c:CasualtyCount)
                WHERE c.killed >= $f.min_killed AND c.scope IS NULL })
        RETURN e.id AS id ORDER BY e.start_earliest, e.id
        """,
        f={
            "from": None if where.date_from is None else where.date_from.earliest.isoformat(),
            "to": None if where.date_to is None else where.date_to.latest.isoformat(),
            "kind": where.kind,
            "place": where.place,
            "perpetrator": where.perpetrator,
            "source": where.source,
            "min_killed": where.min_killed,
        },
    )
    return [r["id"] for r in records]


COMBINATIONS = [
    dict(pair) for size in (1, 2) for pair in itertools.combinations(VALUES.items(), size)
]


def test_every_anchor_finds_what_a_scan_finds(default_dataset: Driver, settings: Settings) -> None:
    """Each filter alone and each pair, as the investigator sees them (the scan withholds
    nothing), in one session."""

    async def every(reader: CountingReader) -> list[list[str]]:
        pages = [
            await events.events(reader, EventFilter(**given), limit=1000) for given in COMBINATIONS
        ]
        assert all(page.total == len(page.items) for page in pages)
        return [[e.id for e in page.items] for page in pages]

    found = run(settings, every, public=False)
    for given, ids in zip(COMBINATIONS, found, strict=True):
        assert ids == scanned(default_dataset, EventFilter(**given)), "+".join(given)


def test_the_count_is_kept_so_each_further_page_is_one_round_trip(
    default_dataset: Driver, settings: Settings
) -> None:
    """The first page reads the count and the page; the next only the page; a page past the
    last nothing (the count says it is empty). A write makes the count new."""
    kept.forget()

    async def pages(reader: CountingReader) -> list[tuple[int, int, int]]:
        found = []
        for offset in (0, 2, 500):
            before = reader.statements
            page = await events.events(reader, EventFilter(place=IDLIB), limit=2, offset=offset)
            found.append((reader.statements - before, page.total, len(page.items)))
        return found

    first, second, past = run(settings, pages)
    total = len(scanned(default_dataset, EventFilter(place=IDLIB)))
    assert total > 2
    assert first == (2, total, 2)
    assert second == (1, total, min(2, total - 2))
    assert past == (0, total, 0)


# The filters a walk of the date index can check, each with a value, as EventFilter takes them.
WALKED = {k: v for k, v in VALUES.items() if k != "date_from"}
WALK_COMBINATIONS = [{}] + [
    dict(pair) for size in (1, 2) for pair in itertools.combinations(WALKED.items(), size)
]


def test_a_walk_of_the_date_index_gives_the_dated_events_the_filters_index_gives(
    default_dataset: Driver, settings: Settings
) -> None:
    """For no filter, each walkable filter and each pair, both ways: the walk's events are the
    dated events of the anchored list, in its order, whole and from an offset."""

    async def both(reader: CountingReader) -> list[tuple[list[str], list[str], list[str]]]:
        found = []
        for given in WALK_COMBINATIONS:
            params = await events._filter_params(reader, EventFilter(**given))
            for descending in (False, True):
                sort = "-date" if descending else "date"
                anchored = await events._page(reader, params, sort, 1000, 0)
                walk = queries.events_by_date(frozenset(params), descending)
                whole = await reader.rows(walk, **params, limit=1000, offset=0)
                part = await reader.rows(walk, **params, limit=4, offset=3)
                dated = [e.id for e in anchored if e.start is not None]
                found.append((dated, [r["id"] for r in whole], [r["id"] for r in part]))
        return found

    found = run(settings, both, public=False)
    assert any(len(dated) > 7 for dated, _, _ in found)
    for dated, whole, part in found:
        assert whole == dated
        assert part == dated[3:7]


@pytest.mark.parametrize("sort", ["date", "-date"])
@pytest.mark.parametrize("given", [{}, {"kind": "massacre"}, {"perpetrator": REGIME}])
def test_turning_pages_meets_every_event_once_in_order_whichever_way_each_page_is_found(
    default_dataset: Driver, settings: Settings, sort: str, given: dict[str, Any]
) -> None:
    """Small pages: the many-match filters walk the date index for the dated pages and find
    the undated ones from the filter's index; together they are the list, in order."""
    where = EventFilter(**given)
    limit = 5

    async def turn(reader: CountingReader) -> tuple[list[str], list[bool], list[str]]:
        params = await events._filter_params(reader, where)
        whole = await events._page(reader, params, sort, 1000, 0)
        counts = await events._counts(reader, params)
        ids: list[str] = []
        walked: list[bool] = []
        for offset in range(0, len(whole) + limit, limit):
            page = await events.events(reader, where, limit, offset, sort)
            ids += [e.id for e in page.items]
            walked.append(events.date_walk_offset(params, sort, counts, limit, offset) is not None)
        return [e.id for e in whole], walked, ids

    whole, walked, ids = run(settings, turn)
    assert ids == whole
    assert any(walked)
    if not given:  # the undated events are found from the filter's index
        assert not all(walked[: len(whole) // limit + 1])


def test_the_filters_finds_something_to_compare(default_dataset: Driver) -> None:
    """Guards the comparison above against values that match nothing."""
    for name, value in VALUES.items():
        assert scanned(default_dataset, EventFilter(**{name: value})), name


TOLL_REPORT = {
    "type": "Source",
    "id": "source:toll-report",
    "name": "Toll report",
    "kind": "report",
}


def shellings(
    first: int, last: int, quote: str, about: Callable[[int, str], dict[str, Any]]
) -> list[dict[str, Any]]:
    """Shellings FIRST..LAST-1, one a day from 2013-05-01, each cited to TOLL_REPORT with
    QUOTE and followed by the claim ABOUT(k, event id) makes about it, cited the same way."""
    cite = [{"source": TOLL_REPORT["id"], "locator": "p. 1", "quote": quote}]
    first_day = date(2013, 5, 1).toordinal()
    records: list[dict[str, Any]] = []
    for k in range(first, last):
        event = f"event:shelling-{k:05d}"
        start = date.fromordinal(first_day + k).isoformat()
        records += [
            {
                "type": "Event",
                "id": event,
                "name": f"Shelling number {k}",
                "event_kind": "shelling",
                "start": start,
                "citations": cite,
            },
            {**about(k, event), "citations": cite},
        ]
    return records


def tolled_events(first: int, last: int, killed: int) -> list[dict[str, Any]]:
    """Events FIRST..LAST-1, each with one whole death toll of KILLED from TOLL_REPORT."""
    return shellings(
        first,
        last,
        "they were killed",
        lambda k, event: {
            "type": "CasualtyCount",
            "id": f"casualty:toll-{k:05d}",
            "event": event,
            "killed": killed,
            "count_kind": "reported",
        },
    )


def test_a_toll_filter_costs_what_it_finds_not_what_the_graph_holds(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    """`min_killed` alone starts from the index of tolls: 1,000 more events with small tolls
    leave the cost of finding the 10 large ones as it was."""
    statement = queries.events_filtered(frozenset({"min_killed"}), count_only=True)
    first = [TOLL_REPORT, *tolled_events(0, 10, 300), *tolled_events(10, 60, 2)]
    load_records(settings, tmp_path, first)
    small = db_hits(driver, settings, statement, min_killed=100)
    load_records(settings, tmp_path, tolled_events(60, 1060, 2))
    large = db_hits(driver, settings, statement, min_killed=100)
    print(f"db hits of the toll filter: {small} among 60 events, {large} among 1,060")
    assert large < 1.5 * small, (small, large)
    page = run(settings, lambda reader: events.events(reader, EventFilter(min_killed=100)))
    assert (page.total, [e.max_killed for e in page.items]) == (10, [300] * 10)


def walked_first_pages_stay_flat(
    driver: Driver,
    settings: Settings,
    tmp_path: Path,
    given: tuple[str, Any],
    records: list[dict[str, Any]],
    more: list[dict[str, Any]],
) -> None:
    """A first page of 10 events matching the filter GIVEN (name, value), walked along the
    date index and found from the filter's anchor, with RECORDS loaded and then MORE: the walk
    reads as much with ten times the matching events, the anchored list five times more."""
    params = {given[0]: given[1], "limit": 10, "offset": 0}
    walk = queries.events_by_date(frozenset({given[0]}))
    anchored = queries.events_filtered(frozenset({given[0]}))
    costs = []
    for batch in (records, more):
        load_records(settings, tmp_path, batch)
        costs.append(
            (
                db_hits(driver, settings, walk, **params),
                db_hits(driver, settings, anchored, **params),
            )
        )
    small, large = costs
    print(
        f"db hits of a first page by {given[0]}, walked / anchored: {small[0]} / {small[1]}, "
        f"then with ten times the matches {large[0]} / {large[1]}"
    )
    assert large[0] < 1.2 * small[0], (small, large)
    assert large[1] > 5 * small[1], (small, large)


def test_a_common_toll_is_walked_by_date_and_its_first_page_costs_the_same_at_ten_times(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    """Where the events have the toll asked for, the first page walks the date index and
    checks each event's toll: at ten times the matching events it reads as much, where
    finding every match from the tolls' index reads ten times more."""
    first = [TOLL_REPORT, *tolled_events(0, 90, 300)]
    walked_first_pages_stay_flat(
        driver, settings, tmp_path, ("min_killed", 100), first, tolled_events(100, 1000, 300)
    )

    async def first_page(reader: CountingReader) -> tuple[list[str], int | None]:
        where = EventFilter(min_killed=100)
        counts = await events._counts(reader, await events._filter_params(reader, where))
        walked = events.date_walk_offset({"min_killed": 100}, "date", counts, 10, 0)
        return [e.id for e in (await events.events(reader, where, 10)).items], walked

    ids, walked = run(settings, first_page)
    assert walked == 0
    assert ids == [f"event:shelling-{k:05d}" for k in range(10)]


def test_the_statement_starts_from_the_first_anchor_given() -> None:
    both = queries.events_filtered(frozenset({"place", "perpetrators", "to"}))
    assert both.lstrip().startswith("UNWIND $perpetrators")
    assert (
        queries.events_filtered(frozenset({"place", "to"})).lstrip().startswith("MATCH (:`Place`")
    )
    toll = queries.events_filtered(frozenset({"min_killed", "to"})).lstrip()
    assert toll.startswith("MATCH (c:`CasualtyCount`)")
    kind = queries.events_filtered(frozenset({"kind", "to"})).lstrip()
    assert kind.startswith("MATCH (e:`Event`) WHERE e.`event_kind` = $kind")
    assert "$place IS NULL" not in both, "only the filters given are in the statement"
    with pytest.raises(Exception, match="no event filter named colour"):
        queries.events_filtered(frozenset({"colour"}))


def test_a_report_table_is_read_once_per_graph_state(
    default_dataset: Driver, settings: Settings
) -> None:
    kept.forget()

    async def twice(reader: CountingReader) -> tuple[int, int, bool]:
        first = await events.event_stats(reader, "party", SNHR_2016)
        cost = reader.statements
        again = await events.event_stats(reader, "party", SNHR_2016)
        return cost, reader.statements - cost, first == again

    cost, again, same = run(settings, twice)
    assert (cost, again, same) == (1, 0, True)


DARAYYA = "event:darayya-massacre-2012"
KHALIL = "person:qahtan-khalil"
AFID = "org:air-force-intelligence-directorate"


def test_accountability_chain_and_exposure_each_take_at_most_two_round_trips(
    default_dataset: Driver, settings: Settings
) -> None:
    async def asked(reader: CountingReader) -> dict[str, int]:
        costs = {}
        for name, ask in (
            ("accountability", lambda: events.event_accountability(reader, DARAYYA)),
            ("chain", lambda: command.chain_of_command(reader, AFID, PartialDate.parse("2024"))),
            ("exposure", lambda: exposure.person_exposure(reader, KHALIL)),
        ):
            before = reader.statements
            await ask()
            costs[name] = reader.statements - before
        return costs

    costs = run(settings, asked)
    assert costs == {"accountability": 2, "chain": 1, "exposure": 2}


def test_accountability_names_the_sanctions_on_everyone_who_appears(
    default_dataset: Driver, settings: Settings
) -> None:
    account = run(settings, lambda reader: events.event_accountability(reader, DARAYYA))
    appearing = {a.actor.id for a in account.attributions}
    appearing |= {level.unit.id for chain in account.chains for level in chain.levels}
    appearing |= {
        c.person.id for chain in account.chains for level in chain.levels for c in level.commanders
    }
    everyone = run(settings, lambda reader: sanctions.sanctions(reader, entities=sorted(appearing)))
    assert sorted(s.id for s in account.sanctions) == sorted(s.id for s in everyone)
    assert account.sanctions, "Darayya's perpetrators include sanctioned actors"


WALK_FORCE = "org:walk-force"
WALK_OTHER = "org:walk-other"


def attributed_events(first: int, last: int) -> list[dict[str, Any]]:
    """Events FIRST..LAST-1, every other one by WALK_FORCE (the others by WALK_OTHER)."""
    return shellings(
        first,
        last,
        "the unit shelled it",
        lambda k, event: {
            "type": "Attribution",
            "id": f"attribution:walk-{k:05d}",
            "event": event,
            "actor": WALK_FORCE if k % 2 == 0 else WALK_OTHER,
            "role": "perpetrator",
        },
    )


def test_a_page_walked_by_date_costs_the_same_for_ten_times_the_matching_events(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    """A force named in half the events: its first page, walked along the date index, reads
    as much at 1,000 events as at 100, where finding every match would read ten times more."""
    units = [
        {
            "type": "Organization",
            "id": unit,
            "name": unit,
            "org_kind": "armed_group",
            "citations": [{"source": TOLL_REPORT["id"], "locator": "p. 1", "quote": unit}],
        }
        for unit in (WALK_FORCE, WALK_OTHER)
    ]
    first = [TOLL_REPORT, *units, *attributed_events(0, 100)]
    walked_first_pages_stay_flat(
        driver,
        settings,
        tmp_path,
        ("perpetrators", [WALK_FORCE]),
        first,
        attributed_events(100, 1000),
    )
    page = run(settings, lambda r: events.events(r, EventFilter(perpetrator=WALK_FORCE), 10))
    assert page.total == 500
    assert [e.id for e in page.items] == [f"event:shelling-{k:05d}" for k in range(0, 20, 2)]
