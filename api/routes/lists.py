"""The list pages: events with the API's filters, sortable and paged, and the report tables;
each links the CSV of what it shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import ReaderDep, parse_date
from api.errors import InvalidInputError
from api.routes.investigate import MAX_COUNT
from api.routes.pages import PAGES, PageRoute, render
from graph.asof import PartialDate
from graph.reads import events
from ontology.terms import Prop
from ontology.words import vocabulary

router = APIRouter(prefix=PAGES, include_in_schema=False, route_class=PageRoute)

LIST_PAGE = 50  # events a page shows
COLUMNS = {"date": "Date", "name": "Event", "place": "Place", "killed": "Killed"}
Text = Annotated[str, Query(max_length=200)]
Sort = Literal[events.EVENT_SORTS]  # type: ignore[valid-type]


@dataclass(frozen=True)
class Column:
    """A sortable column heading: its words, the link that sorts by it, and how it sorts now."""

    title: str
    url: str
    aria_sort: str  # ascending, descending or none


@router.get("/events", response_class=HTMLResponse)
async def event_list(
    request: Request,
    reader: ReaderDep,
    date_from: Annotated[str, Query(alias="from", max_length=10)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=10)] = "",
    place: Text = "",
    perpetrator: Text = "",
    include_subordinates: bool = False,
    type: Text = "",
    min_killed: Annotated[str, Query(max_length=10)] = "",
    source: Text = "",
    sort: Sort = "date",
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HTMLResponse:
    """Events with the filters of `GET /events` as a form (a blank field filters nothing),
    each with every attribution and its range of whole-event tolls; three statements a page
    (the count, the page, its attributions and tolls), one more for subordinates."""
    given = {
        "from": date_from.strip(),
        "to": date_to.strip(),
        "place": place.strip(),
        "perpetrator": perpetrator.strip(),
        "type": type.strip(),
        "min_killed": min_killed.strip(),
        "source": source.strip(),
    }
    where = events.EventFilter(
        _date("from", given["from"]),
        _date("to", given["to"]),
        given["place"] or None,
        given["perpetrator"] or None,
        include_subordinates,
        given["type"] or None,
        _count("min_killed", given["min_killed"]),
        given["source"] or None,
    )
    found = await events.events(reader, where, LIST_PAGE, offset, sort)
    query = {k: v for k, v in given.items() if v}
    if include_subordinates:
        query["include_subordinates"] = "true"
    return render(
        request,
        reader,
        "events.html",
        given=given,
        sort=sort,
        include_subordinates=include_subordinates,
        kinds=sorted(vocabulary().values[Prop.EVENT_KIND].items(), key=lambda kv: kv[1]),
        rows=await events.listed(reader, found.items),
        total=found.total,
        first=offset + 1,
        last=offset + len(found.items),
        previous=_url(query, sort, max(offset - LIST_PAGE, 0)) if offset > 0 else None,
        next=_url(query, sort, offset + LIST_PAGE) if offset + LIST_PAGE < found.total else None,
        columns=_columns(query, sort),
        csv_url="/events?" + _query({**query, "sort": sort, "format": "csv"}),
    )


def _query(parts: dict[str, str]) -> str:
    """A link's query; ids stay as they are written (`:` unescaped), as in sign-in links."""
    return urlencode(parts, safe=":")


def _date(name: str, text: str) -> PartialDate | None:
    return parse_date(name, text) if text else None


def _count(name: str, text: str) -> int | None:
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or int(text) > MAX_COUNT:
        raise InvalidInputError(f"{name}: give a whole number of people, 0 or more.")
    return int(text)


def _url(query: dict[str, str], sort: str, offset: int = 0) -> str:
    parts = {**query, "sort": sort} | ({"offset": str(offset)} if offset else {})
    return "/ui/events?" + _query(parts)


def _columns(query: dict[str, str], sort: str) -> dict[str, Column]:
    """Each sortable column; its link sorts by it, or the other way when it already does."""
    columns = {}
    for key, title in COLUMNS.items():
        state = "ascending" if sort == key else "descending" if sort == "-" + key else "none"
        again = "-" + key if state == "ascending" else key
        columns[key] = Column(title, _url(query, again), state)
    return columns


@router.get("/stats", response_class=HTMLResponse)
async def stats_page(
    request: Request,
    reader: ReaderDep,
    group_by: Literal["party", "governorate", "month"] = "party",
    source: Text = "",
) -> HTMLResponse:
    """A report table (`GET /stats/events`) with its CSV link."""
    stats = await events.event_stats(reader, group_by, source.strip() or None)
    query = {"group_by": group_by} | ({"source": source.strip()} if source.strip() else {})
    return render(
        request,
        reader,
        "stats.html",
        stats=stats,
        group_by=group_by,
        source=source.strip(),
        csv_url="/stats/events?" + _query({**query, "format": "csv"}),
    )
