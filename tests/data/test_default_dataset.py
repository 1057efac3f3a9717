"""The default dataset: every quote verbatim in the seed it cites, ids unique, links resolve.

The loader checks structure and links too; these tests read the files directly, so they also
guard records that a future loader change might accept too easily.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from typing import Any

import pytest

from loaders.names import normalised as folded_name
from tests.conftest import REPO
from tests.data import locators

DATASET = REPO / "data" / "default"
SEEDS = REPO.parent / "shared" / "seeds"
GENERAL = "source:general-knowledge"
# Fields whose values name other records.
LINKS = (
    "within",
    "place",
    "part_of",
    "area_controlled_by",
    "event",
    "actor",
    "claimed_by",
    "person",
    "organization",
    "child",
    "parent",
    "entity",
    "by",
    "about",
    "report",
)


def normalised(text: str) -> str:
    return " ".join(text.split())


@cache
def records() -> list[tuple[str, int, dict[str, Any]]]:
    found = []
    for path in sorted(DATASET.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                found.append((path.name, number, json.loads(line)))
    return found


@cache
def seed_texts() -> dict[str, str]:
    return {
        f"source:{p.stem}": normalised(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")
    }


def known_ids() -> set[str]:
    default = [
        json.loads(x) for x in (REPO / "data/default/sources.jsonl").read_text().splitlines()
    ]
    return {r["id"] for _, _, r in records()} | {r["id"] for r in default} | {GENERAL}


@pytest.fixture(autouse=True)
def _needs_records() -> None:
    if not records():
        pytest.fail("the default dataset is empty")


def test_every_record_but_a_source_has_citations() -> None:
    problems = [
        f"{file}:{line}"
        for file, line, r in records()
        if r["type"] != "Source" and not r.get("citations")
    ]
    assert problems == []
    assert len(records()) > 900


def test_every_seed_quote_is_verbatim_in_its_seed() -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"seeds not found: {SEEDS} (../shared/seeds is not beside this checkout)")
    texts = seed_texts()
    problems = []
    for file, line, record in records():
        for citation in record.get("citations", []):
            source = citation.get("source")
            if source == GENERAL:
                continue
            if source not in texts:
                problems.append(f"{file}:{line}: citations: unknown source {source!r}")
            elif normalised(citation.get("quote", "")) not in texts[source]:
                problems.append(f"{file}:{line}: quote not in {source}: {citation.get('quote')!r}")
    assert problems == []


def test_ids_are_unique_across_files() -> None:
    counts = Counter(r["id"] for _, _, r in records())
    assert [i for i, n in counts.items() if n > 1] == []


def test_every_link_names_a_known_record() -> None:
    ids = known_ids()
    problems = []
    for file, line, record in records():
        for field in LINKS:
            value = record.get(field)
            for target in value if isinstance(value, list) else [value]:
                if isinstance(target, str) and target not in ids:
                    problems.append(f"{file}:{line}: {field}: unknown id {target!r}")
    assert problems == []


def needs_seeds() -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"seeds not found: {SEEDS} (../shared/seeds is not beside this checkout)")


def by_id() -> dict[str, dict[str, Any]]:
    return {r["id"]: r for _, _, r in records()}


def seed(source: str) -> locators.Seed:
    return locators.seed(SEEDS / f"{source.removeprefix('source:')}.txt")


def test_every_locator_points_at_the_passage_that_holds_its_quote() -> None:
    needs_seeds()
    problems = []
    for file, line, record in records():
        for citation in record.get("citations", []):
            source, locator, quote = citation["source"], citation["locator"], citation["quote"]
            if source == GENERAL:
                continue
            document = seed(source)
            if not locators.holds(document, locator, quote):
                problems.append(f"{file}:{line}: {locator!r} does not hold {quote[:60]!r}")
            elif not locators.names_its_passage(document, locator, quote):
                problems.append(f"{file}:{line}: {locator!r} names a section, not the passage")
    assert problems == []


def test_a_locator_naming_the_wrong_passage_is_caught() -> None:
    needs_seeds()
    darayya, snhr_2016 = seed("source:000_a4a2605803ffedf8"), seed("source:003_25bd39c06e840184")
    appointment = "Khalil was named head of SAFI in January 2024."
    assert locators.holds(darayya, "Aftermath ¶4", appointment)
    assert not locators.holds(darayya, "Aftermath ¶3", appointment)
    assert not locators.holds(darayya, "Background ¶4", appointment)
    assert not locators.holds(darayya, "Aftermath ¶9", appointment)
    assert not locators.holds(darayya, "Aftermath, section heading", appointment)
    # Two incidents printed without a blank line between them are still two incidents.
    khan_touman = "a medical point in Khan Touman town"
    russian_aleppo = "II. Details, B. Russian forces, Aleppo governorate"
    assert locators.holds(snhr_2016, f"{russian_aleppo}, incident 4", khan_touman)
    assert not locators.holds(snhr_2016, f"{russian_aleppo}, incident 3", khan_touman)
    assert not locators.names_its_passage(snhr_2016, russian_aleppo, khan_touman)


def test_no_name_resolves_to_two_records_unless_marked_shared() -> None:
    owners: dict[str, set[str]] = {}
    for _, _, record in records():
        for name in [record.get("name"), *record.get("aliases", [])]:
            if name:
                owners.setdefault(folded_name(name), set()).add(record["id"])
    marked = {r["id"]: {folded_name(n) for n in r.get("shared_names", [])} for _, _, r in records()}
    problems = [
        f"{name!r}: {sorted(ids)}"
        for name, ids in owners.items()
        if len(ids) > 1 and not all(name in marked[i] for i in ids)
    ]
    assert problems == []
    # A shared name is one of the record's own names, and some other record carries it too.
    for _, _, record in records():
        for name in record.get("shared_names", []):
            assert len(owners.get(folded_name(name), set())) > 1, (record["id"], name)


def test_the_two_government_forces_share_only_the_names_the_sources_give_both() -> None:
    records_by_id = by_id()
    assad_era = records_by_id["org:syrian-government-forces"]
    after_2024 = records_by_id["org:post-2024-government-forces"]
    assert {"government forces", "syrian security forces"} <= {
        folded_name(n) for n in assad_era["shared_names"]
    }
    assert {folded_name(n) for n in after_2024["shared_names"]} == {
        "government forces",
        "syrian security forces",
    }
    opposition = records_by_id["org:armed-opposition-factions"]
    assert "Syrian National Army" not in opposition["aliases"]
    assert opposition["shared_names"] == ["SNA"]


def test_the_september_2016_conclusions_are_findings_by_snhr() -> None:
    needs_seeds()
    report = "source:003_25bd39c06e840184"
    findings = [
        r
        for _, _, r in records()
        if r["type"] == "Finding" and any(c["source"] == report for c in r["citations"])
    ]
    said = {(r["about"], normalised(r["text"])) for r in findings}
    assert all(r["by"] == "org:snhr" for r in findings)

    def found(about: str, words: str) -> bool:
        return any(a == about and words in text for a, text in said)

    for forces in ("org:syrian-government-forces", "org:russian-forces"):
        assert found(forces, "amount to war crimes")
        assert found(forces, "can be classified as crimes against humanity")
        assert found(forces, "must be based on high orders, and a state policy")
    for party in ("org:isis", "org:armed-opposition-factions"):
        assert found(party, "have committed mas- sacres that constitute war crimes")
    text = seed_texts()[report]
    assert all(normalised(r["text"]) in text for r in findings)
    # The report gives no date of its own, so none is recorded.
    assert all("date" not in r for r in findings)


def test_mezze_and_al_mazza_are_one_facility() -> None:
    named = [
        r
        for _, _, r in records()
        if r["type"] == "Place"
        and any(
            {"mezze", "mazza"} & set(folded_name(n).split())
            for n in [r.get("name", ""), *r.get("aliases", [])]
        )
    ]
    assert [r["id"] for r in named] == ["place:mezze-military-airport"]
    (facility,) = named
    names = {folded_name(n) for n in [facility["name"], *facility["aliases"]]}
    assert {"mezze military airport", "al mazza military airbase"} <= names
    assert facility["place_kind"] == "facility"
    assert {"source:000_a4a2605803ffedf8", "source:001_b419b2e21b5aac12"} <= {
        c["source"] for c in facility["citations"]
    }


def test_affiliated_with_is_stored_as_an_affiliation() -> None:
    relations = [r for _, _, r in records() if r["type"] == "UnitRelation"]
    affiliated = [
        r for r in relations if any("affiliated with" in c["quote"] for c in r["citations"])
    ]
    assert affiliated
    assert {r["relation"] for r in affiliated} == {"affiliation"}
    lahham = by_id()["unitrelation:abu-ali-al-lahham-group-air-force-intelligence-directorate"]
    assert (lahham["child"], lahham["relation"], lahham["parent"]) == (
        "org:abu-ali-al-lahham-group",
        "affiliation",
        "org:air-force-intelligence-directorate",
    )


def test_no_post_or_control_rests_on_what_its_quote_does_not_say() -> None:
    for _, _, record in records():
        quotes = " ".join(c["quote"] for c in record.get("citations", []))
        if record["type"] == "Posting":
            # A self-description is a statement; being "ousted" in 2025 is no post.
            assert "identifying himself" not in quotes, record["id"]
            assert "ousted" not in quotes, record["id"]
        if record["type"] == "AreaControl" and "swathes" in quotes:
            assert not record["place"].endswith("-governorate"), record["id"]


def test_qahtan_khalils_appointment_after_darayya_is_conduct() -> None:
    conduct = by_id()["conduct:qahtan-khalil-named-head-of-safi-2024-01"]
    assert conduct["type"] == "Conduct"
    assert (conduct["actor"], conduct["about"], conduct["conduct_kind"], conduct["date"]) == (
        "person:qahtan-khalil",
        "event:darayya-massacre-2012",
        "promoted",
        "2024-01",
    )
    kinds = {r["conduct_kind"] for _, _, r in records() if r["type"] == "Conduct"}
    assert {"promoted", "no_investigation_reported", "statement_of_impunity"} <= kinds


def test_the_darayya_ground_assault_has_no_day_the_text_does_not_give() -> None:
    assert by_id()["event:darayya-2012-ground-assault"]["start"] == "2012-08"
