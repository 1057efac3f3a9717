"""Events and their accountability: attributions, chains at the event's dates, tolls."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from graph.asof import PartialDate, Precision
from graph.db import queries
from graph.db.kept import kept
from graph.db.reader import Reader
from graph.errors import NotFoundError
from graph.reads import models
from graph.reads.command import chains_with_sanctions
from graph.reads.rows import MAX_ROWS, attribution, entity, event_row
from graph.reads.sanctions import sanction
from ontology.terms import Label


def _no_event(event_id: str) -> NotFoundError:
    return NotFoundError(f"No event with id {event_id!r}.")


def event_span(event: models.EventSummary) -> PartialDate | None:
    """The days the event may have taken place on, for as-of questions."""
    if event.start is None:
        return None
    start = PartialDate.parse(event.start)
    end = PartialDate.parse(event.end) if event.end else start
    if start == end:
        return start
    return PartialDate(start.earliest, max(end.latest, start.latest), Precision.DAY)


async def attributions_of(reader: Reader, event_id: str) -> list[models.Attribution]:
    rows = await reader.rows(queries.ATTRIBUTIONS_OF_EVENT, event=event_id, limit=MAX_ROWS)
    return [attribution(r["attribution"]) for r in rows]


async def event_accountability(reader: Reader, event_id: str) -> models.Accountability:
    """Every attribution, each attributed unit's chain at the event's dates, linked persons,
    and the sanctions on anyone who appears.

    Two round trips: the event with its attributions and their actors' sanctions; every chain
    at once with the sanctions on its units and the people posted to them."""
    rows = await reader.rows(queries.EVENT_WITH_ATTRIBUTIONS, event=event_id, limit=MAX_ROWS)
    if not rows:
        raise _no_event(event_id)
    event = event_row(rows[0]["event"])
    claims = [attribution(a) for a in rows[0]["attributions"]]
    span = event_span(event)
    organizations = {a.actor.id: a.actor for a in claims if a.actor.type == Label.ORGANIZATION}
    chains: list[models.Chain] = []
    found = [sanction(s) for s in rows[0]["sanctions"]]
    if span is not None and organizations:
        chains, above = await chains_with_sanctions(
            reader, [(unit_id, span) for unit_id in sorted(organizations)]
        )
        found += above
    persons = [a for a in claims if a.actor.type == Label.PERSON]
    appearing = set(organizations) | {a.actor.id for a in persons}
    appearing |= {
        c.person.id for chain in chains for level in chain.levels for c in level.commanders
    }
    appearing |= {level.unit.id for chain in chains for level in chain.levels}
    return models.Accountability(
        event=event,
        attributions=claims,
        chains=chains,
        linked_persons=persons,
        sanctions=_in_order([s for s in found if s.entity.id in appearing]),
    )


def _in_order(found: list[models.Sanction]) -> list[models.Sanction]:
    """Each sanction once, oldest listing first and undated last (ISO dates sort as text)."""
    unique = {s.id: s for s in found}
    return sorted(unique.values(), key=lambda s: (s.listing_date is None, s.listing_date, s.id))


async def casualty_estimates(reader: Reader, event_id: str) -> models.Casualties:
    """Every figure with its source, kind and as-of date, side by side, and their range."""
    found = await casualties_of(reader, [event_id])
    if event_id not in found:
        raise _no_event(event_id)
    return found[event_id][1]


async def casualties_of(
    reader: Reader, event_ids: Sequence[str]
) -> dict[str, tuple[models.EventSummary, models.Casualties]]:
    """Each event asked that exists, with its `casualty_estimates`, in one round trip."""
    rows = await reader.rows(queries.EVENTS_WITH_CASUALTIES, events=list(event_ids), limit=MAX_ROWS)
    found = {}
    for row in rows:
        event = event_row(row["event"])
        found[event.id] = (event, _casualties(event, row["estimates"]))
    return {event_id: found[event_id] for event_id in event_ids if event_id in found}


def _casualties(event: models.EventSummary, rows: list[dict[str, Any]]) -> models.Casualties:
    estimates = [
        models.CasualtyEstimate(
            **{k: v for k, v in r.items() if k not in ("claimed_by", "citations")},
            claimed_by=entity(r["claimed_by"]),
            citations=[models.Citation(**c) for c in r["citations"]],
        )
        for r in rows
    ]
    whole = [e.killed for e in estimates if e.killed is not None and e.scope is None]
    return models.Casualties(
        event=models.Entity(id=event.id, type=Label.EVENT, name=event.name, labels=event.kinds),
        estimates=estimates,
        low=min(whole) if whole else None,
        high=max(whole) if whole else None,
    )


@dataclass(frozen=True)
class EventFilter:
    """What `events` filters on; every field optional."""

    date_from: PartialDate | None = None
    date_to: PartialDate | None = None
    place: str | None = None
    perpetrator: str | None = None
    include_subordinates: bool = False
    kind: str | None = None
    min_killed: int | None = None
    source: str | None = None


EVENT_SORTS = tuple(queries.EVENT_SORTS)
LIST_PAGE = 500  # events a whole-list walk reads per round trip


@dataclass(frozen=True)
class ListedAttribution:
    """An attribution as an event list shows it: who, in what role, according to whom (the
    claimant, else the sources citing it)."""

    role: str
    actor: models.Entity
    claimed_by: models.Entity | None
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListedEvent:
    """An event as a list shows it: every attribution, and the range of whole-event tolls
    (the range its page and `/events/{id}/casualties` give)."""

    event: models.EventSummary
    attributions: list[ListedAttribution]
    low: int | None
    high: int | None


async def events(
    reader: Reader, where: EventFilter, limit: int = 100, offset: int = 0, sort: str = "date"
) -> models.EventPage:
    """Events matching the filter, in the order SORT names (oldest first), a page at a time.
    The count is kept until the graph changes, so turning pages pays for it once; each page
    is found from the filter's index (events_filtered), or, where the filters match many
    events and the order is by date, by walking the date index until the page is full."""
    params = await _filter_params(reader, where)
    counts = await _counts(reader, params)
    items: list[models.EventSummary] = []
    if offset < counts.total:
        walk_from = date_walk_offset(params, sort, counts, limit, offset)
        if walk_from is None:
            items = await _page(reader, params, sort, limit, offset)
        else:
            statement = queries.events_by_date(frozenset(params), descending=sort == "-date")
            rows = await reader.rows(statement, **params, limit=limit, offset=walk_from)
            items = [event_row(r) for r in rows]
    return models.EventPage(items=items, total=counts.total, limit=limit, offset=offset)


@dataclass(frozen=True)
class EventCounts:
    """How many events a filter finds (`total`), how many of those are dated, and how many
    events the graph holds."""

    total: int
    dated: int
    events: int


async def _counts(reader: Reader, params: dict[str, Any]) -> EventCounts:
    """The filter's counts, kept until the graph changes (they read every match)."""

    async def count() -> EventCounts:
        statement = queries.events_filtered(frozenset(params), count_only=True)
        return EventCounts(**(await reader.rows(statement, **params))[0])

    key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    return await kept(reader, "event_counts", key, count)


