"""Slots for expensive answers, so slow reads cannot starve fast ones.

A route that may keep Neo4j busy for a while (network views, case files, paths, the
accountability gap; /cypher has its own) declares `dependencies=[Expensive]`. At most
`Limit.slots` such requests run at once per app; the others wait for a slot, but never longer
than `Limit.wait`, beyond which the route's time budget would be broken: they are answered 503
with a Retry-After header instead (`ServerBusyError`), rather than queued for as long as the
queue is. Budgets and classes are in docs/api.md.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, FastAPI, Request

from api.errors import ServerBusyError
from api.models import ErrorPublic

SLOTS_STATE = "slots"  # app.state's name for the app's Slots, by limit name


@dataclass(frozen=True)
class Limit:
    """How many requests of a class may run at once, and how long one may wait for a slot
    (seconds) before it is turned away."""

    name: str
    slots: int
    wait: float

    @property
    def retry_after(self) -> int:
        """When a caller turned away should try again (whole seconds)."""
        return max(1, math.ceil(self.wait))


# Views, case files, paths, the gap: budget 2 s (docs/api.md), so at most 1 s in the queue.
# Two slots, one per core of the machine the budgets are measured on.
EXPENSIVE = Limit("expensive", slots=2, wait=1.0)
# POST /cypher: budget 10 s, its own slots so ad hoc queries never hold the views' ones.
CYPHER = Limit("cypher", slots=2, wait=2.0)


class Slots:
    """One app's slots for one limit (asyncio, so they belong to the app's event loop)."""

    def __init__(self, limit: Limit) -> None:
        self.limit = limit
        self._free = asyncio.Semaphore(limit.slots)

    @asynccontextmanager
    async def taken(self) -> AsyncIterator[None]:
        """Hold a slot; ServerBusyError if none frees up within the limit's wait."""
        try:
            async with asyncio.timeout(self.limit.wait):
                await self._free.acquire()
        except TimeoutError as e:
            raise ServerBusyError(
                "The server is busy with other expensive requests; "
                f"try again in {self.limit.retry_after} s.",
                retry_after=self.limit.retry_after,
            ) from e
        try:
            yield
        finally:
            self._free.release()


def slots(app: FastAPI, limit: Limit) -> Slots:
    """The app's slots for LIMIT, made on first use (in the app's loop)."""
    kept: dict[str, Slots] | None = getattr(app.state, SLOTS_STATE, None)
    if kept is None:
        kept = {}
        setattr(app.state, SLOTS_STATE, kept)
    if limit.name not in kept:
        kept[limit.name] = Slots(limit)
    return kept[limit.name]


def limited(limit: Limit) -> Callable[[Request], AsyncIterator[None]]:
    """A dependency holding one of LIMIT's slots while the route runs."""

    async def dependency(request: Request) -> AsyncIterator[None]:
        async with slots(request.app, limit).taken():
            yield

    return dependency


def busy(limit: Limit) -> dict[int | str, dict[str, Any]]:
    """The 503 a limited route documents: Neo4j unreachable, or no slot within the wait."""
    return {
        503: {
            "model": ErrorPublic,
            "description": "Neo4j is not reachable, or the server is busy with other "
            f"expensive requests (no slot within {limit.wait:g} s); "
            "Retry-After says when to try again.",
            "headers": {
                "Retry-After": {
                    "description": "Seconds to wait before trying again (when busy).",
                    "schema": {"type": "integer"},
                }
            },
        }
    }


# scope="function": the slot is given back when the route returns, before the answer is sent.
Expensive = Depends(limited(EXPENSIVE), scope="function")
BUSY = busy(EXPENSIVE)
CypherSlot = Depends(limited(CYPHER), scope="function")
CYPHER_BUSY = busy(CYPHER)
