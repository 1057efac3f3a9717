"""Partial dates, cited intervals, and the one answer to "does this hold at date D?".

Following Security Force Monitor's practice, a relation (a posting, a unit's place in the
hierarchy, control of an area) is known from the first and last dates a source cites it, each
with its precision, plus flags saying whether the first date is the real start, whether the
last date is the real end, and whether the relation is open-ended. Between the citations it
certainly held; outside them it possibly held, unless a flag closes that side.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from graph.errors import InvalidRequestError

DATE_FORMS = "YYYY, YYYY-MM or YYYY-MM-DD"
_SHAPE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
# Exactly the dates `PartialDate.parse` takes (the API's OpenAPI document states it): years
# 0001-9999 (there is no year 0), months 01-12, each month's days, 29 February in leap years.
_YEAR = r"(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
_LEAP_YEAR = r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_MONTH = r"(?:0[1-9]|1[0-2])"
_MONTH_DAY = (
    r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    r"|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
DATE_PATTERN = rf"^(?:{_YEAR}(?:-{_MONTH}|-{_MONTH_DAY})?|{_LEAP_YEAR}-02-29)$"


class InvalidDateError(InvalidRequestError, ValueError):
    """A date string that is not YYYY, YYYY-MM or YYYY-MM-DD, or an interval that ends first."""


class Precision(StrEnum):
    """How much of a date is known."""

    YEAR = "year"
    MONTH = "month"
    DAY = "day"


class Certainty(StrEnum):
    """The three answers to "did it hold at D?"."""

    CERTAIN = "certain"
    POSSIBLE = "possible"
    NO = "no"


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day; it stands for a range of days."""

    earliest: dt.date
    latest: dt.date
    precision: Precision

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """`2012` -> all of 2012; `2012-08` -> August 2012; `2012-08-20` -> that day."""
        return _parsed(text)

    @classmethod
    def _parse(cls, text: str) -> PartialDate:
        match = _SHAPE.fullmatch(text.strip())
        if match is None:
            raise InvalidDateError(f"{text!r} is not a date of the form {DATE_FORMS}")
        year = int(match.group(1))
        month, day = (int(g) if g else None for g in match.groups()[1:])
        try:
            if month is None:
                return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), Precision.YEAR)
            if day is None:
                last = calendar.monthrange(year, month)[1]
                return cls(dt.date(year, month, 1), dt.date(year, month, last), Precision.MONTH)
            return cls(dt.date(year, month, day), dt.date(year, month, day), Precision.DAY)
        except ValueError as e:
            raise InvalidDateError(
                f"{text!r} is not a real date ({e}); give one of the form {DATE_FORMS}"
            ) from e

    def __str__(self) -> str:
        if self.precision is Precision.YEAR:
            return f"{self.earliest.year:04d}"
        if self.precision is Precision.MONTH:
            return f"{self.earliest.year:04d}-{self.earliest.month:02d}"
        return self.earliest.isoformat()

    def words(self) -> str:
        """The date for a reader: a span of days (an event's) is written whole."""
        if self.precision is Precision.DAY and self.latest != self.earliest:
            return f"{self.earliest.isoformat()} to {self.latest.isoformat()}"
        return str(self)


# A long answer (the gap, a case file) judges the same few thousand dates hundreds of
# thousands of times; a PartialDate is immutable, so each text is parsed once.
@lru_cache(maxsize=65536)
def _parsed(text: str) -> PartialDate:
    return PartialDate._parse(text)


# How far from any date `days_away` puts a relation with no cited date.
NO_DATE_DAYS = 10**6


@dataclass(frozen=True)
class CitedInterval:
    """When a relation is known to hold: first and last cited dates and SFM's flags."""

    first_cited: PartialDate | None = None
    last_cited: PartialDate | None = None
    first_is_start: bool = False
    last_is_end: bool = False
    open_ended: bool = False

    def __post_init__(self) -> None:
        first, last = self.first_cited, self.last_cited
        if first is not None and last is not None and last.latest < first.earliest:
            raise InvalidDateError(f"the interval ends ({last}) before it starts ({first})")
        if self.open_ended and self.last_is_end:
            raise InvalidDateError("an interval cannot be both open-ended and ended")


@dataclass(frozen=True)
class HoldsAt:
    """The answer, with the reason an investigator can read."""

    certainty: Certainty
    reason: str


def holds_at(interval: CitedInterval, when: PartialDate) -> HoldsAt:
    """Certain if the citations span every day of WHEN; no if a closed side excludes it all.

    With one cited date only, the span is that date: certain only on it, possible around it.
    """
    first, last = interval.first_cited, interval.last_cited
    if first is not None and interval.first_is_start and when.latest < first.earliest:
        return HoldsAt(Certainty.NO, f"it began in {first}, after {when.words()}")
    if last is not None and interval.last_is_end and when.earliest > last.latest:
        return HoldsAt(Certainty.NO, f"it ended in {last}, before {when.words()}")
    if first is None and last is None:
        return HoldsAt(Certainty.POSSIBLE, "no date is cited for it")
    low = first or last
    high = last or first
    if low is None or high is None:  # pragma: no cover - one of them is set
        raise InvalidDateError("unreachable")
    # Certain only where both citations are surely on either side of every day of WHEN.
    if low.latest <= when.earliest and when.latest <= high.earliest:
        span = f"cited on {low}" if low == high else f"cited from {low} to {high}"
        return HoldsAt(Certainty.CERTAIN, span)
    return HoldsAt(Certainty.POSSIBLE, _possible_reason(interval, low, high, when))


def days_away(interval: CitedInterval, when: PartialDate) -> int:
    """Days between WHEN and the cited span: 0 inside it, and 0 past the last citation of an
    open-ended relation (the source says it continues). Of two relations that may hold, the
    nearer is the likelier; one with no date at all is the least likely."""
    low = interval.first_cited or interval.last_cited
    high = interval.last_cited or interval.first_cited
    if low is None or high is None:
        return NO_DATE_DAYS
    if when.latest < low.earliest:
        return (low.earliest - when.latest).days
    if when.earliest > high.latest and not interval.open_ended:
        return (when.earliest - high.latest).days
    return 0


def _possible_reason(
    interval: CitedInterval, low: PartialDate, high: PartialDate, when: PartialDate
) -> str:
    if when.latest < low.earliest:
        return f"first cited in {low}; it may have begun earlier"
    if when.earliest > high.latest:
        if interval.open_ended:
            return f"last cited in {high} and open-ended; nothing says when it ended"
        if interval.last_cited is None:
            return f"first cited in {low}; no later citation shows it continuing"
        return f"last cited in {high}; it may have continued"
    if low == high:
        days = "" if when.earliest == when.latest else "every day of "
        return f"cited only in {low}: not shown to hold on {days}{when.words()}"
    return f"cited from {low} to {high}, and that span does not wholly cover {when.words()}"
