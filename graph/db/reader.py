"""Running the investigative reads: READ routing, error translation, and the viewer's redaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from neo4j import READ_ACCESS, AsyncDriver, AsyncManagedTransaction, RoutingControl

from graph.db import queries
from graph.db.kept import kept
from graph.db.settings import Settings
from graph.db.store import translated_errors
from graph.errors import NotFoundError
from ontology.model import load

MAX_HIDDEN_NAMES = 10_000

Page = TypeVar("Page")


async def restricted_pages(
    read_page: Callable[[str, int], Awaitable[tuple[Page, int, str]]],
) -> list[Page]:
    """What READ_PAGE(after, limit) reads of the restricted persons, MAX_HIDDEN_NAMES persons
    a round trip in id order, until a page holds fewer: none is left out, however many. It
    returns the page, how many persons it held and the last one's id."""
    pages: list[Page] = []
    after = ""
    while True:
        page, persons, last = await read_page(after, MAX_HIDDEN_NAMES)
        pages.append(page)
        if persons < MAX_HIDDEN_NAMES:
            return pages
        after = last


@dataclass
class Reader:
    """One viewer's reads: the public role gets `public=True` and the restricted names to hide."""

    driver: AsyncDriver
    settings: Settings
    public: bool = True
    _hidden: list[str] | None = field(default=None, init=False)

    async def rows(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """Run a read; every query gets $public and $hidden so it can redact by itself."""
        hidden = await self._hidden_names() if self.public else []
        with translated_errors(self.settings):
            result = await self.driver.execute_query(
                query,
                {**params, "public": self.public, "hidden": hidden},
                database_=self.settings.neo4j_database,
                routing_=RoutingControl.READ,
            )
        return [record.data() for record in result.records]

    async def graph_version(self) -> str | None:
        """A name for the graph's present state, for answers kept until the graph changes:
        the bookmark Neo4j ends a read with names the last committed transaction, so it is
        new after every write, whoever wrote (a load, an import, a review, a shell). None if
        Neo4j gave no bookmark: then nothing may be kept."""
        with translated_errors(self.settings):
            async with self.driver.session(
                database=self.settings.neo4j_database, default_access_mode=READ_ACCESS
            ) as session:
                await session.execute_read(_consume, queries.GRAPH_STATE)
                bookmarks = await session.last_bookmarks()
        return ",".join(sorted(bookmarks.raw_values)) or None

    async def _hidden_names(self) -> list[str]:
        """The names and aliases of restricted persons, read once per graph state: reading
        them all on every request cost more than most answers (80 ms for 1,000 witnesses)."""
        if self._hidden is None:
            self._hidden = await kept(self, "hidden_names", (), self._read_hidden_names)
        return self._hidden

    async def _read_hidden_names(self) -> list[str]:
        """Every restricted person's names and aliases."""
        names = {n for page in await restricted_pages(self._hidden_names_page) for n in page}
        # Generic descriptions ("Unnamed resident") are not identities; names are.
        return sorted(n for n in names if n and "unnamed" not in n.lower())

    async def _hidden_names_page(self, after: str, limit: int) -> tuple[set[str], int, str]:
        with translated_errors(self.settings):
            result = await self.driver.execute_query(
                queries.HIDDEN_NAMES,
                {"after": after, "limit": limit},
                database_=self.settings.neo4j_database,
                routing_=RoutingControl.READ,
            )
        found = result.records
        names = {r["name"] for r in found} | {a for r in found for a in r["aliases"]}
        return names, len(found), found[-1]["id"] if found else ""

    async def node(self, node_id: str) -> dict[str, Any]:
        """A node by id (through the root labels' indexes); NotFoundError if absent or hidden."""
        found = await self.rows(queries.NODE_BY_ID, id=node_id)
        if not found:
            raise NotFoundError(f"No record with id {node_id!r}.")
        return found[0]


async def _consume(tx: AsyncManagedTransaction, query: str) -> None:
    await (await tx.run(query)).consume()


def entity_type(labels: list[str]) -> str:
    """The most specific record type among a node's labels (e.g. Person, Event, Place)."""
    ontology = load()
    types = [label for label in labels if label in ontology.record_types]
    if not types:
        return labels[0] if labels else "Unknown"
    return max(types, key=lambda t: len(ontology.ancestors(t)))
