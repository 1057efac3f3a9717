"""The SNHR massacre-report parser, checked against the hand-curated September 2016 records.

Most tests read a verbatim excerpt of the report kept in tests/data/seeds/ (see its README), so
they run in a plain clone. The whole-report tests read the seed in ../shared/seeds/ and skip,
with their reason, where it is not beside the checkout.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from graph.db.settings import Settings
from loaders import pipeline
from loaders.records import read_paths
from loaders.snhr import Incident, ParseResult, import_report, parse_report, to_jsonl, to_records
from ontology.model import load as load_ontology
from tests.conftest import REPO, cli_env, silsila

SEED = REPO.parent / "shared" / "seeds" / "003_25bd39c06e840184.txt"
# Verbatim lines of SEED: its summary figures, headings and 12 incident paragraphs.
EXCERPT = REPO / "tests" / "data" / "seeds" / "003_25bd39c06e840184.excerpt.txt"
DEFAULT = REPO / "data" / "default"
GROUND_TRUTH = DEFAULT / "snhr-2016-09.jsonl"
FIELDS = ("date", "party", "governorate", "killed", "children", "women")

whole_report = pytest.mark.skipif(
    not SEED.is_file(),
    reason=f"whole-report test: seed not found: {SEED} (../shared/seeds is not beside this"
    " checkout); the tests on its excerpt in tests/data/seeds/ still run",
)
# The executive summary's figures, as the report states them (the excerpt keeps them all).
REPORT_SUMMARY = {
    "massacres": 49,
    "by_party": {
        "org:syrian-government-forces": 26,
        "org:russian-forces": 20,
        "org:isis": 2,
        "org:armed-opposition-factions": 1,
    },
    "by_governorate": {
        "place:aleppo-governorate": 24,
        "place:idlib-governorate": 8,
        "place:deir-ez-zor-governorate": 7,
        "place:rif-dimashq-governorate": 5,
        "place:hama-governorate": 3,
        "place:daraa-governorate": 1,
        "place:raqqa-governorate": 1,
    },
    "killed": 498,
    "children": 161,
    "women": 64,
    "by_party_toll": {
        "org:syrian-government-forces": {"killed": 211, "children": 65, "women": 25},
        "org:russian-forces": {"killed": 257, "children": 87, "women": 38},
        "org:isis": {"killed": 21, "children": 2, "women": 1},
        "org:armed-opposition-factions": {"killed": 9, "children": 7, "women": 0},
    },
    "government_by_area_control": {
        "under the control of armed opposition factions": 17,
        "jointly controlled by armed opposition factions and Fateh Al Sham Front": 3,
        "under the control of ISIS": 6,
    },
}


@pytest.fixture(scope="module")
def parsed() -> ParseResult:
    return parse_report(SEED)


@pytest.fixture(scope="module")
def excerpt() -> ParseResult:
    return parse_report(EXCERPT)


def _curated() -> list[dict[str, Any]]:
    """The 49 curated events with their date, parties, governorate, counts and hedges."""
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
        attributions = [
            r for r in records if r["type"] == "Attribution" and r["event"] == event["id"]
        ]
        count = next(
            r
            for r in records
            if r["type"] == "CasualtyCount" and r["event"] == event["id"] and "scope" not in r
        )
        rows.append(
            {
                "id": event["id"],
                "locator": event["citations"][0]["locator"],
                "quote": event["citations"][0]["quote"],
                "date": event.get("start"),
                "party": frozenset(r["actor"] for r in attributions),
                "governorate": governorate(event["place"]),
                "killed": count.get("killed"),
                "children": count.get("children"),
                "women": count.get("women"),
                "wounded": count.get("wounded"),
                "hedges": frozenset(
                    (r["actor"], r.get("confidence"), r.get("hedge")) for r in attributions
                ),
                "time_of_day": event.get("time_of_day"),
                "means": frozenset(event.get("means", ())),
                "area_controlled_by": event.get("area_controlled_by"),
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


# ----- the excerpt (runs in a plain clone) ------------------------------------------------


def test_the_excerpt_incidents_agree_with_the_curated_records(excerpt: ParseResult) -> None:
    curated = _curated()
    assert len(excerpt.incidents) == 12
    assert [i.number for i in excerpt.incidents] == list(range(1, 13))
    disagreements = []
    for incident in excerpt.incidents:
        (truth,) = [t for t in curated if t["quote"] in incident.text]  # the curated event
        mine = _mine(incident) | {
            "wounded": incident.wounded,
            "hedges": frozenset((p.actor, p.confidence, p.hedge) for p in incident.parties),
            "time_of_day": incident.time_of_day,
            "means": frozenset(incident.means),
        }
        if incident.date is not None:  # the curated data names no controller where undated
            controllers = incident.area_controllers
            mine["area_controlled_by"] = controllers[0] if len(controllers) == 1 else None
        disagreements += [
            (truth["id"], name, truth[name], value)
            for name, value in mine.items()
            if value != truth[name]
        ]
    assert disagreements == []


def test_the_excerpt_covers_each_case_the_parser_handles(excerpt: ParseResult) -> None:
    incidents = excerpt.incidents
    lines = EXCERPT.read_text(encoding="utf-8").splitlines()
    for incident in incidents:  # each paragraph's first line, verbatim
        assert incident.text.startswith(lines[incident.line - 1].strip())
    first = incidents[0]
    assert (first.date, first.time_of_day, first.line) == ("2016-09-05", "noon", 42)
    assert (first.neighbourhood, first.place) == ("Al Sukkari", "Aleppo")
    assert first.means == ("warplanes", "missiles")
    assert first.area_controllers == ("org:armed-opposition-factions",)
    assert {p.actor for i in incidents for p in i.parties} == {
        "org:syrian-government-forces",
        "org:international-coalition",
        "org:russian-forces",
        "org:isis",
        "org:armed-opposition-factions",
    }
    assert [(i.place, i.place_kind, i.neighbourhood) for i in incidents] == [
        ("Aleppo", "city", "Al Sukkari"),
        ("Hawwar", "town", None),
        ("Al Mqielbiya", "town", "Al Wadi"),
        ("Al Tayyana", "town", None),
        ("Khan Shaikhoun", "city", "Al Rawda"),
        ("Jarjanaz", "town", None),
        ("Al Raqqa", "city", "Al Jmeili"),
        ("Aleppo", "city", "Al Kallasa"),
        ("Idlib", "city", None),
        ("Ma\u2019aret Misreen", "other", None),
        ("Al Msarrab", "town", None),
        ("Aleppo", "city", "Salah Al Din"),
    ]
    assert [i.area_controlled_by for i in incidents if not i.area_controllers] == [
        "armed opposition factions and Fateh Al Sham Front"
    ] * 4
    (aside,) = [i for i in incidents if "It should be noted" in i.text]
    assert (aside.killed, aside.children, aside.women, aside.wounded) == (7, 2, 3, 8)
    (split,) = [i for i in incidents if i.place == "Jarjanaz"]  # a link list mid-paragraph
    assert "http" not in split.text
    assert split.event_quote.endswith("under the joint control of")
    assert {i.wounded for i in incidents if i.place == "Al Tayyana"} == {5}


def test_the_excerpt_hedges_are_kept_verbatim_and_lower_confidence(
    excerpt: ParseResult,
) -> None:
    russian = [i for i in excerpt.incidents if i.party == "org:russian-forces"]
    assert len(russian) == 3
    assert {
        (p.confidence, re.sub(r"- ", "", p.hedge or "")) for i in russian for p in i.parties
    } == {("Medium", "we believe are Russian")}
    assert any(p.hedge == "we believe are Rus- sian" for i in russian for p in i.parties)
    (raqqa,) = [i for i in excerpt.incidents if i.governorate == "place:raqqa-governorate"]
    assert [(p.actor, p.confidence) for p in raqqa.parties] == [
        ("org:syrian-government-forces", "Low"),
        ("org:international-coalition", "Low"),
    ]
    assert raqqa.parties[0].hedge == (
        "fixed-wing government forces/international coalition (Investigations are still"
        " ongoing to determine the perpetrator party precisely)"
    )


def test_the_excerpt_unverified_date_is_not_taken_as_the_killing_date(
    excerpt: ParseResult,
) -> None:
    (video,) = [i for i in excerpt.incidents if i.place == "Al Msarrab"]
    assert (video.date, video.stated_date, video.killed) == (None, "2016-09-12", 15)
    assert video.means == ("knives",)
    assert [i.place for i in excerpt.incidents if i.date is None] == ["Al Msarrab"]


def test_the_excerpt_leaves_no_paragraph_unparsed(excerpt: ParseResult) -> None:
    assert excerpt.unparsed == []


def test_the_excerpt_summary_is_the_reports(excerpt: ParseResult) -> None:
    assert excerpt.summary == REPORT_SUMMARY
    # the excerpt keeps 12 of the 49 incidents, and the comparison with the summary says so
    assert str(excerpt.discrepancies()[0]) == "massacres: summary 49, incidents sum to 12"


@whole_report
def test_the_excerpt_is_verbatim_lines_of_the_seed_in_order(parsed: ParseResult) -> None:
    seed = iter(SEED.read_text(encoding="utf-8").splitlines())
    for n, line in enumerate(EXCERPT.read_text(encoding="utf-8").splitlines(), 1):
        assert line in seed, f"excerpt line {n} is not a later line of the seed: {line!r}"
    whole = {i.text: i for i in parsed.incidents}
    for incident in parse_report(EXCERPT).incidents:  # parsed as in the whole report
        same = whole[incident.text]
        assert (
            dataclasses.replace(
                incident, number=same.number, section_number=same.section_number, line=same.line
            )
            == same
        )


# ----- the whole report (../shared/seeds) -------------------------------------------------


@whole_report
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


@whole_report
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


@whole_report
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


@whole_report
def test_the_unverified_date_is_not_taken_as_the_killing_date(parsed: ParseResult) -> None:
    (video,) = [i for i in parsed.incidents if i.place == "Al Msarrab"]
    assert (video.date, video.stated_date, video.killed) == (None, "2016-09-12", 15)
    assert video.means == ("knives",)


@whole_report
def test_no_paragraph_is_left_unparsed(parsed: ParseResult) -> None:
    assert parsed.unparsed == []


@whole_report
def test_summary_and_its_discrepancies_with_the_incidents(parsed: ParseResult) -> None:
    summary = parsed.summary
    assert summary["massacres"] == 49
    assert summary == REPORT_SUMMARY
    assert [str(d) for d in parsed.discrepancies()] == [
        "killed: summary 498, incidents sum to 500",
        "children: summary 161, incidents sum to 159",
        "women: summary 64, incidents sum to 66",
        "children by org:syrian-government-forces: summary 65, incidents sum to 63",
        "women by org:syrian-government-forces: summary 25, incidents sum to 27",
        "killed by org:russian-forces: summary 257, incidents sum to 259",
    ]


# ----- both: the excerpt always, the whole report where ../shared is ----------------------

# (report, the incidents it has)
REPORTS = [
    pytest.param(EXCERPT, 12, id="excerpt"),
    pytest.param(SEED, 49, id="whole-report", marks=whole_report),
]


@pytest.mark.parametrize(
    ("path", "incidents", "line"),
    [
        pytest.param(EXCERPT, 12, 42, id="excerpt"),
        pytest.param(SEED, 49, 50, id="whole-report", marks=whole_report),
    ],
)
def test_an_unparsable_incident_is_listed_not_dropped(
    tmp_path: Path, path: Path, incidents: int, line: int
) -> None:
    original = path.read_text(encoding="utf-8")
    killing = "which resulted in the killing of five individuals at once"
    text = original.replace(killing, "which resulted in casualties", 1)
    assert text != original
    report = tmp_path / "report.txt"
    report.write_text(text, encoding="utf-8")
    result = parse_report(report)
    assert len(result.incidents) == incidents - 1
    assert [(n, t[:30]) for n, t in result.unparsed] == [(line, "Monday 5 September 2016 noon, ")]


@pytest.mark.parametrize(("path", "events"), REPORTS)
def test_records_are_valid_cited_verbatim_and_new(path: Path, events: int) -> None:
    parsed = parse_report(path)
    records = to_records(parsed)
    assert to_records(parse_report(path)) == records  # deterministic
    default = read_paths([DEFAULT])
    assert pipeline.validate([*default, *records], load_ontology()) == []
    assert not {r.id for r in records} & {r.id for r in default}
    text = re.sub(r"\s+", " ", path.read_text(encoding="utf-8"))
    for record in records:
        for citation in record.properties["citations"]:
            assert citation["source"] == "source:003_25bd39c06e840184"
            assert 0 < len(citation["quote"]) <= 300
            assert citation["quote"] in text, (record.id, citation["quote"])
    labels = [r.label for r in records]
    assert labels.count("Event") == labels.count("CasualtyCount") == events
    assert labels.count("Attribution") == events + 1  # the coalition shares one incident
    undated = [r.properties for r in records if r.label == "Event" and "start" not in r.properties]
    assert [e["name"] for e in undated] == ["Al Msarrab massacre (date not verified)"]
    lines = to_jsonl(records)
    assert json.loads(lines[0])["type"] == records[0].label


@pytest.mark.parametrize(("path", "events"), REPORTS)
def test_loads_on_top_of_the_default_dataset_and_reloads_unchanged(
    driver: Driver, settings: Settings, path: Path, events: int
) -> None:
    ontology = load_ontology()
    pipeline.load(settings, ontology, read_paths([DEFAULT]))
    dry = import_report(path, dry_run=True)
    assert dry.loaded is None
    first = import_report(path, dry_run=False, settings=settings)
    assert first.loaded is not None
    assert first.loaded.created["Event"] == events
    before = _state(driver)
    again = import_report(path, dry_run=False, settings=settings)
    assert again.loaded is not None
    assert sum(again.loaded.created.values()) == 0
    assert _state(driver) == before
    loaded = driver.execute_query(
        "MATCH (e:Event) WHERE e.id STARTS WITH 'event:snhr-import-' RETURN count(e) AS n"
    ).records[0]["n"]
    assert loaded == events


def _state(driver: Driver) -> tuple[list[object], list[object]]:
    nodes = driver.execute_query(
        "MATCH (n) RETURN n.id AS id, labels(n) AS labels, properties(n) AS p ORDER BY id"
    ).records
    rels = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b ORDER BY a, t, b"
    ).records
    return [tuple(r.values()) for r in nodes], [tuple(r.values()) for r in rels]


@pytest.mark.parametrize(("path", "events"), REPORTS)
def test_cli_dry_run_prints_json_lines_and_loads_nothing(
    driver: Driver, settings: Settings, path: Path, events: int
) -> None:
    result = silsila(
        "import", "snhr-report", str(path), "--dry-run", "--json", env=cli_env(settings), check=True
    )
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert sum(r["type"] == "Event" for r in records) == events
    assert all(r["citations"] for r in records)
    count = driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"]
    assert count == 0
