"""The investigative endpoints: each parses, calls graph/, and returns its Pydantic model."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response, StreamingResponse

from api.deps import AtDep, FromDep, ReaderDep, ToDep, optional_date
from api.limits import BUSY, Expensive
from api.models import not_found
from graph.asof import PartialDate
from graph.db.queries import MAX_DEPTH
from graph.db.reader import Reader
from graph.reads import (
    command,
    entities,
    events,
    explore,
    exposure,
    gaps,
    models,
    sanctions,
)
from graph.reads.search import find_by_name
from graph.render import tables

router = APIRouter()

MAX_LIMIT = 1000
MAX_COUNT = 10**9  # above any death toll, within Neo4j's 64-bit integers
ListedFrom = Annotated[
    PartialDate | None, Depends(optional_date("listed_from", "Listed on or after this date"))
]
ListedTo = Annotated[
    PartialDate | None, Depends(optional_date("listed_to", "Listed on or before this date"))
]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


@router.get("/search", response_model=models.SearchResults, tags=["search"])
async def search(
    reader: ReaderDep,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    type: Annotated[list[str] | None, Query(description="Only these types.")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> models.SearchResults:
    """Names and aliases in Latin and Arabic script, tolerant of transliteration."""
    return models.SearchResults(results=await find_by_name(reader, q, type or [], limit))


@router.get(
    "/entities/{entity_id}",
    response_model=models.EntityDetail,
    tags=["entities"],
    responses=not_found("record"),
)
async def entity(
    reader: ReaderDep,
    entity_id: str,
    limit: Annotated[
        int, Query(ge=1, le=entities.MAX_CLAIMS_PAGE, description="Claims in this page.")
    ] = entities.CLAIMS_PAGE,
    offset: Offset = 0,
) -> models.EntityDetail:
    """Any record with its facts, citations, links and one page of the claims naming it
    (`more` and `next_offset` say whether, and how, to ask for the next)."""
    return await entities.entity_detail(reader, entity_id, limit, offset)


@router.get(
    "/units/{unit_id}/commanders",
    response_model=models.Commanders,
    tags=["command"],
    responses=not_found("unit"),
)
async def commanders(reader: ReaderDep, unit_id: str, at: AtDep) -> models.Commanders:
    """Who held a command post in the unit on that date: certain or only possible."""
    return await command.unit_commanders(reader, unit_id, at)


@router.get(
    "/units/{unit_id}/chain",
    response_model=models.Chain,
    tags=["command"],
    responses=not_found("unit"),
)
async def chain(
    reader: ReaderDep,
    unit_id: str,
    at: AtDep,
    max_depth: Annotated[int, Query(ge=1, le=MAX_DEPTH)] = MAX_DEPTH,
) -> models.Chain:
    """The unit's superiors as they stood on that date, with each level's commanders; a level
    with nobody on record is listed in `gaps`."""
    return await command.chain_of_command(reader, unit_id, at, max_depth)


Format = Literal["json", "csv"]
CSV_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "With format=csv"}
}


async def event_filter(
    date_from: FromDep,
    date_to: ToDep,
    place: str | None = None,
    perpetrator: str | None = None,
    include_subordinates: bool = False,
    type: str | None = None,
    min_killed: Annotated[int | None, Query(ge=0, le=MAX_COUNT)] = None,
    source: str | None = None,
) -> events.EventFilter:
    """The filters of an event list, the API's and the page's."""
    return events.EventFilter(
        date_from, date_to, place, perpetrator, include_subordinates, type, min_killed, source
    )


EventFilterDep = Annotated[events.EventFilter, Depends(event_filter)]
EventSort = Annotated[
    Literal[events.EVENT_SORTS],  # type: ignore[valid-type]
    Query(description="date, name, place or killed; a leading - reverses it."),
]


@router.get("/events", response_model=models.EventPage, tags=["events"], responses=CSV_ANSWER)
async def list_events(
    reader: ReaderDep,
    where: EventFilterDep,
    sort: EventSort = "date",
    limit: Limit = 100,
    offset: Offset = 0,
    format: Format = "json",
) -> models.EventPage | Response:
    """Events by date range, place (a governorate covers everything inside), perpetrator
    (optionally with its subordinate units), type and minimum killed (the highest whole-event
    toll). With format=csv every matching event, not a page, each with its attributions."""
    if format == "csv":
        return await csv_download("events.csv", event_csv(reader, where, sort))
    return await events.events(reader, where, limit, offset, sort)


async def event_csv(reader: Reader, where: events.EventFilter, sort: str) -> AsyncIterator[str]:
    yield tables.lines([tables.EVENT_HEADER])
    async for page in events.every_event(reader, where, sort):
        yield tables.lines(tables.event_rows(page))


async def csv_download(filename: str, body: AsyncIterator[str]) -> Response:
    """BODY as a CSV attachment. Its first chunk is read before answering, so a filter that
    fails gets its error status rather than a broken download."""
    first = await anext(body)

    async def chunks() -> AsyncIterator[bytes]:
        yield first.encode()
        async for chunk in body:
            yield chunk.encode()

    return StreamingResponse(
        chunks(),
        media_type=tables.CSV_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/events/{event_id}/accountability",
    response_model=models.Accountability,
    tags=["events"],
    responses=not_found("event"),
)
async def accountability(reader: ReaderDep, event_id: str) -> models.Accountability:
    """Attributions with their sources, chains at the event's dates, linked persons, sanctions."""
    return await events.event_accountability(reader, event_id)


