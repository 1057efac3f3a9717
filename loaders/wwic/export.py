"""The graph back out as WhoWasInCommand CSV files, in the columns the importer reads.

Every row has status 3. Ids go back as SFM wrote them (`org:sfm-<uuid>` -> `<uuid>`); any
other record keeps its Silsila id, which the importer takes as it is. A value's `:source`
lists the access points of the citations supporting it (a citation without `supports`
supports every value of its record) and `:confidence` the lowest of their levels. A citation
that came from no access point (the curated dataset's, with quotes) becomes an access point
whose id is the citation's own id and whose trigger is its locator.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.asof import PartialDate, Precision
from loaders.formats import ExportSummary, GraphExport
from loaders.wwic import columns as c
from ontology.model import Ontology
from ontology.model import load as load_ontology
from ontology.rdf import GraphLink, GraphNode
from ontology.terms import Label, Rel

Cells = dict[str, str]


@dataclass(frozen=True)
class ExportedCitation:
    """A citation node: its id, its properties and the id of its source."""

    id: str
    properties: dict[str, Any]
    source: str


@dataclass
class Exported:
    """A record read back from the graph: its values and links, and its citations."""

    label: str
    id: str
    values: dict[str, Any]
    citations: list[ExportedCitation] = field(default_factory=list)

    def supporting(self, name: str) -> list[ExportedCitation]:
        """The citations supporting field NAME (those without `supports` support all)."""
        return [x for x in self.citations if name in x.properties.get("supports", [name])]


def export_wwic(
    nodes: Sequence[GraphNode], links: Sequence[GraphLink], folder: Path
) -> dict[str, int]:
    """Write the graph (as `graph.db.export.read_graph` returns it) as the five CSV files.

    Returns the number of rows written to each file.
    """
    graph = GraphRecords(nodes, links, load_ontology())
    access_points = AccessPoints(graph)
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        c.UNITS: _unit_rows(graph, access_points),
        c.PERSONS: _person_rows(graph, access_points),
        c.PERSONS_EXTRA: _extra_rows(graph, access_points),
        c.INCIDENTS: _incident_rows(graph, access_points),
    }
    counts = {name: _write(folder / name, rows) for name, rows in tables.items()}
    counts[c.SOURCES] = _write(folder / c.SOURCES, access_points.rows())
    return counts


def _write_folder(nodes: list[GraphNode], links: list[GraphLink], folder: Path) -> ExportSummary:
    written = export_wwic(nodes, links, folder)
    return ExportSummary(f"{', '.join(f'{n} {f}' for f, n in written.items())} rows", folder)


EXPORT = GraphExport(
    name="wwic",
    summary="WhoWasInCommand CSVs: units, persons, persons_extra, incidents, sources",
    output="folder",
    default_name="wwic",
    write=_write_folder,
)


def _write(path: Path, rows: Iterable[Cells]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=c.HEADERS[path.name], extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


# ----- the graph as records -------------------------------------------------------------


class GraphRecords:
    """The graph's records by id, with their link fields and citations folded back in."""

    def __init__(
        self, nodes: Sequence[GraphNode], links: Sequence[GraphLink], ontology: Ontology
    ) -> None:
        by_id = {n.id: n for n in nodes}
        out: dict[str, list[GraphLink]] = defaultdict(list)
        for link in links:
            out[link.from_id].append(link)
        self._records: dict[str, Exported] = {}
        self._claims: dict[tuple[str, str, str], list[Exported]] = defaultdict(list)
        for node in sorted(nodes, key=lambda n: n.id):
            label = _record_type(node, ontology)
            if label in (Label.CITATION, None):
                continue
            record = Exported(label, node.id, dict(node.properties))
            for rel in ontology.relationships_of(label):
                targets = sorted(x.to_id for x in out[node.id] if x.rel == rel.name)
                if rel.embedded:
                    record.citations = [_citation(by_id[t], out[t]) for t in targets]
                elif targets:
                    record.values[rel.field] = targets if rel.multiple else targets[0]
                    self._claims[(label, rel.field, targets[0])].append(record)
            self._records[node.id] = record

    def get(self, record_id: str) -> Exported | None:
        return self._records.get(record_id)

    def of_type(self, label: str) -> list[Exported]:
        return [r for r in self._records.values() if r.label == label]

    def claims(self, label: str, name: str, target: str) -> list[Exported]:
        """The LABEL records whose field NAME links to TARGET, by id."""
        return self._claims.get((label, name, target), [])


