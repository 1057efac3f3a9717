"""The FastAPI application: one async driver per app; every Silsila error answered here only,
with the status `api.errors.STATUS_CODES` gives it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api.audit import AuditLog, audit_path
from api.errors import UNAVAILABLE, public_message, status_of
from api.models import ErrorPublic
from api.routes import casefiles, cypher, health, investigate, pages, views
from api.security import TokenStore, tokens_path
from graph.db.settings import Settings
from graph.db.store import open_async_driver
from ontology.errors import SilsilaError

logger = logging.getLogger(__name__)


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
    app.add_exception_handler(SilsilaError, silsila_error)
    return app


async def silsila_error(request: Request, exc: Exception) -> JSONResponse:
    """Every Silsila error, answered with the status `api.errors.STATUS_CODES` gives it.

    The body is an `ErrorPublic`: `unavailable` while Neo4j is unreachable or refuses our
    credentials (503), `error` otherwise. A 401 says how to authenticate (`WWW-Authenticate`).
    """
    if not isinstance(exc, SilsilaError):  # registered for SilsilaError only
        raise exc
    status_code = status_of(exc)
    if status_code == 500:
        logger.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    headers = {"WWW-Authenticate": "Bearer"} if status_code == 401 else None
    status = "unavailable" if status_code == UNAVAILABLE else "error"
    body = ErrorPublic(status=status, error=public_message(exc))
    return JSONResponse(status_code=status_code, content=body.model_dump(), headers=headers)
