"""The input files a loader is given (folders expanded to their files), and the errors that
name what is wrong with a file as a whole: not UTF-8, columns missing, not CSV."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from loaders.errors import MissingInputError, NotUtf8Error, SourceFileError
from loaders.limits import MAX_CELL, not_utf8

SHOWN_COLUMNS = 10  # missing columns named in an error; the rest are counted


def input_files(paths: Sequence[Path], suffixes: Sequence[str], what: str) -> list[Path]:
    """PATHS with each folder expanded to its files ending in one of SUFFIXES, in name order.

    WHAT names the kind of file for the error when none is found ("*.jsonl record files").
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.is_file() and p.suffix in suffixes)
        elif path.is_file():
            files.append(path)
        else:
            raise SourceFileError(f"{path}: no such file or folder")
    if not files:
        raise SourceFileError(f"no {what} in {', '.join(map(str, paths))}")
    return files


def open_csv(file: Path) -> TextIO:
    """FILE opened for the csv module (UTF-8, a byte order mark allowed), its cells bounded
    by MAX_CELL: the bound is the module's global, which libraries change (importing
    followthemoney sets 30 MB), so it is set again before each file."""
    csv.field_size_limit(MAX_CELL)
    return file.open(encoding="utf-8-sig", newline="")


def not_utf8_file(file: Path) -> NotUtf8Error:
    """The error for FILE not being UTF-8 text, naming its first line that is not.

    The file is read again line by line: a decoding error raised while streaming counts its
    position from where the decoder's buffer began, not from the start of the file.
    """
    try:
        with file.open("rb") as stream:
            for number, raw in enumerate(stream, start=1):
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError as e:
                    return NotUtf8Error(f"{file}:{number}: {not_utf8(raw, e)}")
    except OSError as e:
        return NotUtf8Error(f"{file}: not UTF-8 text, and cannot be read again: {e.strerror}")
    return NotUtf8Error(f"{file}: not UTF-8 text: re-save the file as UTF-8")


def require_columns(file: Path, header: Sequence[str], columns: Sequence[str], what: str) -> None:
    """Raise MissingInputError if HEADER lacks any of COLUMNS (WHAT the first line must be)."""
    if not header:
        raise MissingInputError(f"{file}:1: the file is empty: the first line must be {what}")
    missing = [c for c in columns if c not in header]
    if missing:
        listed = ", ".join(missing[:SHOWN_COLUMNS])
        more = f" and {len(missing) - SHOWN_COLUMNS} more" if len(missing) > SHOWN_COLUMNS else ""
        raise MissingInputError(
            f"{file}:1: missing column(s) {listed}{more}: the first line must be {what}, "
            "with every column (a column may be empty)"
        )


def unreadable_csv(file: Path, line: int, error: csv.Error) -> SourceFileError:
    """FILE's row starting on LINE cannot be read as CSV (often: a quote left open)."""
    return SourceFileError(
        f"{file}:{line}: the row starting here cannot be read as CSV ({error}): close its "
        f"quotes; a cell may hold at most {MAX_CELL:,} characters"
    )
