"""Streaming CSV event datasets (ACLED, UCDP GED) into self-contained chunks of records.

Both formats are one event per CSV row. Rows are read lazily with `csv.DictReader`; each is
handed to the format's converter as a `Row`, which parses values (partial dates, integers,
coordinates, codes), records what is wrong with them as `RecordProblem`s, and remembers the
columns the converter used, so that the rest can be kept verbatim (`Row.unused`). Records
are packed into chunks of `CHUNK_ROWS` rows; the shared entities every row re-emits (the
source, the actors, the places) are de-duplicated within the chunk, so each chunk is
self-contained and memory holds one chunk at a time.
"""

from __future__ import annotations

import calendar
import csv
import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from graph.asof import InvalidDateError, PartialDate
from loaders.errors import RecordProblem, SourceFileError
from loaders.files import (
    input_files,
    not_utf8_file,
    open_csv,
    require_columns,
    unreadable_csv,
)
from loaders.formats import CHUNK_ROWS, Chunk
from loaders.limits import MAX_ID, MAX_TEXT, left_out, shown, too_long
from loaders.names import slug
from loaders.pipeline import Record

SUFFIX = ".csv"
ROW = "(row)"
MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name} | {
    name.lower(): number for number, name in enumerate(calendar.month_abbr) if name
}
# "15 March 2023", "15-March-2023", "15 Mar 2023"
DAY_MONTH_NAME_YEAR = re.compile(r"^(\d{1,2})[ -]([A-Za-z]+)\.?[ -](\d{4})$")
# "15-03-2023" (dd-mm-yyyy, as older ACLED codebooks describe event_date)
DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")
# "2023-03-15", and UCDP's "2023-03-15 00:00:00.000" (a midnight time carries nothing)
ISO_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
# A partial date: "2023", "2023-03", and "2023-03-00", "2023-00-00" (00: not known)
ISO_PART = re.compile(r"^(\d{4})(?:-(\d{2})(?:-00)?)?$")
ISO_UNKNOWN_MONTH = re.compile(r"^(\d{4})-00(?:-00)?$")
# "March 2023", "Mar. 2023"
MONTH_NAME_YEAR = re.compile(r"^([A-Za-z]+)\.?[ -](\d{4})$")
INTEGER = re.compile(r"^\d{1,18}$")  # any count; Neo4j stores integers of up to 19 digits
IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
DECIMAL = re.compile(r"^-?\d+(?:\.\d+)?$")
DATE_HELP = "write YYYY-MM-DD, YYYY-MM or YYYY, or e.g. 15 March 2023 or March 2023"
# Entities many rows re-emit (merged within a chunk); any other record belongs to one row.
SHARED_LABELS = frozenset({"Source", "Organization", "Person", "Place"})
KEY_LENGTH = 100  # a longer slug is cut and given a digest, so ids made of names stay short


def key(text: str) -> str:
    """An id-safe slug of TEXT; a name with no ASCII letters gets a digest instead."""
    return _cached_key(text) if len(text) <= KEY_LENGTH else _key(text)


@lru_cache(maxsize=65536)  # names repeat on most rows of an export; long ones are not kept
def _cached_key(text: str) -> str:
    return _key(text)


def _key(text: str) -> str:
    slugged = slug(text)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    if not slugged:
        return "x" + digest
    return slugged if len(slugged) <= KEY_LENGTH else f"{slugged[:KEY_LENGTH]}-{digest}"


def parse_day(text: str) -> str | None:
    """TEXT as YYYY-MM-DD if it is one real day in a form the formats use, else None."""
    text = text.strip()
    iso = ISO_DAY.match(text)
    if iso:
        day = iso.group(1)
    elif named := DAY_MONTH_NAME_YEAR.match(text):
        month = MONTHS.get(named.group(2).lower())
        if month is None:
            return None
        day = f"{named.group(3)}-{month:02d}-{int(named.group(1)):02d}"
    elif numeric := DAY_MONTH_YEAR.match(text):
        day = f"{numeric.group(3)}-{int(numeric.group(2)):02d}-{int(numeric.group(1)):02d}"
    else:
        return None
    try:
        PartialDate.parse(day)
    except InvalidDateError:
        return None
    return day


