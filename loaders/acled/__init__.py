"""ACLED export CSVs: one row, one event with its involved actors, places and fatalities.

`FORMAT` is what `silsila import acled FILE…` reads; the mapping is in docs/formats/acled.md.
"""

from loaders.acled.records import COLUMNS, prefer_typed_actor, row_records
from loaders.tabular import CsvFormat

FORMAT = CsvFormat(
    name="acled",
    summary="ACLED export CSV: events, involved actors, admin places, fatalities",
    columns=COLUMNS,
    convert=row_records,
    merge=prefer_typed_actor,
)

__all__ = ["FORMAT"]