def _record_type(node: GraphNode, ontology: Ontology) -> str | None:
    """The most specific record type among the node's labels."""
    types = [label for label in node.labels if label in ontology.record_types]
    return max(types, key=lambda t: len(ontology.ancestors(t))) if types else None


def _citation(node: GraphNode, links: list[GraphLink]) -> ExportedCitation:
    source = next((x.to_id for x in links if x.rel == Rel.FROM_SOURCE), "")
    return ExportedCitation(node.id, node.properties, source)


class AccessPoints:
    """The sources.csv rows of every access point a written value cites."""

    def __init__(self, graph: GraphRecords) -> None:
        self._graph = graph
        self._rows: dict[str, Cells] = {}

    def cells(self, column: str, citations: Sequence[ExportedCitation]) -> Cells:
        """COLUMN:source and COLUMN:confidence for a value these citations support."""
        if not citations:
            return {}
        ids = sorted({self._id(x) for x in citations})
        levels = [
            str(x.properties["confidence"]) for x in citations if "confidence" in x.properties
        ]
        lowest = min(levels, key=c.CONFIDENCES.index) if levels else ""
        return {c.source_column(column): ";".join(ids), c.confidence_column(column): lowest}

    def ids(self, citations: Iterable[ExportedCitation]) -> str:
        """The access point ids of citations, for a source column without confidence."""
        return ";".join(sorted({self._id(x) for x in citations}))

    def rows(self) -> Iterator[Cells]:
        return (self._rows[k] for k in sorted(self._rows))

    def _id(self, citation: ExportedCitation) -> str:
        access_point = str(citation.properties.get("access_point") or citation.id)
        if access_point not in self._rows:
            self._rows[access_point] = self._row(access_point, citation)
        return access_point

    def _row(self, access_point: str, citation: ExportedCitation) -> Cells:
        source = self._graph.get(citation.source)
        document = source.values if source else {}
        row = {c.ACCESS_POINT_ID: access_point}
        row |= {col: str(document.get(name, "")) for name, col in c.DOCUMENT_COLUMNS}
        row[c.TITLE] = str(document.get("title") or document.get("name", ""))
        published = document.get("published")
        row[c.PUBLISHED] = sfm_date(PartialDate.parse(str(published))) if published else ""
        row[c.RESTRICTED] = "1" if document.get("restricted") else ""
        row |= {col: str(citation.properties.get(name, "")) for name, col in c.ACCESS_POINT_COLUMNS}
        if "access_point" not in citation.properties:  # a quoted citation: its locator
            row[c.TRIGGER] = str(citation.properties.get("locator", ""))
        return row


# ----- values, dates and flags ------------------------------------------------------------


def _values(record: Exported, specs: Sequence[c.Value], access_points: AccessPoints) -> Cells:
    cells: Cells = {}
    for spec in specs:
        value = record.values.get(spec.field)
        if value is None or value == []:
            continue
        cells[spec.column] = "; ".join(value) if spec.multiple else _text(value)
        cells |= access_points.cells(spec.column, record.supporting(spec.field))
    return cells


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "Y" if value else "N"
    return str(value)


def _dates(
    record: Exported, specs: Sequence[c.Date], access_points: AccessPoints, us: bool = False
) -> Cells:
    """Each date as SFM's platform writes it, and its flag, which is written even without it."""
    cells: Cells = {}
    for spec in specs:
        if spec.flag_column and spec.flag:
            cells[spec.flag_column] = _flag(record, spec.flag)
        value = record.values.get(spec.field)
        if not value:
            continue
        date = PartialDate.parse(str(value))
        if us:
            parts = _known_parts(date)
            cells |= {col: str(part) for col, part in zip(spec.parts, parts, strict=False)}
            cells[spec.column] = _us_date(parts)
            continue
        cells[spec.column] = sfm_date(date)
        cells |= dict(zip(spec.parts, sfm_date(date).split("-"), strict=True))
        cells |= access_points.cells(spec.column, record.supporting(spec.field))
    return cells


