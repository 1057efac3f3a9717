"""ACLED export CSVs: one row, one event with its involved actors, places and fatalities.

`FORMAT` is what `silsila import acled FILE…` reads and `EXPORTS` what `silsila export acled -o
FILE` writes; the mapping is in docs/formats/acled.md.
"""

from loaders.acled.export import EXPORT
from loaders.acled.records import COLUMNS, prefer_typed_actor, row_records
from loaders.tabular import CsvFormat

FORMAT = CsvFormat(
    name="acled",
    summary="ACLED export CSV: events, involved actors, admin places, fatalities",
    columns=COLUMNS,
    convert=row_records,
    merge=prefer_typed_actor,
)
EXPORTS = (EXPORT,)

__all__ = ["EXPORTS", "FORMAT"]
