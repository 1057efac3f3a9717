"""The accountability gap: leads with their reasons in words, read for every attributed event in
bounded batches, a page at a time, kept per role until the graph changes."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from graph.db import kept as kept_answers
from graph.db import queries
from graph.db.reader import Reader
from graph.db.settings import Settings
from graph.reads import gaps, models
from graph.reads.events import EventFilter, event_accountability, events
from graph.reads.rows import MAX_ROWS
from loaders import pipeline
from loaders.records import read_paths
from ontology.model import load as load_ontology
from tests.conftest import DEFAULT_DATA, default_records
from tests.graph.reads.counting import CountingReader, run

GOVERNMENT = "org:syrian-government-forces"
LAHHAM = "person:abu-ali-al-lahham"


async def event_by_event(reader: Reader) -> list[tuple[str, list[str]]]:
    """The gap as it was computed before, over every event: one accountability answer per
    event; each lead's id with its events."""
    exposed: dict[str, models.Entity] = {}
    because: dict[str, set[str]] = defaultdict(set)
    sanctioned: set[str] = set()
    for event in await every_event(reader):
        account = await event_accountability(reader, event.id)
        sanctioned |= {s.entity.id for s in account.sanctions}
        chained = {
            a.actor.id
            for a in account.attributions
            if a.role in gaps.CHAIN_ROLES and a.actor.type == "Organization"
        }
        named = [a.actor for a in account.attributions if a.role in gaps.NAMING_ROLES]
        named += [a.actor for a in account.attributions if a.actor.id in chained]
        chains = [chain for chain in account.chains if chain.unit.id in chained]
        named += [level.unit for chain in chains for level in chain.levels]
        named += [c.person for ch in chains for lv in ch.levels for c in lv.commanders]
        for who in named:
            exposed.setdefault(who.id, who)
            because[who.id].add(event.id)
    return [(i, sorted(because[i])) for i in sorted(exposed) if i not in sanctioned]


async def every_event(reader: Reader) -> list[models.EventSummary]:
    page = await events(reader, EventFilter(), limit=MAX_ROWS)
    found = page.items
    while len(found) < page.total:
        page = await events(reader, EventFilter(), limit=MAX_ROWS, offset=len(found))
        found += page.items
    return found


def fresh(settings: Settings, public: bool = True) -> gaps.Unsanctioned:
    return run(settings, lambda r: gaps.find_unsanctioned(r, EventFilter()), public)


def asked(settings: Settings, public: bool = True) -> tuple[gaps.Unsanctioned, int]:
    """The gap as the API asks for it, and how many statements that took besides the version."""

    async def ask(reader: CountingReader) -> tuple[gaps.Unsanctioned, int]:
        return await gaps.unsanctioned_whole(reader), reader.statements

    return run(settings, ask, public)


def paged(settings: Settings, limit: int) -> list[models.GapList]:
    """Every page of the gap, LIMIT entries a page, as the API serves them."""

    async def pages(reader: Reader) -> list[models.GapList]:
        found = [await gaps.unsanctioned(reader, limit=limit)]
        while found[-1].offset + limit < found[-1].total:
            found.append(
                await gaps.unsanctioned(reader, limit=limit, offset=found[-1].offset + limit)
            )
        return found

    return run(settings, pages)


def ids(found: gaps.Unsanctioned) -> set[str]:
    return {gap.entity.id for gap in found.gaps}


def load_lines(settings: Settings, folder: Path, *records: dict[str, Any]) -> None:
    path = folder / "change.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    pipeline.load(settings, load_ontology(), read_paths([path]))


def default_record(record_id: str) -> dict[str, Any]:
    for file in sorted(DEFAULT_DATA.glob("*.jsonl")):
        for line in file.read_text(encoding="utf-8").splitlines():
            record: dict[str, Any] = json.loads(line)
            if record.get("id") == record_id:
                return record
    raise LookupError(record_id)


def leads(found: gaps.Unsanctioned) -> list[tuple[str, list[str]]]:
    return [(gap.entity.id, gap.events) for gap in found.gaps]


