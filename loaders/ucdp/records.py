"""One UCDP GED row -> an Event with its two sides, places, death estimates and citation.

Side A and side B become Attributions with roles `side_a` and `side_b` (UCDP's own terms,
not perpetrator and victim); in one-sided violence (type 3) side B is "Civilians", the
target, so that Attribution's role is `target`. The best, low and high estimates are three
counts; the deaths per side are counts with a `scope`, parts of the best estimate.
"""

from __future__ import annotations

import re
from typing import Any

from graph.asof import PartialDate
from loaders.formats import UNGRADED
from loaders.pipeline import Record
from loaders.tabular import Dataset, Row, coordinates, key, place_id, place_record

SOURCE = "source:ucdp-ged"
UCDP = "org:ucdp"
PREFIX = "ucdp"
COLUMNS = (
    "id",
    "type_of_violence",
    "conflict_name",
    "dyad_name",
    "side_a_new_id",
    "side_a",
    "side_b_new_id",
    "side_b",
    "source_article",
    "source_headline",
    "where_prec",
    "where_coordinates",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "country",
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
)
TYPES_OF_VIOLENCE = ("1", "2", "3")  # state-based, non-state, one-sided
ONE_SIDED = "3"
DATE_PRECISIONS = ("1", "2", "3", "4", "5")
EXACT_DATE = "1"  # date_prec 1: the days are the event's; else only the range is known
WHERE_PRECISIONS = ("1", "2", "3", "4", "5", "6", "7")
# where_prec: 1-2 the named spot and its point; 3 a district; 4 a province; 5 a named area
# (its point only stands in); 6 the country; 7 a named sea or airspace (in no country).
ADMIN_LEVELS = (("adm_1", "governorate"), ("adm_2", "district"))
ADMIN_DEPTH = {"4": 1, "6": 0, "7": 0}  # admin levels the event's place goes down to
AT_NAMED_SPOT = {"1", "2", "5", "7"}
WITH_POINT = {"1", "2"}
OFFSHORE = "7"
ESTIMATES = (("best", "best_estimate"), ("low", "low_estimate"), ("high", "high_estimate"))
DEATHS = (
    ("deaths_a", "side A deaths"),
    ("deaths_b", "side B deaths"),
    ("deaths_civilians", "civilian deaths"),
    ("deaths_unknown", "deaths of unknown status"),
)
CITED_FIELDS = ("source_article", "source_office", "source_date", "source_original")
GOVERNMENT = "Government of "
CIVILIANS = "civilians"
ACTOR_ID = re.compile(r"^\d+$")
# The kind word UCDP puts after a place's name ("Ariha town", "Ariha district").
PLACE_KINDS = {
    "city": "city",
    "town": "town",
    "village": "village",
    "neighbourhood": "neighbourhood",
    "neighborhood": "neighbourhood",
    "district": "district",
    "governorate": "governorate",
    "province": "governorate",
}


DATASET = Dataset(
    source_id=SOURCE,
    title="UCDP Georeferenced Event Dataset (GED)",
    url="https://ucdp.uu.se/downloads/",
    publisher_id=UCDP,
    publisher_name="UCDP",
    publisher_full_name="Uppsala Conflict Data Program (UCDP), Uppsala University",
    publisher_aliases=("Uppsala Conflict Data Program",),
    publisher_kind="other",  # a university research programme
    event_locator="UCDP GED event {id}",
    id_column="id",
)


def row_records(row: Row) -> list[Record]:
    """The records of one GED row, the shared ones it needs first; none if it has problems."""
    event_id = row.identifier("id", "a UCDP GED event id, e.g. 244657")
    event_key = f"{PREFIX}-{event_id.lower()}"
    violence = row.code("type_of_violence", TYPES_OF_VIOLENCE)
    date_precision = row.code("date_prec", DATE_PRECISIONS)
    start, end = _dates(row.date("date_start"), row.date("date_end"), date_precision)
    places, event_place, place_name = _places(row)
    sides = _sides(row, event_id, event_key, violence)
    counts = _counts(row, event_id, event_key)
    dyad = row.text("dyad_name") or row.text("conflict_name")
    when = start if start == end else f"{start} to {end}"
    event: dict[str, Any] = {
        "id": f"event:{event_key}",
        "name": f"{dyad}, {place_name}, {when}" if dyad else f"{place_name}, {when}",
        "event_kind": "other",  # GED does not say how the deaths came about
        "start": start,
        "end": end,
        "date_precision": date_precision,
        "geo_precision": row.text("where_prec"),
        "place": event_place,
        "type_of_violence": violence,
        **_present(
            conflict_name=row.text("conflict_name"),
            place_description=row.text("where_description"),
        ),
        "citations": [_citation(row, event_id)],
    }
    if violence == ONE_SIDED:
        event["civilian_targeting"] = True  # UCDP's definition of one-sided violence
    if extra := row.unused():  # after every read: what no field took, kept verbatim
        event["classification"] = extra
    return [
        row.record("Source", DATASET.source()),
        row.record("Organization", DATASET.publisher()),
        *places,
        *(row.record("Organization", actor) for actor, _ in sides),
        row.record("Event", event),
        *(row.record("Attribution", a | {"event": event["id"]}) for _, a in sides),
        *(row.record("CasualtyCount", c | {"event": event["id"]}) for c in counts),
    ]