@router.get(
    "/events/{event_id}/casualties",
    response_model=models.Casualties,
    tags=["events"],
    responses=not_found("event"),
)
async def casualties(reader: ReaderDep, event_id: str) -> models.Casualties:
    """Every casualty figure side by side, with its source, kind and as-of date."""
    return await events.casualty_estimates(reader, event_id)


@router.get(
    "/persons/{person_id}/exposure",
    response_model=models.Exposure,
    tags=["command"],
    responses=not_found("person"),
)
async def person_exposure(reader: ReaderDep, person_id: str) -> models.Exposure:
    """Career, units commanded, events under that command (kept apart from direct links)."""
    return await exposure.person_exposure(reader, person_id)


@router.get("/sanctions", response_model=models.SanctionList, tags=["sanctions"])
async def list_sanctions(
    reader: ReaderDep,
    listed_from: ListedFrom,
    listed_to: ListedTo,
    authority: str | None = None,
    program: str | None = None,
    entity: str | None = None,
    limit: Limit = 100,
) -> models.SanctionList:
    """Sanctions, by authority (id or name), program, sanctioned entity and listing dates."""
    found = await sanctions.sanctions(
        reader,
        entities=[entity] if entity else None,
        authority=authority,
        program=program,
        listed_from=listed_from,
        listed_to=listed_to,
        limit=limit,
    )
    return models.SanctionList(sanctions=found)


@router.get(
    "/gaps/unsanctioned",
    response_model=models.GapList,
    tags=["sanctions"],
    dependencies=[Expensive],
    responses=BUSY,
)
async def unsanctioned(reader: ReaderDep, limit: Limit = 100, offset: Offset = 0) -> models.GapList:
    """Leads, not findings: the people and units that the graph's sources link to attributed
    events (every one) and that no sanction in the graph names, each with why, a page at a
    time. Kept until the graph changes, so only the first ask after a write computes it."""
    return await gaps.unsanctioned(reader, limit=limit, offset=offset)


@router.get(
    "/paths",
    response_model=models.PathList,
    tags=["explore"],
    dependencies=[Expensive],
    responses={**BUSY, **not_found("record")},
)
async def connecting_paths(
    reader: ReaderDep,
    from_id: Annotated[str, Query(alias="from")],
    to_id: Annotated[str, Query(alias="to")],
    max_hops: Annotated[int, Query(ge=1, le=MAX_DEPTH)] = 4,
) -> models.PathList:
    """The shortest paths between two records, each claim on the way with its evidence."""
    return models.PathList(paths=await explore.paths(reader, from_id, to_id, max_hops))


@router.get(
    "/sources/{source_id}/claims",
    response_model=models.SourceClaims,
    tags=["explore"],
    responses=not_found("source"),
)
async def claims_of_source(
    reader: ReaderDep, source_id: str, limit: Limit = 100, offset: Offset = 0
) -> models.SourceClaims:
    """Everything one source asserts, with locators and quotes, a page at a time."""
    return await explore.source_claims(reader, source_id, limit, offset)


@router.get("/stats/events", response_model=models.Stats, tags=["events"], responses=CSV_ANSWER)
async def event_stats(
    reader: ReaderDep,
    group_by: Literal["party", "governorate", "month"] = "party",
    source: str | None = None,
    format: Format = "json",
) -> models.Stats | Response:
    """Report-style tables: events and whole-event death tolls by party, governorate or month."""
    stats = await events.event_stats(reader, group_by, source)
    if format == "csv":
        return Response(
            tables.stats_csv(stats),
            media_type=tables.CSV_TYPE,
            headers={"Content-Disposition": f'attachment; filename="event-stats-{group_by}.csv"'},
        )
    return stats
