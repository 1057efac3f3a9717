"""UCDP GED CSVs: one row, one event with its two sides, places and death estimates.

`FORMAT` is what `silsila import ucdp FILE…` reads; the mapping is in docs/formats/ucdp.md.
"""

from loaders.tabular import CsvFormat
from loaders.ucdp.records import COLUMNS, row_records

FORMAT = CsvFormat(
    name="ucdp",
    summary="UCDP GED CSV: events, sides A and B, admin places, best/low/high deaths",
    columns=COLUMNS,
    convert=row_records,
)

__all__ = ["FORMAT"]
