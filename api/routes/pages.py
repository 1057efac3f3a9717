"""Server-rendered pages for people who would rather look than read JSON."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from api.audit import AuditDep
from api.deps import ReaderDep, form_date
from api.errors import (
    InvalidInputError,
    NotAuthenticatedError,
    error_response,
    input_error,
    log_if_internal,
    public_message,
    status_of,
)
from api.headers import InlinePage
from api.security import Caller, CallerDep, Role, get_caller, get_token_store
from api.sessions import (
    FORM_COOKIE,
    FORM_FIELD,
    SESSION_COOKIE,
    SESSION_SECONDS,
    SESSION_STATE,
    SessionKeyError,
    Sessions,
)
from api.words import kind, name_of, with_links, words
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
TEMPLATES.env.filters.update(words=words, kind=kind, name_of=name_of, with_links=with_links)
PAGES = "/ui"
SIGN_IN = PAGES + "/sign-in"
SIGN_OUT = PAGES + "/sign-out"
SIGN_IN_PAGE = "sign-in.html"
HEADINGS = {401: "Not signed in", 403: "Not allowed", 404: "Not found", 500: "Server error"}
MAX_FORM_BYTES = 4096  # a sign-in form is a token and a form token
DEFAULT_AS_OF = "2012-08-20"
FormFrom = Annotated[PartialDate | None, Depends(form_date("from", "Start of the date range"))]
FormTo = Annotated[PartialDate | None, Depends(form_date("to", "End of the date range"))]
ChainAt = Annotated[
    PartialDate | None,
    Depends(
        form_date(
            "at",
            "The date of a chain: for a unit, the latest date its evidence covers unless given; "
            f"for a person or an event, {DEFAULT_AS_OF}",
        )
    ),
]
UNIT_EVENTS = 50  # events listed on a unit's page; the event list pages through the rest


@dataclass(frozen=True)
class Viewer:
    """Who a page is rendered for, as its banner says, and the token its forms carry."""

    role: Role
    session: bool  # signed in here, so the page offers to sign out
    form_token: str = ""
    new_form_cookie: str | None = None  # set with the answer: the page has a form to send

    @property
    def public(self) -> bool:
        return self.role is Role.public


def _caller(request: Request) -> Caller:
    """The page's caller; one whose token failed (its error page) sees the public view."""
    try:
        return get_caller(request)
    except SilsilaError:
        return Caller(role=Role.public)


def sessions_of(request: Request) -> Sessions:
    sessions = getattr(request.app.state, SESSION_STATE, None)
    if not isinstance(sessions, Sessions):
        raise SessionKeyError("The app has no session key: it was not started by its lifespan.")
    return sessions


def viewer_of(request: Request, with_form: bool = False) -> Viewer:
    """Who the page is for; a page with a form (sign-in, or sign-out when signed in) gets a
    form token, and a form cookie when the browser has none."""
    caller = _caller(request)
    sessions = getattr(request.app.state, SESSION_STATE, None)
    if not (with_form or caller.session) or not isinstance(sessions, Sessions):
        return Viewer(caller.role, caller.session)
    nonce = request.cookies.get(FORM_COOKIE)
    fresh = None if nonce else Sessions.new_nonce()
    return Viewer(caller.role, caller.session, sessions.form_token(nonce or str(fresh)), fresh)


def page(
    request: Request,
    name: str,
    context: dict[str, Any],
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A template rendered for its viewer. A page rendered for a role that sees more than the
    public is not kept by the browser's cache (nor is a form's)."""
    viewer = viewer_of(request, with_form=name == SIGN_IN_PAGE)
    response = TEMPLATES.TemplateResponse(
        request,
        name,
        {"viewer": viewer, "here": _here(request), "session_hours": SESSION_SECONDS // 3600}
        | context,
        status_code=status_code,
        headers=headers,
    )
    if not viewer.public or viewer.form_token:
        response.headers["Cache-Control"] = "no-store"
    if viewer.new_form_cookie:
        _set_cookie(request, response, FORM_COOKIE, viewer.new_form_cookie, PAGES)
    return response


def render(
    request: Request, reader: Reader, name: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    return page(request, name, {"public": reader.public, **context}, status_code)


def _here(request: Request) -> str:
    """The page's own path and query, as a sign-in link's `next` value; ids stay as they are
    written (`:` unescaped), only what would break the query is escaped."""
    query = f"?{request.url.query}" if request.url.query else ""
    query = re.sub("%3a", ":", query, flags=re.IGNORECASE)  # an id in the query, as written
    return quote(request.url.path + query, safe="/:?=")


def is_page(path: str) -> bool:
    return path == PAGES or path.startswith(PAGES + "/")


def _secure(request: Request) -> bool:
    """Cookies are marked Secure when the page is served over https (not on plain loopback)."""
    return request.url.scheme == "https"


def _set_cookie(request: Request, response: Response, name: str, value: str, path: str) -> None:
    response.set_cookie(
        name,
        value,
        max_age=sessions_of(request).lifetime,
        path=path,
        secure=_secure(request),
        httponly=True,
        samesite="strict",
    )


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
        "status": status,
        "heading": HEADINGS.get(status, "That request cannot be answered"),
        "message": public_message(error),
    }
    return page(request, "error.html", context, status, headers)


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
    date_from: FormFrom,
    date_to: FormTo,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HTMLResponse:
    """A page per record: facts with numbered footnotes, its links, and a network view.
    Events show their accountability; units a chain of command as of `at`; people their career.
    The claims naming it come a page at a time (`offset`), with links to the pages around."""
    detail = await entities.entity_detail(reader, entity_id, entities.CLAIMS_PAGE, offset)
    notes = Notes()
    context: dict[str, Any] = {
        "detail": detail,
        "claims_first": offset + 1,
        "claims_previous": _claims_page(request, max(offset - entities.CLAIMS_PAGE, 0))
        if offset > 0
        else None,
        "claims_next": _claims_page(request, detail.next_offset)
        if detail.next_offset is not None
        else None,
        "fact_notes": notes(detail.citations),
        "mentioned": await entities.mentioned(reader, detail),
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
        context |= await _unit_context(reader, entity_id, at, date_from, date_to)
    elif kind == Label.PERSON:
        template = "person.html"
        context["exposure"] = await exposure.person_exposure(reader, entity_id)
        context["view_url"] = f"/views/persons/{quote(entity_id)}/exposure"
    context["footnote_list"] = notes.footnotes
    return render(request, reader, template, **context)


def _claims_page(request: Request, offset: int) -> str:
    """This record page's address asking for the claims from OFFSET, its other fields kept."""
    query = {k: v for k, v in request.query_params.items() if k != "offset"}
    query |= {"offset": str(offset)} if offset else {}
    path = quote(request.url.path, safe="/:")
    return f"{path}?{urlencode(query)}#timeline" if query else f"{path}#timeline"


