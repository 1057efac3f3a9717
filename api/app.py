"""The FastAPI application: one async driver per app, errors mapped to HTTP codes here only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api.models import ErrorPublic
from api.routes import health
from graph.errors import CredentialsRejectedError, GraphError, GraphUnavailableError
from graph.settings import Settings
from graph.store import open_async_driver


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the driver opens in the lifespan and reconnects by itself."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.driver = open_async_driver(settings)
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
    app.add_exception_handler(GraphError, _graph_error)
    return app


async def _graph_error(request: Request, exc: Exception) -> JSONResponse:
    """503 while Neo4j is unreachable or refuses our credentials; 500 otherwise."""
    unavailable = isinstance(exc, GraphUnavailableError | CredentialsRejectedError)
    body = ErrorPublic(status="unavailable" if unavailable else "error", error=str(exc))
    return JSONResponse(status_code=503 if unavailable else 500, content=body.model_dump())
