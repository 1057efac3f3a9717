"""Read Silsila record files (JSON Lines): `{"type": <label>, "id": ..., <property>: ...}`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from loaders.errors import InvalidRecordsError, RecordProblem, SourceFileError, UnreadableLineError
from loaders.files import input_files, not_utf8_file
from loaders.limits import excesses, loads
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
    except UnicodeDecodeError as e:
        raise not_utf8_file(file) from e
    except OSError as e:
        raise SourceFileError(f"{file}: cannot be read: {e.strerror}") from e
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield from _parse_line(str(file), number, line)


def _parse_line(file: str, number: int, line: str) -> list[Record] | list[RecordProblem]:
    """The line's record, or what is wrong with it (every value beyond its bound)."""
    try:
        data = loads(line)
    except UnreadableLineError as e:
        return [RecordProblem(file, number, "(line)", str(e))]
    if not isinstance(data, dict):
        return [RecordProblem(file, number, "(line)", "must be a JSON object")]
    excess = sorted(excesses(data), key=lambda x: x.field)
    if excess:
        return [RecordProblem(file, number, x.field, x.problem) for x in excess]
    label = data.pop("type", None)
    if not isinstance(label, str):
        return [RecordProblem(file, number, "type", "required: the record's ontology type")]
    return [Record(label=label, properties=data, file=file, line=number)]
