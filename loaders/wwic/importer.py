"""`silsila import wwic FOLDER`: the five WhoWasInCommand CSV files, as chunks of records.

The files are read once, row by row, into a temporary index (sources.csv first, since every
value cites its access points). Only rows with status 3 that are not marked as duplicates
are imported. Each chunk then holds whole units, persons and incidents (every row about
them), and re-emits the units, persons, places and Sources its records name.

A fault is reported once, where it is: a row with a problem is left out, and what depends on
it (a row citing its access point, a relation or posting naming its unit) is skipped with a
note naming that row ("skipped because … (line N) was rejected", `loaders.errors.skipped`),
which imports count apart from the problems.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from loaders.errors import MissingInputError, RecordProblem, SourceFileError
from loaders.files import not_utf8_file, open_csv, require_columns, unreadable_csv
from loaders.formats import CHUNK_ROWS, Chunk
from loaders.limits import MAX_ID
from loaders.pipeline import Record
from loaders.wwic import columns as c
from loaders.wwic.parts import Part, merged
from loaders.wwic.row_index import RowIndex
from loaders.wwic.row_parts import (
    RowParts,
    access_point_row,
    extra_row,
    incident_row,
    person_row,
    unit_row,
)
from loaders.wwic.row_reader import Rejected, RowReader

# Each entity file: the kind its rows are indexed under, and how a row is read.
ENTITY_FILES: dict[str, tuple[str, Callable[[RowReader], RowParts]]] = {
    c.UNITS: ("unit", unit_row),
    c.PERSONS: ("person", person_row),
    c.PERSONS_EXTRA: ("extra", extra_row),
    c.INCIDENTS: ("incident", incident_row),
}
LINK_FIELDS = ("parent", "child", "organization", "person", "actor", "place", "event")
# The column naming a link, for the note on a record skipped because its target was rejected.
LINK_COLUMNS = {
    "parent": c.RELATED_UNIT_ID,
    "organization": c.POSTING_UNIT_ID,
    "actor": c.PERPETRATOR_UNITS[0],
}
DUPLICATE = re.compile(r"\bduplicate\b", re.IGNORECASE)
UPDATES = re.compile(r"\bupdate", re.IGNORECASE)  # "a duplicate posting … should update"


@dataclass(frozen=True)
class WwicFormat:
    """Security Force Monitor's WhoWasInCommand CSV files."""

    name: str = "wwic"
    summary: str = (
        "Security Force Monitor WhoWasInCommand CSVs: a folder with units.csv, persons.csv, "
        "persons_extra.csv, incidents.csv and sources.csv"
    )

    def read(self, paths: Sequence[Path]) -> Iterator[Chunk]:
        """Chunks of records from the WhoWasInCommand files in PATHS (folders or files)."""
        files = locate(paths)
        check_headers(files)
        index = RowIndex()
        try:
            first = _index_files(index, files)
            yield from _chunks(index, first)
        finally:
            index.close()


FORMAT = WwicFormat()


def locate(paths: Sequence[Path]) -> dict[str, Path]:
    """The WhoWasInCommand files among PATHS, by file name."""
    found: dict[str, Path] = {}
    for path in paths:
        if path.is_dir():
            candidates = [path / name for name in c.FILES if (path / name).is_file()]
        elif path.is_file() and path.name in c.FILES:
            candidates = [path]
        elif path.is_file():
            raise SourceFileError(f"{path}: not a WhoWasInCommand file ({', '.join(c.FILES)})")
        else:
            raise SourceFileError(f"{path}: no such file or folder")
        for file in candidates:
            if file.name in found and found[file.name] != file:
                raise SourceFileError(f"{file}: a second {file.name} ({found[file.name]})")
            found[file.name] = file
    names = ", ".join(map(str, paths))
    if not found:
        raise SourceFileError(f"no WhoWasInCommand files ({', '.join(c.FILES)}) in {names}")
    if missing := [name for name in c.FILES if name not in found]:
        raise MissingInputError(
            f"{names}: missing {', '.join(missing)}: a WhoWasInCommand export has all five "
            f"files ({', '.join(c.FILES)}); add the missing ones (a header line will do)"
        )
    return found


def check_headers(files: Mapping[str, Path]) -> None:
    """Raise MissingInputError for the first file lacking a column the importer reads."""
    for name, path in files.items():
        try:
            with open_csv(path) as handle:
                header = next(csv.reader(handle), [])
        except UnicodeDecodeError as e:
            raise not_utf8_file(path) from e
        except csv.Error as e:
            raise unreadable_csv(path, 1, e) from e
        except OSError as e:
            raise SourceFileError(f"{path}: cannot be read: {e.strerror}") from e
        require_columns(path, header, c.REQUIRED_COLUMNS[name], f"{name}'s header")


def csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) of each data row, the line where the row starts."""
    line = 2
    try:
        with open_csv(path) as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None:  # an empty file (check_headers refuses those)
                return
            line = reader.line_num + 1
            for row in reader:
                yield line, row
                line = reader.line_num + 1
    except UnicodeDecodeError as e:
        raise not_utf8_file(path) from e
    except csv.Error as e:
        raise unreadable_csv(path, line, e) from e
    except OSError as e:
        raise SourceFileError(f"{path}: cannot be read: {e.strerror}") from e


def importable(file: str, row: Mapping[str, str | None]) -> bool:
    """Status 3, and not a row whose comment says it duplicates another."""
    status = c.STATUS_COLUMNS.get(file)
    if status is None:
        return True
    comment = row.get(c.COMMENTS_COLUMNS[file]) or ""
    duplicate = DUPLICATE.search(comment) and not UPDATES.search(comment)
    return (row.get(status) or "").strip() == c.IMPORTABLE_STATUS and not duplicate


def _index_files(index: RowIndex, files: Mapping[str, Path]) -> Chunk:
    """Read every file into INDEX; the first chunk, holding every problem and warning."""
    first = Chunk()
    for name in c.FILES:
        path = files.get(name)
        if path is None:
            continue
        for line, row in csv_rows(path):
            first.rows += 1
            reader = RowReader(str(path), line, row, index.citation, index.rejected_access_point)
            if name == c.SOURCES:
                _index_access_point(index, reader)
            elif importable(name, row):
                _index_row(index, name, reader)
            first.problems += reader.problems + reader.skipped()
            first.warnings += reader.warnings
    first.rows -= index.owned_rows()  # the owners' rows count in their own chunks
    return first


def _index_access_point(index: RowIndex, reader: RowReader) -> None:
    access_point = access_point_row(reader)
    if reader.problems:
        if access_point.id and len(access_point.id) <= MAX_ID:  # one rows can cite
            index.reject_access_point(access_point.id, reader.file, reader.line)
        return
    repeated = index.add_access_point(access_point, reader.file, reader.line)
    if repeated is not None:
        reader.problem(c.ACCESS_POINT_ID, f"{access_point.id!r} repeats line {repeated}")


def _index_row(index: RowIndex, name: str, reader: RowReader) -> None:
    """Index a row's parts; or remember that the row was left out, for what depends on it."""
    kind, read_row = ENTITY_FILES[name]
    parts = read_row(reader)
    key = parts.entity.id
    if not reader.problems and not reader.causes:
        index.add_row(kind, reader.line, parts)
    elif key.endswith(f":{c.SFM}"):  # no id to name it by
        return
    elif reader.problems:
        index.reject(key, Rejected(key, reader.file, reader.line))
    else:  # what depends on it is skipped because of the same rejected row
        index.reject(key, reader.causes[0][1])


def _chunks(index: RowIndex, first: Chunk) -> Iterator[Chunk]:
    """Chunks of about CHUNK_ROWS rows, never splitting the rows about one entity."""
    chunk, batch, size = first, [], 0
    for kind, key, rows in index.owners():
        batch.append((kind, key))
        chunk.rows += rows
        size += rows
        if size >= CHUNK_ROWS:
            _fill(chunk, index, batch)
            yield chunk
            chunk, batch, size = Chunk(), [], 0
    if batch or chunk is first:
        _fill(chunk, index, batch)
        yield chunk


def _fill(chunk: Chunk, index: RowIndex, batch: list[tuple[str, str]]) -> None:
    """The batch's records, plus every entity and Source they name that the index holds;
    a record naming an entity whose rows were all left out is skipped, with a note."""
    records: dict[str, Record] = {}
    for kind, key in batch:
        for record in _owned(index, kind, key):
            records.setdefault(record.id, record)
    for record in list(records.values()):
        skipped = _add_linked(index, record, records)
        if skipped is not None:
            chunk.problems.append(skipped)
            del records[record.id]
    chunk.records = _with_sources(index, records)


def _add_linked(
    index: RowIndex, record: Record, records: dict[str, Record]
) -> RecordProblem | None:
    """Add the entities RECORD names to RECORDS; if one was left out, the note skipping it."""
    for name, target in _links(record):
        if target in records:
            continue
        if (entity := _entity(index, target)) is not None:
            records[target] = entity
        elif (rejected := index.rejected(target)) is not None:
            column = LINK_COLUMNS.get(name, name)
            if name == "actor" and target.startswith("person:"):
                column = c.PERPETRATOR_PERSONS[0]
            return rejected.skipping(record.file, record.line, column)
    return None


def _with_sources(index: RowIndex, records: dict[str, Record]) -> list[Record]:
    """RECORDS and the Sources their citations name."""
    for record in list(records.values()):
        for citation in record.properties.get("citations", []):
            source_id = citation["source"]
            if source_id not in records and (source := index.source(source_id)) is not None:
                records[source_id] = source
    return list(records.values())


def _owned(index: RowIndex, kind: str, key: str) -> Iterator[Record]:
    """An entity and the claims its rows make (relations, sites, postings, attributions)."""
    rows = index.rows(kind, key)
    entity = [row[0] for row in rows]
    if kind == "person":
        entity += [row[0] for row in index.rows("extra", key)]
    yield merged(entity)
    claims: dict[str, list[Part]] = {}
    for row in rows:
        for part in row[1:]:
            claims.setdefault(part.id, []).append(part)
    yield from (merged(parts) for parts in claims.values())


def _entity(index: RowIndex, record_id: str) -> Record | None:
    """A unit, person or place the index holds, to re-emit in a chunk that names it."""
    if units := index.rows("unit", record_id):
        return merged([row[0] for row in units])
    if persons := index.rows("person", record_id):
        extra = index.rows("extra", record_id)
        return merged([row[0] for row in persons + extra])
    places = index.places(record_id)
    return merged(places) if places else None


def _links(record: Record) -> list[tuple[str, str]]:
    """(field, id) of each record the record links to."""
    return [(f, v) for f in LINK_FIELDS if isinstance(v := record.properties.get(f), str)]
