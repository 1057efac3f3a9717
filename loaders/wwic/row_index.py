"""The parsed rows of one import, in a temporary SQLite file rather than in memory.

Any chunk may need any unit, person, place or access point (a posting names its unit, every
value cites an access point), and the rows about one unit need not be adjacent in SFM's
files. The index answers those look-ups from disk; it is deleted when closed.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

from loaders.limits import shown
from loaders.pipeline import Record
from loaders.wwic.parts import Citation, Part
from loaders.wwic.row_parts import AccessPoint, RowParts
from loaders.wwic.row_reader import Rejected
from ontology.terms import Label

SCHEMA = (
    "CREATE TABLE access_point (id TEXT PRIMARY KEY, line INTEGER, citation TEXT)",
    "CREATE TABLE source (id TEXT PRIMARY KEY, file TEXT, line INTEGER, record TEXT)",
    "CREATE TABLE row_parts (kind TEXT, key TEXT, line INTEGER, parts TEXT)",
    "CREATE INDEX row_parts_key ON row_parts (kind, key, line)",
    "CREATE TABLE place (key TEXT, seq INTEGER, part TEXT)",
    "CREATE INDEX place_key ON place (key, seq)",
    # rows left out, for what depends on them: the row with the problem (a row skipped
    # because of another is kept as that other, so what depends on it names the fault)
    "CREATE TABLE rejected (kind TEXT, key TEXT, what TEXT, file TEXT, line INTEGER, "
    "PRIMARY KEY (kind, key))",
)
ACCESS_POINT = "access point"  # the kind of a rejected access point; others are record ids
OWNER_KINDS = ("unit", "person", "incident")  # the files whose rows each make a chunk's records
CACHED_CITATIONS = 65536  # access points kept in memory, for values citing the same ones


class RowIndex:
    """Access points, documents, and each row's parts, keyed by what they are about."""

    def __init__(self) -> None:
        self._db = sqlite3.connect("")  # "" is a private temporary file, removed on close
        for statement in SCHEMA:
            self._db.execute(statement)
        self._places = 0
        self._citations: dict[str, Citation | None] = {}  # values cite the same points often

    def close(self) -> None:
        self._db.close()

    # ----- writing (while the files are read) ------------------------------------------

    def add_access_point(self, access_point: AccessPoint, file: str, line: int) -> int | None:
        """Index an access point and its document; the line it repeats, if it does."""
        found = self._db.execute(
            "SELECT line FROM access_point WHERE id = ?", (access_point.id,)
        ).fetchone()
        if found is not None:
            return int(found[0])
        citation = json.dumps(access_point.citation, ensure_ascii=False)
        self._db.execute(
            "INSERT INTO access_point VALUES (?, ?, ?)", (access_point.id, line, citation)
        )
        record = json.dumps(access_point.source, ensure_ascii=False)
        self._db.execute(
            "INSERT OR IGNORE INTO source VALUES (?, ?, ?, ?)",
            (access_point.source["id"], file, line, record),
        )
        return None

    def add_row(self, kind: str, line: int, parts: RowParts) -> None:
        """Index a row's parts under the id of the entity it is about."""
        rows = json.dumps([p.to_json() for p in [parts.entity, *parts.claims]])
        self._db.execute(
            "INSERT INTO row_parts VALUES (?, ?, ?, ?)", (kind, parts.entity.id, line, rows)
        )
        for place in parts.places:
            self._places += 1
            self._db.execute(
                "INSERT INTO place VALUES (?, ?, ?)", (place.id, self._places, place.to_json())
            )

    def reject(self, key: str, row: Rejected, kind: str = "") -> None:
        """Remember that ROW, about KEY, was left out (the first such row is kept)."""
        self._db.execute(
            "INSERT OR IGNORE INTO rejected VALUES (?, ?, ?, ?, ?)",
            (kind, key, row.what, row.file, row.line),
        )

    def reject_access_point(self, access_point: str, file: str, line: int) -> None:
        what = f"{ACCESS_POINT} {shown(access_point)}"
        self.reject(access_point, Rejected(what, file, line), ACCESS_POINT)

    # ----- reading (while the chunks are made) ------------------------------------------

    def rejected(self, key: str, kind: str = "") -> Rejected | None:
        """The row that left KEY out, if one did."""
        found = self._db.execute(
            "SELECT what, file, line FROM rejected WHERE kind = ? AND key = ?", (kind, key)
        ).fetchone()
        return None if found is None else Rejected(str(found[0]), str(found[1]), int(found[2]))

    def rejected_access_point(self, access_point: str) -> Rejected | None:
        return self.rejected(access_point, ACCESS_POINT)

    def citation(self, access_point: str) -> Citation | None:
        """The citation fields of an access point, or None if sources.csv lacks it."""
        if access_point not in self._citations:
            if len(self._citations) >= CACHED_CITATIONS:
                self._citations.clear()
            found = self._db.execute(
                "SELECT citation FROM access_point WHERE id = ?", (access_point,)
            ).fetchone()
            self._citations[access_point] = None if found is None else json.loads(found[0])
        cached = self._citations[access_point]
        return None if cached is None else dict(cached)

    def source(self, source_id: str) -> Record | None:
        """The Source record of a document."""
        found = self._db.execute(
            "SELECT file, line, record FROM source WHERE id = ?", (source_id,)
        ).fetchone()
        if found is None:
            return None
        return Record(Label.SOURCE, json.loads(found[2]), found[0], int(found[1]))

    def rows(self, kind: str, key: str) -> list[list[Part]]:
        """The parts of each row about KEY, in file order (the entity's part first)."""
        found = self._db.execute(
            "SELECT parts FROM row_parts WHERE kind = ? AND key = ? ORDER BY line", (kind, key)
        )
        return [[Part.from_json(p) for p in json.loads(r[0])] for r in found]

    def places(self, key: str) -> list[Part]:
        """Every part naming the place KEY, units' first, in file order."""
        found = self._db.execute("SELECT part FROM place WHERE key = ? ORDER BY seq", (key,))
        return [Part.from_json(r[0]) for r in found]

    def owners(self) -> Iterator[tuple[str, str, int]]:
        """(kind, id, rows) of every unit, person and incident, in file order."""
        for kind in OWNER_KINDS:
            cursor = self._db.execute(
                "SELECT key, COUNT(*) FROM row_parts WHERE kind = ? GROUP BY key "
                "ORDER BY MIN(line)",
                (kind,),
            )
            for key, count in cursor:
                yield kind, str(key), int(count)

    def owned_rows(self) -> int:
        """How many rows the owners' chunks account for."""
        found = self._db.execute(
            "SELECT COUNT(*) FROM row_parts WHERE kind IN (?, ?, ?)", OWNER_KINDS
        ).fetchone()
        return int(found[0])
