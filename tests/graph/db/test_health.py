"""The public role's counts leave out every restricted person and every claim about or by one,
each once, however many pages of restricted persons it takes to count them."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from neo4j import Driver

from graph.db import health, kept, reader
from graph.db.settings import Settings
from graph.db.store import open_async_driver
from loaders import pipeline
from loaders.records import read_paths
from ontology.model import load as load_ontology
from tests.conftest import default_records


def counts(settings: Settings, public: bool) -> dict[str, int]:
    async def check() -> dict[str, int]:
        driver = open_async_driver(settings)
        try:
            return (await health.check(driver, settings, public=public)).counts
        finally:
            await driver.close()

    kept.forget()  # counted afresh, at the page size in force
    return asyncio.run(check())


def test_the_public_counts_are_the_same_however_the_witnesses_are_paged(
    default_dataset: Driver, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = counts(settings, public=False)
    in_one_page = counts(settings, public=True)
    witnesses = [r for r in default_records() if r.properties.get("restricted")]
    persons = [r for r in default_records() if r.label == "Person"]
    assert len(witnesses) >= 10
    assert (
        in_one_page["Person"] == whole["Person"] - len(witnesses) == len(persons) - len(witnesses)
    )
    assert in_one_page["Claim"] < whole["Claim"]

    monkeypatch.setattr(reader, "MAX_HIDDEN_NAMES", 1)  # one witness a round trip
    assert counts(settings, public=True) == in_one_page


def test_a_claim_naming_two_witnesses_on_different_pages_is_left_out_once(
    driver: Driver, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cite = [{"source": "source:health-report", "locator": "p. 1", "quote": "they met"}]
    records = [
        {"type": "Source", "id": "source:health-report", "name": "Health report", "kind": "report"},
        *(
            {"type": "Person", "id": i, "name": n, "restricted": True, "citations": cite}
            for i, n in (
                ("person:witness-a", "Witness Alder"),
                ("person:witness-b", "Witness Birch"),
            )
        ),
        {
            "type": "Statement",
            "id": "statement:a-about-b",
            "by": "person:witness-a",
            "about": "person:witness-b",
            "text": "they met",
            "citations": cite,
        },
    ]
    path = tmp_path / "witnesses.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    pipeline.load(settings, load_ontology(), read_paths([path]))
    monkeypatch.setattr(reader, "MAX_HIDDEN_NAMES", 1)

    whole, public = counts(settings, public=False), counts(settings, public=True)

    assert (whole["Person"], whole["Statement"]) == (2, 1)
    assert (public["Person"], public["Statement"], public["Claim"]) == (0, 0, 0)