def date_walk_offset(
    params: dict[str, Any], sort: str, counts: EventCounts, limit: int, offset: int
) -> int | None:
    """Where in the dated matches a walk of the date index starts the page, or None where
    finding every match from the filter's own index costs less: the order is not by date, a
    filter cannot be checked while walking (queries.DATE_WALK_FILTERS), the page reaches the
    undated events, or the walk would pass more events than the filter finds (walking
    visits about events / total events per match)."""
    if sort not in ("date", "-date") or not set(params) <= queries.DATE_WALK_FILTERS:
        return None
    undated = counts.total - counts.dated
    start = offset if sort == "date" else offset - undated
    if start < 0 or (sort == "date" and undated and start + limit > counts.dated):
        return None
    if (start + limit) * counts.events > counts.total * counts.total:
        return None
    return start


async def every_event(
    reader: Reader, where: EventFilter, sort: str = "date"
) -> AsyncIterator[list[ListedEvent]]:
    """Every event matching the filter, as `listed`, LIST_PAGE events at a time: a download
    of a whole list holds one page in memory, never the list."""
    params = await _filter_params(reader, where)
    offset, page = 0, LIST_PAGE
    while True:
        items = await _page(reader, params, sort, page, offset)
        if items:
            yield await listed(reader, items)
        if len(items) < page:
            return
        offset += page


