"""Security Force Monitor's platform data (sfm-cms Django fixtures) as the WWIC spreadsheets.

`convert(folder)` does both and returns the data, for a test to compute what it expects from.
`SfmData.load(SFM_FIXTURES)` reads the fixtures (the files overlap: each (model, pk) counts
once) into units, unit relations, persons, postings and access points, each value with the
access points and confidence SFM cites it with; `write_wwic(data, folder)` writes them as the
five CSV files, in the column layout of SFM's importer test files (`SFM_LAYOUT`). Dates stay
as SFM stores them (`2008-00-00`, `2010-10-00`), with year, month and day columns split from
them as SFM's own export does. A unit's aliases and classifications are one `;`-separated cell
cited by all their access points; its headquarters are `site` rows with a base name; SFM's
confidence codes 1, 2, 3 are Low, Medium, High. Tests convert into a temporary folder: SFM's
data is never copied into the project.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.conftest import REPO

PEERS = REPO.parent / "shared" / "peers"
SFM_FIXTURES = PEERS / "sfm-cms-real" / "fixtures"
SFM_LAYOUT = PEERS / "sfm-importer"
WWIC_FILES = ("units.csv", "persons.csv", "persons_extra.csv", "incidents.csv", "sources.csv")
CONFIDENCE = {"1": "Low", "2": "Medium", "3": "High"}  # SFM's codes, as its spreadsheets write them
LEVELS = ("Low", "Medium", "High")
Row = dict[str, str]


@dataclass(frozen=True)
class Cited:
    """One value as SFM stores it, with the access points citing it and their confidence."""

    value: Any
    access_points: tuple[str, ...]
    confidence: str


def iso_date(found: Cited | None) -> str | None:
    """SFM's stored date as an ISO partial date: `2008-00-00` -> `2008`, `2010-10-00` ->
    `2010-10` (worked out here, not by the importer under test)."""
    if found is None:
        return None
    return str(found.value).removesuffix("-00").removesuffix("-00")


@dataclass(frozen=True)
class Span:
    """A cited interval as SFM stores it: dates as written, flags as its codebook codes."""

    first_cited: Cited | None = None
    real_start: str = ""  # Y, N or blank
    last_cited: Cited | None = None
    end_flag: str = ""  # units and relations: open-ended Y, N or E; postings: real end Y, N


@dataclass(frozen=True)
class Unit:
    uuid: str
    name: Cited
    aliases: list[Cited]
    classifications: list[Cited]
    country: Cited | None
    span: Span
    headquarters: list[Cited]


@dataclass(frozen=True)
class Relation:
    """A composition (`child`: CHILD is under PARENT) or a unit membership (`member`)."""

    kind: str
    pk: int
    child: str  # the uuid of the unit below, or of the member
    parent: str
    link: Cited  # the access points citing the relation
    classification: Cited | None
    span: Span


@dataclass(frozen=True)
class Person:
    uuid: str
    name: Cited
    aliases: list[Cited]
    country: Cited | None


@dataclass(frozen=True)
class Posting:
    pk: int
    person: str
    unit: str
    link: Cited
    role: Cited | None  # the role's name ("Commander"), not SFM's key
    rank: Cited | None
    title: Cited | None
    span: Span
    start_context: Cited | None
    end_context: Cited | None


@dataclass
class SfmData:
    """The fixtures' records, resolved: ids are uuids, roles and ranks their names."""

    units: dict[str, Unit] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    persons: dict[str, Person] = field(default_factory=dict)
    postings: list[Posting] = field(default_factory=list)
    access_points: dict[str, dict[str, Any]] = field(default_factory=dict)
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path = SFM_FIXTURES) -> SfmData:
        return _Reader(_records(folder)).data()

    def compositions(self) -> list[Relation]:
        return [r for r in self.relations if r.kind == "child"]


def _records(folder: Path) -> dict[str, dict[Any, dict[str, Any]]]:
    """model -> pk -> fields, each (model, pk) once however many files hold it."""
    found: dict[str, dict[Any, dict[str, Any]]] = defaultdict(dict)
    for path in sorted(folder.glob("*.json")):
        for record in json.loads(path.read_text(encoding="utf-8")):
            found[record["model"]][record["pk"]] = record["fields"]
    return found


