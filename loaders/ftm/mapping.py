"""FtM entities -> Silsila records, one function per FtM schema (see docs/formats/ftm.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from followthemoney import EntityProxy

from loaders.ftm.evidence import citations, evidence_of, file_source
from loaders.ftm.ids import derived_id, from_ftm, to_ftm
from loaders.ftm.reader import Dropped, EntityIndex, Line
from loaders.ftm.row import Converted, Row, Target
from ontology.model import OTHER_KIND
from ontology.model import load as load_ontology

ACTORS = ("Person", "Organization")
# Authorities whose sanction `country` is one of these act for several states.
INTERNATIONAL_COUNTRIES = {"eu", "zz"}
# FtM topics that name an organisation's kind outright.
ORG_KIND_OF_TOPIC = {
    "gov.security": "security_agency",
    "mil": "armed_force",
    "gov.igo": "international_body",
    "pol.party": "political_body",
}
OCCUPANCY_ROLE = "holder"  # FtM's own word: an Occupancy's holder occupies a post
# The reason of the warning for an entity of a schema Silsila has no record type for.
UNIMPORTED_SCHEMA = "a FollowTheMoney schema Silsila does not import: entity left out"


@dataclass(frozen=True)
class Interest:
    """How an FtM interest (Membership, Employment, Directorship) maps to a posting, or to a
    unit relation when the holder is itself an organisation."""

    holder: str  # the FtM property naming the person (or organisation)
    organization: str
    role: str  # the Posting role
    relation: str | None  # the UnitRelation relation for an organisation holder
    holder_is_parent: bool = False


INTERESTS = {
    "Membership": Interest("member", "organization", "member", "member"),
    "Employment": Interest("employee", "employer", "employee", None),
    "Directorship": Interest("director", "organization", "director", "command", True),
}


def convert(
    proxy: EntityProxy, line: Line, index: EntityIndex, dropped: list[Dropped] | None = None
) -> Converted:
    """The records of one valid FtM entity, or the problems that keep it from having any;
    DROPPED are its values FtM refused, said in its warnings."""
    row = Row(proxy, line, index)
    mapper = next((m for name, m in MAPPERS if proxy.schema.is_a(name)), None)
    if mapper is None:
        text = (
            f"FollowTheMoney {proxy.schema.name} has no Silsila record type; left out (see "
            "docs/formats/ftm.md for the schemas read)"
        )
        row.warn("schema", text, UNIMPORTED_SCHEMA)
        return row.result
    mapper(row)
    row.report_dropped(dropped or [])
    return row.result


def _person(row: Row) -> None:
    name, aliases = row.names("alias", "weakAlias", "previousName")
    deaths = row.values("deathDate")
    if deaths:
        row.note(f"date of death: {'; '.join(deaths)}")
    if places := row.values("birthPlace"):
        row.note(f"place of birth: {'; '.join(places)}")
    row.emit(
        "Person",
        {
            "id": row.own_id("Person"),
            "name": name,
            "aliases": aliases,
            "birth_date": row.dates("birthDate"),
            "gender": row.single("gender"),
            "nationality": row.values("nationality", "citizenship"),
            "country": row.single("country"),
            "positions": row.values("position"),
            "deceased": True if deaths else None,
            "citations": citations(row),
            "description": row.description(),
        },
    )


def _organization(row: Row) -> None:
    name, aliases = row.names("alias", "abbreviation", "weakAlias", "previousName")
    row.emit(
        "Organization",
        {
            "id": row.own_id("Organization"),
            "name": name,
            "aliases": aliases,
            "org_kind": _kind(row, "Organization", ORG_KIND_OF_TOPIC),
            "country": row.single("country"),
            "classification": row.values("classification"),
            **_tenure(row, "incorporationDate", "dissolutionDate"),
            "citations": citations(row),
            "description": row.description(),
        },
    )


def _place(row: Row) -> None:
    names = row.values("full", "name") or [", ".join(row.values("city", "region", "country"))]
    if not names[0]:
        row.problem("full", "an Address needs `full` (or `name`, `city`, `region`) to name it")
        return
    for part in ("street", "city", "region", "postalCode"):
        if found := row.values(part):
            row.note(f"{part}: {'; '.join(found)}")
    row.emit(
        "Place",
        {
            "id": row.own_id("Place"),
            "name": names[0],
            "aliases": list(dict.fromkeys([*names[1:], *row.values("alias")])),
            "place_kind": _kind(row, "Place"),
            "country": row.single("country"),
            "latitude": row.number("latitude"),
            "longitude": row.number("longitude"),
            "citations": citations(row),
            "description": row.description(),
        },
    )


def _event(row: Row) -> None:
    name, aliases = row.names("alias")
    event_id = row.own_id("Event")
    place = row.ref("addressEntity", ("Place",))
    evidence = citations(row)
    start = row.date("startDate")
    if start is None:
        start = row.date("date")
    elif dates := row.values("date"):
        row.note(f"date: {'; '.join(dates)}")
    for role in ("involved", "organizer"):
        for actor in row.refs(role, ACTORS):
            row.emit(
                "Attribution",
                {
                    "id": derived_id("Attribution", row.ftm_id, role, actor.ftm_id),
                    "event": event_id,
                    "actor": actor.id,
                    "role": role,
                    "citations": evidence,
                },
            )
    row.emit(
        "Event",
        {
            "id": event_id,
            "name": name,
            "aliases": aliases,
            "event_kind": _kind(row, "Event"),
            "start": start,
            "end": row.date("endDate"),
            "place": place.id if place else None,
            "place_description": row.single("location"),
            "citations": evidence,
            "description": row.description(),
        },
    )


def _sanction(row: Row) -> None:
    entity = row.ref("entity", ACTORS, required=True)
    if entity is None:
        return
    authority = row.single("authority")
    listed = row.date("listingDate") or row.date("date")  # `date`: when it was decided
    row.emit(
        "Sanction",
        {
            "id": row.own_id("Sanction"),
            "entity": entity.id,
            "authority": _authority(row, authority) if authority else None,
            "authority_id": row.single("authorityId"),
            "program": row.values("program"),
            "program_id": row.single("programId"),
            "program_url": row.single("programUrl"),
            "provisions": row.values("provisions"),
            "sanction_status": row.single("status"),
            "reason": row.single("reason"),
            "country": row.single("country"),
            "listing_date": listed,
            "start_date": row.date("startDate"),
            "end_date": row.date("endDate"),
            "citations": citations(row),
            "description": row.description(),
        },
    )


def _authority(row: Row, name: str) -> str:
    """The Organization of a sanctioning authority: the one the files hold under its id (as
    an export writes it), else one made from what the files say of the authority itself: its
    name, and its country when every Sanction naming it gives the same one."""
    authority_id = derived_id("Organization", "authority", name)
    ftm_id = to_ftm(authority_id)
    if row.index.schema_of(ftm_id) is not None:
        row.need(ftm_id, "authority")
        return authority_id
    known = row.index.authorities.get(name)
    countries = sorted(known.countries) if known else []
    country = countries[0] if len(countries) == 1 else None
    if country is None:
        kind = OTHER_KIND
    else:
        kind = "international_body" if country in INTERNATIONAL_COUNTRIES else "state"
    # cited to the file naming it, as the entity the export writes it as
    named_in = Line(known.file, 0, 0) if known else row.line
    authority = {
        "id": authority_id,
        "name": name,
        "org_kind": kind,
        "country": country,
        "citations": [{"source": file_source(row, named_in), **evidence_of(ftm_id)}],
    }
    return row.emit_shared("Organization", {k: v for k, v in authority.items() if v})


def _interest(row: Row) -> None:
    spec = next(i for name, i in INTERESTS.items() if row.proxy.schema.is_a(name))
    holder = row.ref(spec.holder, ACTORS, required=True)
    organization = row.ref(spec.organization, ("Organization",), required=True)
    if holder is None or organization is None:
        return
    if status := row.values("status"):
        row.note(f"status: {'; '.join(status)}")
    if holder.record_type == "Organization":
        _unit_relation(row, spec, holder, organization)
        return
    row.emit(
        "Posting",
        {
            "id": row.own_id("Posting"),
            "person": holder.id,
            "organization": organization.id,
            "role": spec.role,
            "title": row.single("role"),
            **_tenure(row, "startDate", "endDate"),
            "citations": citations(row),
            "description": row.description(),
        },
    )


def _unit_relation(row: Row, spec: Interest, holder: Target, organization: Target) -> None:
    if spec.relation is None:
        row.problem(spec.holder, f"{holder.ftm_id!r} is an organisation; it must be a Person")
        return
    parent, child = (holder, organization) if spec.holder_is_parent else (organization, holder)
    if roles := row.values("role"):
        row.note(f"role: {'; '.join(roles)}")
    row.emit(
        "UnitRelation",
        {
            "id": row.own_id("UnitRelation"),
            "parent": parent.id,
            "child": child.id,
            "relation": spec.relation,
            **_tenure(row, "startDate", "endDate"),
            "citations": citations(row),
            "description": row.description(),
        },
    )


def _occupancy(row: Row) -> None:
    """A Position is a post, not a body: its holder's Posting is in the Position's
    `organization`, titled with the Position's name."""
    holder = row.ref("holder", ("Person",), required=True)
    post_id = row.single("post") or ""
    if row.index.schema_of(post_id) is None and from_ftm(post_id) is None:
        row.refs("post", (), required=True)  # in none of the files: left out, with a warning
        return

    loaded = row.index.load(post_id)
    if loaded is None or not loaded[0].schema.is_a("Position"):
        row.problem("post", f"{post_id!r} is not a valid Position entity of the file(s)")
        return
    position, position_line = loaded
    organization = row.ref("organization", ("Organization",), proxy=position)
    if organization is None:
        row.problem(
            "post",
            f"the Position {post_id!r} names no organization: Silsila records a post within "
            "an organisation, so give the Position its `organization`",
        )
        return
    if holder is None:
        return
    if status := row.values("status"):
        row.note(f"status: {'; '.join(status)}")
    row.emit(
        "Posting",
        {
            "id": row.own_id("Posting"),
            "person": holder.id,
            "organization": organization.id,
            "role": OCCUPANCY_ROLE,
            "title": row.values("name", proxy=position)[0],
            **_tenure(row, "startDate", "endDate"),
            "citations": citations(row) + citations(row, position, position_line),
            "description": row.description(),
        },
    )


