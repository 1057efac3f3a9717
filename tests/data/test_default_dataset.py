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

from tests.conftest import REPO

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