class _Reader:
    def __init__(self, records: dict[str, dict[Any, dict[str, Any]]]) -> None:
        self._records = records
        self._org_uuid = {pk: f["uuid"] for pk, f in records["organization.organization"].items()}
        self._person_uuid = {pk: f["uuid"] for pk, f in records["person.person"].items()}
        self._refs: dict[str, dict[Any, list[tuple[Any, dict[str, Any]]]]] = {}

    def _values(self, model: str, ref: Any) -> list[Cited]:
        """The values of attribute MODEL (e.g. `organization.organizationalias`) of record REF."""
        return [
            Cited(f["value"], tuple(f["accesspoints"]), CONFIDENCE.get(f["confidence"], ""))
            for _, f in sorted(self._by_ref(model).get(ref, []))
        ]

    def _by_ref(self, model: str) -> dict[Any, list[tuple[Any, dict[str, Any]]]]:
        """(pk, fields) of MODEL's records, by the record they describe."""
        if model not in self._refs:
            by_ref: dict[Any, list[tuple[Any, dict[str, Any]]]] = defaultdict(list)
            for pk, fields in self._records[model].items():
                by_ref[fields["object_ref"]].append((pk, fields))
            self._refs[model] = by_ref
        return self._refs[model]

    def _one(self, model: str, ref: Any, pick: Any = min) -> Cited | None:
        """The attribute's value; of several (two first cited dates), the one PICK chooses."""
        values = self._values(model, ref)
        return pick(values, key=lambda x: str(x.value)) if values else None

    def _flag(self, model: str, ref: Any) -> str:
        """A flag as its code: a boolean as Y or N, an open-ended code as it is."""
        found = self._one(model, ref)
        if found is None or found.value is None:
            return ""
        if isinstance(found.value, bool):
            return "Y" if found.value else "N"
        return str(found.value)

    def _span(self, prefix: str, ref: Any, first: str, last: str, end: str) -> Span:
        return Span(
            self._one(f"{prefix}{first}", ref),
            self._flag(f"{prefix}realstart", ref),
            self._one(f"{prefix}{last}", ref, max),
            self._flag(f"{prefix}{end}", ref),
        )

    def data(self) -> SfmData:
        data = SfmData()
        for pk, uuid in sorted(self._org_uuid.items()):
            data.units[uuid] = self._unit(pk, uuid)
        for pk, uuid in sorted(self._person_uuid.items()):
            data.persons[uuid] = self._person(pk, uuid)
        data.relations = [
            self._relation("child", "composition.composition", pk, "child", "parent")
            for pk in sorted(self._records["composition.composition"])
        ] + [
            self._relation(
                "member", "membershiporganization.membershiporganization", pk, "member",
                "organization",
            )
            for pk in sorted(self._records["membershiporganization.membershiporganization"])
        ]  # fmt: skip
        data.postings = [
            self._posting(pk) for pk in sorted(self._records["membershipperson.membershipperson"])
        ]
        data.access_points = dict(self._records["source.accesspoint"])
        data.sources = dict(self._records["source.source"])
        return data

    def _unit(self, pk: int, uuid: str) -> Unit:
        o = "organization.organization"
        (name,) = self._values(f"{o}name", pk)
        return Unit(
            uuid,
            name,
            self._values(f"{o}alias", pk),
            self._values(f"{o}classification", pk),
            self._one(f"{o}divisionid", pk),
            self._span(o, pk, "firstciteddate", "lastciteddate", "openended"),
            self._values(f"{o}headquarters", pk),
        )

    def _person(self, pk: int, uuid: str) -> Person:
        p = "person.person"
        (name,) = self._values(f"{p}name", pk)
        return Person(uuid, name, self._values(f"{p}alias", pk), self._one(f"{p}divisionid", pk))

    def _relation(self, kind: str, model: str, pk: int, below: str, above: str) -> Relation:
        child = self._one(f"{model}{below}", pk)
        parent = self._one(f"{model}{above}", pk)
        if child is None or parent is None:
            raise ValueError(f"{model} {pk} lacks a {below} or an {above}")
        dates = ("startdate", "enddate") if kind == "child" else ("firstciteddate", "lastciteddate")
        return Relation(
            kind,
            pk,
            self._org_uuid[child.value],
            self._org_uuid[parent.value],
            parent,
            self._one(f"{model}classification", pk),
            self._span(model, pk, *dates, "openended"),
        )

    def _posting(self, pk: int) -> Posting:
        m = "membershipperson.membershipperson"
        person, unit = self._one(f"{m}member", pk), self._one(f"{m}organization", pk)
        if person is None or unit is None:
            raise ValueError(f"{m} {pk} lacks a person or a unit")
        return Posting(
            pk,
            self._person_uuid[person.value],
            self._org_uuid[unit.value],
            unit,
            self._named(self._one(f"{m}role", pk), "membershipperson.role"),
            self._named(self._one(f"{m}rank", pk), "membershipperson.rank"),
            self._one(f"{m}title", pk),
            self._span(m, pk, "firstciteddate", "lastciteddate", "realend"),
            self._one(f"{m}startcontext", pk),
            self._one(f"{m}endcontext", pk),
        )

    def _named(self, key: Cited | None, model: str) -> Cited | None:
        """A role or rank given by its key, as its name."""
        if key is None:
            return None
        name = self._records[model][key.value]["value"]
        return Cited(name, key.access_points, key.confidence)


