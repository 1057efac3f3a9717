"""ACLED events back out as an ACLED export CSV, in the columns the importer reads.

Only the events the ACLED importer made are written: those cited with `source:acled` and
their `event_id_cnty` as access point. Events from other sources (the curated dataset, other
formats) have no ACLED row and are left out. Each row is rebuilt from the event, its
citation (`source` and `notes`), its attributions (the actor columns and `inter1`/`inter2`),
its fatality count and its chain of places; the cells the importer kept verbatim in the
event's `classification` go back to their columns. Importing the file into an empty graph
gives the graph the original import gave (assoc actors come back sorted by name, which the
graph does not order). Actors whose identity is restricted are never written.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from loaders.acled.records import ACTOR_SLOTS, DATASET, PREFIX, SOURCE
from loaders.tabular_export import (
    Cells,
    EventGraph,
    ExportedEvent,
    coordinates,
    csv_export,
    locator_details,
    row,
    write_rows,
)
from ontology.rdf import GraphLink, GraphNode

HEADER = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)
CIVILIAN_TARGETING = "civilian_targeting"
PLACE_LEVELS = ("country", "admin1", "admin2", "admin3", "location")  # the place id's levels
CODES = ("disorder_type", "event_type", "sub_event_type")
SOURCES = "sources: "  # how the citation's locator names ACLED's own sources


def export_acled(nodes: Sequence[GraphNode], links: Sequence[GraphLink], path: Path) -> int:
    """Write the graph's ACLED events (as `graph.db.export.read_graph` returns the graph) to PATH.

    Returns the number of rows written.
    """
    events = EventGraph(nodes, links)
    found = events.events(SOURCE, DATASET.id_column)
    return write_rows(path, _header(found), (_row(events, e) for e in found))


EXPORT = csv_export(
    "acled",
    "the events imported from ACLED, back as ACLED CSV",
    export_acled,
)


def _header(events: Sequence[ExportedEvent]) -> tuple[str, ...]:
    """The full header, without `civilian_targeting` if no event has one.

    Exports before 2023 lack the column and the importer then sets nothing; writing an
    empty cell would set False on every event.
    """
    if not events or any(CIVILIAN_TARGETING in e.properties for e in events):
        return HEADER
    return tuple(c for c in HEADER if c != CIVILIAN_TARGETING)


def _row(graph: EventGraph, event: ExportedEvent) -> Cells:
    targeting = event.properties.get(CIVILIAN_TARGETING)
    cells = {
        "event_id_cnty": event.row_id,
        "event_date": _event_date(event),
        "time_precision": event.text("date_precision"),
        **{code: event.text(code) for code in CODES},
        CIVILIAN_TARGETING: "Civilian targeting" if targeting else "",
        "geo_precision": event.text("geo_precision"),
        "source": _sources(event),
        "notes": str(event.citation.get("quote", "")),
        "fatalities": _fatalities(event),
        **_actors(event),
        **_places(graph, event),
    }
    return row(event.kept(), cells)


def _event_date(event: ExportedEvent) -> str:
    """`event_date` as the file wrote it: the end of the event's name (`… in Ariha, DATE`).

    The name keeps the date's own spelling (`16 March 2023`), which `start` normalised and,
    for a month-precise event, shortened to the month.
    """
    name = event.text("name")
    return name.rsplit(", ", 1)[1] if ", " in name else event.text("start")


def _sources(event: ExportedEvent) -> str:
    """The `source` column, from the citation's locator (`event ID; sources: …`)."""
    locator = DATASET.event_locator.format(id=event.row_id)
    details = locator_details(event.citation, locator)
    return details.removeprefix(SOURCES) if details.startswith(SOURCES) else ""


def _fatalities(event: ExportedEvent) -> str:
    count_id = event.text("id").replace("event:", "casualty:", 1)
    killed = [c.properties.get("killed") for c in event.counts if c.properties["id"] == count_id]
    return str(killed[0]) if killed and killed[0] is not None else ""


def _actors(event: ExportedEvent) -> Cells:
    """The actor columns (several names `; `-joined) and each actor column's inter code."""
    cells: Cells = {}
    for slot, inter_column in ACTOR_SLOTS:
        claims = event.in_slot(slot)
        cells[slot] = "; ".join(str((c.actor or {}).get("name", "")) for c in claims)
        if inter_column and claims:
            cells[inter_column] = str(claims[0].properties.get("inter", ""))
    return cells


def _places(graph: EventGraph, event: ExportedEvent) -> Cells:
    """country, admin1-3 and location from the place id's levels; the location's point."""
    names = graph.place_names(PREFIX, str(event.place.get("id", "")))
    return dict(zip(PLACE_LEVELS, names, strict=False)) | coordinates(event.place)
