"""`silsila import … --rejects FILE`: every row left out is in the file, totalled by reason."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from neo4j import Driver

from cli.rejects import DEFAULT
from graph.db.settings import Settings
from loaders.importing import LISTED_PROBLEMS
from tests.cli.test_imports import ACLED_SYRIA, events
from tests.conftest import REPO, cli_env, silsila

BAD_DATES = LISTED_PROBLEMS + 50  # more than the console lists
BAD_COUNTS = 3


def acled_with_bad_rows(path: Path) -> int:
    """BAD_DATES rows with a bad date, BAD_COUNTS with a bad date and bad fatalities, and 10
    good rows; returns the number of good rows."""
    with ACLED_SYRIA.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        given = list(reader)
        header = list(reader.fieldnames or [])
    good = 10
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        for i in range(BAD_DATES + BAD_COUNTS + good):
            row = given[i % len(given)] | {"event_id_cnty": f"SYRREJ{i}"}
            if i < BAD_DATES + BAD_COUNTS:
                row["event_date"] = f"day {i}"
            if BAD_DATES <= i < BAD_DATES + BAD_COUNTS:
                row["fatalities"] = "about 4"
            writer.writerow(row)
    return good


def test_import_writes_every_rejected_row_to_rejects_and_totals_them_by_reason(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    given = tmp_path / "acled.csv"
    good = acled_with_bad_rows(given)
    rejects = tmp_path / "rejects.jsonl"
    args = ("import", "acled", str(given), "--rejects", str(rejects))

    refused = silsila(*args, env=cli_env(settings))  # refused, yet every row is explained
    assert refused.returncode == 1
    problems = BAD_DATES + 2 * BAD_COUNTS
    assert f"error: {problems} problem(s) found; nothing was loaded." in refused.stderr
    assert f"… and {problems - LISTED_PROBLEMS} more" in refused.stderr
    by_reason = (
        f"By reason:\n  {BAD_DATES + BAD_COUNTS} rejected: is not a date\n"
        f"  {BAD_COUNTS} rejected: is not a whole number"
    )
    assert by_reason in refused.stderr
    assert f"Rejected and skipped records, with reasons, in {rejects}" in refused.stderr
    lines = [json.loads(x) for x in rejects.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == BAD_DATES + BAD_COUNTS  # uncapped: one per row left out
    assert events(driver) == 0

    loaded = silsila(*args, "--skip-invalid", env=cli_env(settings))
    assert loaded.returncode == 0, loaded.stderr
    assert f"Left out {BAD_DATES + BAD_COUNTS} row(s):" in loaded.stderr
    more = f"… and {problems - LISTED_PROBLEMS} more problem(s): every one is in {rejects}"
    assert more in loaded.stderr
    assert f"  {BAD_DATES + BAD_COUNTS} rejected: is not a date" in loaded.stderr
    assert f"  {BAD_COUNTS} rejected: is not a whole number" in loaded.stderr
    assert events(driver) == good

    lines = [json.loads(x) for x in rejects.read_text(encoding="utf-8").splitlines()]
    assert [x["line"] for x in lines] == list(range(2, BAD_DATES + BAD_COUNTS + 2))
    last = lines[-1]
    assert (last["file"], last["status"], last["records"]) == (str(given), "rejected", [])
    assert last["problems"] == [
        {
            "field": "event_date",
            "problem": f"'day {BAD_DATES + BAD_COUNTS - 1}' is not a date: write YYYY-MM-DD, "
            "YYYY-MM or YYYY, or e.g. 15 March 2023 or March 2023",
            "reason": "is not a date",
        },
        {
            "field": "fatalities",
            "problem": "'about 4' is not a whole number: write digits only (up to 18), e.g. 3",
            "reason": "is not a whole number",
        },
    ]


def test_skip_invalid_writes_rejects_to_the_default_file_as_load_does(
    driver: Driver, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    given = tmp_path / "acled.csv"
    acled_with_bad_rows(given)
    monkeypatch.chdir(tmp_path)
    result = silsila("import", "acled", str(given), "--skip-invalid", env=cli_env(settings))
    assert result.returncode == 0, result.stderr
    written = (tmp_path / DEFAULT).read_text(encoding="utf-8").splitlines()
    assert len(written) == BAD_DATES + BAD_COUNTS
    shown = silsila("import", "--help", env=cli_env(settings)).stdout
    help_text = " ".join(shown.replace("│", " ").split())  # the help's box, unwrapped
    assert "--rejects FILE Write every rejected or skipped record" in help_text
    assert f"With --skip-invalid the default is {DEFAULT}." in help_text


def test_load_refused_still_writes_every_rejected_and_skipped_record_to_rejects(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    cite = [{"source": "source:000_a4a2605803ffedf8", "locator": "p. 1", "quote": "q"}]
    broken = {"type": "Place", "id": "place:broken", "name": "B", "place_kind": "moon"}
    inside = {"type": "Place", "id": "place:inside", "name": "I", "place_kind": "village"}
    given = tmp_path / "places.jsonl"
    lines = [broken | {"citations": cite}, inside | {"within": "place:broken", "citations": cite}]
    given.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"
    sources = REPO / "data" / "default" / "sources.jsonl"
    args = ("load", str(sources), str(given), "--rejects", str(rejects))

    refused = silsila(*args, env=cli_env(settings))
    assert refused.returncode == 1
    assert f"{given}:2: within: skipped because place:broken (line 1) was rejected" in (
        refused.stderr
    )
    assert (
        "By reason:\n  1 rejected: is not one of the allowed values\n"
        "  1 skipped because a record they depend on was rejected"
    ) in refused.stderr
    written = [json.loads(x) for x in rejects.read_text(encoding="utf-8").splitlines()]
    assert [(x["line"], x["status"]) for x in written] == [(1, "rejected"), (2, "skipped")]
    assert [r["id"] for r in written[1]["records"]] == ["place:inside"]
