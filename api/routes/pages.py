"""Server-rendered pages for people who would rather look than read JSON."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from api.audit import AuditDep
from api.deps import ReaderDep
from api.security import CallerDep
from graph.asof import PartialDate
from graph.db.reader import Reader
from graph.errors import InvalidRequestError, NotFoundError
from graph.reads import casefile, command, entities, events, exposure
from graph.reads.casefile import Notes
from graph.reads.search import find_by_name
from graph.render import casefile_formats

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))
router = APIRouter(prefix="/ui", include_in_schema=False)
DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"
DEFAULT_AS_OF = "2012-08-20"


def render(
    request: Request, reader: Reader, name: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(
        request, name, {"public": reader.public, **context}, status_code=status_code
    )


def error_page(request: Request, reader: Reader, error: Exception) -> HTMLResponse:
    """A page that says what went wrong and what to do, with the right status."""
    if isinstance(error, NotFoundError):
        status, heading = 404, "Not found"
    else:
        status, heading = 422, "That request cannot be answered"
    return render(
        request, reader, "error.html", status, status=status, heading=heading, message=str(error)
    )


@router.get("", response_class=HTMLResponse)
async def home(request: Request, reader: ReaderDep) -> HTMLResponse:
    return render(request, reader, "home.html")


@router.get("/search", response_class=HTMLResponse)
async def search(
    request: Request, reader: ReaderDep, q: Annotated[str, Query(max_length=200)] = ""
) -> HTMLResponse:
    """Results grouped by type."""
    groups: dict[str, list[Any]] = defaultdict(list)
    try:
        hits = await find_by_name(reader, q, [], 100) if q.strip() else []
    except InvalidRequestError as e:
        return error_page(request, reader, e)
    for hit in hits:
        groups[hit.type].append(hit)
    return render(request, reader, "search.html", query=q, groups=dict(sorted(groups.items())))


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
async def entity_page(
    request: Request,
    reader: ReaderDep,
    entity_id: str,
    at: Annotated[str | None, Query(pattern=DATE)] = None,
) -> HTMLResponse:
    """A page per record: facts with numbered footnotes, its links, and a network view.
    Events show their accountability; units a chain of command as of `at`; people their career."""
    try:
        return await _entity_page(request, reader, entity_id, at)
    except (NotFoundError, InvalidRequestError) as e:
        return error_page(request, reader, e)


async def _entity_page(
    request: Request, reader: Reader, entity_id: str, at: str | None
) -> HTMLResponse:
    detail = await entities.entity_detail(reader, entity_id)
    notes = Notes()
    context: dict[str, Any] = {
        "detail": detail,
        "fact_notes": notes(detail.citations),
        "notes_of": notes,
        "view_url": f"/views/neighbourhood/{quote(entity_id)}",
    }
    template = "entity.html"
    kind = detail.entity.type
    if kind == "Event":
        template = "event.html"
        context["account"] = await events.event_accountability(reader, entity_id)
        context["casualties"] = await events.casualty_estimates(reader, entity_id)
        context["view_url"] = f"/views/events/{quote(entity_id)}"
    elif kind == "Organization":
        template = "unit.html"
        as_of = at or DEFAULT_AS_OF
        context["chain"] = await command.chain_of_command(
            reader, entity_id, PartialDate.parse(as_of)
        )
        context["at_input"] = PartialDate.parse(as_of).earliest.isoformat()
        context["view_url"] = f"/views/units/{quote(entity_id)}/chain?at={quote(as_of)}"
    elif kind == "Person":
        template = "person.html"
        context["exposure"] = await exposure.person_exposure(reader, entity_id)
        context["view_url"] = f"/views/persons/{quote(entity_id)}/exposure"
    context["footnote_list"] = notes.footnotes
    return render(request, reader, template, **context)


@router.get("/casefiles/{subject_id}")
async def casefile_page(
    request: Request, reader: ReaderDep, caller: CallerDep, audit: AuditDep, subject_id: str
) -> Response:
    """The print-friendly case file, with links to its JSON, Markdown and zip."""
    try:
        case = await casefile.build(reader, subject_id)
    except (NotFoundError, InvalidRequestError) as e:
        return error_page(request, reader, e)
    audit.record(caller, "casefile", casefile.audit_target(case), outcome="page")
    return HTMLResponse(casefile_formats.to_html(case, downloads=True))
