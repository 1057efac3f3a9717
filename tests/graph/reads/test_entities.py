"""A record's claims come a page at a time: a hub's first page costs what a small record's
does (db hits, measured with PROFILE on the real Neo4j), and paging through every page gives
each visible claim once and never one about or by a restricted person to the public."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from neo4j import Driver

from graph.db import queries
from graph.db.settings import Settings
from graph.reads import entities, models
from graph.reads.rows import MAX_ROWS
from ontology.terms import Label
from tests.graph.reads.counting import CountingReader, db_hits, load_records, run

HUB = "org:hub-force"
WITNESS = "person:hub-witness"
EVENTS = 20
CITE = [{"source": "source:hub-report", "locator": "p. 1", "quote": "the force did it"}]


def hub_records(first: int, last: int) -> list[dict[str, Any]]:
    """The hub force, its events, and attributions FIRST..LAST-1 of events to it; every 7th is
    claimed by a witness under an alias (restricted), so the public never sees it."""
    records: list[dict[str, Any]] = [
        {"type": "Source", "id": "source:hub-report", "name": "Hub report", "kind": "report"},
        {
            "type": "Organization",
            "id": HUB,
            "name": "Hub force",
            "org_kind": "armed_group",
            "citations": CITE,
        },
        {
            "type": "Person",
            "id": WITNESS,
            "name": "Witness Hubalias",
            "restricted": True,
            "citations": CITE,
        },
    ]
    records += [
        {
            "type": "Event",
            "id": f"event:hub-{k:02d}",
            "name": f"Shelling number {k}",
            "event_kind": "shelling",
            "start": f"{2000 + k}-03-01",
            "citations": CITE,
        }
        for k in range(EVENTS)
    ]
    records += [
        {
            "type": "Attribution",
            "id": f"attribution:hub-{i:05d}",
            "event": f"event:hub-{i % EVENTS:02d}",
            "actor": HUB,
            "role": "perpetrator",
            **({"claimed_by": WITNESS} if i % 7 == 0 else {}),
            "citations": CITE,
        }
        for i in range(first, last)
    ]
    return records


def test_a_hubs_first_page_of_claims_costs_the_same_at_500_and_2000_claims(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    statement = queries.entity_page(Label.ACTOR)
    first_page = {"id": HUB, "offset": 0, "limit": entities.CLAIMS_PAGE, "links": MAX_ROWS}
    load_records(settings, tmp_path, hub_records(0, 500))
    small = db_hits(driver, settings, statement, **first_page)
    load_records(settings, tmp_path, hub_records(500, 2000))
    large = db_hits(driver, settings, statement, **first_page)
    deep = db_hits(driver, settings, statement, **{**first_page, "offset": 1500})
    print(f"db hits of page 1: {small} at 500 claims, {large} at 2000; at offset 1500: {deep}")
    assert large < 1.5 * small, (small, large)
    # The measure sees the links a statement walks: a page deep in the hub walks past 1500.
    assert deep > 2 * large, (large, deep)


def test_pages_of_a_hub_give_each_visible_claim_once_and_hide_the_witness_claims(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    load_records(settings, tmp_path, hub_records(0, 250))
    everyone = {f"attribution:hub-{i:05d}" for i in range(250)}
    withheld = {f"attribution:hub-{i:05d}" for i in range(0, 250, 7)}

    async def walk(reader: CountingReader) -> list[models.EntityDetail]:
        pages = [await entities.entity_detail(reader, HUB, limit=100)]
        while pages[-1].next_offset is not None:
            pages.append(await entities.entity_detail(reader, HUB, 100, pages[-1].next_offset))
        return pages

    for public, expected in ((True, everyone - withheld), (False, everyone)):
        pages = run(settings, walk, public=public)
        seen = [c.id for page in pages for c in page.claims]
        assert len(seen) == len(set(seen)) == len(expected), public
        assert set(seen) == expected, public
        assert [(p.offset, p.more) for p in pages] == [(0, True), (100, True), (200, False)]
        assert [len(p.claims) for p in pages[:2]] == [100, 100]
        for page in pages:
            dates = [t.date or "" for t in page.timeline]
            assert dates == sorted(dates), "a page reads oldest first"
    public_text = json.dumps([p.model_dump() for p in run(settings, walk, public=True)])
    assert "Hubalias" not in public_text
    assert WITNESS not in public_text
