"""The accountability gap: read for every event at once, kept per role until the graph changes."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from neo4j import Driver

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


async def event_by_event(reader: Reader) -> list[models.Gap]:
    """The gap as it was computed before: one accountability answer per event."""
    page = await events(reader, EventFilter(), limit=gaps.MAX_EVENTS)
    exposed: dict[str, models.Entity] = {}
    because: dict[str, set[str]] = defaultdict(set)
    sanctioned: set[str] = set()
    for event in page.items:
        account = await event_accountability(reader, event.id)
        sanctioned |= {s.entity.id for s in account.sanctions}
        named = [a.actor for a in account.attributions if a.role in gaps.NAMING_ROLES]
        named += [level.unit for chain in account.chains for level in chain.levels]
        named += [c.person for ch in account.chains for lv in ch.levels for c in lv.commanders]
        for who in named:
            exposed.setdefault(who.id, who)
            because[who.id].add(event.id)
    return [
        models.Gap(entity=exposed[i], events=sorted(because[i]))
        for i in sorted(exposed)
        if i not in sanctioned
    ][:MAX_ROWS]


def fresh(settings: Settings, public: bool = True) -> list[models.Gap]:
    return run(settings, lambda r: gaps.find_unsanctioned(r, EventFilter()), public)


def asked(settings: Settings, public: bool = True) -> tuple[list[models.Gap], int]:
    """The gap as the API asks for it, and how many statements that took besides the version."""

    async def ask(reader: CountingReader) -> tuple[list[models.Gap], int]:
        return await gaps.unsanctioned(reader), reader.statements

    return run(settings, ask, public)


def ids(found: list[models.Gap]) -> set[str]:
    return {gap.entity.id for gap in found}


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


def test_the_gap_read_at_once_is_the_gap_event_by_event(
    default_dataset: Driver, settings: Settings
) -> None:
    batched = fresh(settings)  # the public's: the one with something to hide
    assert batched == run(settings, event_by_event)
    assert len(batched) >= 20
    assert GOVERNMENT in ids(batched)
    assert "person:qahtan-khalil" not in ids(batched)  # sanctioned


def test_the_kept_gap_is_the_fresh_one_and_costs_no_statement(
    default_dataset: Driver, settings: Settings
) -> None:
    gaps.forget()
    first, computing = asked(settings)
    again, kept = asked(settings)
    assert computing >= 4
    assert kept == 0
    assert first == again == fresh(settings)
    filtered = run(settings, lambda r: gaps.unsanctioned(r, EventFilter(kind="massacre")))
    assert ids(filtered) < ids(first)  # a filtered gap is computed, never the kept one


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
    assert "Abu Ali al-Lahham" not in {gap.entity.name for gap in public}
    assert public == fresh(settings, public=True)
    assert asked(settings, public=False) == (investigator, 0)
