"""What each WhoWasInCommand row says, as parts of Silsila records.

A units.csv row gives its unit's values, and perhaps one relation and one site (with the
place the site is at); a persons.csv row gives its person's values and perhaps one posting;
a persons_extra.csv row more of the person's values; an incidents.csv row an event, its
place and one attribution per perpetrator; a sources.csv row one access point of a document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from loaders.limits import MAX_ID, shown, too_long
from loaders.wwic import columns as c
from loaders.wwic.parts import Citation, Part
from loaders.wwic.row_reader import RowReader
from ontology.terms import Label

# "Ciudad Juárez (osm, point) 48912ae1-…": a name, where it comes from, the location's id.
# The name ends in a non-space, so matching takes linear time, however long the cell.
LOCATION = re.compile(r"^(?P<name>.*\S)\s+\((?P<origin>[^()]*)\)\s+(?P<id>[^\s()]+)$")
OTHER = "other"
# Organization kinds a classification names; anything else is a military unit.
ORG_KINDS = (
    ("militia", "militia"),
    ("police", "security_agency"),
    ("gendarmerie", "security_agency"),
    ("intelligence", "security_agency"),
    ("armed group", "armed_group"),
)
MILITARY_UNIT = "military_unit"


@dataclass
class RowParts:
    """The parts a row gives: the entity it is about first, then its claims; and places."""

    entity: Part
    claims: list[Part] = field(default_factory=list)
    places: list[Part] = field(default_factory=list)


@dataclass(frozen=True)
class AccessPoint:
    """A sources.csv row: the citation fields of the access point and its document."""

    id: str
    citation: Citation
    source: dict[str, Any]


# ----- shared helpers -----------------------------------------------------------------


def _cite(reader: RowReader, part: Part, column: str, values: dict[str, Any]) -> bool:
    """Put VALUES on PART with COLUMN's citations; drop them (with a warning) if uncited."""
    citations = reader.citations(column, list(values))
    if citations is None:
        reader.dropped(column)
        return False
    part.cite(values, citations)
    return True


def _values(reader: RowReader, part: Part, specs: Sequence[c.Value]) -> None:
    for spec in specs:
        value: Any = reader.items(spec.column) if spec.multiple else reader.text(spec.column)
        if value:
            _cite(reader, part, spec.column, {spec.field: value})


def _dates(reader: RowReader, part: Part, specs: Sequence[c.Date], anchor: str) -> None:
    """Cited dates, each with the flags that qualify it, cited with it.

    A flag is a fact of its own (SFM often says a relation is open-ended without a last
    cited date): without its date, it is cited by what cites the record's ANCHOR field.
    """
    for spec in specs:
        date, flags = reader.date(spec), reader.flag(spec)
        if date is not None:
            _cite(reader, part, spec.column, {spec.field: date, **flags})
        elif flags:
            citing = [x for x in part.citations if anchor in x.get("supports", [anchor])]
            part.cite(flags, [{**x, "supports": list(flags)} for x in citing])


def _required_id(reader: RowReader, column: str, prefix: str) -> str:
    text = reader.identifier(column)
    if text == "":
        reader.problem(column, "is blank: every row needs the id of what it is about")
    return c.silsila_id(prefix, text or "")


def _name(reader: RowReader, part: Part, column: str) -> None:
    """The required name, which must be cited."""
    name = reader.required_text(column, "is blank: a name is required")
    if not name:
        return
    citations = reader.citations(column, ["name"])
    if citations is None:
        reader.problem(column, f"{shown(name)} has no source and no confidence; a name needs both")
    else:
        part.cite({"name": name}, citations)


@dataclass(frozen=True)
class Location:
    """A location cell: the place's id and name, and the Place part for SFM's own places."""

    place_id: str
    name: str
    part: Part | None


def _location(reader: RowReader, column: str, citations: list[Citation]) -> Location | None:
    """The place a location cell names; a Silsila place id is only linked to, not written."""
    text = reader.text(column)
    match = LOCATION.match(text)
    if match is None:
        reader.problem(column, f"{shown(text)} is not of the form 'Name (osm, point) id'")
        return None
    if len(match["id"]) > MAX_ID:
        reader.problem(column, f"the location's id {too_long(len(match['id']), MAX_ID)}")
        return None
    name, place_id = match["name"].strip(), c.silsila_id("place", match["id"])
    if ":" in match["id"]:
        return Location(place_id, name, None)
    values = {"name": name, "place_kind": OTHER}
    part = Part(Label.PLACE, place_id, reader.file, reader.line, values)
    part.citations = [{**x, "supports": ["name"]} for x in citations]
    return Location(place_id, name, part)


def org_kind(classification: Sequence[str]) -> str:
    """The Silsila kind a unit's classification names, else military unit."""
    words = " ".join(classification).lower()
    return next((kind for word, kind in ORG_KINDS if word in words), MILITARY_UNIT)


# ----- units.csv ----------------------------------------------------------------------


