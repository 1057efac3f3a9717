"""The sanctions list is built from the filters given: it finds what a plain reading of the
records would, and unfiltered it walks the listing dates' index, so a page costs what it shows."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from graph.asof import PartialDate
from graph.db import queries
from graph.db.settings import Settings
from graph.reads import sanctions
from tests.graph.reads.counting import db_hits, load_records, run

REGISTER = {"type": "Source", "id": "source:register", "name": "Register", "kind": "report"}
STATES = ("org:state-north", "org:state-south")
PROGRAMS = ("Arms embargo", "Asset freeze")


def cite(quote: str) -> list[dict[str, str]]:
    return [{"source": REGISTER["id"], "locator": "p. 1", "quote": quote}]


def states() -> list[dict[str, Any]]:
    return [
        {"type": "Organization", "id": s, "name": s.title(), "org_kind": "state"}
        | {"citations": cite(s)}
        for s in STATES
    ]


def listing_date(k: int) -> str | None:
    """Every seventh sanction undated, every 25th known to the year alone, the others to the
    day, three days apart (a page walked by date reads the ties of its last day as well)."""
    if k % 7 == 3:
        return None
    if k % 25 == 0:
        return str(2011 + (k // 25) % 10)
    return date.fromordinal(date(2011, 1, 1).toordinal() + 3 * k).isoformat()


def listed(first: int, last: int) -> list[dict[str, Any]]:
    """Sanctions FIRST..LAST-1, each on a unit of its own, by alternating states."""
    records: list[dict[str, Any]] = []
    for k in range(first, last):
        unit = f"org:listed-{k:04d}"
        sanction: dict[str, Any] = {
            "type": "Sanction",
            "id": f"sanction:listed-{k:04d}",
            "entity": unit,
            "authority": STATES[k % 2],
            "program": [PROGRAMS[k % 3 == 0]],
            "citations": cite(f"listed {k}"),
        }
        if listing_date(k):
            sanction["listing_date"] = listing_date(k)
        unit_record = {
            "type": "Organization",
            "id": unit,
            "name": f"Unit {k}",
            "org_kind": "armed_group",
            "citations": cite(unit),
        }
        records += [unit_record, sanction]
    return records


def expected(records: list[dict[str, Any]], limit: int, **given: Any) -> list[str]:
    """The sanctions of RECORDS the filters GIVEN match, read plainly, oldest listing first."""

    def matches(s: dict[str, Any]) -> bool:
        when = PartialDate.parse(s["listing_date"]) if "listing_date" in s else None
        authority = given.get("authority")
        after, before = given.get("listed_from"), given.get("listed_to")
        return (
            ("entities" not in given or s["entity"] in given["entities"])
            and (authority is None or authority.lower() in s["authority"].lower())
            and ("program" not in given or given["program"].lower() in s["program"][0].lower())
            and (after is None or (when is not None and when.latest >= after.earliest))
            and (before is None or (when is not None and when.earliest <= before.latest))
        )

    found = [s for s in records if s["type"] == "Sanction" and matches(s)]
    undated = date.max
    found.sort(
        key=lambda s: (
            PartialDate.parse(s["listing_date"]).earliest if "listing_date" in s else undated,
            s["id"],
        )
    )
    return [s["id"] for s in found[:limit]]


CASES: list[dict[str, Any]] = [
    {},
    {"authority": STATES[1]},
    {"authority": "NORTH"},
    {"program": "freeze"},
    {"listed_from": PartialDate.parse("2015")},
    {"listed_to": PartialDate.parse("2014-06")},
    {"listed_from": PartialDate.parse("2013-03"), "listed_to": PartialDate.parse("2017")},
    {"authority": "south", "program": "embargo", "listed_to": PartialDate.parse("2018")},
    {"entities": ["org:listed-0003", "org:listed-0004", "org:listed-0010", "org:nobody"]},
    {"entities": ["org:listed-0003", "org:listed-0010"], "authority": "north"},
]


@pytest.mark.parametrize("limit", [5, 1000])
def test_every_filter_finds_what_a_plain_reading_finds_in_listing_order(
    driver: Driver, settings: Settings, tmp_path: Path, limit: int
) -> None:
    records = [REGISTER, *states(), *listed(0, 60)]
    load_records(settings, tmp_path, records)
    for given in CASES:
        found = run(settings, lambda r, g=given: sanctions.sanctions(r, limit=limit, **g))
        assert [s.id for s in found] == expected(records, limit, **given), given
    everything = run(settings, lambda r: sanctions.sanctions(r, limit=limit))
    assert everything[-1].listing_date is None or limit < 60, "the undated come last"


def test_a_first_page_walked_by_listing_date_costs_the_same_for_ten_times_the_sanctions(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    load_records(settings, tmp_path, [REGISTER, *states(), *listed(0, 100)])
    walk = queries.sanctions_listed()
    by_state = queries.sanctions_listed(frozenset({"authority"}))
    small = (
        db_hits(driver, settings, walk, limit=10),
        db_hits(driver, settings, by_state, authority="north", limit=10),
    )
    load_records(settings, tmp_path, listed(100, 1000))
    large = (
        db_hits(driver, settings, walk, limit=10),
        db_hits(driver, settings, by_state, authority="north", limit=10),
    )
    print(
        f"db hits of a first page, all / one state's: {small[0]} / {small[1]} at 100 "
        f"sanctions, {large[0]} / {large[1]} at 1,000"
    )
    assert large[0] < 1.2 * small[0], (small, large)
    assert large[1] < 1.2 * small[1], (small, large)