async def _unit_context(
    reader: Reader,
    unit_id: str,
    at: PartialDate | None,
    date_from: PartialDate | None,
    date_to: PartialDate | None,
) -> dict[str, Any]:
    """What a unit's page shows: the unit over time, its chain at AT (by default the latest
    date its evidence covers, which the page says), and the events attributed to it or to a
    unit under it between DATE_FROM and DATE_TO."""
    profile = await command.unit_profile(reader, unit_id)
    defaulted = at is None
    if at is None:
        latest = PartialDate.parse(profile.latest or DEFAULT_AS_OF).latest
        at = PartialDate.parse(latest.isoformat())
    where = events.EventFilter(
        date_from=date_from,
        date_to=date_to,
        perpetrator=unit_id,
        include_subordinates=True,
    )
    return {
        "profile": profile,
        "chain": await command.chain_of_command(reader, unit_id, at),
        "at_input": at.earliest.isoformat(),
        "at_defaulted": defaulted and profile.latest is not None,
        "unit_events": await events.events(reader, where, limit=UNIT_EVENTS),
        "from_input": "" if date_from is None else str(date_from),
        "to_input": "" if date_to is None else str(date_to),
        "view_url": f"/views/units/{quote(unit_id)}/chain?at={quote(str(at))}",
    }


@router.get("/casefiles/{subject_id}")
async def casefile_page(
    request: Request, reader: ReaderDep, caller: CallerDep, audit: AuditDep, subject_id: str
) -> Response:
    """The print-friendly case file, with links to its JSON, Markdown and zip."""
    case = await casefile.build(reader, subject_id)
    audit.record(caller, "casefile", casefile.audit_target(case), outcome="page")
    return InlinePage(casefile_formats.to_html(case, downloads=True))


@router.get(SIGN_IN.removeprefix(PAGES), response_class=HTMLResponse)
async def sign_in_form(
    request: Request, after: Annotated[str, Query(alias="next", max_length=500)] = PAGES
) -> HTMLResponse:
    """The sign-in form: a token from `silsila token create`, sent in the body, never a URL.
    NEXT is the page to go back to."""
    return page(request, SIGN_IN_PAGE, {"next": _local(after)})


@router.post(SIGN_IN.removeprefix(PAGES))
async def sign_in(request: Request) -> Response:
    """A token for a session cookie; a token this server does not know gets the form again."""
    form = await _form(request)
    sessions = sessions_of(request)
    sessions.check_form(request.cookies.get(FORM_COOKIE), form.get(FORM_FIELD))
    after = _local(form.get("next", PAGES))
    info = get_token_store(request).lookup(form.get("token", "").strip())
    if info is None:
        error = NotAuthenticatedError(
            "That token is not one this server knows, or it was revoked: paste the whole token "
            "an admin gave you (made with `silsila token create --role investigator`)."
        )
        context = {"next": after, "message": public_message(error)}
        return page(request, SIGN_IN_PAGE, context, status_of(error))
    response = RedirectResponse(after, status_code=303)
    _set_cookie(request, response, SESSION_COOKIE, sessions.issue(info.id), "/")
    return response


@router.post(SIGN_OUT.removeprefix(PAGES))
async def sign_out(request: Request) -> Response:
    """End the browser's session: its cookie is cleared."""
    form = await _form(request)
    sessions_of(request).check_form(request.cookies.get(FORM_COOKIE), form.get(FORM_FIELD))
    response = RedirectResponse(PAGES, status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=_secure(request), httponly=True, samesite="strict"
    )
    return response


async def _form(request: Request) -> dict[str, str]:
    """A small url-encoded form's fields (the first value of each)."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise InvalidInputError(f"The form is larger than {MAX_FORM_BYTES} bytes.")
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError as e:
        raise InvalidInputError("The form is not UTF-8 text.") from e
    return {name: values[0] for name, values in fields.items()}


def _local(target: str) -> str:
    """Where to go after signing in: a page of this site, never another site."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target or not is_page(parts.path):
        return PAGES
    if parts.path in (SIGN_IN, SIGN_OUT):  # forms, not pages to come back to
        return PAGES
    return target
