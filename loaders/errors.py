"""Errors raised by loaders; every one derives from LoaderError."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ontology.errors import SilsilaError

# The reason of a record left out only because a record it links to was left out.
SKIPPED = "skipped because a record they depend on was rejected"
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_NUMBER = re.compile(r"\d[\d,.]*")


class LoaderError(SilsilaError):
    """Root of every error the loaders raise."""


@dataclass(frozen=True)
class RecordProblem:
    """One thing wrong with one record: where it is, which field, what to fix."""

    file: str
    line: int
    field: str
    problem: str
    # What every problem of this kind says, without values, to count them by: `is not a date`,
    # `SKIPPED`, `dropped: property not mapped`. Empty: `reason_of` derives it from PROBLEM.
    reason: str = dataclasses.field(default="", compare=False)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.problem}"


def skipped(file: str, line: int, name: str, dependency: str, where: str) -> RecordProblem:
    """The problem of a record (at FILE:LINE, field NAME) that links to DEPENDENCY, a record
    left out for problems of its own, found at WHERE (`line 12`, or `file:12` elsewhere)."""
    return RecordProblem(
        file, line, name, f"skipped because {dependency} ({where}) was rejected", SKIPPED
    )


def reason_of(problem: RecordProblem) -> str:
    """PROBLEM's reason, or, if it has none, its text before what to do, values left out:
    `'2008-00' is not a date: write …` -> `is not a date`."""
    if problem.reason:
        return problem.reason
    head = _QUOTED.sub("", problem.problem).split(": ", 1)[0]
    return " ".join(_NUMBER.sub("N", head).split()) or "other"


@dataclass
class ProblemCounts:
    """Records (or rows) left out, by reason: a rejected one once under each of its reasons,
    the ones skipped only because of another apart."""

    rejected: Counter[str] = dataclasses.field(default_factory=Counter)
    skipped: int = 0
    total: int = 0

    def add(self, problems: Sequence[RecordProblem]) -> None:
        """Count one record left out, with its PROBLEMS."""
        reasons = {reason_of(p) for p in problems} - {SKIPPED}
        self.total += 1
        self.rejected.update(reasons)
        self.skipped += not reasons

    def lines(self) -> list[str]:
        """`47 rejected: is not a date`, most frequent first, then the skipped ones."""
        lines = [f"{n:,} rejected: {reason}" for reason, n in self.rejected.most_common()]
        return lines + ([f"{self.skipped:,} {SKIPPED}"] if self.skipped else [])


class InvalidRecordsError(LoaderError):
    """Some records are invalid; nothing was written. Lists every problem found."""

    def __init__(
        self, problems: list[RecordProblem], total: int | None = None, by_reason: Sequence[str] = ()
    ) -> None:
        """PROBLEMS are listed; TOTAL (default: as many) says how many were found in all, and
        BY_REASON lines (`ProblemCounts.lines`) end the message."""
        self.problems = problems
        listing = "\n".join(f"  {p}" for p in problems)
        count = len(problems) if total is None else total
        more = f"\n  … and {count - len(problems):,} more" if count > len(problems) else ""
        tail = "".join(f"\n  {line}" for line in by_reason)
        super().__init__(
            f"{count:,} problem(s) found; nothing was loaded. Fix these:\n{listing}{more}"
            + (f"\nBy reason:{tail}" if tail else "")
        )


class SourceFileError(LoaderError):
    """A path given to the loader is missing or unreadable."""


class NotUtf8Error(SourceFileError):
    """A file is not UTF-8 text; the message names its first line that is not."""


class MissingInputError(SourceFileError):
    """A folder lacks a file its format needs, or a file lacks columns it needs."""


class UnreadableLineError(LoaderError):
    """One line of a JSON lines file cannot be read (not JSON, too deep, not UTF-8).

    Readers turn it into a RecordProblem on that line; the message says what to fix.
    """
