"""One ACLED export row -> an Event with its involved actors, places, fatalities and citation.

ACLED's actor1 and actor2 carry no direction (the codebook: they do not imply attacker or
defender), so every actor is an Attribution with role `involved` and the column it came from
as `slot`, never a perpetrator or a victim. Ids derive from the event id and from names, so a
re-import, or the same place in another chunk, yields the same records.
"""

from __future__ import annotations

from typing import Any

from loaders.formats import UNGRADED
from loaders.pipeline import Record
from loaders.tabular import Dataset, Row, coordinates, key, place_id, place_record

SOURCE = "source:acled"
ACLED = "org:acled"
PREFIX = "acled"
COLUMNS = (
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
)
TIME_PRECISIONS = ("1", "2", "3")  # day; within a week of the day; within the month
GEO_PRECISIONS = ("1", "2", "3")  # the place; near it; only the province (capital's point)
ONLY_PROVINCE = "3"
ONLY_MONTH = "3"
# Only the sub-event types that name one Silsila kind unambiguously; the rest are `other`.
EVENT_KINDS = {
    "air/drone strike": "airstrike",
    "shelling/artillery/missile attack": "shelling",
    "armed clash": "clashes",
    "suicide bomb": "bombing",
    "arrests": "arrest",
}
# inter1/inter2 (codes before 2024, labels after) -> org_kind; others are `other`.
ACTOR_KINDS = {
    "1": "armed_force",
    "state forces": "armed_force",
    "2": "armed_group",
    "rebel group": "armed_group",
    "rebel groups": "armed_group",
    "3": "militia",
    "political militia": "militia",
    "political militias": "militia",
    "4": "militia",
    "identity militia": "militia",
    "identity militias": "militia",
}
GOVERNMENT = "Government of "  # ACLED's name for a state itself, not its forces
ADMIN_LEVELS = (("admin1", "governorate"), ("admin2", "district"), ("admin3", "subdistrict"))
ACTOR_SLOTS = (
    ("actor1", "inter1"),
    ("assoc_actor_1", None),  # inter1 types actor1 only
    ("actor2", "inter2"),
    ("assoc_actor_2", None),
)
CIVILIAN_TARGETING = "civilian targeting"


DATASET = Dataset(
    source_id=SOURCE,
    title="ACLED (Armed Conflict Location & Event Data)",
    url="https://acleddata.com",
    publisher_id=ACLED,
    publisher_name="ACLED",
    publisher_full_name="ACLED (Armed Conflict Location & Event Data)",
    publisher_aliases=("Armed Conflict Location & Event Data",),
    publisher_kind="monitoring_ngo",
    event_locator="event {id}",
    id_column="event_id_cnty",
)


def row_records(row: Row) -> list[Record]:
    """The records of one ACLED row, the shared ones it needs first; none if it has problems."""
    event_id = row.identifier("event_id_cnty", "an ACLED event id, e.g. SYR12345")
    event_key = f"{PREFIX}-{event_id.lower()}"
    event_date = row.text("event_date")
    date = row.date("event_date")  # partial if the cell is: "2023-03", "March 2023"
    time_precision = row.code("time_precision", TIME_PRECISIONS)
    fatalities = row.integer("fatalities")
    places, event_place, place_name = _places(row)
    actors = _actors(row, event_id, event_key)
    event_type, sub_event_type = row.text("event_type"), row.text("sub_event_type")
    event: dict[str, Any] = {
        "id": f"event:{event_key}",
        "name": f"{sub_event_type or event_type or 'Event'} in {place_name}, {event_date}",
        "event_kind": EVENT_KINDS.get(sub_event_type.lower(), "other"),
        "start": date[:7] if time_precision == ONLY_MONTH else date,
        "date_precision": time_precision,
        "geo_precision": row.text("geo_precision"),
        "place": event_place,
        **_codes(row),
        "citations": [_citation(row, event_id)],
    }
    if extra := row.unused():  # after every read: what no field took, kept verbatim
        event["classification"] = extra
    records = [
        row.record("Source", DATASET.source()),
        row.record("Organization", DATASET.publisher()),
        *places,
        *(row.record("Organization", actor) for actor, _ in actors),
        row.record("Event", event),
        *(row.record("Attribution", a | {"event": event["id"]}) for _, a in actors),
    ]
    if fatalities is not None:
        records.append(row.record("CasualtyCount", _fatalities(event_id, event_key, fatalities)))
    return records


