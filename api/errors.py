"""The API's errors, and the one table that maps every Silsila error to an HTTP status.

Every error the API raises derives from `ApiError`, itself a `SilsilaError`. `api/app.py`
answers each `SilsilaError` with `status_of(error)` and an `ErrorPublic` body; the HTML pages
under /ui use the same table for their error pages. No route sets a status code of its own.
"""

from __future__ import annotations

from graph.errors import (
    CredentialsRejectedError,
    GraphUnavailableError,
    InvalidRequestError,
    InvalidStatementError,
    NotFoundError,
    ReadOnlyViolationError,
)
from ontology.errors import SilsilaError


class ApiError(SilsilaError):
    """Root of every error the API package raises."""


class AccessDeniedError(ApiError):
    """A request without the credentials it needs: the token's role is not enough (403)."""


class NotAuthenticatedError(AccessDeniedError):
    """No token where one is needed, a malformed Authorization header or an unknown token (401)."""


# Checked in order; the first class the error is an instance of gives the status.
STATUS_CODES: tuple[tuple[type[SilsilaError], int], ...] = (
    (NotAuthenticatedError, 401),
    (AccessDeniedError, 403),
    (NotFoundError, 404),
    (InvalidRequestError, 422),
    (ReadOnlyViolationError, 403),
    (InvalidStatementError, 400),
    (GraphUnavailableError, 503),
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
