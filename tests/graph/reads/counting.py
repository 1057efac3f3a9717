"""A real reader that counts the statements it runs, for tests of how many round trips a
question takes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from graph.db.reader import Reader
from graph.db.settings import Settings
from graph.db.store import open_async_driver

T = TypeVar("T")


class CountingReader(Reader):
    """A real reader that counts the statements it runs."""

    statements = 0

    async def rows(self, query: str, **params: Any) -> list[dict[str, Any]]:
        self.statements += 1
        return await super().rows(query, **params)


def run(settings: Settings, work: Callable[[Any], Awaitable[T]], public: bool = True) -> T:
    """WORK(reader) on a fresh driver and reader for one viewer."""

    async def go() -> T:
        driver = open_async_driver(settings)
        try:
            return await work(CountingReader(driver, settings, public=public))
        finally:
            await driver.close()

    return asyncio.run(go())
