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

from loaders.formats import CHUNK_ROWS, Chunk
from loaders.ftm.mapping import convert
from loaders.ftm.reader import EntityIndex, Line, build_index, entity_files, lines, parse
from loaders.ftm.row import Converted
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
    """The records of BATCH's entities, and of every entity they name, each once."""
    chunk = Chunk(rows=len(batch))
    records = _Records()
    converted: set[str] = set()
    needed: deque[str] = deque()  # in a fixed order, so every read yields the same records
    for line, raw in batch:
        ftm_id, result = _convert_line(line, raw, index)
        chunk.problems += result.problems
        chunk.warnings += result.warnings
        if result.problems:
            continue  # a row with a problem makes no records
        records.add(result.records)
        needed += sorted(result.needs)
        converted.add(ftm_id)
    while needed:  # entities named from this chunk but written on other lines
        ftm_id = needed.popleft()
        loaded = index.load(ftm_id) if ftm_id not in converted else None
        converted.add(ftm_id)
        if loaded is None:
            continue
        result = convert(*loaded, index)
        if not result.problems:  # those are reported by the chunk that holds the line
            records.add(result.records)
            needed += sorted(result.needs - converted)
    chunk.records = records.items
    return chunk


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
    converted = convert(parsed, line, index)
    converted.warnings += read.warnings
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
