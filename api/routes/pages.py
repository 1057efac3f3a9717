"""Server-rendered pages for people who would rather look than read JSON."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from api.audit import AuditDep
from api.deps import ReaderDep, defaulted_date
from api.errors import error_response, input_error, log_if_internal, public_message, status_of
from api.headers import InlinePage
from api.security import CallerDep, Role, get_role
from graph.asof import PartialDate
from graph.db.reader import Reader
from graph.errors import InvalidRequestError, NotFoundError
from graph.reads import casefile, command, entities, events, exposure
from graph.reads.casefile import Notes
from graph.reads.search import find_by_name
from graph.render import casefile_formats
from ontology.errors import SilsilaError
from ontology.terms import Label

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))
PAGES = "/ui"
HEADINGS = {401: "Not authenticated", 404: "Not found"}
DEFAULT_AS_OF = "2012-08-20"
ChainAt = Annotated[
    PartialDate, Depends(defaulted_date("at", "The date of a unit's chain", DEFAULT_AS_OF))
]


def render(
    request: Request, reader: Reader, name: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(
        request, name, {"public": reader.public, **context}, status_code=status_code
    )


def is_page(path: str) -> bool:
    return path == PAGES or path.startswith(PAGES + "/")


def _public(request: Request) -> bool:
    """Whether the header shows the public view; a caller whose token failed is public."""
    try:
        return get_role(request) is Role.public
    except SilsilaError:
        return True


def error_page(
    request: Request, error: SilsilaError, headers: dict[str, str] | None = None
) -> HTMLResponse:
    """A page that says what went wrong and what to do, with the API's status for the error."""
    status = status_of(error)
    log_if_internal(request, error)
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    context = {
        "public": _public(request),
        "status": status,
        "heading": HEADINGS.get(status, "That request cannot be answered"),
        "message": public_message(error),
    }
    return TEMPLATES.TemplateResponse(
        request, "error.html", context, status_code=status, headers=headers
    )


def error_answer(
    request: Request, error: SilsilaError, headers: dict[str, str] | None = None
) -> Response:
    """An error page under /ui, the API's JSON everywhere else."""
    if is_page(request.url.path):
        return error_page(request, error, headers)
    return error_response(request, error, headers)


class PageRoute(APIRoute):
    """A /ui route: a record not found or a request that cannot be answered gets the error
    page, not the API's JSON, whether the page raised it, a dependency that parses its
    parameters (a date that is not one) did, or FastAPI's own validation (a query too long);
    the one place pages turn a route's errors into pages (`error_answer` does it for the
    errors no route sees: a bad token, an unknown /ui path)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except (NotFoundError, InvalidRequestError) as e:
                return error_page(request, e)
            except RequestValidationError as e:
                return error_page(request, input_error(e.errors()))

        return page_handler


router = APIRouter(prefix=PAGES, include_in_schema=False, route_class=PageRoute)


@router.get("", response_class=HTMLResponse)
async def home(request: Request, reader: ReaderDep) -> HTMLResponse:
    return render(request, reader, "home.html")


@router.get("/search", response_class=HTMLResponse)
async def search(
    request: Request, reader: ReaderDep, q: Annotated[str, Query(max_length=200)] = ""
) -> HTMLResponse:
    """Results grouped by type."""
    groups: dict[str, list[Any]] = defaultdict(list)
    hits = await find_by_name(reader, q, [], 100) if q.strip() else []
    for hit in hits:
        groups[hit.type].append(hit)
    return render(request, reader, "search.html", query=q, groups=dict(sorted(groups.items())))


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
async def entity_page(
    request: Request,
    reader: ReaderDep,
    entity_id: str,
    at: ChainAt,
) -> HTMLResponse:
    """A page per record: facts with numbered footnotes, its links, and a network view.
    Events show their accountability; units a chain of command as of `at`; people their career."""
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
    if kind == Label.EVENT:
        template = "event.html"
        context["account"] = await events.event_accountability(reader, entity_id)
        context["casualties"] = await events.casualty_estimates(reader, entity_id)
        context["view_url"] = f"/views/events/{quote(entity_id)}"
    elif kind == Label.ORGANIZATION:
        template = "unit.html"
        context["chain"] = await command.chain_of_command(reader, entity_id, at)
        context["at_input"] = at.earliest.isoformat()
        context["view_url"] = f"/views/units/{quote(entity_id)}/chain?at={quote(str(at))}"
    elif kind == Label.PERSON:
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
    case = await casefile.build(reader, subject_id)
    audit.record(caller, "casefile", casefile.audit_target(case), outcome="page")
    return InlinePage(casefile_formats.to_html(case, downloads=True))
