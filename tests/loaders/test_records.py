"""Loading record files: all or nothing, precise errors, idempotent reloads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from neo4j import Driver

from graph import store
from graph.settings import Settings
from loaders import pipeline
from loaders.errors import InvalidRecordsError, SourceFileError
from loaders.records import read_paths
from ontology.model import load as load_ontology
from tests.conftest import REPO, cli_env

DEFAULT = REPO / "data" / "default"
SEEDS = REPO.parent / "shared" / "seeds"


def node_state(driver: Driver) -> list[tuple[str, dict[str, object]]]:
    records = driver.execute_query(
        "MATCH (n) RETURN labels(n)[0] AS label, properties(n) AS props ORDER BY n.id",
        database_="neo4j",
    ).records
    return [(r["label"], r["props"]) for r in records]


def test_default_dataset_loads_one_source_per_seed_and_one_for_general_knowledge(
    driver: Driver, settings: Settings
) -> None:
    summary = pipeline.load(settings, load_ontology(), read_paths([DEFAULT]))
    assert summary.created == {"Source": 6}
    counts = store.counts_by_label(driver, settings, load_ontology().labels)
    assert counts["Source"] == 6
    files = {props["file"] for _, props in node_state(driver) if "file" in props}
    if SEEDS.is_dir():
        assert files == {p.name for p in SEEDS.glob("*.txt")}
    darayya = next(p for _, p in node_state(driver) if p["id"] == "source:000_a4a2605803ffedf8")
    assert darayya["title"] == "Darayya massacre"


def test_default_source_titles_are_verbatim_in_their_seed() -> None:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    seed_sources = [r for r in read_paths([DEFAULT]) if "file" in r.properties]
    assert len(seed_sources) == 5
    for record in seed_sources:
        text = " ".join((SEEDS / record.properties["file"]).read_text().split())
        for field in ("title", "publisher"):
            if field in record.properties:
                assert " ".join(record.properties[field].split()) in text, (record.id, field)


def test_reloading_changes_nothing(driver: Driver, settings: Settings) -> None:
    records = read_paths([DEFAULT])
    pipeline.load(settings, load_ontology(), records)
    before = node_state(driver)
    summary = pipeline.load(settings, load_ontology(), records)
    assert summary.created == {"Source": 0}
    assert summary.matched == {"Source": 6}
    assert node_state(driver) == before


BAD = "\n".join(
    [
        '{"type": "Source", "id": "source:good", "name": "A good record"}',
        '{"type": "Source", "id": "Bad Id", "name": "x"}',
        "{not json",
        '{"type": "Spaceship", "id": "ship:1", "name": "x"}',
        '{"type": "Source", "id": "source:undated", "published": "August 2012"}',
        '{"type": "Person", "id": "person:1", "name": "x", "height": 3}',
    ]
)


def test_a_bad_file_lists_every_error_and_loads_nothing(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    pipeline.load(settings, load_ontology(), read_paths([DEFAULT]))
    before = node_state(driver)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(BAD)
    with pytest.raises(InvalidRecordsError) as parse_error:
        read_paths([bad])
    assert [str(p) for p in parse_error.value.problems] == [
        f"{bad}:3: (line): not valid JSON: Expecting property name enclosed in double quotes "
        "at column 2"
    ]
    bad.write_text(BAD.replace("{not json", '{"type": "Source", "id": "source:good", "name": "y"}'))
    with pytest.raises(InvalidRecordsError) as invalid:
        pipeline.load(settings, load_ontology(), read_paths([bad]))
    found = [str(p) for p in invalid.value.problems]
    assert found == [
        f"{bad}:2: id: 'Bad Id' is not a valid id (lowercase letters, digits, and : . _ -)",
        f"{bad}:3: id: 'source:good' repeats {bad}:1",
        f"{bad}:4: type: unknown type 'Spaceship'; use one of Event, Organization, Person, "
        "Place, Source",
        f"{bad}:5: name: required, but missing",
        f"{bad}:5: published: 'August 2012' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD",
        f"{bad}:6: height: not a property of Person; allowed: ['aliases', 'id', 'name']",
    ]
    assert node_state(driver) == before


def test_a_missing_path_is_reported(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match="no such file"):
        read_paths([tmp_path / "nowhere.jsonl"])


def test_cli_load_reports_errors_and_exits_1(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "Source", "id": "source:x"}\n')
    result = subprocess.run(
        [sys.executable, "-m", "cli", "load", str(bad)],
        env=cli_env(settings) | {"COLUMNS": "300"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert f"{bad}:1: name: required, but missing" in result.stderr
    assert "nothing was loaded" in result.stderr
    assert "Traceback" not in result.stderr
    assert node_state(driver) == []


def test_cli_load_without_paths_loads_the_default_dataset(
    driver: Driver, settings: Settings
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cli", "load"],
        env=cli_env(settings),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "Source: 6 created, 0 updated" in result.stdout
    assert len(node_state(driver)) == 6
