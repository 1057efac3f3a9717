"""Turn parsed SNHR incidents into records (Event, Place, Attribution, CasualtyCount)."""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterable, Mapping
from typing import Any

from loaders.formats import UNGRADED
from loaders.names import slug
from loaders.pipeline import Record
from loaders.snhr.parser import Incident, ParseResult

DEFAULT_SOURCE = "source:003_25bd39c06e840184"
PREFIX = "snhr-import"  # every id carries it, so none collides with the curated dataset
KINDS = {"city": "city", "town": "town", "village": "village", "other": "other"}


def to_records(
    result: ParseResult,
    source_id: str = DEFAULT_SOURCE,
    known_places: Mapping[str, str] | None = None,
) -> list[Record]:
    """Records for every parsed incident, in report order, with deterministic ids.

    KNOWN_PLACES maps a lowercase place name ("douma") to an existing place id; such places
    are linked, not created. Other places get a Place record within their governorate.
    """
    known = {k.lower(): v for k, v in (known_places or {}).items()}
    file = str(result.path)
    records: list[Record] = []
    places: set[str] = set()
    for incident in result.incidents:
        records += _incident_records(incident, source_id, file, known, places)
    return records


def _incident_records(
    incident: Incident, source: str, file: str, known: dict[str, str], places: set[str]
) -> list[Record]:
    locator = f"{incident.locator} (paragraph {incident.number})"

    def cite(quote: str) -> list[dict[str, str]]:
        return [{"source": source, "locator": locator, "quote": quote}]

    def record(label: str, properties: dict[str, Any]) -> Record:
        return Record(label, properties, file, incident.line)

    out: list[Record] = []
    gov = incident.governorate.removeprefix("place:").removesuffix("-governorate")
    base = f"place:{PREFIX}-{gov}" + (f"-{slug(incident.place)}" if incident.place else "")
    place_id = incident.governorate
    place_name = None
    if incident.place:
        place_name = incident.place
        place_id = known.get(incident.place.lower(), "")
        if not place_id:
            place_id = base
            if place_id not in places:
                places.add(place_id)
                out.append(
                    record(
                        "Place",
                        {
                            "id": place_id,
                            "name": incident.place,
                            "place_kind": KINDS.get(incident.place_kind or "", "other"),
                            "within": incident.governorate,
                            "citations": cite(incident.place_quote or incident.event_quote),
                        },
                    )
                )
    if incident.neighbourhood:
        hood_id = known.get(incident.neighbourhood.lower(), "")
        if not hood_id:
            hood_id = f"{base}-{slug(incident.neighbourhood)}"
            if hood_id not in places:
                places.add(hood_id)
                out.append(
                    record(
                        "Place",
                        {
                            "id": hood_id,
                            "name": incident.neighbourhood,
                            "place_kind": "neighbourhood",
                            "within": place_id,
                            "citations": cite(incident.neighbourhood_quote or incident.event_quote),
                        },
                    )
                )
        place_id, place_name = hood_id, incident.neighbourhood

    date = incident.date or "undated"
    key = f"{PREFIX}-{date}-{slug(place_name or incident.governorate_heading)}-{incident.number}"
    event_id = f"event:{key}"
    event: dict[str, Any] = {
        "id": event_id,
        "name": _event_name(incident, place_name),
        "event_kind": "massacre",
        "place": place_id,
        "citations": cite(incident.event_quote),
    }
    if incident.date:
        event["start"] = incident.date
    if incident.time_of_day:
        event["time_of_day"] = incident.time_of_day
    if incident.means:
        event["means"] = list(incident.means)
    if len(incident.area_controllers) == 1:
        event["area_controlled_by"] = incident.area_controllers[0]
    out.append(record("Event", event))

    for party in incident.parties:
        attribution: dict[str, Any] = {
            "id": f"attribution:{key}-{slug(party.actor.removeprefix('org:'))}",
            "event": event_id,
            "actor": party.actor,
            "role": "perpetrator",
            "claimed_by": "org:snhr",
            "credibility": UNGRADED,
            "citations": [
                *cite(party.hedge or incident.party_quote),
                {
                    "source": source,
                    "locator": "II. Details, section heading",
                    "quote": incident.section_heading,
                },
            ],
        }
        if party.confidence:
            attribution["confidence"] = party.confidence
            attribution["citations"][0]["confidence"] = party.confidence
        if party.hedge:
            attribution["hedge"] = party.hedge
        out.append(record("Attribution", attribution))

    count: dict[str, Any] = {"id": f"casualty:{key}-snhr", "event": event_id}
    for name in ("killed", "children", "women", "wounded"):
        value = getattr(incident, name)
        if value is not None:
            count[name] = value
    count |= {
        "count_kind": "reported",
        "claimed_by": "org:snhr",
        "credibility": UNGRADED,
        "citations": cite(incident.casualty_quote),
    }
    out.append(record("CasualtyCount", count))
    return out


def _event_name(incident: Incident, place: str | None) -> str:
    where = place or incident.governorate_heading
    if incident.date is None:
        return f"{where} massacre (date not verified)"
    year, month, day = incident.date.split("-")
    return f"{where} massacre, {int(day)} {calendar.month_name[int(month)]} {year}"


def to_jsonl(records: Iterable[Record]) -> list[str]:
    """One JSON line per record, in the data/ format (`type` first)."""
    return [
        json.dumps({"type": r.label, **r.properties}, ensure_ascii=False, sort_keys=False)
        for r in records
    ]
