"""The API's errors, the one table that maps every Silsila error to an HTTP status, and the
one JSON answer to an error.

Every error the API raises derives from `ApiError`, itself a `SilsilaError`. `api/app.py`
answers each `SilsilaError` with `status_of(error)` and an `ErrorPublic` body; the HTML pages
under /ui use the same table for their error pages. No route sets a status code of its own.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from api.access_log import route_template
from api.models import ErrorPublic
from graph.errors import (
    CredentialsRejectedError,
    GraphUnavailableError,
    InvalidRequestError,
    InvalidStatementError,
    NotFoundError,
    ReadOnlyViolationError,
)
from ontology.errors import SilsilaError

logger = logging.getLogger(__name__)


class ApiError(SilsilaError):
    """Root of every error the API package raises."""


class AccessDeniedError(ApiError):
    """A request without the credentials it needs: the token's role is not enough (403)."""


class NotAuthenticatedError(AccessDeniedError):
    """No token where one is needed, a malformed Authorization header or an unknown token (401)."""


class UnknownRouteError(ApiError):
    """No route has this path (404); the message points to /docs and /ui."""


class MethodNotAllowedError(ApiError):
    """The path exists but not with this method (405); the answer's Allow header lists them."""


class InvalidInputError(ApiError):
    """Parameters or a body that do not fit the route's schema (422); the message names them."""


class InternalError(ApiError):
    """A failure of ours that is no Silsila error, as a page under /ui shows it (500)."""


class ServerBusyError(ApiError):
    """Every slot for expensive answers is taken and the wait for one would break the route's
    time budget (503); the answer's Retry-After header says when to come back."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# Checked in order; the first class the error is an instance of gives the status.
STATUS_CODES: tuple[tuple[type[SilsilaError], int], ...] = (
    (NotAuthenticatedError, 401),
    (AccessDeniedError, 403),
    (NotFoundError, 404),
    (UnknownRouteError, 404),
    (MethodNotAllowedError, 405),
    (InvalidRequestError, 422),
    (InvalidInputError, 422),
    (ReadOnlyViolationError, 403),
    (InvalidStatementError, 400),
    (GraphUnavailableError, 503),
    (ServerBusyError, 503),
    (CredentialsRejectedError, 503),
    (SilsilaError, 500),
)

UNAVAILABLE = 503
INTERNAL = 500
# A 500 is our fault, and its text can hold server paths or Neo4j's echo of parameter values:
# the caller gets this, the server log gets the error.
INTERNAL_MESSAGE = "Internal error: the server could not answer; its log has the details."


def status_of(error: SilsilaError) -> int:
    """The HTTP status answering `error`: the first row of STATUS_CODES it matches."""
    for error_class, status in STATUS_CODES:
        if isinstance(error, error_class):
            return status
    return 500


def public_message(error: SilsilaError) -> str:
    """What the caller is told about `error`: its own words, except for a 500."""
    return INTERNAL_MESSAGE if status_of(error) == INTERNAL else str(error)


def error_response(
    request: Request, error: SilsilaError, headers: dict[str, str] | None = None
) -> JSONResponse:
    """`error` as the API answers it: its status from the table and an `ErrorPublic` body,
    `unavailable` for a 503, `error` otherwise. A 401 says how to authenticate
    (`WWW-Authenticate`), a busy server when to come back (`Retry-After`); a 500 goes to the
    server's log with its details."""
    status_code = status_of(error)
    log_if_internal(request, error)
    headers = dict(headers or {})
    if status_code == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(error, ServerBusyError):
        headers["Retry-After"] = str(error.retry_after)
    status = "unavailable" if status_code == UNAVAILABLE else "error"
    body = ErrorPublic(status=status, error=public_message(error))
    return JSONResponse(status_code=status_code, content=body.model_dump(), headers=headers)


def log_if_internal(request: Request, error: SilsilaError) -> None:
    """A 500's details go to the server's log (the caller gets INTERNAL_MESSAGE): the route's
    template and where each error in the chain was raised, never a message or the path asked,
    which can hold a record id, a searched name or a value Neo4j quoted back."""
    if status_of(error) == INTERNAL:
        logger.error(
            "%s %s failed:\n%s", request.method, route_template(request.scope), where(error)
        )


def where(error: BaseException) -> str:
    """Each error of the chain (causes first) by class and the frames it passed through."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    lines = []
    for link in reversed(chain):
        lines.append(f"{type(link).__module__}.{type(link).__qualname__} (message withheld)")
        lines += [
            f"  {frame.filename}:{frame.lineno} in {frame.name}"
            for frame in traceback.extract_tb(link.__traceback__)
        ]
    return "\n".join(lines)


# Where FastAPI found a problem, in the caller's words; a location's first item is one of these.
_PLACES = {"query": "query parameter", "path": "path parameter", "header": "header"}
_SHOWN_PROBLEMS = 3
_MAX_NAME = 60


def _problem(error: dict[str, Any]) -> str:
    """One validation problem: which parameter or body field, and pydantic's words for it
    (they name the rule, not the value sent)."""
    place, *names = error.get("loc") or ("request",)
    if error.get("type") == "json_invalid":
        return "the body is not valid JSON"
    name = ".".join(str(n)[:_MAX_NAME] for n in names)
    if place == "body":
        where = f"body field {name!r}" if name else "the body"
    else:
        where = f"{_PLACES.get(str(place), str(place))} {name!r}"
    return f"{where}: {str(error.get('msg', 'invalid'))[:200]}"


def input_error(errors: Sequence[Any]) -> InvalidInputError:
    """FastAPI's validation errors as one 422 naming each parameter and what it takes."""
    problems = [_problem(e) for e in errors if isinstance(e, dict)]
    more = len(problems) - _SHOWN_PROBLEMS
    text = "; ".join(problems[:_SHOWN_PROBLEMS]) or "the request does not fit this route"
    if more > 0:
        text += f"; and {more} more"
    return InvalidInputError(f"Invalid request: {text}. /docs says what each parameter takes.")
