"""`--rejects FILE` on `silsila load` and `silsila import`: every record left out, and why.

One JSON line per record (or input row) left out, rejected for problems of its own or skipped
because a record it links to was rejected: where it is, each problem's field, what to fix and
reason, and the records read from it. Nothing is capped; the console's list is.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.console import Console

from cli.console import err
from loaders.errors import SKIPPED, ProblemCounts, RecordProblem, reason_of
from loaders.pipeline import Record

DEFAULT = Path("silsila-rejects.jsonl")

RejectsOption = Annotated[
    Path | None,
    typer.Option(
        "--rejects",
        metavar="FILE",
        help="Write every rejected or skipped record, with file, line, field, what to fix and "
        "the reason, to FILE (JSON lines), even when nothing is loaded. With --skip-invalid "
        f"the default is {DEFAULT}.",
        show_default=False,
    ),
]


class Rejects:
    """Records left out, counted by reason and, given a FILE, written to it as they come."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.counts = ProblemCounts()
        self._file: IO[str] | None = None
        if path is not None:
            try:
                self._file = path.open("w", encoding="utf-8")
            except OSError as e:
                raise typer.BadParameter(
                    f"cannot write {path}: {e.strerror}", param_hint="--rejects"
                ) from e

    def add(self, problems: Sequence[RecordProblem], records: Sequence[Record]) -> None:
        """One record (or row) left out: its PROBLEMS and the RECORDS read from it."""
        self.counts.add(problems)
        if self._file is not None:
            self._file.write(json.dumps(_line(problems, records), ensure_ascii=False) + "\n")

    def add_unreadable(self, problems: Sequence[RecordProblem]) -> None:
        """Lines that made no record, each with its problem."""
        for problem in problems:
            self.add([problem], [])

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    def report(self, console: Console) -> None:
        """Say how many were left out and where they are listed, then the totals by reason."""
        if self.path is not None:
            console.print(f"Rejected {self.counts.total:,} record(s); reasons in {self.path}")
        print_reasons(console, self.counts)


@contextmanager
def rejects_file(path: Path | None, skip_invalid: bool) -> Iterator[Rejects]:
    """Rejects written to PATH (by default, with SKIP_INVALID, to DEFAULT), closed at the end
    even when the command stops on an error, so the file explains a refused load too."""
    rejects = Rejects(path or (DEFAULT if skip_invalid else None))
    try:
        yield rejects
    except BaseException:  # not handled: only said where the refused rows are listed
        if rejects.path is not None and rejects.counts.total:
            err.print(f"Rejected and skipped records, with reasons, in {rejects.path}")
        raise
    finally:
        rejects.close()


def print_reasons(console: Console, counts: ProblemCounts) -> None:
    """`47 rejected: is not a date`, … `150 skipped because …`: each on its own line."""
    for line in counts.lines():
        console.print(f"  {line}")


def _line(problems: Sequence[RecordProblem], records: Sequence[Record]) -> dict[str, Any]:
    first = problems[0]
    reasons = [reason_of(p) for p in problems]
    return {
        "file": first.file,
        "line": first.line,
        "status": "skipped" if set(reasons) == {SKIPPED} else "rejected",
        "problems": [
            {"field": p.field, "problem": p.problem, "reason": reason}
            for p, reason in zip(problems, reasons, strict=True)
        ],
        "records": [{"type": r.label, **r.properties} for r in records],
    }
