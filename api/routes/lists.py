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
from graph.db.reader import Reader
from graph.errors import InvalidRequestError, NotFoundError
from graph.reads import events, models
from graph.reads.entities import MENTION
from graph.reads.search import find_by_name, words_of
from ontology.model import load as load_ontology
from ontology.terms import Label, Prop
from ontology.words import vocabulary, words

router = APIRouter(prefix=PAGES, include_in_schema=False, route_class=PageRoute)

LIST_PAGE = 50  # events a page shows
COLUMNS = {"date": "Date", "name": "Event", "place": "Place", "killed": "Killed"}
Text = Annotated[str, Query(max_length=200)]
Sort = Literal[events.EVENT_SORTS]  # type: ignore[valid-type]
# The filters that name a record, the records they take, and what the page calls them.
PICKED = {"place": (Label.PLACE, "place"), "perpetrator": (Label.ACTOR, "perpetrator")}
CHOICES = 12  # records a "which one?" page offers
SEARCHED = 50  # records a name is matched against (the search filters by type after its index)


@dataclass(frozen=True)
class Picked:
    """What a filter's text stands for: one record (its ID, and its NAME when it was named,
    not given by id), or HITS to choose from (none when no record has that name)."""

    text: str
    id: str | None = None
    name: str = ""
    hits: tuple[models.SearchHit, ...] = ()


@dataclass(frozen=True)
class Choice:
    """A record offered on a "which one?" page, and the event list it leads to."""

    hit: models.SearchHit
    url: str


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
    place_id: Text = "",
    perpetrator_id: Text = "",
    include_subordinates: bool = False,
    type: Text = "",
    min_killed: Annotated[str, Query(max_length=10)] = "",
    source: Text = "",
    sort: Sort = "date",
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HTMLResponse:
    """Events with the filters of `GET /events` as a form (a blank field filters nothing),
    each with every attribution and its range of whole-event tolls; three statements a page
    (the count, the page, its attributions and tolls), one more for subordinates.

    A place or perpetrator is a record's name (or its id): a name that stands for one record
    filters by it; one that several records answer to gets a page asking which; one that none
    does, a message. The record picked comes back as a hidden `*_id` beside its name, so the
    form sent again keeps it."""
    given = {
        "from": date_from.strip(),
        "to": date_to.strip(),
        "place": place.strip(),
        "perpetrator": perpetrator.strip(),
        "type": type.strip(),
        "min_killed": min_killed.strip(),
        "source": source.strip(),
    }
    picked = {
        "place": await _pick(reader, "place", given["place"], place_id.strip()),
        "perpetrator": await _pick(
            reader, "perpetrator", given["perpetrator"], perpetrator_id.strip()
        ),
    }
    for field, pick in picked.items():
        given[field] = pick.id or pick.text
    query = {k: v for k, v in given.items() if v}  # the API's filters: ids
    if include_subordinates:
        query["include_subordinates"] = "true"
    links = dict(query)  # the pages' links: a record picked by name keeps its name
    for field, pick in picked.items():
        if pick.id and pick.name:
            links |= {field: pick.name, f"{field}_id": pick.id}
    context = {
        "given": given,
        "sort": sort,
        "include_subordinates": include_subordinates,
        "kinds": sorted(vocabulary().values[Prop.EVENT_KIND].items(), key=lambda kv: kv[1]),
        "picked": picked,
        "kind_words": kind_words(),
    }
    for field, pick in picked.items():
        if pick.id is None and pick.hits:
            choices = [
                Choice(h, _url({**links, field: h.name, f"{field}_id": h.id}, sort))
                for h in pick.hits
            ]
            return render(
                request,
                reader,
                "events_pick.html",
                field=field,
                what=PICKED[field][1],
                text=pick.text,
                choices=choices,
                back=_url({k: v for k, v in links.items() if k != field}, sort),
                **context,
            )
    unknown = [(PICKED[f][1], p.text) for f, p in picked.items() if p.text and p.id is None]
    if unknown:
        return render(request, reader, "events.html", unknown=unknown, rows=[], **context)
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
    return render(
        request,
        reader,
        "events.html",
        **context,
        unknown=[],
        rows=await events.listed(reader, found.items),
        total=found.total,
        first=offset + 1,
        last=offset + len(found.items),
        previous=_url(links, sort, max(offset - LIST_PAGE, 0)) if offset > 0 else None,
        next=_url(links, sort, offset + LIST_PAGE) if offset + LIST_PAGE < found.total else None,
        columns=_columns(links, sort),
        csv_url="/events?" + _query({**query, "sort": sort, "format": "csv"}),
    )


def kind_words() -> dict[str, str]:
    """What the name pickers say a record is: its kind of place, or its type, in words."""
    found = {t: words(t) for t in load_ontology().record_types}
    return found | dict(vocabulary().values[Prop.PLACE_KIND])


async def _pick(reader: Reader, field: str, text: str, chosen: str) -> Picked:
    """The record a filter's TEXT names, in one statement at most: CHOSEN (a record picked
    before) while TEXT is still its name; TEXT itself, unread, when it is an id (as the API
    takes it); else the records whose name or alias it matches (`find_by_name`, so only those
    the reader may see): one when only one matches or only one is spelled so."""
    if not text:
        return Picked(text)
    label = PICKED[field][0]
    same = words_of(text)
    if chosen and MENTION.fullmatch(chosen):
        try:
            node = await reader.node(chosen)
        except NotFoundError:
            node = None
        if node and label in node["labels"] and words_of(node["name"] or "") == same:
            return Picked(text, chosen, node["name"])
    if MENTION.fullmatch(text):
        return Picked(text, text)
    try:
        hits = await find_by_name(reader, text, [label], SEARCHED)
    except InvalidRequestError:  # no words to search for
        hits = []
    spelled = [h for h in hits if any(words_of(n) == same for n in (h.name, *h.aliases))]
    if len(hits) == 1 or len(spelled) == 1:
        one = hits[0] if len(hits) == 1 else spelled[0]
        return Picked(text, one.id, one.name)
    return Picked(text, hits=tuple((spelled or hits)[:CHOICES]))


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