def parse_date(text: str) -> str | None:
    """TEXT as a partial date (YYYY-MM-DD, YYYY-MM or YYYY) if it is one in a form the
    formats use, with its own precision, else None: `2023-03-00` and `March 2023` are
    `2023-03`, `2023-00-00` is `2023`."""
    text = text.strip()
    day = parse_day(text)
    if day is not None:
        return day
    if unknown_month := ISO_UNKNOWN_MONTH.match(text):
        return unknown_month.group(1)
    part = ISO_PART.match(text)
    if part:
        year, month = part.groups()
        date = f"{year}-{month}" if month else year
    elif named := MONTH_NAME_YEAR.match(text):
        number = MONTHS.get(named.group(1).lower())
        if number is None:
            return None
        date = f"{named.group(2)}-{number:02d}"
    else:
        return None
    try:
        PartialDate.parse(date)
    except InvalidDateError:
        return None
    return date


class Row:
    """One CSV row: typed access to its cells, the problems found, the columns used."""

    def __init__(self, file: str, line: int, values: dict[str, str], columns: Sequence[str]):
        self.file = file
        self.line = line
        self.problems: list[RecordProblem] = []
        self.warnings: list[RecordProblem] = []
        self._values = values
        self._columns = columns
        self._used: set[str] = set()

    def has(self, column: str) -> bool:
        """Whether the file has COLUMN at all (older exports lack some)."""
        return column in self._columns

    def _cell(self, column: str) -> str:
        self._used.add(column)
        return (self._values.get(column) or "").strip()

    def text(self, column: str) -> str:
        """The cell, whitespace-stripped; empty if the column is absent, or if the cell is
        longer than MAX_TEXT (left out, with a warning: the row is still imported)."""
        value = self._cell(column)
        if len(value) <= MAX_TEXT:
            return value
        if not any(w.field == column for w in self.warnings):
            self.warnings.append(RecordProblem(self.file, self.line, column, left_out(len(value))))
        return ""

    def problem(self, column: str, text: str) -> None:
        """Note what is wrong with COLUMN and what to write instead: the row makes no records."""
        self.problems.append(RecordProblem(self.file, self.line, column, text))

    def required(self, column: str, what: str, limit: int = MAX_TEXT) -> str:
        """The cell, which must not be empty (WHAT says what belongs there) nor longer than
        LIMIT."""
        value = self._cell(column)
        if not value:
            self.problem(column, f"required: {what}")
        elif len(value) > limit:
            self.problem(column, too_long(len(value), limit))
            return ""
        return value

    def identifier(self, column: str, what: str) -> str:
        """A required id of letters, digits, `-` and `_` (the format's own event id)."""
        value = self.required(column, what, MAX_ID)
        if value and not IDENTIFIER.match(value):
            self.problem(column, f"{value!r} is not {what}")
        return value

    def optional_id(self, column: str) -> str:
        """An id the row may give (an actor's), at most MAX_ID characters."""
        value = self._cell(column)
        if len(value) > MAX_ID:
            self.problem(column, too_long(len(value), MAX_ID))
            return ""
        return value

    def integer(self, column: str) -> int | None:
        """A whole number of at least 0, or None if the cell is empty."""
        value = self.text(column)
        if value and not INTEGER.match(value):
            self.problem(
                column,
                f"{shown(value)} is not a whole number: write digits only (up to 18), e.g. 3",
            )
            return None
        return int(value) if value else None

    def decimal(self, column: str, limit: float) -> float | None:
        """A decimal between -LIMIT and LIMIT (a latitude or longitude), or None if empty."""
        value = self.text(column)
        if not value:
            return None
        if not DECIMAL.match(value) or abs(float(value)) > limit:
            self.problem(
                column, f"{shown(value)} is not a decimal between -{limit:g} and {limit:g}"
            )
            return None
        return float(value)

    def code(self, column: str, allowed: Sequence[str]) -> str:
        """One of the ALLOWED codes (required)."""
        value = self.text(column)
        if value not in allowed:
            given = shown(value) if value else "empty"
            self.problem(column, f"{given} is not a known code: write one of {', '.join(allowed)}")
        return value

    def date(self, column: str) -> str:
        """A required date, as precise as the cell: YYYY-MM-DD, YYYY-MM or YYYY."""
        value = self.text(column)
        date = parse_date(value)
        if date is None:
            given = shown(value) if value else "empty"
            self.problem(column, f"{given} is not a date: {DATE_HELP}")
        return date or ""

    def unused(self) -> list[str]:
        """Every non-empty cell no one read, as `column: value`, in the file's column order
        (a cell longer than MAX_TEXT is left out, with a warning)."""
        unread = [c for c in self._columns if c not in self._used]
        return [f"{column}: {value}" for column in unread if (value := self.text(column))]

    def record(self, label: str, properties: dict[str, Any]) -> Record:
        """A record made from this row (problems point at its line)."""
        return Record(label, properties, self.file, self.line)