def _codes(row: Row) -> dict[str, Any]:
    """ACLED's own categories, each only if the export has it."""
    codes: dict[str, Any] = {
        name: value
        for name in ("disorder_type", "event_type", "sub_event_type")
        if (value := row.text(name))
    }
    if not row.has("civilian_targeting"):  # exports before 2023 lack the column
        return codes
    targeting = row.text("civilian_targeting")
    if targeting and targeting.lower() != CIVILIAN_TARGETING:
        row.problem("civilian_targeting", f"{targeting!r}: write `Civilian targeting` or nothing")
    codes["civilian_targeting"] = bool(targeting)
    return codes


def _citation(row: Row, event_id: str) -> dict[str, str]:
    """The event's citation: its id, the sources ACLED names, and the notes verbatim."""
    sources = row.text("source")
    details = [f"sources: {sources}"] if sources else []
    return DATASET.citation(event_id, details, row.text("notes"))


def _places(row: Row) -> tuple[list[Record], str, str]:
    """Country, admin1-3 and location chained by `within`; the event's place id and name.

    With geo_precision 3 ACLED knows only the province and codes its capital's point: the
    event's place is then admin1, and the capital's names and point are left to `unused`.
    """
    country = row.required("country", "the country's name")
    path = [key(country)]
    event_place = place_id(PREFIX, path)
    records = [place_record(row, SOURCE, event_place, country, "country", "country", None)]
    place_name = country
    exact = row.code("geo_precision", GEO_PRECISIONS) != ONLY_PROVINCE
    for column, kind in ADMIN_LEVELS if exact else ADMIN_LEVELS[:1]:
        name = row.text(column)
        path.append(key(name) if name else "")
        if name:
            within, event_place = event_place, place_id(PREFIX, path)
            records.append(place_record(row, SOURCE, event_place, name, kind, column, within))
            place_name = name
    location = row.text("location") if exact else ""
    if location:
        path += [""] * (len(ADMIN_LEVELS) + 1 - len(path)) + [key(location)]
        within, event_place = event_place, place_id(PREFIX, path)
        place = place_record(row, SOURCE, event_place, location, "other", "location", within)
        place.properties.update(coordinates(row))
        records.append(place)
        place_name = location
    return records, event_place, place_name


def _actors(row: Row, event_id: str, event_key: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(Organization, Attribution) for every actor named, assoc actors split on `;`."""
    found = []
    for slot, inter_column in ACTOR_SLOTS:
        inter = row.text(inter_column) if inter_column else ""
        for name in (n.strip() for n in row.text(slot).split(";")):
            if not name:
                continue
            actor = _actor(name, inter)
            attribution: dict[str, Any] = {
                "id": f"attribution:{event_key}-{slot}-{key(name)}",
                "actor": actor["id"],
                "role": "involved",
                "slot": slot,
                "claimed_by": ACLED,
                "credibility": UNGRADED,
                "citations": [DATASET.cell(event_id, slot)],
            }
            if inter:
                attribution["inter"] = inter
            found.append((actor, attribution))
    return found


def _actor(name: str, inter: str) -> dict[str, Any]:
    kind = "state" if name.startswith(GOVERNMENT) else ACTOR_KINDS.get(inter.lower(), "other")
    return {
        "id": f"org:{PREFIX}-{key(name)}",
        "name": name,
        "org_kind": kind,
        "citations": [{"source": SOURCE, "locator": "actor columns", "quote": name}],
    }


def _fatalities(event_id: str, event_key: str, killed: int) -> dict[str, Any]:
    return {
        "id": f"casualty:{event_key}",
        "event": f"event:{event_key}",
        "killed": killed,
        "count_kind": "reported",
        "claimed_by": ACLED,
        "credibility": UNGRADED,
        "citations": [DATASET.cell(event_id, "fatalities")],
    }


def prefer_typed_actor(kept: Record, again: Record) -> Record:
    """Of one actor named twice in a chunk, keep the record whose inter code gave a kind.

    An associated actor has no inter code of its own (kind `other`); the same actor named
    as actor1 or actor2 elsewhere in the chunk has one.
    """
    typed = [r for r in (kept, again) if r.properties.get("org_kind") != "other"]
    return typed[0] if typed else kept
