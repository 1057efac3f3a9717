"""The SNHR massacre-report parser, checked against the hand-curated September 2016 records."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from graph.db.settings import Settings
from loaders import pipeline
from loaders.records import read_paths
from loaders.snhr import Incident, ParseResult, import_report, parse_report, to_jsonl, to_records
from ontology.model import load as load_ontology
from tests.conftest import REPO, cli_env

SEED = REPO.parent / "shared" / "seeds" / "003_25bd39c06e840184.txt"
DEFAULT = REPO / "data" / "default"
GROUND_TRUTH = DEFAULT / "snhr-2016-09.jsonl"
FIELDS = ("date", "party", "governorate", "killed", "children", "women")

pytestmark = pytest.mark.skipif(not SEED.exists(), reason=f"seed not found: {SEED}")


@pytest.fixture(scope="module")
def parsed() -> ParseResult:
    return parse_report(SEED)


def _curated() -> list[dict[str, Any]]:
    """The 49 curated events with their date, parties, governorate and primary counts."""
    everything = [
        json.loads(line)
        for f in sorted(DEFAULT.glob("*.jsonl"))
        for line in f.read_text(encoding="utf-8").splitlines()
    ]
    within = {r["id"]: r.get("within") for r in everything if r["type"] == "Place"}
    kind = {r["id"]: r.get("place_kind") for r in everything if r["type"] == "Place"}

    def governorate(place: str) -> str | None:
        while place and kind.get(place) != "governorate":
            place = within.get(place) or ""
        return place or None

    records = [json.loads(x) for x in GROUND_TRUTH.read_text(encoding="utf-8").splitlines()]
    rows = []
    for event in (r for r in records if r["type"] == "Event"):
        parties = {
            r["actor"] for r in records if r["type"] == "Attribution" and r["event"] == event["id"]
        }
        count = next(
            r
            for r in records
            if r["type"] == "CasualtyCount" and r["event"] == event["id"] and "scope" not in r
        )
        rows.append(
            {
                "id": event["id"],
                "locator": event["citations"][0]["locator"],
                "date": event.get("start"),
                "party": frozenset(parties),
                "governorate": governorate(event["place"]),
                "killed": count.get("killed"),
                "children": count.get("children"),
                "women": count.get("women"),
            }
        )
    return rows


def _mine(incident: Incident) -> dict[str, Any]:
    return {
        "date": incident.date,
        "party": frozenset(p.actor for p in incident.parties),
        "governorate": incident.governorate,
        "killed": incident.killed,
        "children": incident.children,
        "women": incident.women,
    }


def test_finds_all_49_incidents(parsed: ParseResult) -> None:
    assert len(parsed.incidents) == 49
    assert [i.number for i in parsed.incidents] == list(range(1, 50))
    first = parsed.incidents[0]
    assert (first.date, first.time_of_day, first.line) == ("2016-09-05", "noon", 50)
    assert (first.neighbourhood, first.place) == ("Al Sukkari", "Aleppo")
    assert first.means == ("warplanes", "missiles")
    assert first.area_controllers == ("org:armed-opposition-factions",)
    by_party = {p: sum(i.party == p for i in parsed.incidents) for p in parsed.summary["by_party"]}
    assert by_party == parsed.summary["by_party"]


def test_hedges_are_kept_verbatim_and_lower_confidence(parsed: ParseResult) -> None:
    russian = [i for i in parsed.incidents if i.party == "org:russian-forces"]
    assert len(russian) == 20
    assert {
        (p.confidence, re.sub(r"- ", "", p.hedge or "")) for i in russian for p in i.parties
    } == {("Medium", "we believe are Russian")}
    assert any(p.hedge == "we believe are Rus- sian" for i in russian for p in i.parties)
    (raqqa,) = [i for i in parsed.incidents if i.governorate == "place:raqqa-governorate"]
    assert [(p.actor, p.confidence) for p in raqqa.parties] == [
        ("org:syrian-government-forces", "Low"),
        ("org:international-coalition", "Low"),
    ]
    assert raqqa.parties[0].hedge is not None
    assert raqqa.parties[0].hedge.startswith("fixed-wing government forces/international coa")


def test_accuracy_against_the_curated_records(parsed: ParseResult) -> None:
    curated = _curated()
    assert len(curated) == 49
    by_locator = {i.locator: i for i in parsed.incidents}
    disagreements = []
    agree = dict.fromkeys(FIELDS, 0)
    print(f"\n{'#':>2} {'curated event':<58} " + " ".join(f"{f[:8]:>8}" for f in FIELDS))
    for n, truth in enumerate(curated):
        incident = by_locator.get(truth["locator"], parsed.incidents[n])  # else report order
        mine = _mine(incident)
        marks = []
        for name in FIELDS:
            ok = mine[name] == truth[name]
            agree[name] += ok
            marks.append("ok" if ok else "DIFF")
            if not ok:
                disagreements.append((truth["id"], name, truth[name], mine[name]))
        print(f"{n + 1:>2} {truth['id']:<58} " + " ".join(f"{m:>8}" for m in marks))
    print("agree:", ", ".join(f"{k} {v}/49" for k, v in agree.items()))
    assert disagreements == []
    assert agree == dict.fromkeys(FIELDS, 49)


def test_the_unverified_date_is_not_taken_as_the_killing_date(parsed: ParseResult) -> None:
    (video,) = [i for i in parsed.incidents if i.place == "Al Msarrab"]
    assert (video.date, video.stated_date, video.killed) == (None, "2016-09-12", 15)
    assert video.means == ("knives",)


def test_no_paragraph_is_left_unparsed(parsed: ParseResult) -> None:
    assert parsed.unparsed == []


def test_an_unparsable_incident_is_listed_not_dropped(tmp_path: Path) -> None:
    original = SEED.read_text(encoding="utf-8")
    killing = "which resulted in the killing of five individuals at once"
    text = original.replace(killing, "which resulted in casualties", 1)
    assert text != original
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    result = parse_report(path)
    assert len(result.incidents) == 48
    assert [(line, t[:30]) for line, t in result.unparsed] == [
        (50, "Monday 5 September 2016 noon, ")
    ]


def test_summary_and_its_discrepancies_with_the_incidents(parsed: ParseResult) -> None:
    summary = parsed.summary
    assert summary["massacres"] == 49
    assert summary["by_party"] == {
        "org:syrian-government-forces": 26,
        "org:russian-forces": 20,
        "org:isis": 2,
        "org:armed-opposition-factions": 1,
    }
    assert summary["by_governorate"] == {
        "place:aleppo-governorate": 24,
        "place:idlib-governorate": 8,
        "place:deir-ez-zor-governorate": 7,
        "place:rif-dimashq-governorate": 5,
        "place:hama-governorate": 3,
        "place:daraa-governorate": 1,
        "place:raqqa-governorate": 1,
    }
    assert (summary["killed"], summary["children"], summary["women"]) == (498, 161, 64)
    assert [str(d) for d in parsed.discrepancies()] == [
        "killed: summary 498, incidents sum to 500",
        "children: summary 161, incidents sum to 159",
        "women: summary 64, incidents sum to 66",
        "children by org:syrian-government-forces: summary 65, incidents sum to 63",
        "women by org:syrian-government-forces: summary 25, incidents sum to 27",
        "killed by org:russian-forces: summary 257, incidents sum to 259",
    ]


def test_records_are_valid_cited_verbatim_and_new(parsed: ParseResult) -> None:
    records = to_records(parsed)
    assert to_records(parse_report(SEED)) == records  # deterministic
    default = read_paths([DEFAULT])
    assert pipeline.validate([*default, *records], load_ontology()) == []
    assert not {r.id for r in records} & {r.id for r in default}
    seed = re.sub(r"\s+", " ", SEED.read_text(encoding="utf-8"))
    for record in records:
        for citation in record.properties["citations"]:
            assert citation["source"] == "source:003_25bd39c06e840184"
            assert 0 < len(citation["quote"]) <= 300
            assert citation["quote"] in seed, (record.id, citation["quote"])
    labels = [r.label for r in records]
    assert labels.count("Event") == labels.count("CasualtyCount") == 49
    assert labels.count("Attribution") == 50
    lines = to_jsonl(records)
    assert json.loads(lines[0])["type"] == records[0].label


def test_loads_on_top_of_the_default_dataset_and_reloads_unchanged(
    driver: Driver, settings: Settings
) -> None:
    ontology = load_ontology()
    pipeline.load(settings, ontology, read_paths([DEFAULT]))
    dry = import_report(SEED, dry_run=True)
    assert dry.loaded is None
    first = import_report(SEED, dry_run=False, settings=settings)
    assert first.loaded is not None
    assert first.loaded.created["Event"] == 49
    before = _state(driver)
    again = import_report(SEED, dry_run=False, settings=settings)
    assert again.loaded is not None
    assert sum(again.loaded.created.values()) == 0
    assert _state(driver) == before
    events = driver.execute_query(
        "MATCH (e:Event) WHERE e.id STARTS WITH 'event:snhr-import-' RETURN count(e) AS n"
    ).records[0]["n"]
    assert events == 49


def _state(driver: Driver) -> tuple[list[object], list[object]]:
    nodes = driver.execute_query(
        "MATCH (n) RETURN n.id AS id, labels(n) AS labels, properties(n) AS p ORDER BY id"
    ).records
    rels = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b ORDER BY a, t, b"
    ).records
    return [tuple(r.values()) for r in nodes], [tuple(r.values()) for r in rels]


def test_cli_dry_run_prints_json_lines_and_loads_nothing(
    driver: Driver, settings: Settings
) -> None:
    seed = REPO.parent / "shared" / "seeds" / "003_25bd39c06e840184.txt"
    if not seed.is_file():
        pytest.skip("../shared/seeds is not beside this checkout")
    result = subprocess.run(
        [sys.executable, "-m", "cli", "import", "snhr-report", str(seed), "--dry-run", "--json"],
        env=cli_env(settings),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert sum(r["type"] == "Event" for r in records) == 49
    assert all(r["citations"] for r in records)
    count = driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"]
    assert count == 0
