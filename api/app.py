"""The FastAPI application: one async driver per app; every error answered here only, in one
shape (`ErrorPublic`, or an error page under /ui), with the status `api.errors.STATUS_CODES`
gives it; every response with the security headers of `api/headers.py`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException

from api.access_log import AccessLog
from api.audit import AuditLog, audit_path
from api.errors import (
    INTERNAL_MESSAGE,
    InternalError,
    MethodNotAllowedError,
    UnknownRouteError,
    input_error,
)
from api.headers import AuthorizationGate, InlinePage, SecurityHeaders, secure
from api.models import ERROR_RESPONSES, ErrorPublic
from api.routes import casefiles, cypher, health, investigate, lists, pages, views
from api.security import TokenStore, tokens_path
from api.sessions import SESSION_STATE, Sessions, key_path
from graph.db.settings import Settings
from graph.db.store import open_async_driver
from ontology.errors import SilsilaError


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the driver opens in the lifespan and reconnects by itself."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.driver = open_async_driver(settings)
        app.state.tokens = TokenStore(tokens_path(settings))
        setattr(app.state, SESSION_STATE, Sessions.load(key_path(settings)))
        app.state.audit = AuditLog(audit_path(settings))
        try:
            yield
        finally:
            await app.state.driver.close()

    app = FastAPI(
        title="Silsila",
        summary="A knowledge graph of actors, events and places for accountability work on Syria.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        responses=ERROR_RESPONSES,
    )
    app.include_router(health.router)
    app.include_router(cypher.router)
    app.include_router(investigate.router)
    app.include_router(casefiles.router)
    app.include_router(views.router)
    app.include_router(pages.router)
    app.include_router(lists.router)
    app.add_api_route("/docs", swagger_ui, include_in_schema=False)
    app.add_exception_handler(SilsilaError, silsila_error)
    app.add_exception_handler(RequestValidationError, invalid_input)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, internal_error)
    app.add_middleware(AuthorizationGate, answer=pages.error_answer)
    app.add_middleware(SecurityHeaders)  # after the gate, so it sees every answer
    app.add_middleware(AccessLog)  # outermost: every request is logged, by route, once
    app.openapi = lambda: openapi_document(app)  # type: ignore[method-assign]
    return app


async def silsila_error(request: Request, exc: Exception) -> Response:
    """Every Silsila error, answered with the status `api.errors.STATUS_CODES` gives it.

    The body is an `ErrorPublic`: `unavailable` while Neo4j is unreachable or refuses our
    credentials (503), `error` otherwise; under /ui, an error page. A 401 says how to
    authenticate (`WWW-Authenticate`).
    """
    if not isinstance(exc, SilsilaError):  # registered for SilsilaError only
        raise exc
    return pages.error_answer(request, exc)


async def invalid_input(request: Request, exc: Exception) -> Response:
    """FastAPI's own 422 (a parameter or body that does not fit), in the one shape."""
    if not isinstance(exc, RequestValidationError):  # registered for it only
        raise exc
    return pages.error_answer(request, input_error(exc.errors()))


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (no such route, a method the path does not take), in the one
    shape; an Allow header is kept."""
    if not isinstance(exc, HTTPException):  # registered for it only
        raise exc
    error: SilsilaError
    if exc.status_code == 404:
        error = UnknownRouteError("No such route: /docs lists the API's routes, /ui the pages.")
    elif exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        error = MethodNotAllowedError(f"This path does not take that method; it takes {allowed}.")
    else:
        body = ErrorPublic(error=str(exc.detail))
        return JSONResponse(body.model_dump(), status_code=exc.status_code, headers=exc.headers)
    return pages.error_answer(request, error, dict(exc.headers or {}))


async def internal_error(request: Request, exc: Exception) -> Response:
    """A failure of ours that is no Silsila error, answered in the one shape (Starlette raises
    it again afterwards, so the server logs it). Starlette answers it outside the middleware,
    so the security headers are put on here. Under /ui it is an error page."""
    if pages.is_page(request.url.path):
        error = InternalError(INTERNAL_MESSAGE)
        error.__cause__ = exc  # the server's log gets where it failed
        return secure(pages.error_page(request, error))
    body = ErrorPublic(error=INTERNAL_MESSAGE)
    return secure(JSONResponse(body.model_dump(), status_code=500))


async def swagger_ui(request: Request) -> HTMLResponse:
    """/docs: Swagger UI from the copy the swagger-ui-bundle package ships, served under
    /static like every other asset (pages load nothing from outside this server); its inline
    script is allowed by hash, its icons are data: URIs."""
    page = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Silsila API",
        swagger_js_url="/static/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger-ui.css",
        swagger_favicon_url="/static/favicon-32x32.png",
    )
    return InlinePage(bytes(page.body).decode("utf-8"), extra=SWAGGER_SOURCES)


SWAGGER_SOURCES = {"img-src": ("data:",)}


def _error_json() -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorPublic"}}}


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, saying what the handlers send: every 4xx and 5xx answer is an
    `ErrorPublic` in JSON, on HTML routes too, and a 422 is never FastAPI's
    HTTPValidationError."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    document = FastAPI.openapi(app)
    for path in document.get("paths", {}).values():
        for operation in path.values():
            for code, answer in operation.get("responses", {}).items():
                if code[0] in "45":
                    answer["content"] = _error_json()
                if code == "422":
                    answer["description"] = (
                        "A parameter or the body does not fit; the message names it."
                    )
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    app.openapi_schema = document
    return document
