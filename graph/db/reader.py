"""Running the investigative reads: READ routing, error translation, and the viewer's redaction."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import ahocorasick
from neo4j import (
    READ_ACCESS,
    AsyncDriver,
    AsyncSession,
    AsyncTransaction,
    Record,
    RoutingControl,
)
from neo4j.exceptions import DriverError, Neo4jError

from graph.db import queries
from graph.db.kept import kept
from graph.db.settings import Settings
from graph.db.store import DRIVER_OPTIONS, translated_errors
from graph.errors import NotFoundError
from ontology.model import load

MAX_HIDDEN_NAMES = 10_000
# A statement in a request's transaction is tried again, in a new transaction, for as long as
# a managed transaction would be (the driver's own retry time), after a transient failure.
RETRY_SECONDS: float = DRIVER_OPTIONS["max_transaction_retry_time"]
RETRY_PAUSE = 0.05

Page = TypeVar("Page")
Result = TypeVar("Result")


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
    _hidden: RestrictedNames | None = field(default=None, init=False)
    _session: AsyncSession | None = field(default=None, init=False)
    _transaction: AsyncTransaction | None = field(default=None, init=False)
    _version: str | None = field(default=None, init=False)

    @asynccontextmanager
    async def one_transaction(self) -> AsyncIterator[Reader]:
        """Within the block, this reader's statements share one read transaction: a request's
        few statements then cost one begin and one commit, not one each (a statement costs
        about half as much). The graph's version is read once, at the first ask."""
        async with self.driver.session(
            database=self.settings.neo4j_database,
            default_access_mode=READ_ACCESS,
            bookmark_manager=self.driver.execute_query_bookmark_manager,
        ) as session:
            self._session = session
            try:
                yield self
            finally:
                self._session, self._version = None, None
                await self._end_transaction()

    async def rows(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """Run a read; every query gets $public so it can redact by itself, and the texts it
        wraps for the public role (`queries.redacted`) are withheld here if they name a
        restricted person, before any caller sees a row."""
        names = await self._hidden_names() if self.public else NO_NAMES
        params = {**params, "public": self.public}
        with translated_errors(self.settings):
            if self._session is not None:
                return await self._in_transaction(self._session, query, params, names)
            result = await self.driver.execute_query(
                query,
                params,
                database_=self.settings.neo4j_database,
                routing_=RoutingControl.READ,
            )
        return [plain(record, names) for record in result.records]

    async def _in_transaction(
        self, session: AsyncSession, query: str, params: dict[str, Any], names: RestrictedNames
    ) -> list[dict[str, Any]]:
        """QUERY in the block's transaction, begun at need."""

        async def attempt() -> list[dict[str, Any]]:
            if self._transaction is None:
                self._transaction = await session.begin_transaction()
            result = await self._transaction.run(query, params)
            return [plain(record, names) async for record in result]

        return await self._retried(attempt)

    async def _retried(self, attempt: Callable[[], Awaitable[Result]]) -> Result:
        """ATTEMPT's answer. A transient failure ends the block's transaction, and ATTEMPT is
        tried again in a new one, as a managed transaction would be; any other failure ends
        it too, so the next statement starts clean."""
        deadline = time.monotonic() + RETRY_SECONDS
        while True:
            try:
                return await attempt()
            except (Neo4jError, DriverError) as e:
                await self._end_transaction()
                if not e.is_retryable() or time.monotonic() > deadline:
                    raise
            await asyncio.sleep(RETRY_PAUSE)

    async def _end_transaction(self) -> None:
        """Close the block's transaction, if one is open: a read has nothing to commit."""
        transaction, self._transaction = self._transaction, None
        if transaction is not None:
            await transaction.close()

    async def graph_version(self) -> str | None:
        """A name for the graph's present state, for answers kept until the graph changes:
        the bookmark Neo4j ends a read with names the last committed transaction, so it is
        new after every write, whoever wrote (a load, an import, a review, a shell). None if
        Neo4j gave no bookmark: then nothing may be kept. In `one_transaction`, read once."""
        if self._session is None:
            async with self.driver.session(
                database=self.settings.neo4j_database, default_access_mode=READ_ACCESS
            ) as session:
                return await self._read_version(session)
        if self._version is None:
            await self._end_transaction()  # a session runs one transaction at a time
            self._version = await self._read_version(self._session)
        return self._version

    async def _read_version(self, session: AsyncSession) -> str | None:
        with translated_errors(self.settings):
            # Auto-commit costs half a managed read; `_retried` stands in for its retries.
            return await self._retried(lambda: _version_after_run(session))

    async def _hidden_names(self) -> RestrictedNames:
        """The names and aliases of restricted persons, read once per graph state: reading
        them all on every request cost more than most answers (80 ms for 1,000 witnesses)."""
        if self._hidden is None:
            self._hidden = await kept(self, "hidden_names", (), self._read_hidden_names)
        return self._hidden

    async def _read_hidden_names(self) -> RestrictedNames:
        """Every restricted person's names and aliases."""
        names = {n for page in await restricted_pages(self._hidden_names_page) for n in page}
        # Generic descriptions ("Unnamed resident") are not identities; names are.
        return RestrictedNames(n for n in names if n and "unnamed" not in n.lower())

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
            raise no_record(node_id)
        return found[0]


def no_record(node_id: str) -> NotFoundError:
    """The error for an id that no record has, or that the viewer may not see (the same)."""
    return NotFoundError(f"No record with id {node_id!r}.")


class RestrictedNames:
    """The names and aliases of restricted persons, all looked for in a text in one pass of it
    (an Aho-Corasick automaton): the same answer as looking for each name in turn, at a cost
    that follows the text's length, not the number of witnesses."""

    def __init__(self, names: Iterable[str]) -> None:
        self._automaton: Any = None
        for name in set(names):
            if self._automaton is None:
                self._automaton = ahocorasick.Automaton()
            self._automaton.add_word(name, name)
        if self._automaton is not None:
            self._automaton.make_automaton()

    def named_in(self, text: str) -> bool:
        """Whether TEXT contains any of the names."""
        return self._automaton is not None and next(self._automaton.iter(text), None) is not None


NO_NAMES = RestrictedNames(())

# What Neo4j gives back that needs no converting: most of an answer.
_AS_IS = frozenset({str, int, float, bool, type(None)})


def plain(record: Record, names: RestrictedNames = NO_NAMES) -> dict[str, Any]:
    """RECORD as `Record.data()` gives it (nodes as their properties' dicts), without its
    type checks against abstract classes on every value (they cost a chain of command's
    answer, about 2,000 values, several milliseconds); a text wrapped by `queries.redacted`
    comes back as itself, or as `queries.WITHHELD` if it contains one of NAMES."""
    return {
        key: _plain(value, names) for key, value in zip(record.keys(), record.values(), strict=True)
    }


def _plain(value: Any, names: RestrictedNames) -> Any:
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is dict:
        if len(value) == 1 and queries.WITHHOLD_IF_NAMED in value:
            return _withheld_if_named(value[queries.WITHHOLD_IF_NAMED], names)
        return {key: _plain(v, names) for key, v in value.items()}
    if kind is list:
        return [_plain(v, names) for v in value]
    # Nodes, relationships, paths, temporal values: as the driver's own conversion has them.
    return Record({"value": value}).data()["value"]  # type: ignore[no-untyped-call]


def _withheld_if_named(text: Any, names: RestrictedNames) -> Any:
    if isinstance(text, str) and names.named_in(text):
        return queries.WITHHELD
    return _plain(text, names)


async def _version_after_run(session: AsyncSession) -> str | None:
    await (await session.run(queries.GRAPH_STATE)).consume()
    bookmarks = await session.last_bookmarks()
    return ",".join(sorted(bookmarks.raw_values)) or None


def entity_type(labels: list[str]) -> str:
    """The most specific record type among a node's labels (e.g. Person, Event, Place)."""
    ontology = load()
    types = [label for label in labels if label in ontology.record_types]
    if not types:
        return labels[0] if labels else "Unknown"
    return max(types, key=lambda t: len(ontology.ancestors(t)))