# ----- the spreadsheets ------------------------------------------------------------------


def layout(name: str) -> list[str]:
    """The columns of one WWIC file, in order, as SFM's importer test file has them."""
    with (SFM_LAYOUT / name).open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def convert(folder: Path, fixtures: Path = SFM_FIXTURES) -> SfmData:
    """SFM's FIXTURES written as the five WWIC files in FOLDER; the data they hold."""
    data = SfmData.load(fixtures)
    write_wwic(data, folder)
    return data


def write_wwic(data: SfmData, folder: Path) -> dict[str, list[Row]]:
    """Write DATA as the five WWIC files in FOLDER; the rows written, by file."""
    units = data.units
    tables = {
        "units.csv": [row for unit in units.values() for row in _unit_rows(data, unit)],
        "persons.csv": [row for p in data.persons.values() for row in _person_rows(data, p)],
        "persons_extra.csv": [],
        "incidents.csv": [],
        "sources.csv": [_access_point_row(data, ap) for ap in sorted(data.access_points)],
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=layout(name), extrasaction="raise")
            writer.writeheader()
            writer.writerows(rows)
    return tables


def _cited(column: str, found: Cited | None) -> Row:
    if found is None:
        return {}
    return _sourced(column, str(found.value), [found])


def _listed(column: str, found: Sequence[Cited]) -> Row:
    """A `;`-separated cell of several values, cited by all their access points."""
    if not found:
        return {}
    return _sourced(column, "; ".join(str(x.value) for x in found), found)


def _sourced(column: str, value: str, found: Iterable[Cited]) -> Row:
    found = list(found)
    access_points = sorted({a for x in found for a in x.access_points})
    lowest = min((x.confidence for x in found), key=LEVELS.index)
    return {
        column: value,
        f"{column}:source": ";".join(access_points),
        f"{column}:confidence": lowest,
    }


def _date(column: str, found: Cited | None) -> Row:
    """A date as SFM stores it, split into year, month and day as SFM's own export does."""
    if found is None:
        return {}
    year, month, day = str(found.value).split("-")
    parts = {f"{column}_year": year, f"{column}_month": month, f"{column}_day": day}
    return _cited(column, found) | parts


def _span(span: Span, first: str, start_flag: str, last: str, end_flag: str) -> Row:
    row = _date(first, span.first_cited) | _date(last, span.last_cited)
    return row | {start_flag: span.real_start, end_flag: span.end_flag}


