"""UCDP GED events back out as a GED CSV, in the columns the importer reads.

Only the events the UCDP importer made are written: those cited with `source:ucdp-ged` and
their GED `id` as access point. Events from other sources (the curated dataset, other
formats) have no GED row and are left out. Each row is rebuilt from the event, its citation
(the `source_*` columns), its two sides, its death counts and its chain of places; the cells
the importer kept verbatim in the event's `classification` go back to their columns.
Importing the file into an empty graph gives the graph the original import gave. A side
whose identity is restricted is never written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from graph.asof import PartialDate
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
from loaders.ucdp.records import ACTOR_ID, CITED_FIELDS, DATASET, DEATHS, ESTIMATES, PREFIX, SOURCE
from ontology.rdf import GraphLink, GraphNode

HEADER = (
    "id",
    "relid",
    "year",
    "active_year",
    "code_status",
    "type_of_violence",
    "conflict_dset_id",
    "conflict_new_id",
    "conflict_name",
    "dyad_dset_id",
    "dyad_new_id",
    "dyad_name",
    "side_a_dset_id",
    "side_a_new_id",
    "side_a",
    "side_b_dset_id",
    "side_b_new_id",
    "side_b",
    "number_of_sources",
    "source_article",
    "source_office",
    "source_date",
    "source_headline",
    "source_original",
    "where_prec",
    "where_coordinates",
    "where_description",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "geom_wkt",
    "priogrid_gid",
    "country",
    "country_id",
    "region",
    "event_clarity",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "best",
    "high",
    "low",
    "gwnoa",
    "gwnob",
)
PLACE_LEVELS = ("country", "adm_1", "adm_2", "where_coordinates")  # the place id's levels
SIDES = ("side_a", "side_b")
ACTOR_PREFIX = f"org:{PREFIX}-"
# Where one `column: value` of the citation's locator ends: before the next cited column.
CITED = re.compile(rf"; (?=(?:{'|'.join(CITED_FIELDS)}): )")
# A count's column: by its scope (the deaths per side) or else by its kind (the estimates).
SCOPE_COLUMNS = {scope: column for column, scope in DEATHS}
KIND_COLUMNS = {kind: column for column, kind in ESTIMATES}


def export_ucdp(nodes: Sequence[GraphNode], links: Sequence[GraphLink], path: Path) -> int:
    """Write the graph's UCDP GED events (as `graph.db.export.read_graph` returns it) to PATH.

    Returns the number of rows written.
    """
    events = EventGraph(nodes, links)
    found = events.events(SOURCE, DATASET.id_column)
    return write_rows(path, HEADER, (_row(events, e) for e in found))


EXPORT = csv_export(
    "ucdp",
    "the events imported from UCDP GED, back as GED CSV",
    export_ucdp,
)


def _row(graph: EventGraph, event: ExportedEvent) -> Cells:
    cells = {
        "id": event.row_id,
        "type_of_violence": event.text("type_of_violence"),
        "conflict_name": event.text("conflict_name"),
        "dyad_name": _dyad(event),
        "where_prec": event.text("geo_precision"),
        "where_description": event.text("place_description"),
        "date_prec": event.text("date_precision"),
        **_dates(event),
        **_sides(event),
        **_sources(event),
        **_counts(event),
        **_places(graph, event),
    }
    return row(event.kept(), cells)


def _dates(event: ExportedEvent) -> Cells:
    """date_start and date_end as days, as GED writes them: the first day of `start` and the
    last of `end` (a month-precise event is that month's first and last day)."""
    start, end = event.text("start"), event.text("end")
    return {
        "date_start": PartialDate.parse(start).earliest.isoformat() if start else "",
        "date_end": PartialDate.parse(end).latest.isoformat() if end else "",
    }


def _dyad(event: ExportedEvent) -> str:
    """`dyad_name`, from the event's name (`DYAD, PLACE, WHEN`).

    The importer names the event by the dyad, or else by the conflict; only the name keeps
    which one it was, and either gives the same name back.
    """
    start, end = event.text("start"), event.text("end")
    when = start if start == end else f"{start} to {end}"
    rest = f", {event.place.get('name', '')}, {when}"
    name = event.text("name")
    return name.removesuffix(rest) if name.endswith(rest) else event.text("conflict_name")


def _sides(event: ExportedEvent) -> Cells:
    """side_a and side_b with their UCDP actor ids (when the actor's id is one)."""
    cells: Cells = {}
    for slot in SIDES:
        for claim in event.in_slot(slot)[:1]:
            actor = claim.actor or {}
            cells[slot] = str(actor.get("name", ""))
            ucdp_id = str(actor.get("id", "")).removeprefix(ACTOR_PREFIX)
            cells[f"{slot}_new_id"] = ucdp_id if ACTOR_ID.match(ucdp_id) else ""
    return cells


def _sources(event: ExportedEvent) -> Cells:
    """The source_* columns: the citation's locator details, its quote as the headline.

    With no headline the importer quotes the article instead; a quote back as the headline
    gives the same citation.
    """
    locator = DATASET.event_locator.format(id=event.row_id)
    details = locator_details(event.citation, locator)
    cells = dict(part.split(": ", 1) for part in CITED.split(details) if ": " in part)
    cells["source_headline"] = str(event.citation.get("quote", ""))
    return cells


def _counts(event: ExportedEvent) -> Cells:
    """best, low, high and the deaths per side, from the event's counts."""
    cells: Cells = {}
    for count in (c.properties for c in event.counts):
        column = SCOPE_COLUMNS.get(str(count.get("scope"))) or KIND_COLUMNS.get(
            str(count.get("count_kind"))
        )
        if column and count.get("killed") is not None:
            cells[column] = str(count["killed"])
    return cells


def _places(graph: EventGraph, event: ExportedEvent) -> Cells:
    """country, adm_1, adm_2 and the named spot from the place id's levels; its point."""
    names = graph.place_names(PREFIX, str(event.place.get("id", "")))
    return dict(zip(PLACE_LEVELS, names, strict=False)) | coordinates(event.place)
