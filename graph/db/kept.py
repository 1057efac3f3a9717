"""Answers kept until the graph changes: whole-graph tables and hashes that cost a scan are
computed once per graph state and viewer, then served for one round trip (the graph's version,
`Reader.graph_version`) until any write makes them new. The public role's restricted names
are kept the same way, so a request does not read them all again."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # the reader keeps its restricted names here: no import at run time
    from graph.db.reader import Reader

T = TypeVar("T")

# A few answers per state are worth keeping; asks with other arguments push the oldest out.
MAX_KEPT = 256
_kept: OrderedDict[tuple[Hashable, ...], tuple[str, Any]] = OrderedDict()


async def kept(
    reader: Reader, name: str, args: tuple[Hashable, ...], compute: Callable[[], Awaitable[T]]
) -> T:
    """COMPUTE's answer for this Neo4j, database, viewer, NAME and ARGS, computed again only
    after a write. Nothing is kept when Neo4j names no version."""
    settings = reader.settings
    key = (settings.bolt_uri, settings.neo4j_database, reader.public, name, *args)
    version = await reader.graph_version()
    hit = _kept.get(key)
    if version is not None and hit is not None and hit[0] == version:
        _kept.move_to_end(key)
        answer: T = hit[1]
        return answer
    answer = await compute()
    if version is not None:
        _kept[key] = (version, answer)
        _kept.move_to_end(key)
        while len(_kept) > MAX_KEPT:
            _kept.popitem(last=False)
    return answer


def forget() -> None:
    """Drop every kept answer: the next ask computes it again."""
    _kept.clear()
