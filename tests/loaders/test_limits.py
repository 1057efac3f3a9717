"""Bounded input: nesting, text and id lengths, and encoding, each refused naming the file,
the line, the field, the bound and what to do; the real data stays within every bound."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from graph.db.settings import Settings
from loaders.errors import InvalidRecordsError, NotUtf8Error, UnreadableLineError
from loaders.ftm import FORMAT as FTM
from loaders.limits import MAX_DEPTH, MAX_ID, MAX_TEXT, loads, nesting
from loaders.records import read_paths, read_paths_leniently
from loaders.wwic import FORMAT as WWIC
from tests.conftest import REPO, cli_env

DEFAULT = REPO / "data" / "default"
PEERS = REPO.parent / "shared" / "peers"
CITE = {"source": "source:000_a4a2605803ffedf8", "locator": "Infobox", "quote": "Darayya"}
PLACE = {"type": "Place", "id": "place:x", "name": "X", "place_kind": "town", "citations": [CITE]}


def nested(depth: int) -> str:
    """A JSON array nested DEPTH levels deep."""
    return "[" * depth + "]" * depth


def write_lines(path: Path, *lines: str) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 900, 100_000])
def test_json_nested_beyond_the_bound_is_refused_without_recursing(depth: int) -> None:
    with pytest.raises(UnreadableLineError, match=f"nested more than {MAX_DEPTH} levels deep"):
        loads(nested(depth))


def test_json_nested_up_to_the_bound_is_read() -> None:
    assert nesting(loads(nested(MAX_DEPTH))) == MAX_DEPTH
    assert nesting(loads('{"a": [{"b": 1}]}')) == 3
    assert nesting(loads('"text"')) == 0


def test_a_deeply_nested_record_is_one_problem_on_its_line_and_the_rest_reads(
    tmp_path: Path,
) -> None:
    deep = '{"type": "Place", "id": "place:y", "name": ' + nested(100_000) + "}"
    path = write_lines(tmp_path / "deep.jsonl", json.dumps(PLACE), deep)
    with pytest.raises(InvalidRecordsError) as raised:
        read_paths([path])
    assert f"{path}:2: (line): nested more than {MAX_DEPTH} levels deep" in str(raised.value)
    records, problems = read_paths_leniently([path])
    assert [r.id for r in records] == ["place:x"]
    assert [(p.line, p.field) for p in problems] == [(2, "(line)")]


def test_ids_and_texts_beyond_their_bounds_are_errors_naming_the_field(tmp_path: Path) -> None:
    too_long_id = PLACE | {"id": "place:" + "x" * 5000}
    too_long_quote = PLACE | {"citations": [CITE | {"quote": "q" * (MAX_TEXT + 1)}]}
    ten_megabytes = PLACE | {"id": "place:z", "description": "d" * 10_000_000}
    too_long_link = PLACE | {"id": "place:w", "within": "place:" + "w" * MAX_ID}
    path = write_lines(
        tmp_path / "long.jsonl",
        *(json.dumps(r) for r in (too_long_id, too_long_quote, ten_megabytes, too_long_link)),
    )
    records, problems = read_paths_leniently([path])
    assert records == []
    assert [str(p) for p in problems] == [
        f"{path}:1: id: is 5,006 characters long; an id may have at most 200: shorten it",
        f"{path}:2: citations.0.quote: is 100,001 characters long; a text may have at most "
        "100,000: shorten it",
        f"{path}:3: description: is 10,000,000 characters long; a text may have at most "
        "100,000: shorten it",
        f"{path}:4: within: is 206 characters long; an id may have at most 200: shorten it",
    ]


def test_values_at_their_bounds_are_read(tmp_path: Path) -> None:
    at_bounds = PLACE | {
        "id": "place:" + "x" * (MAX_ID - len("place:")),
        "description": "d" * MAX_TEXT,
        "citations": [CITE | {"quote": "q" * MAX_TEXT}],
    }
    path = write_lines(tmp_path / "bounds.jsonl", json.dumps(at_bounds))
    (record,) = read_paths([path])
    assert len(record.id) == MAX_ID


def test_an_integer_neo4j_cannot_store_is_refused(tmp_path: Path) -> None:
    counts = {"type": "CasualtyCount", "id": "casualty:x", "event": "event:x", "killed": 2**63}
    path = write_lines(
        tmp_path / "counts.jsonl", json.dumps(counts), '{"type": "Place", "killed": ' + "9" * 5000
    )
    problems = [str(p) for p in read_paths_leniently([path])[1]]
    assert problems[0].startswith(f"{path}:1: killed: is beyond ±9,223,372,036,854,775,807")
    assert problems[1] == f"{path}:2: (line): a number has more than 4,300 digits: correct it"


def test_a_latin_1_records_file_is_named_by_line_not_byte(tmp_path: Path) -> None:
    lines = [json.dumps(PLACE | {"id": f"place:{n}"}) for n in range(300)]  # past 8 kB
    lines.append(json.dumps(PLACE | {"name": "Café"}, ensure_ascii=False))
    path = tmp_path / "latin1.jsonl"
    path.write_bytes("\n".join(lines).encode("latin-1"))
    with pytest.raises(NotUtf8Error) as raised:
        read_paths([path])
    column = lines[-1].index("é") + 1
    assert str(raised.value) == (
        f"{path}:301: not UTF-8 text (byte 0xE9 at column {column}): re-save the file as UTF-8"
    )


def test_the_default_dataset_is_within_every_bound() -> None:
    records, problems = read_paths_leniently([DEFAULT])
    assert problems == []
    assert len(records) > 900


@pytest.mark.skipif(not PEERS.is_dir(), reason=f"peers' data not found: {PEERS}")
def test_the_peers_real_data_reads_with_nothing_left_out() -> None:
    """OpenSanctions' entities (notes of up to 3,897 characters) and SFM's importer files."""
    for fmt, path in ((FTM, PEERS / "opensanctions-yente"), (WWIC, PEERS / "sfm-importer")):
        chunks = list(fmt.read([path]))
        assert sum(len(c.records) for c in chunks) > 100
        said = [str(p) for c in chunks for p in c.problems + c.warnings]
        assert [s for s in said if "characters long" in s or "nested" in s] == []


def test_silsila_load_of_a_100000_deep_file_exits_1_with_one_line_per_problem(
    settings: Settings, tmp_path: Path
) -> None:
    deep = '{"type": "Place", "id": "place:x", "name": ' + nested(100_000) + "}"
    path = write_lines(tmp_path / "deep.jsonl", deep)
    result = subprocess.run(
        [sys.executable, "-m", "cli", "load", str(path)],
        env=cli_env(settings) | {"COLUMNS": "300"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "error: 1 problem(s) found; nothing was loaded. Fix these:",
        f"  {path}:1: (line): nested more than {MAX_DEPTH} levels deep (a record needs three "
        "or four): check the line's brackets",
    ]
