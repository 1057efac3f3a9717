"""Lists and report tables as CSV, for a spreadsheet: a header row, then one row per item."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from graph.reads import models
from graph.reads.events import ListedAttribution, ListedEvent
from ontology.terms import Label
from ontology.words import kind, name_of, words

CSV_TYPE = "text/csv; charset=utf-8"
# A cell a spreadsheet would run as a formula starts with one of these (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EVENT_HEADER = (
    "id",
    "name",
    "type",
    "start",
    "end",
    "place",
    "place_id",
    "killed_low",
    "killed_high",
    "attributions",
)
STATS_HEADER = ("key", "label", "events", "killed")


def cell(value: object) -> str:
    """VALUE as a cell's text; one a spreadsheet would take for a formula gets a leading
    apostrophe, so it reads as text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def lines(rows: Iterable[Sequence[object]]) -> str:
    """ROWS as CSV text, every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([cell(value) for value in row] for row in rows)
    return out.getvalue()


def attribution_text(claim: ListedAttribution) -> str:
    """`Shabiha: perpetrator, according to SOHR`: the claimant, else the citing sources."""
    by = [name_of(claim.claimed_by)] if claim.claimed_by else claim.sources
    said = f", according to {' and '.join(by)}" if by else ""
    return f"{name_of(claim.actor)}: {words(claim.role, 'role')}{said}"


def event_rows(items: Iterable[ListedEvent]) -> list[tuple[object, ...]]:
    return [
        (
            item.event.id,
            item.event.name,
            kind({"labels": [Label.EVENT, *item.event.kinds]}),
            item.event.start,
            item.event.end,
            item.event.place.name if item.event.place else None,
            item.event.place.id if item.event.place else None,
            item.low,
            item.high,
            "; ".join(attribution_text(a) for a in item.attributions),
        )
        for item in items
    ]


def stats_csv(stats: models.Stats) -> str:
    return lines([STATS_HEADER, *((r.key, r.label, r.events, r.killed) for r in stats.rows)])
