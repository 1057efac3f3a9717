"""The FastAPI application: one async driver per app, errors mapped to HTTP codes here only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api.audit import AuditLog, audit_path
from api.models import ErrorPublic
from api.routes import casefiles, cypher, health, investigate, pages, views
from api.security import AccessDeniedError, TokenStore, tokens_path
from graph.db.settings import Settings
from graph.db.store import open_async_driver
from graph.errors import (
    CredentialsRejectedError,
    GraphError,
    GraphUnavailableError,
    InvalidRequestError,
    InvalidStatementError,
    NotFoundError,
    ReadOnlyViolationError,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the driver opens in the lifespan and reconnects by itself."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.driver = open_async_driver(settings)
        app.state.tokens = TokenStore(tokens_path(settings))
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
    )
    app.include_router(health.router)
    app.include_router(cypher.router)
    app.include_router(investigate.router)
    app.include_router(casefiles.router)
    app.include_router(views.router)
    app.include_router(pages.router)
    app.add_exception_handler(GraphError, _graph_error)
    app.add_exception_handler(AccessDeniedError, _access_denied)
    return app


async def _graph_error(request: Request, exc: Exception) -> JSONResponse:
    """503 while Neo4j is unreachable or refuses our credentials; 403 for a statement that is
    not a read (POST /cypher), 400 for a caller's malformed or too slow statement; 500 otherwise.
    """
    unavailable = isinstance(exc, GraphUnavailableError | CredentialsRejectedError)
    body = ErrorPublic(status="unavailable" if unavailable else "error", error=str(exc))
    if isinstance(exc, NotFoundError):
        return JSONResponse(status_code=404, content=body.model_dump())
    if isinstance(exc, InvalidRequestError):
        return JSONResponse(status_code=422, content=body.model_dump())
    if isinstance(exc, ReadOnlyViolationError):
        return JSONResponse(status_code=403, content=body.model_dump())
    if isinstance(exc, InvalidStatementError):
        return JSONResponse(status_code=400, content=body.model_dump())
    return JSONResponse(status_code=503 if unavailable else 500, content=body.model_dump())


async def _access_denied(request: Request, exc: Exception) -> JSONResponse:
    """401 (no or unknown token; says how to get one) or 403 (the token's role is not enough)."""
    status_code = exc.status_code if isinstance(exc, AccessDeniedError) else 401
    headers = {"WWW-Authenticate": "Bearer"} if status_code == 401 else None
    body = ErrorPublic(status="error", error=str(exc))
    return JSONResponse(status_code=status_code, content=body.model_dump(), headers=headers)
