"""Errors raised by loaders; every one derives from LoaderError."""

from __future__ import annotations

from dataclasses import dataclass

from ontology.errors import SilsilaError


class LoaderError(SilsilaError):
    """Root of every error the loaders raise."""


@dataclass(frozen=True)
class RecordProblem:
    """One thing wrong with one record: where it is, which field, what to fix."""

    file: str
    line: int
    field: str
    problem: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.problem}"


class InvalidRecordsError(LoaderError):
    """Some records are invalid; nothing was written. Lists every problem found."""

    def __init__(self, problems: list[RecordProblem]) -> None:
        self.problems = problems
        listing = "\n".join(f"  {p}" for p in problems)
        super().__init__(
            f"{len(problems)} problem(s) found; nothing was loaded. Fix these:\n{listing}"
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
