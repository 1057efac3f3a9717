"""`silsila import FORMAT PATH…` and `silsila export FORMAT` as a person runs them."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from neo4j import Driver

from graph.db.settings import Settings
from loaders import registry
from tests.conftest import REPO, cli_env

SFM = REPO.parent / "shared" / "peers" / "sfm-importer"
ACLED_BAD = REPO / "tests" / "loaders" / "event_data" / "acled_bad.csv"


def silsila(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**cli_env(settings), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def nodes(driver: Driver) -> int:
    return int(driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"])


@pytest.mark.skipif(not SFM.is_dir(), reason=f"SFM sample not found: {SFM}")
def test_import_wwic_then_export_wwic_and_ftm(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    imported = silsila(settings, "import", "wwic", str(SFM))
    assert imported.returncode == 0, imported.stderr
    assert "Writing" in imported.stderr  # the progress bar, with its rows/s
    assert "rows/s" in imported.stderr
    assert "Wrote" in imported.stdout
    assert "Read differently from how it was written" in imported.stdout

    folder = tmp_path / "wwic"
    exported = silsila(settings, "export", "wwic", "-o", str(folder))
    assert exported.returncode == 0, exported.stderr
    assert " units.csv, " in exported.stderr
    assert f" sources.csv rows to {folder}" in exported.stderr
    with (folder / "units.csv").open(encoding="utf-8") as f:
        units = {row["unit:name"].strip() for row in csv.DictReader(f)}
    assert "Importer Test Organization Delta Name" in units

    ftm = tmp_path / "entities.json"
    to_file = silsila(settings, "export", "ftm", "-o", str(ftm))
    assert to_file.returncode == 0, to_file.stderr
    assert f"Wrote FollowTheMoney entities to {ftm}" in to_file.stderr
    assert silsila(settings, "export", "ftm").stdout == ftm.read_text(encoding="utf-8")
    entities = [json.loads(line) for line in ftm.read_text(encoding="utf-8").splitlines()]
    people = {e["properties"]["name"][0] for e in entities if e["schema"] == "Person"}
    assert "Importer Test Person Delta Name" in people


def test_an_unknown_format_is_named_with_the_known_ones(settings: Settings) -> None:
    result = silsila(settings, "import", "gdelt", "events.csv")
    assert result.returncode == 1
    assert "unknown format 'gdelt': use one of acled, ftm, snhr-report, ucdp, wwic" in result.stderr


def test_a_bad_file_lists_file_line_column_and_writes_nothing(
    driver: Driver, settings: Settings
) -> None:
    result = silsila(settings, "import", "acled", str(ACLED_BAD))
    assert result.returncode == 1
    assert f"{ACLED_BAD}:3: event_date: '15 Marchh 2023' is not a date" in result.stderr
    assert "nothing was loaded" in result.stderr
    assert nodes(driver) == 0


def test_import_acled_then_export_acled(driver: Driver, settings: Settings, tmp_path: Path) -> None:
    syria = REPO / "tests" / "loaders" / "event_data" / "acled_syria.csv"
    assert silsila(settings, "import", "acled", str(syria)).returncode == 0
    exported = tmp_path / "acled.csv"
    result = silsila(settings, "export", "acled", "-o", str(exported))
    assert result.returncode == 0, result.stderr
    with syria.open(encoding="utf-8") as f:
        given = {row["event_id_cnty"] for row in csv.DictReader(f)}
    with exported.open(encoding="utf-8") as f:
        assert {row["event_id_cnty"] for row in csv.DictReader(f)} == given
    assert f"Wrote 4 acled rows to {exported}" in result.stderr

    folder = tmp_path / "exports"  # an existing folder: the file under its default name
    folder.mkdir()
    assert silsila(settings, "export", "acled", "-o", str(folder)).returncode == 0
    assert (folder / "acled.csv").read_bytes() == exported.read_bytes()


@pytest.mark.parametrize("args", [("export", "gdelt"), ("export", "--format", "gdelt")])
def test_export_of_an_unknown_format_is_named_with_the_known_ones(
    settings: Settings, args: tuple[str, ...]
) -> None:
    result = silsila(settings, *args)
    assert result.returncode == 1
    known = ", ".join(registry.export_names())
    assert f"error: unknown format 'gdelt': use one of {known}" in result.stderr


def test_export_of_a_csv_format_needs_an_output(settings: Settings) -> None:
    result = silsila(settings, "export", "ucdp")
    assert result.returncode == 1
    assert "ucdp writes a file, not to standard output: give --output" in result.stderr


def test_export_help_lists_the_registry_formats(settings: Settings) -> None:
    result = silsila(settings, "export", "--help")
    assert result.returncode == 0, result.stderr
    assert f"One of {', '.join(registry.export_names())}" in result.stdout
    lines = result.stdout.splitlines()
    for fmt in registry.exporters():
        assert any(fmt.name in line and fmt.summary in line for line in lines), fmt.name