def _country(found: Cited | None) -> Cited | None:
    """`ocd-division/country:mx` -> `mx`, as the spreadsheets write a country."""
    if found is None:
        return None
    return Cited(str(found.value).rsplit(":", 1)[-1], found.access_points, found.confidence)


def _unit_rows(data: SfmData, unit: Unit) -> list[Row]:
    """One row per relation of which the unit is the lower end, and per headquarters."""
    base = {"unit:status:admin": "3", "unit:id:admin": unit.uuid}
    base |= _cited("unit:name", unit.name) | _listed("unit:other_names", unit.aliases)
    base |= _listed("unit:classification", unit.classifications)
    base |= _cited("unit:country", _country(unit.country))
    base |= _span(
        unit.span,
        "unit:first_cited_date",
        "unit:first_cited_date_start",
        "unit:last_cited_date",
        "unit:last_cited_date_open",
    )
    extra = [_relation_cells(data, r) for r in data.relations if r.child == unit.uuid]
    extra += [
        {"unit:location_type": "site"} | _cited("unit:base_name", hq) for hq in unit.headquarters
    ]
    return [base | cells for cells in extra or [{}]]


def _relation_cells(data: SfmData, relation: Relation) -> Row:
    parent = data.units[relation.parent]
    cells = {
        "unit:relation_type": relation.kind,
        "unit:related_unit_id:admin": relation.parent,
    }
    cells |= _cited("unit:related_unit", Cited(parent.name.value, *_citing(relation.link)))
    cells |= _cited("unit:related_unit_class", relation.classification)
    return cells | _span(
        relation.span,
        "unit:related_unit_first_cited_date",
        "unit:related_unit_first_cited_date_start",
        "unit:related_unit_last_cited_date",
        "unit:related_unit_open",
    )


def _citing(found: Cited) -> tuple[tuple[str, ...], str]:
    return found.access_points, found.confidence


def _person_rows(data: SfmData, person: Person) -> list[Row]:
    """One row per posting of the person."""
    base = {"person:status:admin": "3", "person:id:admin": person.uuid}
    base |= _cited("person:name", person.name) | _listed("person:other_names", person.aliases)
    base |= _cited("person:country", _country(person.country))
    postings = [p for p in data.postings if p.person == person.uuid]
    return [base | cells for cells in [_posting_cells(data, p) for p in postings] or [{}]]


def _posting_cells(data: SfmData, posting: Posting) -> Row:
    unit = data.units[posting.unit]
    p = "person:posting"
    cells = {f"{p}_unit_id:admin": posting.unit, f"{p}_unit_name": str(unit.name.value)}
    link = _cited(f"{p}_unit", posting.link)
    cells |= {k: v for k, v in link.items() if k != f"{p}_unit"}  # only its source columns exist
    cells |= _cited(f"{p}_role", posting.role) | _cited(f"{p}_rank", posting.rank)
    cells |= _cited(f"{p}_title", posting.title)
    cells |= _cited(f"{p}_first_cited_date_start_context", posting.start_context)
    cells |= _cited(f"{p}_last_cited_date_end_context", posting.end_context)
    return cells | _span(
        posting.span,
        f"{p}_first_cited_date",
        f"{p}_first_cited_date_start",
        f"{p}_last_cited_date",
        f"{p}_last_cited_date_end",
    )


def _access_point_row(data: SfmData, access_point: str) -> Row:
    point = data.access_points[access_point]
    source = data.sources.get(point["source"], {})
    page = point.get("page_number") or ""
    return {
        "source:access_point_id:admin": access_point,
        "source:title": source.get("title") or "",
        "source:url": source.get("source_url") or "",
        "source:published_timestamp": source.get("published_on") or "",
        "source:publication_name": source.get("publication") or "",
        "source:publication_country": source.get("publication_country") or "",
        "source:created_timestamp": source.get("date_added") or "",
        "source:access_point_type": "page" if page else "",
        "source:access_point_trigger": page,
        "source:archive_url": point.get("archive_url") or "",
        "source:accessed_timestamp": point.get("accessed_on") or "",
    }