def _known_parts(date: PartialDate) -> list[int]:
    parts = [date.earliest.year, date.earliest.month, date.earliest.day]
    return parts[: {Precision.YEAR: 1, Precision.MONTH: 2, Precision.DAY: 3}[date.precision]]


def sfm_date(date: PartialDate) -> str:
    """`2008-00-00`, `2010-10-00`, `2010-10-05`: SFM's platform writes an unknown part as 00."""
    year, month, day = [*_known_parts(date), 0, 0][:3]
    return f"{year:04d}-{month:02d}-{day:02d}"


def _us_date(parts: list[int]) -> str:
    """SFM's incident dates: 10/21/2008, 10/2008 or 2008."""
    year, *month_day = parts
    return "/".join([*map(str, month_day), str(year)])


def _flag(record: Exported, flag: c.Flag) -> str:
    """The flag code whose fields the record has, or blank."""
    for code, fields in c.FLAG_FIELDS[flag].items():
        if all(record.values.get(k) == v for k, v in fields.items()):
            return code
    return ""


def _location(graph: GraphRecords, place_id: str) -> str:
    """`Name (osm) <uuid>` for SFM's places, `Name (silsila) place:…` for the others."""
    place = graph.get(place_id)
    name = str(place.values.get("name", place_id)) if place else place_id
    origin = "osm" if place_id.startswith(f"place:{c.SFM}") else "silsila"
    return f"{name} ({origin}) {c.external_id('place', place_id)}"


def _name(graph: GraphRecords, record_id: str) -> str:
    record = graph.get(record_id)
    return str(record.values.get("name", "")) if record else ""


# ----- the files ------------------------------------------------------------------------------


def _unit_rows(graph: GraphRecords, access_points: AccessPoints) -> Iterator[Cells]:
    """One row per relation and per site of each unit (one row if it has neither)."""
    for unit in graph.of_type(Label.ORGANIZATION):
        row = {
            c.STATUS_COLUMNS[c.UNITS]: c.IMPORTABLE_STATUS,
            c.UNIT_ID: c.external_id("org", unit.id),
        }
        row |= _values(unit, c.UNIT_VALUES, access_points)
        row |= _dates(unit, c.UNIT_DATES, access_points)
        relations = graph.claims(Label.UNIT_RELATION, "child", unit.id)
        sites = graph.claims(Label.UNIT_SITE, "organization", unit.id)
        extra = [_relation(graph, r, access_points) for r in relations]
        extra += [_site(graph, s, access_points) for s in sites]
        for cells in extra or [{}]:
            yield row | cells


def _relation(graph: GraphRecords, relation: Exported, access_points: AccessPoints) -> Cells:
    parent = str(relation.values.get("parent", ""))
    kind = next(k for k, v in c.RELATIONS.items() if v == relation.values.get("relation"))
    cells = {
        c.RELATION_TYPE: kind,
        c.RELATED_UNIT_ID: c.external_id("org", parent),
        c.RELATED_UNIT: _name(graph, parent),
    }
    cells |= access_points.cells(c.RELATED_UNIT, relation.supporting("parent"))
    return cells | _dates(relation, c.RELATION_DATES, access_points)


def _site(graph: GraphRecords, site: Exported, access_points: AccessPoints) -> Cells:
    kind = next(k for k, v in c.SITE_KINDS.items() if v == site.values.get("site_kind"))
    cells = {c.LOCATION_TYPE: kind}
    if place := site.values.get("place"):
        cells[c.LOCATION] = _location(graph, str(place))
        cells |= access_points.cells(c.LOCATION, site.supporting("place"))
    cells |= _values(site, [c.BASE_NAME], access_points)
    return cells | _dates(site, c.SITE_DATES, access_points)


def _persons(graph: GraphRecords) -> list[Exported]:
    """Every person but those whose identity is restricted (a witness under an alias)."""
    return [p for p in graph.of_type(Label.PERSON) if not p.values.get("restricted")]


