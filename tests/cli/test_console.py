"""What users wrote is printed as they wrote it: never read as console markup or emoji codes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from neo4j import Driver

from graph.db.settings import Settings
from tests.cli.test_imports import ACLED_SYRIA
from tests.conftest import REPO, cli_env, silsila
from tests.loaders.csv_rows import Row, rows_from

# Emoji codes and markup, in a file name, in an error's text and in a record's value.
CODES = ":100: [red]x[/red] :smile: [bold]"
NAME_CODES = CODES.replace("/", "")  # a file name holds no slash
RENDERED = ("💯", "😄")


def plain(text: str) -> str:
    """TEXT with its line wrapping undone."""
    return " ".join(text.split())


def acled_with_bad_line_100(path: Path) -> None:
    """99 good rows (lines 2-100 but one), and on line 100 an event_date full of codes."""

    def with_codes(given: list[Row]) -> Iterator[Row]:
        for line in range(2, 102):
            row = given[line % len(given)] | {"event_id_cnty": f"SYRCODE{line}"}
            yield row | {"event_date": CODES, "notes": CODES} if line == 100 else row

    rows_from(ACLED_SYRIA, path, with_codes)


def test_import_prints_file_names_errors_and_values_verbatim(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    given = tmp_path / f"units{NAME_CODES}.csv"
    acled_with_bad_line_100(given)
    expected = f"{given}:100: event_date: '{CODES}' is not a date"

    refused = silsila("import", "acled", str(given), env=cli_env(settings))
    assert refused.returncode == 1
    assert expected in plain(refused.stderr)

    rejects = tmp_path / f"rejects{NAME_CODES}.jsonl"
    skipped = silsila(
        "import",
        "acled",
        str(given),
        "--skip-invalid",
        "--rejects",
        str(rejects),
        env=cli_env(settings),
    )
    assert skipped.returncode == 0, skipped.stderr
    assert expected in plain(skipped.stderr)
    assert f"in {rejects}" in plain(skipped.stderr)
    for output in (refused.stdout, refused.stderr, skipped.stdout, skipped.stderr):
        assert not any(emoji in output for emoji in RENDERED)
    (line,) = [json.loads(x) for x in rejects.read_text(encoding="utf-8").splitlines()]
    assert (line["file"], line["line"]) == (str(given), 100)


def test_load_prints_file_names_errors_and_values_verbatim(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    given = tmp_path / f"places{NAME_CODES}.jsonl"
    place = {
        "type": "Place",
        "id": "place:codes",
        "name": CODES,
        "place_kind": CODES,  # not a kind: the error quotes it
        "citations": [{"source": "source:000_a4a2605803ffedf8", "locator": "p. 1", "quote": "q"}],
    }
    given.write_text(json.dumps(place) + "\n", encoding="utf-8")
    sources = REPO / "data" / "default" / "sources.jsonl"

    refused = silsila("load", str(sources), str(given), env=cli_env(settings))
    assert refused.returncode == 1
    assert f"{given}:1: place_kind: '{CODES}' is not one of" in plain(refused.stderr)

    rejects = tmp_path / f"rejects{NAME_CODES}.jsonl"
    args = ("load", str(sources), str(given), "--skip-invalid", "--rejects", str(rejects))
    skipped = silsila(*args, env=cli_env(settings))
    assert skipped.returncode == 0, skipped.stderr
    assert f"Rejected 1 record(s); reasons in {rejects}" in plain(skipped.stdout)
    for output in (refused.stdout, refused.stderr, skipped.stdout, skipped.stderr):
        assert not any(emoji in output for emoji in RENDERED)
    (line,) = [json.loads(x) for x in rejects.read_text(encoding="utf-8").splitlines()]
    assert line["records"][0]["name"] == CODES


def test_every_command_prints_through_the_verbatim_consoles() -> None:
    """A console made anywhere else in cli/ would read markup and emoji codes again."""
    made = re.compile(r"\bConsole\(|from_markup|markup=True|emoji=True|rich import print")
    found = [
        f"{path.name}:{number}"
        for path in sorted((REPO / "cli").glob("*.py"))
        if path.name != "console.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if made.search(line)
    ]
    assert found == []
    columns = re.compile(r"TextColumn\((?![^)]*markup=False)")  # a column reads markup by default
    assert [p.name for p in (REPO / "cli").glob("*.py") if columns.search(p.read_text())] == []