def place_id(prefix: str, path: Sequence[str]) -> str:
    """`place:acled-syria.idlib..ariha`: one slug per level, empty where a level is not given.

    Keeping empty levels makes the id of a place depend on its whole chain, so an admin3
    and a location of the same name never share an id.
    """
    return f"place:{prefix}-{'.'.join(path)}"


def place_record(
    row: Row, source: str, place: str, name: str, kind: str, column: str, within: str | None
) -> Record:
    """A Place named by COLUMN, cited with the name as the source writes it."""
    properties: dict[str, Any] = {"id": place, "name": name, "place_kind": kind}
    if within:
        properties["within"] = within
    properties["citations"] = [{"source": source, "locator": f"{column} column", "quote": name}]
    return row.record("Place", properties)


def coordinates(row: Row) -> dict[str, float]:
    """`latitude` and `longitude` from the row's columns of those names, if both are given."""
    latitude, longitude = row.decimal("latitude", 90), row.decimal("longitude", 180)
    if latitude is None or longitude is None:
        return {}
    return {"latitude": latitude, "longitude": longitude}


Converter = Callable[[Row], list[Record]]
Merge = Callable[[Record, Record], Record]


@dataclass(frozen=True)
class Dataset:
    """An event dataset as the records its rows cite: its Source and its publisher."""

    source_id: str
    title: str
    url: str
    publisher_id: str
    publisher_name: str
    publisher_full_name: str
    publisher_aliases: tuple[str, ...]
    publisher_kind: str
    event_locator: str  # how the dataset names one event, with {id}: "UCDP GED event {id}"
    id_column: str  # the column holding that id: the citations' access point kind

    def citation(self, event_id: str, details: Sequence[str], quote: str) -> dict[str, str]:
        """A citation of one event's row: its id as access point, its own text as quote."""
        citation = {
            "source": self.source_id,
            "locator": "; ".join([self.event_locator.format(id=event_id), *details]),
            "access_point": event_id,
            "access_point_kind": self.id_column,
        }
        if quote:
            citation["quote"] = quote
        return citation

    def cell(self, event_id: str, column: str) -> dict[str, str]:
        """A citation of one cell of an event's row (the row's text is quoted on the event)."""
        return self.citation(event_id, [], "") | {
            "locator": f"{self.event_locator.format(id=event_id)}, {column}"
        }

    def source(self) -> dict[str, Any]:
        """The dataset as a Source (a new dict each time: records never share properties)."""
        return {
            "id": self.source_id,
            "name": self.title,
            "publisher": self.publisher_full_name,
            "kind": "dataset",
            "url": self.url,
            "reliability": "F",  # cannot be judged: nothing here grades it
        }

    def publisher(self) -> dict[str, Any]:
        """Who publishes the dataset, and so claims its counts and attributions."""
        return {
            "id": self.publisher_id,
            "name": self.publisher_name,
            "aliases": list(self.publisher_aliases),
            "org_kind": self.publisher_kind,
            "citations": [
                {
                    "source": self.source_id,
                    "locator": "the dataset's publisher",
                    "quote": self.publisher_full_name,
                }
            ],
        }


