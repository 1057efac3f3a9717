"""Dependencies the routes declare: settings, the app's one async driver, the viewer's reader,
and the date parameters (`at`, `from`, `to`, ...) parsed once into `PartialDate`s."""

# No `from __future__ import annotations` here: the date parameters' dependencies are built by
# factories, and FastAPI reads their annotations, which name the factories' arguments.

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from neo4j import AsyncDriver

from api.security import Role, RoleDep
from graph.asof import DATE_FORMS, DATE_PATTERN, InvalidDateError, PartialDate
from graph.db.reader import Reader
from graph.db.settings import Settings


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_driver(request: Request) -> AsyncDriver:
    driver: AsyncDriver = request.app.state.driver
    return driver


SettingsDep = Annotated[Settings, Depends(get_settings)]
DriverDep = Annotated[AsyncDriver, Depends(get_driver)]


async def get_reader(
    driver: DriverDep, settings: SettingsDep, role: RoleDep
) -> AsyncIterator[Reader]:
    """The caller's reads: the public role's queries redact restricted identities. A request's
    statements share one read transaction, kept open until its answer is sent (a CSV streams
    its rows after the route returns)."""
    async with Reader(driver, settings, public=role == Role.public).one_transaction() as reader:
        yield reader


ReaderDep = Annotated[Reader, Depends(get_reader)]


def parse_date(name: str, text: str) -> PartialDate:
    """The query parameter NAME as a partial date; anything else is a 422 naming the forms.
    Exactly what DATE_PATTERN (in the OpenAPI document) takes: no blanks around it either."""
    try:
        date = PartialDate.parse(text)
    except InvalidDateError as e:
        raise InvalidDateError(f"{name}: {e}") from e
    if text != str(date):  # the forms are fixed-width: only surrounding blanks differ
        raise InvalidDateError(f"{name}: {text!r} has blanks around it; give {DATE_FORMS}")
    return date


def _date_query(name: str, about: str) -> Any:
    """The one description (and pattern, for OpenAPI) of a date parameter. Not enforced by
    FastAPI: `parse_date` is the check, so pages can answer a bad date with an error page."""
    return Query(
        alias=name,
        description=f"{about}: {DATE_FORMS}; a year or a month stands for all its days.",
        json_schema_extra={"pattern": DATE_PATTERN},
    )


def required_date(name: str, about: str) -> Callable[[str], Awaitable[PartialDate]]:
    """A dependency: the required date parameter NAME, parsed."""

    async def dependency(text: Annotated[str, _date_query(name, about)]) -> PartialDate:
        return parse_date(name, text)

    return dependency


def optional_date(name: str, about: str) -> Callable[[str | None], Awaitable[PartialDate | None]]:
    """A dependency: the optional date parameter NAME, parsed (None when not given)."""

    async def dependency(
        text: Annotated[str | None, _date_query(name, about)] = None,
    ) -> PartialDate | None:
        return None if text is None else parse_date(name, text)

    return dependency


def form_date(name: str, about: str) -> Callable[[str | None], Awaitable[PartialDate | None]]:
    """A dependency for a page's GET form: the date field NAME, parsed; a field left blank
    (which a form sends as `name=`) counts as not given."""

    async def dependency(
        text: Annotated[str | None, _date_query(name, about)] = None,
    ) -> PartialDate | None:
        return None if text is None or text == "" else parse_date(name, text)

    return dependency


AtDep = Annotated[PartialDate, Depends(required_date("at", "The date asked about"))]
FromDep = Annotated[PartialDate | None, Depends(optional_date("from", "Start of the date range"))]
ToDep = Annotated[PartialDate | None, Depends(optional_date("to", "End of the date range"))]