def _dates(start: str, end: str, precision: str) -> tuple[str, str]:
    """`start` and `end` as precise as UCDP knows them.

    Unless date_prec is 1, date_start and date_end are the earliest and latest days the
    event may have been on. A range that is one whole month or year is that month or year
    (`2017-01-01`..`2017-01-31` -> `2017-01`), so no day in it reads as known; any other
    range keeps its days, the best a partial date can say of "that week".
    """
    if precision == EXACT_DATE or not (start and end):  # a date that is not one is a problem
        return start, end
    earliest, latest = PartialDate.parse(start).earliest, PartialDate.parse(end).latest
    for whole in (end[:7], end[:4]):
        span = PartialDate.parse(whole)
        if (span.earliest, span.latest) == (earliest, latest):
            return whole, whole
    return start, end


def _present(**fields: str) -> dict[str, str]:
    """The FIELDS that have a value (the record format omits a field rather than empty it)."""
    return {name: value for name, value in fields.items() if value}


def _citation(row: Row, event_id: str) -> dict[str, str]:
    """The event's citation: its id, UCDP's source fields, the headline (or article) quoted."""
    quote_column = "source_headline" if row.text("source_headline") else "source_article"
    cited = [
        f"{column}: {value}"
        for column in CITED_FIELDS
        if column != quote_column and (value := row.text(column))
    ]
    return DATASET.citation(event_id, cited, row.text(quote_column))


def _places(row: Row) -> tuple[list[Record], str, str]:
    """Country, adm_1, adm_2 and the named spot chained by `within`; the event's place.

    where_prec decides the level the event is at. A point that only stands in (for a
    district, a province, an area) is put on no place; it stays in the event's
    classification with the other unused cells.
    """
    precision = row.code("where_prec", WHERE_PRECISIONS)
    country = row.required("country", "the country's name")
    path = [key(country)]
    event_place = place_id(PREFIX, path)
    records = [place_record(row, SOURCE, event_place, country, "country", "country", None)]
    place_name = country
    for column, kind in ADMIN_LEVELS[: ADMIN_DEPTH.get(precision, len(ADMIN_LEVELS))]:
        name = row.text(column)
        path.append(key(name) if name else "")
        if name:
            within, event_place = event_place, place_id(PREFIX, path)
            records.append(place_record(row, SOURCE, event_place, name, kind, column, within))
            place_name = name
    spot = row.text("where_coordinates") if precision in AT_NAMED_SPOT else ""
    if not spot:
        return records, event_place, place_name
    path += [""] * (len(ADMIN_LEVELS) + 1 - len(path)) + [key(spot)]
    container = None if precision == OFFSHORE else event_place
    event_place = place_id(PREFIX, path)
    kind = PLACE_KINDS.get(spot.rsplit(" ", 1)[-1].lower(), "other")
    place = place_record(row, SOURCE, event_place, spot, kind, "where_coordinates", container)
    if precision in WITH_POINT:
        place.properties.update(coordinates(row))
    records.append(place)
    return records, event_place, spot


def _sides(
    row: Row, event_id: str, event_key: str, violence: str
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(Organization, Attribution) for side A and side B."""
    found = []
    for slot in ("side_a", "side_b"):
        name = row.required(slot, "the side's name as UCDP writes it")
        if not name:
            continue
        actor = _actor(name, row.optional_id(f"{slot}_new_id"))
        target = violence == ONE_SIDED and slot == "side_b" and name.lower() == CIVILIANS
        attribution = {
            "id": f"attribution:{event_key}-{slot}",
            "actor": actor["id"],
            "role": "target" if target else slot,
            "slot": slot,
            "claimed_by": UCDP,
            "credibility": UNGRADED,
            "citations": [DATASET.cell(event_id, slot)],
        }
        found.append((actor, attribution))
    return found


def _actor(name: str, ucdp_id: str) -> dict[str, Any]:
    """An actor, by UCDP's own actor id when the row gives one, else by name."""
    if name.startswith(GOVERNMENT):
        kind = "state"
    elif name.lower() == CIVILIANS:
        kind = "other"
    else:
        kind = "armed_group"  # GED's other sides are organised groups using armed force
    return {
        "id": f"org:{PREFIX}-{ucdp_id if ACTOR_ID.match(ucdp_id) else key(name)}",
        "name": name,
        "org_kind": kind,
        "citations": [{"source": SOURCE, "locator": "side_a and side_b columns", "quote": name}],
    }


def _counts(row: Row, event_id: str, event_key: str) -> list[dict[str, Any]]:
    """The best, low and high estimates, then the best estimate's deaths per side."""
    counts = []
    for column, count_kind, scope in [
        *((column, kind, None) for column, kind in ESTIMATES),
        *((column, "best_estimate", scope) for column, scope in DEATHS),
    ]:
        killed = row.integer(column)
        if killed is None:
            continue
        count: dict[str, Any] = {
            "id": f"casualty:{event_key}-{column.replace('_', '-')}",
            "killed": killed,
            "count_kind": count_kind,
            "claimed_by": UCDP,
            "credibility": UNGRADED,
            "citations": [DATASET.cell(event_id, column)],
        }
        if scope:
            count["scope"] = scope
        counts.append(count)
    return counts
