"""One CSV row read cell by cell: cited values, partial dates, flags, and what is wrong.

A value whose source and confidence are both blank is dropped with a warning (SFM's own test
data has such values); a value with only one of them is a row problem. A row citing an access
point whose own row was rejected is skipped, saying so, rather than given a problem of its own:
the fault is reported once, on the access point's line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.asof import InvalidDateError, PartialDate
from loaders.errors import RecordProblem, skipped
from loaders.limits import MAX_ID, MAX_TEXT, left_out, shown, too_long
from loaders.wwic.columns import (
    CONFIDENCES,
    FLAG_FIELDS,
    LIST_SEPARATOR,
    YES_NO,
    Date,
    confidence_column,
    source_column,
)

Citation = dict[str, Any]
# The citation fields of an access point (source, locator, page, …), or None if unknown.
AccessPointLookup = Callable[[str], Citation | None]


@dataclass(frozen=True)
class Rejected:
    """A row rejected for a problem of its own, named to the records that depend on it."""

    what: str  # "access point '…'", or the id of a unit, person or incident
    file: str
    line: int

    def skipping(self, file: str, line: int, column: str) -> RecordProblem:
        """The note skipping what FILE:LINE says in COLUMN, which depends on this row."""
        where = f"line {self.line}" if file == self.file else f"{self.file}:{self.line}"
        return skipped(file, line, column, self.what, where)


# The access point's own row, if it was rejected.
RejectedLookup = Callable[[str], Rejected | None]


def _none_rejected(_access_point: str) -> Rejected | None:
    return None


# SFM's platform writes an unknown month or day as 00: 2008-00-00 is 2008, 2010-10-00 October.
ZEROED = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
UNKNOWN_PART = ("0", "00")
US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})$")
US_MONTH = re.compile(r"^(\d{1,2})/(\d{4})$")
TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]")
DATE_FORMS = "YYYY-MM-DD, YYYY-MM, YYYY (or YYYY-MM-00, YYYY-00-00), M/D/YYYY or M/YYYY"
TWO_DIGIT_PIVOT = 69  # as strptime's %y: 69-99 are 1969-1999, 00-68 are 2000-2068


def parse_date(text: str) -> str:
    """A partial ISO date from SFM's forms (ISO, SFM's zeroed parts, US month/day/year, a
    timestamp's date).

    Raises InvalidDateError naming the forms it accepts.
    """
    given = text = text.strip()
    if stamp := TIMESTAMP.match(text):
        text = stamp.group(1)
    if zeroed := ZEROED.match(text):
        text = _unzeroed(*zeroed.groups())
    elif us := US_DATE.match(text):
        month, day, year = us.groups()
        text = f"{_full_year(year):04d}-{int(month):02d}-{int(day):02d}"
    elif us_month := US_MONTH.match(text):
        month, year = us_month.groups()
        text = f"{year}-{int(month):02d}"
    try:
        return str(PartialDate.parse(text))
    except InvalidDateError as e:
        raise InvalidDateError(f"{shown(given)} is not a date: write {DATE_FORMS}") from e


def _unzeroed(year: str, month: str, day: str) -> str:
    """`2008-00-00` -> `2008`, `2010-10-00` -> `2010-10`; a known day needs a known month."""
    if month == "00":
        return year if day == "00" else f"{year}-{month}-{day}"  # left for parse to refuse
    return f"{year}-{month}" if day == "00" else f"{year}-{month}-{day}"


def _full_year(year: str) -> int:
    if len(year) == 4:
        return int(year)
    return int(year) + (1900 if int(year) >= TWO_DIGIT_PIVOT else 2000)


def date_from_parts(year: str, month: str, day: str) -> str:
    """The partial date that SFM's year, month and day columns give (any may be blank, and a
    month or day may be 0 or 00, SFM's way of writing it is not known)."""
    month, day = ("" if p in UNKNOWN_PART else p for p in (month, day))
    if (day and not month) or (month and not year):
        raise InvalidDateError(f"day {shown(day)} and month {shown(month)} need a month and a year")
    if not all(p.isdigit() and len(p) <= 4 for p in (year, month, day) if p):
        raise InvalidDateError(
            f"year {shown(year)}, month {shown(month)}, day {shown(day)} are not numbers"
        )
    text = f"{int(year):04d}"
    text += f"-{int(month):02d}" if month else ""
    text += f"-{int(day):02d}" if day else ""
    try:
        return str(PartialDate.parse(text))
    except InvalidDateError as e:
        raise InvalidDateError(f"year {year}, month {month}, day {day} is not a date") from e