def _person_rows(graph: GraphRecords, access_points: AccessPoints) -> Iterator[Cells]:
    """One row per posting of each person (one row if they have none)."""
    for person in _persons(graph):
        row = {
            c.STATUS_COLUMNS[c.PERSONS]: c.IMPORTABLE_STATUS,
            c.PERSON_ID: c.external_id("person", person.id),
        }
        row |= _values(person, c.PERSON_VALUES, access_points)
        postings = graph.claims(Label.POSTING, "person", person.id)
        for cells in [_posting(graph, p, access_points) for p in postings] or [{}]:
            yield row | cells


def _posting(graph: GraphRecords, posting: Exported, access_points: AccessPoints) -> Cells:
    unit = str(posting.values.get("organization", ""))
    cells = {c.POSTING_UNIT_ID: c.external_id("org", unit), c.POSTING_UNIT_NAME: _name(graph, unit)}
    cells |= access_points.cells(c.POSTING_UNIT, posting.supporting("organization"))
    cells |= _values(posting, c.POSTING_VALUES, access_points)
    if role := cells.get(c.POSTING_ROLE.column):
        cells[c.POSTING_ROLE.column] = c.COMMAND_ROLES.get(role, role)  # in SFM's spelling
    cells |= _dates(posting, c.POSTING_DATES, access_points)
    lines = str(posting.values.get("description", "")).splitlines()
    for column, label in c.POSTING_CONTEXTS:
        for line in (x for x in lines if x.startswith(label)):
            cells[column] = line.removeprefix(label)
            cells |= access_points.cells(column, posting.supporting("description"))
    return cells


def _extra_rows(graph: GraphRecords, access_points: AccessPoints) -> Iterator[Cells]:
    """A row for each person with a gender, a date of birth or a known death."""
    specs = (c.GENDER, c.BIRTH_DATE, c.DECEASED)
    for person in _persons(graph):
        cells = _values(person, specs, access_points)
        if cells:
            yield {
                c.EXTRA_NAME: str(person.values.get("name", "")),
                c.EXTRA_ID: c.external_id("person", person.id),
                **cells,
            }


def _incident_rows(graph: GraphRecords, access_points: AccessPoints) -> Iterator[Cells]:
    """One row per event, with its perpetrators (persons and units) and every access point."""
    for event in graph.of_type(Label.EVENT):
        row = {
            c.STATUS_COLUMNS[c.INCIDENTS]: c.IMPORTABLE_STATUS,
            c.INCIDENT_ID: c.external_id("event", event.id),
            c.LOCATION_DESCRIPTION: str(event.values.get("place_description", "")),
            c.VIOLATION_TYPE: "; ".join(event.values.get("classification", [])),
            c.VIOLATION_DESCRIPTION: str(event.values.get("description", "")),
        }
        row |= _dates(event, c.INCIDENT_DATES, access_points, us=True)
        if place := event.values.get("place"):
            row[c.INCIDENT_LOCATION] = _location(graph, str(place))
        perpetrators = [
            a
            for a in graph.claims(Label.ATTRIBUTION, "event", event.id)
            if a.values.get("role") == "perpetrator"
        ]
        citations = event.citations + [x for a in perpetrators for x in a.citations]
        row[c.INCIDENT_SOURCE] = access_points.ids(citations)
        actors = [str(a.values.get("actor", "")) for a in perpetrators]
        row |= _perpetrators(graph, actors, Label.PERSON, "person", c.PERPETRATOR_PERSONS)
        row |= _perpetrators(graph, actors, Label.ORGANIZATION, "org", c.PERPETRATOR_UNITS)
        yield row


def _perpetrators(
    graph: GraphRecords, actors: list[str], label: str, prefix: str, columns: tuple[str, str]
) -> Cells:
    found = [a for a in actors if (r := graph.get(a)) is not None and r.label == label]
    if not found:
        return {}
    return {
        columns[0]: ";".join(c.external_id(prefix, a) for a in found),
        columns[1]: ";".join(_name(graph, a) for a in found),
    }