def unit_row(reader: RowReader) -> RowParts:
    """A unit's values, and the relation and the site this row adds."""
    org_id = _required_id(reader, c.UNIT_ID, "org")
    unit = Part(Label.ORGANIZATION, org_id, reader.file, reader.line)
    _name(reader, unit, c.UNIT_VALUES[0].column)
    _values(reader, unit, c.UNIT_VALUES[1:])
    unit.values["org_kind"] = org_kind(unit.values.get("classification", []))
    _dates(reader, unit, c.UNIT_DATES, "name")
    parts = RowParts(unit)
    if reader.text(c.RELATION_TYPE):
        parts.claims += _relation(reader, org_id)
    if any(reader.text(x) for x in (c.LOCATION_TYPE, c.LOCATION, c.BASE_NAME.column)):
        parts.claims += _site(reader, org_id, parts.places)
    return parts


def _relation(reader: RowReader, child: str) -> list[Part]:
    kind = reader.text(c.RELATION_TYPE).lower()
    relation = c.RELATIONS.get(kind)
    if relation is None:
        reader.problem(c.RELATION_TYPE, f"{shown(kind)} is not one of {', '.join(c.RELATIONS)}")
        return []
    parent = _required_id(reader, c.RELATED_UNIT_ID, "org")
    part = Part(Label.UNIT_RELATION, "", reader.file, reader.line, {"child": child})
    if not _cite(reader, part, c.RELATED_UNIT, {"parent": parent, "relation": relation}):
        return []  # a relation nothing cites is not imported
    _dates(reader, part, c.RELATION_DATES, "parent")
    first = str(part.values.get("first_cited", ""))
    part.id = c.derived_id("unitrel", child, parent, relation, first)
    return [part]


def _site(reader: RowReader, org_id: str, places: list[Part]) -> list[Part]:
    kind_text = reader.text(c.LOCATION_TYPE).lower()
    site_kind = c.SITE_KINDS.get(kind_text)
    if site_kind is None:
        reader.problem(
            c.LOCATION_TYPE, f"{shown(kind_text)} is not one of {', '.join(c.SITE_KINDS)}"
        )
        return []
    part = Part(Label.UNIT_SITE, "", reader.file, reader.line, {"organization": org_id})
    kind = {"site_kind": site_kind}  # cited by the location, else by the base name
    if reader.text(c.LOCATION):
        citations = reader.citations(c.LOCATION, ["place", "site_kind"])
        location = _location(reader, c.LOCATION, citations or [])
        if citations is None:
            reader.dropped(c.LOCATION)
        elif location is not None:
            part.cite({"place": location.place_id, **kind}, citations)
            places += [location.part] if location.part else []
    if base_name := reader.text(c.BASE_NAME.column):
        uncited_kind = {} if "site_kind" in part.values else kind
        _cite(reader, part, c.BASE_NAME.column, {"base_name": base_name, **uncited_kind})
    _dates(reader, part, c.SITE_DATES, "site_kind")
    if "site_kind" not in part.values:
        return []  # a site that neither a location nor a base name places is not imported
    key = [str(part.values.get(k, "")) for k in ("place", "base_name", "first_cited")]
    part.id = c.derived_id("site", org_id, site_kind, *key)
    return [part]


# ----- persons.csv and persons_extra.csv ----------------------------------------------


def person_row(reader: RowReader) -> RowParts:
    """A person's values, and the posting this row adds."""
    person_id = _required_id(reader, c.PERSON_ID, "person")
    person = Part(Label.PERSON, person_id, reader.file, reader.line)
    _name(reader, person, c.PERSON_VALUES[0].column)
    _values(reader, person, c.PERSON_VALUES[1:])
    parts = RowParts(person)
    if unit_id := reader.identifier(c.POSTING_UNIT_ID):
        parts.claims += _posting(reader, person_id, unit_id)
    return parts


def _posting(reader: RowReader, person_id: str, unit_id: str) -> list[Part]:
    org_id = c.silsila_id("org", unit_id)
    part = Part(Label.POSTING, "", reader.file, reader.line, {"person": person_id})
    if not _cite(reader, part, c.POSTING_UNIT, {"organization": org_id}):
        return []  # a posting nothing cites is not imported
    _values(reader, part, c.POSTING_VALUES)
    role = str(part.values.get("role", ""))
    if role.lower() in c.COMMAND_ROLES:
        part.values["role"] = role.lower()
    _dates(reader, part, c.POSTING_DATES, "organization")
    _contexts(reader, part)
    key = [str(part.values.get(k, "")) for k in ("role", "title", "rank", "first_cited")]
    part.id = c.derived_id("posting", person_id, org_id, *key)
    return [part]


def _contexts(reader: RowReader, part: Part) -> None:
    """The start and end context, as labelled lines of the description."""
    lines = []
    for column, label in c.POSTING_CONTEXTS:
        text = reader.text(column)
        citations = reader.citations(column, ["description"]) if text else None
        if text and citations is None:
            reader.dropped(column)
        elif text and citations is not None:
            lines.append(label + text)
            part.citations += citations
    if lines:
        part.values["description"] = "\n".join(lines)