@dataclass
class RowReader:
    """The cells of one row, with the problems and warnings found while reading them."""

    file: str
    line: int
    row: Mapping[str, str | None]
    access_point: AccessPointLookup
    rejected: RejectedLookup = _none_rejected
    problems: list[RecordProblem] = field(default_factory=list)
    warnings: list[RecordProblem] = field(default_factory=list)
    # (column, row) of each rejected row the row cites: it is skipped because of them
    causes: list[tuple[str, Rejected]] = field(default_factory=list)

    def text(self, column: str) -> str:
        """The cell, stripped; longer than MAX_TEXT, it is left out with a warning (once)."""
        value = self._cell(column)
        if len(value) <= MAX_TEXT:
            return value
        if not any(w.field == column for w in self.warnings):
            self.warn(column, left_out(len(value)))
        return ""

    def required_text(self, column: str, blank: str) -> str:
        """A cell that must not be blank (BLANK says why) nor longer than MAX_TEXT."""
        value = self._cell(column)
        if not value:
            self.problem(column, blank)
        elif len(value) > MAX_TEXT:
            self.problem(column, too_long(len(value), MAX_TEXT))
            return ""
        return value

    def identifier(self, column: str) -> str | None:
        """An id cell, perhaps blank; None if longer than MAX_ID (a problem is noted)."""
        value = self._cell(column)
        if len(value) > MAX_ID:
            self.problem(column, too_long(len(value), MAX_ID))
            return None
        return value

    def _cell(self, column: str) -> str:
        return (self.row.get(column) or "").strip()

    def items(self, column: str) -> list[str]:
        """A multi-valued cell's values (separated by `;`)."""
        return [x.strip() for x in self.text(column).split(LIST_SEPARATOR) if x.strip()]

    def identifiers(self, column: str) -> list[str]:
        """A cell of ids separated by `;`, each at most MAX_ID characters."""
        found = self.items(column)
        for long in (x for x in found if len(x) > MAX_ID):
            self.problem(column, f"an id {too_long(len(long), MAX_ID)}")
        return found

    def problem(self, column: str, text: str) -> None:
        self.problems.append(RecordProblem(self.file, self.line, column, text))

    def warn(self, column: str, text: str) -> None:
        self.warnings.append(RecordProblem(self.file, self.line, column, text))

    def skip(self, column: str, rejected: Rejected) -> None:
        """Note that COLUMN cites a rejected row: this row is skipped, with no problem."""
        self.causes.append((column, rejected))

    def skipped(self) -> list[RecordProblem]:
        """The note skipping the row, once; none if it has problems of its own."""
        if self.problems or not self.causes:
            return []
        column, rejected = self.causes[0]
        return [rejected.skipping(self.file, self.line, column)]

    # ----- citations ------------------------------------------------------------------

    def citations(self, column: str, supports: Sequence[str]) -> list[Citation] | None:
        """The citations of COLUMN's value, each supporting the record fields SUPPORTS.

        None when the value has neither source nor confidence: the caller drops it.
        """
        access_points = self.items(source_column(column))
        confidence = self.text(confidence_column(column))
        if not access_points and not confidence:
            return None
        if not access_points:
            self.problem(column, f"has no source: write its access point ids in {column}:source")
            return []
        level = self._confidence(column, confidence, access_points)
        extra: Citation = {"confidence": level} if level else {}
        found = self._lookup(source_column(column))
        return [{**c, **extra, "supports": list(supports)} for c in found]

    def row_citations(self, column: str) -> list[Citation]:
        """Citations for the whole row, from a source column without a confidence column."""
        return self._lookup(column)

    def _lookup(self, column: str) -> list[Citation]:
        """The citations of the access points source column COLUMN names."""
        found = []
        for access_point in self.items(column):
            citation = self.access_point(access_point)
            if citation is not None:
                found.append(citation)
            elif (rejected := self.rejected(access_point)) is not None:
                self.skip(column, rejected)
            else:
                self.problem(column, f"access point {shown(access_point)} is not in sources.csv")
        return found

    def _confidence(self, column: str, text: str, access_points: list[str]) -> str | None:
        if not text:
            # A Silsila export names its own citations (ids with ':'), which may lack one.
            if not all(":" in a for a in access_points):
                wanted = f"has no confidence: write Low, Medium or High in {column}:confidence"
                self.problem(column, wanted)
            return None
        level = next((c for c in CONFIDENCES if c.lower() == text.lower()), None)
        if level is None:
            self.problem(
                confidence_column(column),
                f"{shown(text)} is not a confidence: write Low, Medium or High",
            )
        return level

    def dropped(self, column: str) -> None:
        """Warn that COLUMN's value is not imported because nothing cites it."""
        self.warn(
            column, f"{shown(self.text(column))} has no source and no confidence; not imported"
        )

    # ----- dates and flags -------------------------------------------------------------

    def date(self, date: Date) -> str | None:
        """The partial date of a date column; its year/month/day parts win over the full date."""
        full = self.text(date.column)
        parts = [self.text(c) for c in date.parts]
        from_parts = self._parsed(date.column, lambda: date_from_parts(*parts), any(parts))
        from_full = self._parsed(date.column, lambda: parse_date(full), bool(full))
        if from_parts and from_full and not _agree(from_parts, from_full):
            self.warn(
                date.column,
                f"{shown(full)} disagrees with its parts ({from_parts}); kept the parts",
            )
        return from_parts or from_full

    def full_date(self, column: str) -> str | None:
        """A date given in one cell only (a date of birth, a document's publication): not part
        of what the record is, so one that cannot be read is left out with a warning, and the
        row is kept."""
        text = self.text(column)
        if not text:
            return None
        try:
            return parse_date(text)
        except InvalidDateError as e:
            self.warn(column, f"{e}; left out")
            return None

    def _parsed(self, column: str, parse: Callable[[], str], given: bool) -> str | None:
        if not given:
            return None
        try:
            return parse()
        except InvalidDateError as e:
            self.problem(column, str(e))
            return None

    def flag(self, date: Date) -> dict[str, bool]:
        """The fields a date's flag column sets (first_cited_is_start, open_ended, …)."""
        if date.flag_column is None or date.flag is None:
            return {}
        text = self.text(date.flag_column).upper()
        if not text:
            return {}
        meanings = FLAG_FIELDS[date.flag]
        if text not in meanings:
            self.problem(date.flag_column, f"{shown(text)} is not one of {', '.join(meanings)}")
            return {}
        return dict(meanings[text])

    def yes_no(self, column: str) -> bool | None:
        text = self.text(column).upper()
        if text and text not in YES_NO:
            self.problem(column, f"{shown(text)} is not Y or N")
        return YES_NO.get(text)


def _agree(parts: str, full: str) -> bool:
    """Whether a date and its parts say the same, each to its own precision."""
    return parts.startswith(full) or full.startswith(parts)
