"""Read Silsila record files (JSON Lines): `{"type": <label>, "id": ..., <property>: ...}`."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

from loaders.errors import InvalidRecordsError, RecordProblem, SourceFileError
from loaders.files import input_files
from loaders.pipeline import Record

SUFFIX = ".jsonl"


def record_files(paths: Sequence[Path]) -> list[Path]:
    """The record files named, with folders expanded to their *.jsonl files in name order."""
    return input_files(paths, (SUFFIX,), f"{SUFFIX} record files")


def read_paths(paths: Sequence[Path]) -> list[Record]:
    """Every record in the files; raises InvalidRecordsError listing every unparsable line."""
    records, problems = read_paths_leniently(paths)
    if problems:
        raise InvalidRecordsError(problems)
    return records


def read_paths_leniently(paths: Sequence[Path]) -> tuple[list[Record], list[RecordProblem]]:
    """The records that parse, and a problem for each line that does not."""
    records: list[Record] = []
    problems: list[RecordProblem] = []
    for file in record_files(paths):
        for item in _read_file(file):
            if isinstance(item, RecordProblem):
                problems.append(item)
            else:
                records.append(item)
    return records, problems


def _read_file(file: Path) -> Iterator[Record | RecordProblem]:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise SourceFileError(f"{file}: cannot read as UTF-8 text: {e}") from e
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield _parse_line(str(file), number, line)


def _parse_line(file: str, number: int, line: str) -> Record | RecordProblem:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as e:
        return RecordProblem(file, number, "(line)", f"not valid JSON: {e.msg} at column {e.colno}")
    if not isinstance(data, dict):
        return RecordProblem(file, number, "(line)", "must be a JSON object")
    label = data.pop("type", None)
    if not isinstance(label, str):
        return RecordProblem(file, number, "type", "required: the record's ontology type")
    return Record(label=label, properties=data, file=file, line=number)
