"""Test inputs made from a real file's rows, with some cells changed."""

from __future__ import annotations

import csv
from pathlib import Path


def first_row_with(given: Path, written: Path, **cells: str) -> Path:
    """WRITTEN: GIVEN's header and first row, CELLS changed in it."""
    with given.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        first = next(reader)
        header = list(reader.fieldnames or [])
    with written.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerow(first | cells)
    return written
