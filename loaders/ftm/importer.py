"""`silsila import ftm PATH…`: FollowTheMoney entity files, streamed in self-contained chunks.

An FtM file is not ordered: a Membership may come before or after its member. One first pass
indexes every entity's line; each chunk then converts its own lines and re-reads (through the
index) every entity they name, so the chunk holds every record it links to.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from loaders.errors import RecordProblem, skipped
from loaders.formats import CHUNK_ROWS, Chunk
from loaders.ftm.ids import silsila_id
from loaders.ftm.mapping import convert
from loaders.ftm.reader import EntityIndex, Line, build_index, entity_files, lines, parse
from loaders.ftm.row import Converted, record_type
from loaders.pipeline import Record


@dataclass(frozen=True)
class FtmFormat:
    """FollowTheMoney / OpenSanctions entities, one JSON object a line."""

    name: str = "ftm"
    summary: str = (
        "FollowTheMoney / OpenSanctions entities (JSON lines): people, organisations, "
        "sanctions, memberships, occupancies, events, addresses"
    )
    chunk_rows: int = CHUNK_ROWS

    def read(self, paths: Sequence[Path]) -> Iterator[Chunk]:
        """Chunks of records from the entity files PATHS (files or folders)."""
        files = entity_files(paths)
        with closing(build_index(files)) as index:
            for file in files:
                batch: list[tuple[Line, bytes]] = []
                for item in lines(file):
                    batch.append(item)
                    if len(batch) == self.chunk_rows:
                        yield _chunk(batch, index)
                        batch = []
                if batch:
                    yield _chunk(batch, index)


def _chunk(batch: list[tuple[Line, bytes]], index: EntityIndex) -> Chunk:
    """The records of BATCH's entities, and of every entity they name, each once. A line
    naming an entity that was rejected is skipped, saying which."""
    chunk = Chunk(rows=len(batch))
    records = _Records()
    named = _Named(index)
    converted = []
    for line, raw in batch:
        ftm_id, result = _convert_line(line, raw, index)
        chunk.problems += result.problems
        chunk.warnings += result.warnings
        converted.append((line, result))
        if ftm_id and (line.file, line.number) not in index.repeats:
            named.results[ftm_id] = result
    for line, result in converted:
        if result.problems:
            continue  # a row with a problem makes no records
        needed, failed = named.closure(result)
        if failed is not None:
            chunk.problems.append(_skipped(line, result, failed, index))
            continue
        records.add(result.records)
        for ftm_id in needed:
            records.add(named.results[ftm_id].records)
    chunk.records = records.items
    return chunk


class _Named:
    """The entities lines name, converted once per chunk (the chunk's own lines are given):
    their records, or the problems that keep them from having any."""

    def __init__(self, index: EntityIndex) -> None:
        self.index = index
        self.results: dict[str, Converted] = {}

    def closure(self, result: Converted) -> tuple[list[str], tuple[str, str] | None]:
        """The entities RESULT names, directly or through others, in a fixed order (so every
        read yields the same records); or the first one named that was rejected, with the
        FtM id that named it from RESULT."""
        order: list[str] = []
        seen: set[str] = set()
        queue = deque((ftm_id, ftm_id) for ftm_id in sorted(result.needs))
        while queue:
            ftm_id, via = queue.popleft()
            if ftm_id in seen:
                continue
            seen.add(ftm_id)
            found = self._result(ftm_id)
            if found is None or found.problems:
                return order, (ftm_id, via)
            order.append(ftm_id)
            queue += ((x, via) for x in sorted(found.needs) if x not in seen)
        return order, None

    def _result(self, ftm_id: str) -> Converted | None:
        """The entity's records, or None if its line cannot be read as an entity."""
        if ftm_id not in self.results:
            loaded = self.index.load(ftm_id)
            if loaded is None:
                return None
            self.results[ftm_id] = convert(*loaded, self.index)
        return self.results[ftm_id]


def _skipped(
    line: Line, result: Converted, failed: tuple[str, str], index: EntityIndex
) -> RecordProblem:
    """The problem of a line left out because an entity it names (FAILED: that entity, and
    the one this line names that leads to it) was rejected on its own line."""
    ftm_id, via = failed
    schema = index.schema_of(ftm_id)
    label = record_type(schema) if schema is not None else None
    dependency = silsila_id(label, ftm_id) if label else repr(ftm_id)
    found = index.entities[ftm_id][1]
    where = f"line {found.number}" if found.file == line.file else f"{found.file}:{found.number}"
    return skipped(str(line.file), line.number, result.needs[via], dependency, where)


def _convert_line(line: Line, raw: bytes, index: EntityIndex) -> tuple[str, Converted]:
    """The entity's FtM id and records (or its problems)."""
    read = parse(line, raw)
    parsed = read.entity
    if parsed is None:
        return "", Converted(problems=read.problems)
    ftm_id = str(parsed.id)
    earlier = index.repeats.get((line.file, line.number))
    if earlier is not None:
        return ftm_id, Converted(
            problems=[
                line.problem(
                    "id",
                    f"{parsed.id!r} repeats line {earlier.number} of {earlier.file.name}: "
                    "merge the entity's fragments into one line first",
                )
            ]
        )
    converted = convert(parsed, line, index, read.dropped)
    converted.warnings = read.warnings + converted.warnings
    return ftm_id, converted


class _Records:
    """Records in order, each id once: a record re-derived for several rows is identical."""

    def __init__(self) -> None:
        self.items: list[Record] = []
        self._seen: dict[str, Record] = {}

    def add(self, records: list[Record]) -> None:
        for record in records:
            seen = self._seen.get(record.id)
            if seen is not None and (seen.label, seen.properties) == (
                record.label,
                record.properties,
            ):
                continue
            self._seen.setdefault(record.id, record)
            self.items.append(record)  # a different record of the same id: the pipeline says so
