"""The API's access log: one line per request naming the route, never the path or the query.

A path can carry a record id, and ids can carry a witness's alias
(`/entities/statement:observer-abu-amin-80-…`); a query can carry a searched name. Uvicorn's
own access log writes both, so `silsila serve` turns it off and this log writes the route's
template instead: `GET /entities/{entity_id} 200 12 ms`.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("silsila.access")
UNROUTED = "(no route)"


class AccessLog:
    """ASGI middleware: logs method, route template, status and duration of each request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the caller gets if the app fails before answering

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            logger.info(
                "%s %s %d %.0f ms",
                scope["method"],
                route_template(scope),
                status,
                (time.perf_counter() - started) * 1000,
            )


def route_template(scope: Scope) -> str:
    """The matched route's path template (`/entities/{entity_id}`), never the path asked."""
    route = scope.get("route")
    return str(getattr(route, "path", UNROUTED))
