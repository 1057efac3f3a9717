"""Chains of command where the sources disagree: two superiors, two commanders, open-ended
relations past their last citation."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from api.app import create_app
from graph.asof import PartialDate
from graph.db.settings import Settings
from graph.errors import NotFoundError
from graph.reads import models
from graph.reads.command import (
    chain_of_command,
    chains_at,
    commanders_at,
    unit_commanders,
    unit_profile,
)
from loaders import pipeline
from loaders.records import read_paths
from ontology.model import load as load_ontology
from tests.conftest import default_records
from tests.graph.reads.counting import run
from tests.graph.reads.test_gaps import default_record

DIVISION = "org:15th-division"
RELATION = "unitrelation:15th-division-syrian-government-forces"


def unit(record_id: str, name: str) -> dict[str, Any]:
    division = {k: v for k, v in default_record(DIVISION).items() if k != "aliases"}
    return {**division, "id": record_id, "name": name}


def relation(record_id: str, parent: str, **tenure: Any) -> dict[str, Any]:
    base = {k: v for k, v in default_record(RELATION).items() if "cited" not in k}
    return {**base, "id": record_id, "parent": parent, "relation": "command", **tenure}


def load_with(settings: Settings, folder: Path, *records: dict[str, Any]) -> None:
    """The default dataset, then RECORDS on top of it."""
    pipeline.load(settings, load_ontology(), default_records())
    path = folder / "extra.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    pipeline.load(settings, load_ontology(), read_paths([path]))


def chain(settings: Settings, unit_id: str, at: str) -> models.Chain:
    return run(settings, lambda r: chain_of_command(r, unit_id, PartialDate.parse(at)))


def test_two_superiors_at_once_are_both_shown_with_their_evidence(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    load_with(
        settings,
        tmp_path,
        unit("org:test-first-corps", "First Corps"),
        unit("org:test-second-corps", "Second Corps"),
        relation(
            "unitrelation:test-a",
            "org:test-first-corps",
            first_cited="2012-01",
            last_cited="2012-12",
        ),
        relation(
            "unitrelation:test-b",
            "org:test-second-corps",
            first_cited="2012-01",
            last_cited="2012-12",
        ),
    )
    found = chain(settings, DIVISION, "2012-06")
    above = found.levels[1]
    assert above.unit.id == "org:test-first-corps"
    assert [o.unit.id for o in above.also_under] == ["org:test-second-corps"]
    assert above.also_under[0].relation_as_of.certainty.value == "certain"
    assert above.also_under[0].citations  # the other superior's evidence comes with it
    (sentence,) = [a for a in above.ambiguity if "also under" in a]
    assert "disagree or overlap" in sentence
    assert "Second Corps" in sentence
    # The unit page says the same, in the same words.
    with TestClient(create_app(settings)) as client:
        page = html.unescape(client.get(f"/ui/entities/{DIVISION}", params={"at": "2012-06"}).text)
    assert "also under" in page
    assert sentence in page


def test_an_open_ended_relation_past_its_last_citation_outranks_one_that_lapsed_earlier(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    load_with(
        settings,
        tmp_path,
        unit("org:test-aaa-lapsed", "Lapsed Command"),
        unit("org:test-zzz-continuing", "Continuing Command"),
        # Read first (by id), and last cited in 2011: the tie-break used to pick it.
        relation(
            "unitrelation:test-a", "org:test-aaa-lapsed", first_cited="2010", last_cited="2011"
        ),
        relation(
            "unitrelation:test-b",
            "org:test-zzz-continuing",
            first_cited="2015",
            last_cited="2016",
            open_ended=True,
        ),
    )
    above = chain(settings, DIVISION, "2018-03").levels[1]
    assert above.unit.id == "org:test-zzz-continuing"
    assert above.relation_as_of is not None
    assert above.relation_as_of.certainty.value == "possible"
    assert "open-ended" in above.relation_as_of.reason
    # The lapsed one may still have held: it is shown beside, not dropped.
    assert [o.unit.id for o in above.also_under] == ["org:test-aaa-lapsed"]
    assert any("may have been also under" in a for a in above.ambiguity)


def test_two_commanders_at_once_are_said_to_overlap(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    posting = default_record("posting:qahtan-khalil-safi-head-2024")
    other = {
        **posting,
        "id": "posting:test-second-head",
        "person": "person:ahmed-al-sharaa",
    }
    load_with(settings, tmp_path, other)
    level = chain(settings, posting["organization"], "2024-06").levels[0]
    assert len(level.commanders) == 2
    (sentence,) = level.ambiguity
    assert "2 people are on record in command" in sentence


def test_a_unit_over_time_in_one_round_trip(default_dataset: Driver, settings: Settings) -> None:
    async def profile(reader: Any) -> tuple[models.UnitProfile, int]:
        found = await unit_profile(reader, "org:air-force-intelligence-directorate")
        return found, reader.statements

    found, statements = run(settings, profile)
    assert statements == 1
    assert [(p.person.name, p.role, p.tenure.first_cited) for p in found.commanders] == [
        ("Qahtan Khalil", "head", "2024-01")
    ]
    assert [(p.person.name, p.role) for p in found.others_posted] == [("Qahtan Khalil", "officer")]
    assert found.superiors == []
    assert [(r.unit.id, r.relation) for r in found.subordinates] == [
        ("org:abu-ali-al-lahham-group", "affiliation")
    ]
    assert all(r.citations for r in found.subordinates)
    # The head of 2024-01 is its latest evidence; the 2023 killing by the group is earlier.
    assert found.latest == "2024-01"


def test_a_units_commanders_at_a_date_in_one_round_trip(
    default_dataset: Driver, settings: Settings
) -> None:
    """The unit and its commanders come in one statement, the same commanders as the posting
    read alone; a record that is no unit has none, and an unknown id is not found."""
    afid = "org:air-force-intelligence-directorate"

    async def both(reader: Any) -> tuple[models.Commanders, int, list[models.Commander]]:
        found = await unit_commanders(reader, afid, PartialDate.parse("2024-06-01"))
        statements = reader.statements
        alone = await commanders_at(reader, afid, PartialDate.parse("2024-06-01"))
        return found, statements, alone

    found, statements, alone = run(settings, both)
    assert statements == 1
    assert found.unit.id == afid
    assert [(c.person.name, c.role) for c in found.commanders] == [("Qahtan Khalil", "head")]
    assert found.commanders == alone
    event = "event:darayya-massacre-2012"
    not_unit = run(settings, lambda r: unit_commanders(r, event, PartialDate.parse("2012")))
    assert (not_unit.unit.id, not_unit.commanders) == (event, [])
    with pytest.raises(NotFoundError):
        run(settings, lambda r: unit_commanders(r, "org:no-such-unit", PartialDate.parse("2012")))


def test_chains_of_commanders_only_name_the_same_commanders_at_every_level(
    default_dataset: Driver, settings: Settings
) -> None:
    asked = [
        ("org:air-force-intelligence-directorate", PartialDate.parse("2012-08-20")),
        ("org:united-nations", PartialDate.parse("2013")),
        ("org:syria-civil-defence", PartialDate.parse("2016")),
        ("org:post-2024-government-forces", PartialDate.parse("2025-03")),
    ]

    async def both(reader: Any) -> tuple[list[models.Chain], list[models.Chain]]:
        return await chains_at(reader, asked), await chains_at(reader, asked, commanders_only=True)

    every, commanding = run(settings, both)
    levels = [
        (a, b)
        for x, y in zip(every, commanding, strict=True)
        for a, b in zip(x.levels, y.levels, strict=True)
    ]
    assert any(len(a.posted) > len(a.commanders) for a, _ in levels), "someone not commanding"
    for a, b in levels:
        assert (a.unit, a.commanders, a.gap) == (b.unit, b.commanders, b.gap)
        assert b.posted == b.commanders