def _document(row: Row) -> None:
    names = row.values("name", "title", "fileName", "sourceUrl")
    published = row.date("publishedAt")
    file = row.single("fileName")
    kinds = row.values("keywords")  # the export writes a Source's kind there
    row.emit(
        "Source",
        {
            "id": row.own_id("Source"),
            "name": names[0] if names else f"FollowTheMoney document {row.ftm_id}",
            "title": row.single("title"),
            # FtM requires a fileName: one that only repeats the name is the export's filler
            "file": file if file not in row.values("name") else None,
            "url": row.single("sourceUrl"),
            "publisher": row.single("publisher"),
            "author": row.single("author"),
            "published": published or row.date("date"),
            "retrieved": row.single("retrievedAt"),
            "kind": kinds[0] if kinds else row.proxy.schema.label.lower(),
        },
    )


def _position(row: Row) -> None:
    """A post yields no record of its own: its occupancies read it."""


def _kind(row: Row, label: str, by_topic: dict[str, str] | None = None) -> str:
    """The kind an FtM keyword names exactly (as the exporter writes it), else the kind
    a topic names, else `other`."""
    kinds = load_ontology().kind_values(label)
    keyword = next((k for k in row.values("keywords") if k in kinds), None)
    topic = next((t for t in row.values("topics") if t in (by_topic or {})), None)
    return keyword or (by_topic or {}).get(topic or "", OTHER_KIND)


def _tenure(row: Row, start: str, end: str) -> dict[str, Any]:
    """An FtM start and end date: they are a real start and end, not first and last
    mentions."""
    first, last = row.date(start), row.date(end)
    return {
        "first_cited": first,
        "first_cited_is_start": True if first else None,
        "last_cited": last,
        "last_cited_is_end": True if last else None,
    }


MAPPERS: tuple[tuple[str, Callable[[Row], None]], ...] = (
    ("Person", _person),
    ("LegalEntity", _organization),
    ("Address", _place),
    ("Event", _event),
    ("Document", _document),
    ("Sanction", _sanction),
    ("Membership", _interest),
    ("Employment", _interest),
    ("Directorship", _interest),
    ("Occupancy", _occupancy),
    ("Position", _position),
)
