"""Test inputs made from a real file's rows, with some cells changed."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from pathlib import Path

Row = dict[str, str]


def rows_from(given: Path, written: Path, make: Callable[[list[Row]], Iterable[Row]]) -> Path:
    """WRITTEN: GIVEN's header, then the rows MAKE builds from GIVEN's rows."""
    with given.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        found = list(reader)
        header = list(reader.fieldnames or [])
    with written.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(make(found))
    return written


def first_row_with(given: Path, written: Path, **cells: str) -> Path:
    """WRITTEN: GIVEN's header and first row, CELLS changed in it."""
    return rows_from(given, written, lambda found: [found[0] | cells])