def reasons(found: gaps.Unsanctioned, entity_id: str) -> dict[str, list[str]]:
    """Why ENTITY_ID is on the list, by event name."""
    (gap,) = [gap for gap in found.gaps if gap.entity.id == entity_id]
    return {r.event.name or "": r.reasons for r in gap.reasons}


def test_the_gap_read_in_batches_is_the_gap_event_by_event(
    default_dataset: Driver, settings: Settings
) -> None:
    batched = fresh(settings)  # the public's: the one with something to hide
    assert leads(batched) == run(settings, event_by_event)
    assert len(batched.gaps) >= 20
    assert GOVERNMENT in ids(batched)
    assert "person:qahtan-khalil" not in ids(batched)  # sanctioned
    assert not batched.truncated_because


class UnitsAsked(CountingReader):
    """Counts how often each unit's chain is read (queries.UNITS_ABOVE)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units: Counter[str] = Counter()

    async def rows(self, query: str, **params: Any) -> list[dict[str, Any]]:
        if query == queries.UNITS_ABOVE:
            self.units.update(params["units"])
        return await super().rows(query, **params)


def test_in_small_batches_each_units_chain_is_read_once_and_the_gap_is_the_same(
    default_dataset: Driver, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def gap_and_units(reader: CountingReader) -> tuple[gaps.Unsanctioned, Counter[str]]:
        asking = UnitsAsked(reader.driver, settings, public=True)
        return await gaps.find_unsanctioned(asking, EventFilter()), asking.units

    whole, _ = run(settings, gap_and_units)
    monkeypatch.setattr(gaps, "EVENTS_AT_ONCE", 2)
    batched, units = run(settings, gap_and_units)
    assert batched == whole
    assert len(units) > 5, "the default dataset's events name several units"
    assert set(units.values()) == {1}, [u for u, n in units.items() if n > 1]


# The three kinds of reason, in words.
REASON = re.compile(
    r"attributed as (perpetrator|commander|participant) of .+ \(according to .+\)"
    r"|.+ was in the chain of command of .+ at the event's dates, .+: .+ \((certain|possible): .+\)"
    r"|(commander|head) of .+ at the event's dates \((certain|possible): .+\)"
)


def test_each_lead_says_why_for_each_event_in_words(
    default_dataset: Driver, settings: Settings
) -> None:
    found = fresh(settings)
    assert reasons(found, "person:bashar-al-assad")
    for gap in found.gaps:
        assert len(gap.reasons) == len(gap.events) > 0
        assert {r.event.id for r in gap.reasons} == set(gap.events)
        for why in gap.reasons:
            assert why.reasons
            for text in why.reasons:  # the domain's words: no ids, codes or None
                assert REASON.match(text), text
                assert not re.search(r"\b(org|person|event|source):|None|_", text), text


def test_the_reasons_name_the_claimant_the_chain_and_the_command_post(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    cite = CITE
    load_lines(
        settings,
        tmp_path,
        ledger(),
        generated_unit(BRIGADE, "First Brigade"),
        generated_unit("org:test-gap-division", "Second Division"),
        generated_unit("org:test-gap-monitor", "Monitoring Group"),
        {"type": "Person", "id": "person:test-gap-general", "name": "A General", "citations": cite},
        {
            "type": "UnitRelation",
            "id": "unitrelation:test-gap-brigade-division",
            "child": "org:test-gap-brigade",
            "parent": "org:test-gap-division",
            "relation": "command",
            "first_cited": "2013-01",
            "last_cited": "2013-12",
            "citations": cite,
        },
        {
            "type": "Posting",
            "id": "posting:test-gap-general-head",
            "person": "person:test-gap-general",
            "organization": "org:test-gap-division",
            "role": "head",
            "first_cited": "2013-06",
            "citations": cite,
        },
        generated_event("event:test-gap-market", "Shelling of the market", "2013-05-01"),
        {
            "type": "Attribution",
            "id": "attribution:test-gap-market",
            "event": "event:test-gap-market",
            "actor": "org:test-gap-brigade",
            "role": "perpetrator",
            "claimed_by": "org:test-gap-monitor",
            "citations": cite,
        },
    )
    found = fresh(settings)
    assert ids(found) == {
        "org:test-gap-brigade",
        "org:test-gap-division",
        "person:test-gap-general",
    }
    market = "Shelling of the market"
    assert reasons(found, "org:test-gap-brigade") == {
        market: [
            "attributed as perpetrator of Shelling of the market (according to Monitoring "
            "Group, as reported in A generated ledger)"
        ]
    }
    assert reasons(found, "org:test-gap-division") == {
        market: [
            "Second Division was in the chain of command of First Brigade at the event's dates, "
            "directly above it: First Brigade was under the command of Second Division "
            "(certain: cited from 2013-01 to 2013-12)"
        ]
    }
    assert reasons(found, "person:test-gap-general") == {
        market: [
            "head of Second Division at the event's dates (possible: first cited in 2013-06; it "
            "may have begun earlier); Second Division was in the chain of command of First "
            "Brigade then"
        ]
    }
    (why,) = found.gaps[0].reasons
    assert (why.event.id, why.dates) == ("event:test-gap-market", "2013-05-01")


def test_a_target_is_not_a_lead(default_dataset: Driver, settings: Settings) -> None:
    found = fresh(settings)
    for gap in found.gaps:
        for why in gap.reasons:
            assert not any("attributed as target" in text for text in why.reasons)


def test_the_kept_gap_is_the_fresh_one_and_costs_no_statement(
    default_dataset: Driver, settings: Settings
) -> None:
    kept_answers.forget()
    first, computing = asked(settings)
    again, kept = asked(settings)
    assert computing == 3  # the events with their attributions, their units' chains, sanctions
    assert kept == 0
    assert first == again == fresh(settings)
    filtered = run(settings, lambda r: gaps.unsanctioned_whole(r, EventFilter(kind="massacre")))
    assert ids(filtered) < ids(first)  # a filtered gap is computed, never the kept one
    assert filtered.events < first.events


def test_every_page_together_is_the_whole_gap_each_lead_once(
    default_dataset: Driver, settings: Settings
) -> None:
    whole = fresh(settings)
    pages = paged(settings, limit=4)
    assert len(pages) == -(-len(whole.gaps) // 4) > 1
    assert [gap for page in pages for gap in page.gaps] == list(whole.gaps)
    for page in pages:
        assert page.notice == gaps.NOTICE
        assert "not findings" in page.notice
        assert page.total == len(whole.gaps)
        assert page.events == whole.events
        assert page.truncated is False


def test_a_write_makes_the_kept_gap_new(driver: Driver, settings: Settings, tmp_path: Path) -> None:
    pipeline.load(settings, load_ontology(), default_records())
    before, _ = asked(settings)
    assert GOVERNMENT in ids(before)
    sanction = {
        **default_record("sanction:qahtan-khalil-us-sdn-2021"),
        "id": "sanction:test-government-forces",
        "entity": GOVERNMENT,
    }
    load_lines(settings, tmp_path, sanction)
    after, computing = asked(settings)
    assert computing > 0
    assert GOVERNMENT not in ids(after)
    assert after == fresh(settings)


def test_each_role_keeps_its_own_gap(driver: Driver, settings: Settings, tmp_path: Path) -> None:
    pipeline.load(settings, load_ontology(), default_records())
    load_lines(settings, tmp_path, {**default_record(LAHHAM), "restricted": True})
    investigator, _ = asked(settings, public=False)  # kept first, then the public asks
    public, computing = asked(settings, public=True)
    assert LAHHAM in ids(investigator)
    assert computing > 0
    assert LAHHAM not in ids(public)
    assert "Abu Ali al-Lahham" not in {gap.entity.name for gap in public.gaps}
    said = [text for gap in public.gaps for why in gap.reasons for text in why.reasons]
    assert not any(text.startswith("head of Armed group headed by") for text in said)
    assert public == fresh(settings, public=True)
    assert asked(settings, public=False) == (investigator, 0)


# ----- generated graphs ------------------------------------------------------------------

LEDGER = "source:test-gap-ledger"
CITE = [{"source": LEDGER, "locator": "row", "quote": "a generated row"}]
MANY = 1234  # attributed events: more than EVENTS_AT_ONCE, and than the 1,000 once read
BRIGADE = "org:test-gap-brigade"
LAST = "person:test-gap-last-perpetrator"


def ledger() -> dict[str, Any]:
    return {"type": "Source", "id": LEDGER, "name": "A generated ledger"}


def generated_unit(unit_id: str, name: str) -> dict[str, Any]:
    return {
        "type": "Organization",
        "id": unit_id,
        "name": name,
        "org_kind": "military_unit",
        "citations": CITE,
    }


def generated_event(event_id: str, name: str, start: str) -> dict[str, Any]:
    return {
        "type": "Event",
        "id": event_id,
        "name": name,
        "event_kind": "shelling",
        "start": start,
        "citations": CITE,
    }


def perpetrator(event_id: str, actor: str) -> dict[str, Any]:
    return {
        "type": "Attribution",
        "id": "attribution:" + event_id.removeprefix("event:"),
        "event": event_id,
        "actor": actor,
        "role": "perpetrator",
        "citations": CITE,
    }


def many_events(count: int) -> list[dict[str, Any]]:
    """COUNT events a day apart, all by one brigade but the last (the newest), by one person."""
    records: list[dict[str, Any]] = [
        ledger(),
        generated_unit(BRIGADE, "Generated Brigade"),
        {"type": "Person", "id": LAST, "name": "The Last Perpetrator", "citations": CITE},
    ]
    first = date(2012, 1, 1)
    for i in range(count):
        event = f"event:test-gap-{i:05d}"
        day = (first + timedelta(days=i)).isoformat()
        records.append(generated_event(event, f"Generated shelling number {i + 1}", day))
        records.append(perpetrator(event, LAST if i == count - 1 else BRIGADE))
    return records


def test_the_gap_covers_every_attributed_event_in_bounded_batches(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    load_lines(settings, tmp_path, *many_events(MANY))
    kept_answers.forget()
    found, statements = asked(settings)
    assert found.events == MANY
    assert found.truncated_because == ()
    assert ids(found) == {BRIGADE, LAST}
    (brigade,) = [gap for gap in found.gaps if gap.entity.id == BRIGADE]
    assert len(brigade.events) == MANY - 1
    assert len(brigade.reasons) == gaps.REASONS_SHOWN
    assert brigade.reasons_not_shown == MANY - 1 - gaps.REASONS_SHOWN
    assert brigade.reasons[0].event.name == "Generated shelling number 1"  # oldest first
    assert reasons(found, LAST) == {
        f"Generated shelling number {MANY}": [
            f"attributed as perpetrator of Generated shelling number {MANY} (according to A "
            "generated ledger)"
        ]
    }
    # Each batch: its events with their attributions; the brigade's chain once, with the first
    # batch that names it (every batch does); then sanctions.
    batches = -(-MANY // gaps.EVENTS_AT_ONCE)
    assert batches > 2
    assert statements == batches + 2
    pages = paged(settings, limit=1)
    assert [page.gaps[0].entity.id for page in pages] == sorted([BRIGADE, LAST])
    assert all(page.total == 2 and page.events == MANY for page in pages)


def test_a_bound_reached_is_said(driver: Driver, settings: Settings, tmp_path: Path) -> None:
    """A chain deeper than the depth read: the answer says where it stops."""
    units = [f"org:test-gap-level-{i}" for i in range(queries.MAX_DEPTH + 3)]
    relations = [
        {
            "type": "UnitRelation",
            "id": f"unitrelation:test-gap-{i}",
            "child": below,
            "parent": above,
            "relation": "command",
            "citations": CITE,
        }
        for i, (below, above) in enumerate(itertools.pairwise(units))
    ]
    load_lines(
        settings,
        tmp_path,
        ledger(),
        *(generated_unit(unit, f"Level {i}") for i, unit in enumerate(units)),
        *relations,
        generated_event("event:test-gap-deep", "A deep shelling", "2013-05-01"),
        perpetrator("event:test-gap-deep", units[0]),
    )
    found = fresh(settings)
    assert found.page(10).truncated
    (bound,) = found.truncated_because
    assert bound.startswith("The chain of command of Level 0 at the dates of A deep shelling")
    assert "may be missing" in bound
    assert units[queries.MAX_DEPTH] in ids(found)
    assert units[queries.MAX_DEPTH + 2] not in ids(found)