def keep_first(kept: Record, _again: Record) -> Record:
    """Of two records with one id in a chunk, keep the first (they describe the same thing)."""
    return kept


@dataclass(frozen=True)
class CsvFormat:
    """An event dataset exported as CSV: one row, one event (satisfies `ImportFormat`).

    COLUMNS must all be in the header; CONVERT makes one row's records (the source, actors
    and places it needs included); MERGE chooses between two records of one id in a chunk.
    """

    name: str
    summary: str
    columns: tuple[str, ...]
    convert: Converter
    merge: Merge = keep_first

    def read(self, paths: Sequence[Path]) -> Iterator[Chunk]:
        """Chunks of about CHUNK_ROWS rows, streamed from the CSV files (or folders) in PATHS."""
        chunk = _ChunkBuilder(self.merge)
        for file in csv_files(paths):
            for row in rows(file, self.columns):
                chunk.add(row, self.convert(row))
                if chunk.rows >= CHUNK_ROWS:
                    yield chunk.take()
        if chunk.rows or chunk.problems:
            yield chunk.take()


@dataclass
class _ChunkBuilder:
    """One chunk's records by id: shared entities merged, a repeated event refused."""

    merge: Merge
    records: dict[str, Record] = field(default_factory=dict)
    problems: list[RecordProblem] = field(default_factory=list)
    warnings: list[RecordProblem] = field(default_factory=list)
    rows: int = 0

    def add(self, row: Row, records: list[Record]) -> None:
        self.rows += 1
        if row.problems:
            self.problems += row.problems
            return
        own: dict[str, Record] = {}
        for record in records:
            own.setdefault(record.properties["id"], record)  # an actor named twice in a cell
        for record_id, record in own.items():
            kept = self.records.get(record_id)
            if kept is not None and record.label not in SHARED_LABELS:
                row.problem(ROW, f"{record_id!r} repeats line {kept.line}: give each event once")
                self.problems += row.problems
                return
        for record_id, record in own.items():
            kept = self.records.get(record_id)
            self.records[record_id] = record if kept is None else self.merge(kept, record)
        self.warnings += row.warnings

    def take(self) -> Chunk:
        chunk = Chunk(list(self.records.values()), self.problems, self.warnings, self.rows)
        self.records, self.problems, self.warnings, self.rows = {}, [], [], 0
        return chunk


def csv_files(paths: Sequence[Path]) -> list[Path]:
    """The files named, with folders expanded to their *.csv files in name order."""
    return input_files(paths, (SUFFIX,), f"{SUFFIX} files")


def rows(file: Path, columns: Sequence[str]) -> Iterator[Row]:
    """FILE's rows, read lazily; a header lacking any of COLUMNS is an error."""
    name = str(file)
    line = 1
    try:
        with open_csv(file) as handle:
            reader = csv.DictReader(handle)
            header = list(reader.fieldnames or [])
            require_columns(file, header, columns, "the export's header")
            width = len(header)
            for values in reader:
                line = reader.line_num
                yield _row(name, line, values, header, width)
    except UnicodeDecodeError as e:
        raise not_utf8_file(file) from e
    except csv.Error as e:
        raise unreadable_csv(file, line + 1, e) from e
    except OSError as e:
        raise SourceFileError(f"{file}: cannot be read: {e.strerror}") from e


def _row(file: str, line: int, values: dict[Any, Any], header: Sequence[str], width: int) -> Row:
    extra = values.pop(None, None)  # DictReader's key for cells beyond the header
    row = Row(file, line, values, header)
    found = width + len(extra) if extra else sum(v is not None for v in values.values())
    if found != width:
        row.problem(ROW, f"has {found} cells but the header has {width}: check quoting and commas")
    return row
