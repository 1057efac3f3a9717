"""`silsila import FORMAT PATH…` and `silsila export FORMAT` as a person runs them."""

from __future__ import annotations

import csv
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from neo4j import Driver

from graph.db.settings import Settings
from loaders import importing, journal, registry
from tests.conftest import REPO, cli_env
from tests.conftest import silsila as run_silsila
from tests.loaders.csv_rows import rows_from

SFM = REPO.parent / "shared" / "peers" / "sfm-importer"
ACLED_BAD = REPO / "tests" / "loaders" / "event_data" / "acled_bad.csv"
ACLED_SYRIA = REPO / "tests" / "loaders" / "event_data" / "acled_syria.csv"
SMALL_CHUNK = 40
# `silsila` reading ACLED in chunks of SMALL_CHUNK rows, so that a short file has several.
SMALL_CHUNKED = """
import sys
from loaders import tabular
if not hasattr(tabular, "CHUNK_ROWS"):
    sys.exit("loaders.tabular.CHUNK_ROWS is gone: the test cannot make small chunks")
tabular.CHUNK_ROWS = int(sys.argv[1])
from cli.main import main
sys.argv = ["silsila", *sys.argv[2:]]
main()
"""


def silsila(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """`silsila ARGS` against the session's Neo4j, run in this process (no interpreter
    start-up per call); the tests of a killed importer start a process of their own."""
    return run_silsila(*args, env={**cli_env(settings), "COLUMNS": "200"})


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


@pytest.mark.skipif(not SFM.is_dir(), reason=f"SFM sample not found: {SFM}")
@pytest.mark.parametrize("broken", ["without units.csv", "without unit:status:admin"])
def test_import_wwic_of_an_incomplete_folder_exits_1_naming_what_is_missing(
    driver: Driver, settings: Settings, tmp_path: Path, broken: str
) -> None:
    folder = tmp_path / "wwic"
    shutil.copytree(SFM, folder)
    units = folder / "units.csv"
    if broken == "without units.csv":
        units.unlink()
        expected = f"error: {folder}: missing units.csv: a WhoWasInCommand export has all five"
    else:
        with units.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        status = rows[0].index("unit:status:admin")
        with units.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([r[:status] + r[status + 1 :] for r in rows])
        expected = f"error: {units}:1: missing column(s) unit:status:admin: the first line"
    result = silsila(settings, "import", "wwic", str(folder))
    assert result.returncode == 1
    assert expected in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr
    assert nodes(driver) == 0


def acled_rows(path: Path, rows: int) -> None:
    """ROWS ACLED rows: the test file's rows over and over, each under its own event id."""
    rows_from(
        ACLED_SYRIA,
        path,
        lambda given: (
            given[i % len(given)] | {"event_id_cnty": f"SYRKILL{i}"} for i in range(rows)
        ),
    )


def small_chunked(*args: str) -> list[str]:
    return [sys.executable, "-c", SMALL_CHUNKED, str(SMALL_CHUNK), *args]


def events(driver: Driver) -> int:
    return int(driver.execute_query("MATCH (e:Event) RETURN count(e) AS n").records[0]["n"])


def kill_after_commits(settings: Settings, importer: subprocess.Popen[bytes], chunks: int) -> None:
    """SIGKILL the importer once its journal records CHUNKS committed chunks."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and importer.poll() is None:
        if any(log.committed >= chunks for log in journal.unfinished(settings)):
            break
        time.sleep(0.05)
    if importer.poll() is not None:
        pytest.fail(f"the import ended (exit {importer.returncode}) before it could be killed")
    importer.send_signal(signal.SIGKILL)
    importer.wait(timeout=60)


def test_an_importer_killed_mid_import_is_reported_and_running_it_again_completes_it(
    driver: Driver, settings: Settings, journals: Path, tmp_path: Path
) -> None:
    given = tmp_path / "acled.csv"
    acled_rows(given, 6 * SMALL_CHUNK)
    env = {**cli_env(settings), "COLUMNS": "200"}
    with (tmp_path / "killed.log").open("wb") as log:
        importer = subprocess.Popen(
            small_chunked("import", "acled", str(given)), env=env, stdout=log, stderr=log
        )
        kill_after_commits(settings, importer, 2)
    assert importer.returncode == -signal.SIGKILL

    [found] = importing.interrupted_imports(driver, settings)
    held = found.held.chunks
    assert 2 <= held < 6
    assert events(driver) == held * SMALL_CHUNK  # whole chunks, exactly those the journal says
    status = silsila(settings, "import", "--status")
    assert status.returncode == 0, status.stderr
    assert (
        f"An import of {given} (acled) was interrupted: {held} of 6 chunks were committed: the "
        f"graph holds part of it. `silsila import acled {given}` completes it."
    ) in status.stdout

    again = subprocess.run(
        small_chunked("import", "acled", str(given)),
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert again.returncode == 0, again.stderr
    assert (
        f"Resuming an interrupted import of {given}: {held} of 6 chunks were committed: the "
        "graph holds part of it; re-running completes it."
    ) in again.stderr
    assert f"Resumed: {held} of 6 chunks were written by the interrupted import" in again.stdout
    assert events(driver) == 6 * SMALL_CHUNK
    after = silsila(settings, "import", "--status")
    assert "No interrupted import: the graph holds every import whole." in after.stdout


def test_import_help_says_how_an_interrupted_import_is_completed(settings: Settings) -> None:
    result = silsila(settings, "import", "--help")
    assert result.returncode == 0, result.stderr
    assert "--status" in result.stdout
    assert "running the same import again completes it" in " ".join(result.stdout.split())