async def listed(reader: Reader, items: Sequence[models.EventSummary]) -> list[ListedEvent]:
    """ITEMS with their attributions and whole-event toll ranges, in one round trip."""
    rows = await reader.rows(queries.EVENTS_LISTED, events=[e.id for e in items], limit=MAX_ROWS)
    found = {r["id"]: r for r in rows}
    return [_listed(event, found.get(event.id)) for event in items]


def _listed(event: models.EventSummary, row: dict[str, Any] | None) -> ListedEvent:
    killed: list[int] = row["killed"] if row else []
    claims = [
        ListedAttribution(
            a["role"], actor, entity(a["claimed_by"]), tuple(dict.fromkeys(a["sources"]))
        )
        for a in (row["attributions"] if row else [])
        if (actor := entity(a["actor"])) is not None
    ]
    return ListedEvent(event, claims, min(killed, default=None), max(killed, default=None))


async def _filter_params(reader: Reader, where: EventFilter) -> dict[str, Any]:
    """The statement parameters of the filters given (names in queries.EVENT_FILTERS)."""
    perpetrators = await _perpetrators(reader, where)
    given = {
        "from": None if where.date_from is None else where.date_from.earliest.isoformat(),
        "to": None if where.date_to is None else where.date_to.latest.isoformat(),
        "place": where.place,
        "perpetrators": perpetrators or None,
        "kind": where.kind,
        "min_killed": where.min_killed,
        "source": where.source,
    }
    return {name: value for name, value in given.items() if value is not None}


async def _page(
    reader: Reader, params: dict[str, Any], sort: str, limit: int, offset: int
) -> list[models.EventSummary]:
    statement = queries.events_filtered(frozenset(params), sort=sort)
    rows = await reader.rows(statement, **params, limit=limit, offset=offset)
    return [event_row(r) for r in rows]


async def _perpetrators(reader: Reader, where: EventFilter) -> list[str]:
    """The actor, and with include_subordinates every unit below it (at any time), bounded."""
    if where.perpetrator is None:
        return []
    if not where.include_subordinates:
        return [where.perpetrator]
    rows = await reader.rows(queries.SUBORDINATE_IDS, unit=where.perpetrator, limit=MAX_ROWS)
    return [where.perpetrator] + [r["id"] for r in rows if r["id"] != where.perpetrator]


STAT_QUERIES = {
    "party": queries.EVENT_STATS_BY_PARTY,
    "governorate": queries.EVENT_STATS_BY_GOVERNORATE,
    "month": queries.EVENT_STATS_BY_MONTH,
}


async def event_stats(reader: Reader, group_by: str, source: str | None) -> models.Stats:
    """Report-style tables: events and their whole-event death tolls by party, governorate or
    month, optionally only the events one source describes; each table is kept until the
    graph changes (it reads every attributed event)."""
    return await kept(
        reader, "event_stats", (group_by, source), lambda: _stats(reader, group_by, source)
    )


async def _stats(reader: Reader, group_by: str, source: str | None) -> models.Stats:
    rows = await reader.rows(STAT_QUERIES[group_by], source=source, limit=MAX_ROWS)
    return models.Stats(group_by=group_by, source=source, rows=[models.StatRow(**r) for r in rows])