def extra_row(reader: RowReader) -> RowParts:
    """More of a person's values: gender, date of birth, whether deceased."""
    person_id = _required_id(reader, c.EXTRA_ID, "person")
    person = Part(Label.PERSON, person_id, reader.file, reader.line)
    if gender := reader.text(c.GENDER.column):
        _cite(reader, person, c.GENDER.column, {"gender": gender})
    if birth := reader.full_date(c.BIRTH_DATE.column):
        _cite(reader, person, c.BIRTH_DATE.column, {"birth_date": [birth]})
    deceased = reader.yes_no(c.DECEASED.column)
    if deceased is not None:
        _cite(reader, person, c.DECEASED.column, {"deceased": deceased})
    return RowParts(person)


# ----- incidents.csv ------------------------------------------------------------------


def incident_row(reader: RowReader) -> RowParts:
    """An event, its place, and one perpetrator attribution per person and unit named."""
    event_id = _required_id(reader, c.INCIDENT_ID, "event")
    citations = reader.row_citations(c.INCIDENT_SOURCE)
    if not citations and not reader.problems and not reader.causes:
        reader.problem(c.INCIDENT_SOURCE, "is blank: an incident needs its access point ids")
    event = Part(Label.EVENT, event_id, reader.file, reader.line, {"event_kind": OTHER})
    event.citations = citations
    parts = RowParts(event)
    _incident_values(reader, event.values)
    location = None
    if reader.text(c.INCIDENT_LOCATION):
        location = _location(reader, c.INCIDENT_LOCATION, citations)
    if location is not None:
        event.values["place"] = location.place_id
        parts.places += [location.part] if location.part else []
    event.values["name"] = _event_name(event.values, location)
    for column, prefix in ((c.PERPETRATOR_PERSONS[0], "person"), (c.PERPETRATOR_UNITS[0], "org")):
        for actor in reader.identifiers(column):
            parts.claims.append(_perpetrator(reader, event_id, c.silsila_id(prefix, actor)))
    for claim in parts.claims:
        claim.citations = citations
    return parts


def _incident_values(reader: RowReader, values: dict[str, Any]) -> None:
    if types := reader.items(c.VIOLATION_TYPE):
        values["classification"] = types
    for name, column in (
        ("description", c.VIOLATION_DESCRIPTION),
        ("place_description", c.LOCATION_DESCRIPTION),
    ):
        if text := reader.text(column):
            values[name] = text
    for spec in c.INCIDENT_DATES:
        if date := reader.date(spec):
            values[spec.field] = date


def _event_name(values: dict[str, Any], location: Location | None) -> str:
    """A name from what the row says, since SFM gives incidents none: types, place, date."""
    words = ["; ".join(values.get("classification", [])) or "Incident"]
    words += [location.name] if location else []
    words += [str(values["start"])] if "start" in values else []
    return ", ".join(words)


def _perpetrator(reader: RowReader, event_id: str, actor: str) -> Part:
    values = {"event": event_id, "actor": actor, "role": "perpetrator"}
    return Part(
        Label.ATTRIBUTION,
        c.derived_id("attribution", event_id, actor),
        reader.file,
        reader.line,
        values,
    )


# ----- sources.csv --------------------------------------------------------------------


def access_point_row(reader: RowReader) -> AccessPoint:
    """An access point: its document as a Source record, its own fields for citations."""
    access_point = reader.identifier(c.ACCESS_POINT_ID)
    if access_point == "":
        reader.problem(c.ACCESS_POINT_ID, "is blank: every access point needs its id")
    access_point = access_point or ""
    source: dict[str, Any] = {k: reader.text(col) for k, col in c.DOCUMENT_COLUMNS}
    source = {k: v for k, v in source.items() if v}
    if published := reader.full_date(c.PUBLISHED):
        source["published"] = published
    restricted = reader.text(c.RESTRICTED).lower()
    if restricted in ("1", "true", "y"):
        source["restricted"] = True
    elif restricted not in ("", "0", "false", "n"):
        reader.problem(c.RESTRICTED, f"{shown(restricted)} is not 1 or 0")
    source["name"] = (
        source.get("title") or source.get("publisher") or source.get("url") or access_point
    )
    source["id"] = c.derived_id("source", json.dumps(source, sort_keys=True))
    citation: Citation = {"source": source["id"], "locator": "", "access_point": access_point}
    citation |= {k: v for k, col in c.ACCESS_POINT_COLUMNS if (v := reader.text(col))}
    citation["locator"] = _locator(citation)
    return AccessPoint(access_point, citation, source)


def _locator(citation: Citation) -> str:
    """Where in the source: "page 12", "clip 1:31-1:40", the trigger alone, or the access point."""
    kind, page = citation.get("access_point_kind"), citation.get("page")
    if page:
        return f"{kind} {page}" if kind else str(page)
    return f"access point {citation['access_point']}"
