"""What the ACLED and UCDP GED exporters share: the imported events read back from the graph.

An importer of a CSV event dataset (`loaders.tabular`) cites each event's row with the
dataset as source and the row's id as access point; the exporters find their events by that
citation, gather what hangs off each (attributions with their actors, casualty counts, the
chain of places), and write one row per event. Cells the importer kept verbatim in the
event's `classification` (`column: value`) go back to their columns.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from loaders.formats import ExportSummary, GraphExport
from ontology.rdf import GraphLink, GraphNode
from ontology.terms import Label, Rel

Cells = dict[str, str]
SEPARATOR = ": "  # between a column and its value in a classification entry


@dataclass(frozen=True)
class Claim:
    """An attribution or casualty count of an event, with the actor it names (if any)."""

    properties: dict[str, Any]
    actor: dict[str, Any] | None


@dataclass(frozen=True)
class ExportedEvent:
    """One imported event: its values, its row's citation, its claims and its place."""

    properties: dict[str, Any]
    citation: dict[str, Any]
    attributions: list[Claim]
    counts: list[Claim]
    place: dict[str, Any]

    @property
    def row_id(self) -> str:
        """The dataset's own id of the event (its citation's access point)."""
        return str(self.citation["access_point"])

    def text(self, name: str) -> str:
        """A property of the event as a cell: empty if it has none."""
        value = self.properties.get(name)
        return "" if value is None else str(value)

    def kept(self) -> Cells:
        """The cells the importer kept verbatim in `classification`, by column."""
        entries = self.properties.get("classification") or []
        return dict(e.split(SEPARATOR, 1) for e in entries if SEPARATOR in e)

    def in_slot(self, slot: str) -> list[Claim]:
        """The attributions from column SLOT whose actor may be shown, by actor name."""
        found = [
            a
            for a in self.attributions
            if a.properties.get("slot") == slot and a.actor and not a.actor.get("restricted")
        ]
        return sorted(found, key=lambda a: str((a.actor or {}).get("name", "")))


class EventGraph:
    """The graph (as `graph.db.export.read_graph` returns it), indexed for the exporters."""

    def __init__(self, nodes: Sequence[GraphNode], links: Sequence[GraphLink]) -> None:
        self._nodes = {n.id: n for n in nodes}
        self._out: dict[str, list[GraphLink]] = defaultdict(list)
        self._in: dict[str, list[GraphLink]] = defaultdict(list)
        for link in links:
            self._out[link.from_id].append(link)
            self._in[link.to_id].append(link)

    def properties(self, node_id: str) -> dict[str, Any]:
        """The node's properties (empty if there is no such node)."""
        node = self._nodes.get(node_id)
        return dict(node.properties) if node else {}

    def events(self, source_id: str, id_column: str) -> list[ExportedEvent]:
        """The events imported from rows of SOURCE_ID, in the order of their row ids.

        Ids are compared by length first, so numeric ids (UCDP's) sort as numbers.
        """
        found = []
        for node in self._nodes.values():
            if Label.EVENT not in node.labels:
                continue
            citation = self._row_citation(node.id, source_id, id_column)
            if citation is not None:
                found.append(self._event(node, citation))
        return sorted(found, key=lambda e: (len(e.row_id), e.row_id))

    def _row_citation(self, node_id: str, source_id: str, id_column: str) -> dict[str, Any] | None:
        """The citation of a dataset row among the node's citations, if it has one."""
        for citation_id in self._targets(node_id, Rel.CITED_IN):
            citation = self.properties(citation_id)
            if (
                citation.get("access_point")
                and citation.get("access_point_kind") == id_column
                and source_id in self._targets(citation_id, Rel.FROM_SOURCE)
            ):
                return citation
        return None

    def _event(self, node: GraphNode, citation: dict[str, Any]) -> ExportedEvent:
        claims = [x.from_id for x in self._in[node.id] if x.rel == Rel.OF_EVENT]
        places = self._targets(node.id, Rel.AT_PLACE)
        return ExportedEvent(
            properties=dict(node.properties),
            citation=citation,
            attributions=[self._claim(c) for c in claims if self._is(c, Label.ATTRIBUTION)],
            counts=[self._claim(c) for c in claims if self._is(c, Label.CASUALTY_COUNT)],
            place=self.properties(places[0]) if places else {},
        )

    def _claim(self, node_id: str) -> Claim:
        actors = self._targets(node_id, Rel.OF_ACTOR)
        return Claim(self.properties(node_id), self.properties(actors[0]) if actors else None)

    def _is(self, node_id: str, label: str) -> bool:
        node = self._nodes.get(node_id)
        return node is not None and label in node.labels

    def _targets(self, node_id: str, rel: str) -> list[str]:
        return sorted(x.to_id for x in self._out[node_id] if x.rel == rel)

    def place_names(self, prefix: str, place_id: str) -> list[str]:
        """The names along a place's id path, from the country down ("" for a level not given).

        `loaders.tabular.place_id` builds `place:PREFIX-country.admin1..spot`, one slug per
        level; the place at each level is the id cut after that level. Reading the levels
        from the id rather than along `within` also finds the country of a place in no
        country (a UCDP event at sea).
        """
        path = place_id.removeprefix(f"place:{prefix}-").split(".")
        names = []
        for depth, part in enumerate(path, start=1):
            level = f"place:{prefix}-{'.'.join(path[:depth])}"
            names.append(str(self.properties(level).get("name", "")) if part else "")
        return names


def coordinates(place: dict[str, Any]) -> Cells:
    """`latitude` and `longitude` of a place that has them, as decimals the importer reads."""
    if place.get("latitude") is None or place.get("longitude") is None:
        return {}
    return {"latitude": decimal(place["latitude"]), "longitude": decimal(place["longitude"])}


def decimal(value: float) -> str:
    """A float in positional notation (never `1e-05`): its shortest exact digits."""
    return format(Decimal(repr(float(value))), "f")


def locator_details(citation: dict[str, Any], event_locator: str) -> str:
    """What the row's citation locator adds after the event's own locator (`; ` joined)."""
    locator = str(citation.get("locator", ""))
    return locator.removeprefix(event_locator).removeprefix("; ")


def row(kept: Cells, cells: Cells) -> Cells:
    """An event's row: the cells kept verbatim, under the non-empty ones read from the graph.

    A column the importer read is never in `classification`, so the two rarely meet; when
    they do (an event edited since), the graph's value is the current one.
    """
    return kept | {column: value for column, value in cells.items() if value}


def write_rows(path: Path, header: Sequence[str], rows: Iterable[Cells]) -> int:
    """Write ROWS under HEADER; the number written.

    A kept cell of a column the format does not define (the source file had extra columns)
    gets its column after HEADER, so it is kept again on import.
    """
    written = list(rows)
    extra = {column: None for r in written for column in r if column not in header}
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*header, *extra])
        writer.writeheader()
        writer.writerows(written)
    return len(written)


def csv_export(
    name: str,
    summary: str,
    export: Callable[[Sequence[GraphNode], Sequence[GraphLink], Path], int],
) -> GraphExport:
    """The exporter `silsila export NAME -o FILE` runs: EXPORT writes the CSV (NAME.csv)."""

    def write(nodes: list[GraphNode], links: list[GraphLink], path: Path) -> ExportSummary:
        return ExportSummary(f"{export(nodes, links, path):,} {name} rows", path)

    return GraphExport(
        name=name, summary=summary, output="file", default_name=f"{name}.csv", write=write
    )
