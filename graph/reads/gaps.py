"""The accountability gap: people and units in the chains of attributed events with no sanction.

The answer over the whole graph is kept, one per viewer role, until the graph changes: each
ask costs one round trip to learn the graph's version (`Reader.graph_version`), and the gap is
computed again only when a write has made it new.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graph.asof import PartialDate
from graph.db import queries
from graph.db.reader import Reader
from graph.reads import models
from graph.reads.command import chains_at
from graph.reads.events import EventFilter, event_span, events
from graph.reads.rows import MAX_ROWS, entity
from ontology.terms import Label

MAX_EVENTS = 1000
# The attribution roles that put an actor in the gap by itself (its chain does so for units).
NAMING_ROLES = ("perpetrator", "commander")


@dataclass(frozen=True)
class _Kept:
    version: str
    gaps: tuple[models.Gap, ...]


# The last whole-graph answer per Neo4j, database and role (public or not): a few entries.
_kept: dict[tuple[str, str, bool], _Kept] = {}


async def unsanctioned(reader: Reader, where: EventFilter | None = None) -> list[models.Gap]:
    """Every person and unit attributed an event, or in its chain at the event's dates, that
    no sanction names; each with the events that put them there. Over the whole graph (no
    filter) the answer is kept until the graph changes."""
    if where is not None and where != EventFilter():
        return await find_unsanctioned(reader, where)
    key = (reader.settings.bolt_uri, reader.settings.neo4j_database, reader.public)
    version = await reader.graph_version()
    kept = _kept.get(key)
    if version is not None and kept is not None and kept.version == version:
        return list(kept.gaps)
    found = await find_unsanctioned(reader, EventFilter())
    if version is not None:
        _kept[key] = _Kept(version, tuple(found))
    return found


def forget() -> None:
    """Drop every kept answer: the next ask computes the gap again."""
    _kept.clear()


async def find_unsanctioned(reader: Reader, where: EventFilter) -> list[models.Gap]:
    """The gap computed from the graph as it is now, in a few statements whatever the number
    of events: the events (counted, listed), their attributions, the units above every
    attributed unit (UNITS_AT_ONCE a statement), and which of those found carry a sanction."""
    page = await events(reader, where, limit=MAX_EVENTS)
    spans = {event.id: event_span(event) for event in page.items}
    rows = await reader.rows(queries.EVENTS_ATTRIBUTED_ACTORS, events=list(spans), limit=MAX_ROWS)
    exposure = _Exposure()
    asked: list[tuple[str, str, PartialDate]] = []  # (event, unit, the event's dates)
    for row in rows:
        event_id, actors, span = row["id"], _actors(row["attributions"]), spans[row["id"]]
        exposure.add(event_id, [who for role, who in actors if role in NAMING_ROLES])
        units = sorted({who.id for _, who in actors if who.type == Label.ORGANIZATION})
        asked += [(event_id, unit_id, span) for unit_id in units if span is not None]
    chains = await chains_at(reader, [(unit_id, span) for _, unit_id, span in asked])
    for (event_id, _, _), chain in zip(asked, chains, strict=True):
        exposure.add(event_id, _in_chain(chain))
    return exposure.gaps(without=await _sanctioned(reader, sorted(exposure.entities)))


@dataclass
class _Exposure:
    """Who the events expose, and through which events."""

    entities: dict[str, models.Entity] = field(default_factory=dict)
    events: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, event_id: str, exposed: Iterable[models.Entity]) -> None:
        for one in exposed:
            self.entities.setdefault(one.id, one)
            self.events[one.id].add(event_id)

    def gaps(self, without: set[str]) -> list[models.Gap]:
        """Everyone exposed but those WITHOUT, by id; at most MAX_ROWS."""
        return [
            models.Gap(entity=self.entities[i], events=sorted(self.events[i]))
            for i in sorted(self.entities)
            if i not in without
        ][:MAX_ROWS]


def _actors(attributions: list[dict[str, Any]]) -> list[tuple[str, models.Entity]]:
    """(role, actor) for each attribution row of EVENTS_ATTRIBUTED_ACTORS."""
    found = []
    for row in attributions:
        actor = entity(row["actor"])
        if actor is not None:
            found.append((row["role"], actor))
    return found


def _in_chain(chain: models.Chain) -> list[models.Entity]:
    """Every unit of the chain and every commander it had at the chain's date."""
    return [
        who
        for level in chain.levels
        for who in (level.unit, *(commander.person for commander in level.commanders))
    ]


async def _sanctioned(reader: Reader, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    rows = await reader.rows(queries.SANCTIONED_IDS, entities=ids)
    return {row["id"] for row in rows}
