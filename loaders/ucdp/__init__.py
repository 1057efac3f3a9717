"""UCDP GED CSVs: one row, one event with its two sides, places and death estimates.

`FORMAT` is what `silsila import ucdp FILE…` reads and `EXPORTS` what `silsila export ucdp -o
FILE` writes; the mapping is in docs/formats/ucdp.md.
"""

from loaders.tabular import CsvFormat
from loaders.ucdp.export import EXPORT
from loaders.ucdp.records import COLUMNS, row_records

FORMAT = CsvFormat(
    name="ucdp",
    summary="UCDP GED CSV: events, sides A and B, admin places, best/low/high deaths",
    columns=COLUMNS,
    convert=row_records,
)
EXPORTS = (EXPORT,)

__all__ = ["EXPORTS", "FORMAT"]
