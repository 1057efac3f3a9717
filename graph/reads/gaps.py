"""The accountability gap: leads, not findings. The people and units that the graph's sources
link to attributed events and that no sanction in the graph names, each with why, in words.

Every attributed event is read, EVENTS_AT_ONCE a statement; nothing is dropped silently: a bound
reached is said in the answer (`truncated_because`). The answer over the whole graph is kept,
one per viewer role, until the graph changes: each ask costs one round trip to learn the
graph's version (`Reader.graph_version`), and the gap is computed again only when a write has
made it new. Pages are cut from the kept answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from graph.asof import Certainty, PartialDate
from graph.db import queries
from graph.db.kept import kept
from graph.db.reader import Reader
from graph.reads import models
from graph.reads.command import UnitsRead, chains_at
from graph.reads.events import EventFilter, event_span, events
from graph.reads.rows import MAX_ROWS, entity
from ontology.terms import Label
from ontology.words import relation_words

NOTICE = (
    "Leads for investigation, not findings: each entry is a person or unit that the graph's "
    "sources link to an attributed event and that no sanction in the graph names. A missing "
    "sanction in this graph is not proof that none exists, and a link is a claim to verify, "
    "not a finding of responsibility."
)
# The attribution roles that put any actor on the list by themselves.
NAMING_ROLES = ("perpetrator", "commander")
# The roles that put a unit on the list together with its chain of command at the event's
# dates (a target is not a lead).
CHAIN_ROLES = ("perpetrator", "commander", "participant")
EVENTS_AT_ONCE = 500  # attributed events one statement reads, with their attributions
SANCTIONS_AT_ONCE = 1000  # people and units one statement checks for a sanction
REASONS_SHOWN = 100  # events whose reasons an entry spells out; the rest are counted
BOUNDS_SHOWN = 20  # bounds reached that the answer names one by one; the rest are counted


@dataclass(frozen=True)
class Unsanctioned:
    """The whole gap: every lead, the attributed events read, and the bounds reached."""

    gaps: tuple[models.Gap, ...]
    events: int
    truncated_because: tuple[str, ...] = ()

    def page(self, limit: int, offset: int = 0) -> models.GapList:
        return models.GapList(
            notice=NOTICE,
            gaps=list(self.gaps[offset : offset + limit]),
            total=len(self.gaps),
            limit=limit,
            offset=offset,
            events=self.events,
            truncated=bool(self.truncated_because),
            truncated_because=list(self.truncated_because),
        )


async def unsanctioned(
    reader: Reader, where: EventFilter | None = None, limit: int = 100, offset: int = 0
) -> models.GapList:
    """A page of the gap (by id), with the notice saying what it is, its total and any bound
    reached."""
    return (await unsanctioned_whole(reader, where)).page(limit, offset)


async def unsanctioned_whole(reader: Reader, where: EventFilter | None = None) -> Unsanctioned:
    """Every person and unit attributed an event, or in its chain at the event's dates, that
    no sanction names; each with the events that put them there and why. Over the whole graph
    (no filter) the answer is kept until the graph changes."""
    if where is not None and where != EventFilter():
        return await find_unsanctioned(reader, where)
    return await kept(reader, "unsanctioned", (), lambda: find_unsanctioned(reader, EventFilter()))


async def find_unsanctioned(reader: Reader, where: EventFilter) -> Unsanctioned:
    """The gap computed from the graph as it is now. Each batch of EVENTS_AT_ONCE attributed
    events costs one statement (three when filtered) and one per UNITS_AT_ONCE attributed units
    for their chains; then one per SANCTIONS_AT_ONCE people and units found, for sanctions."""
    exposure = _Exposure()
    async for batch in _attributed_events(reader, where):
        await exposure.add_batch(reader, batch)
    return exposure.answer(without=await _sanctioned(reader, sorted(exposure.entities)))


async def _attributed_events(
    reader: Reader, where: EventFilter
) -> AsyncIterator[list[dict[str, Any]]]:
    """Every attributed event (all of them, or those matching WHERE), EVENTS_AT_ONCE at a
    time, each with its attributions (one more than MAX_ROWS, to tell when there are more)."""
    if where == EventFilter():
        after = ""
        while True:
            rows = await reader.rows(
                queries.GAP_EVENTS_AFTER, after=after, events=EVENTS_AT_ONCE, limit=MAX_ROWS + 1
            )
            if rows:
                yield rows
            if len(rows) < EVENTS_AT_ONCE:
                return
            after = rows[-1]["id"]
    offset = 0
    while True:
        page = await events(reader, where, limit=EVENTS_AT_ONCE, offset=offset)
        ids = [event.id for event in page.items]
        if ids:
            yield await reader.rows(queries.GAP_EVENTS, events=ids, limit=MAX_ROWS + 1)
        offset += len(ids)
        if not ids or offset >= page.total:
            return


@dataclass(frozen=True)
class _Event:
    id: str
    name: str
    start: str | None
    end: str | None

    @cached_property  # asked once for each person or unit the event exposes
    def entity(self) -> models.Entity:
        return models.Entity(id=self.id, type=Label.EVENT, name=self.name, labels=[Label.EVENT])

    @property
    def dates(self) -> str | None:
        if self.start is None:
            return None
        return self.start if self.end in (None, self.start) else f"{self.start} to {self.end}"

    @property
    def span(self) -> PartialDate | None:
        return event_span(
            models.EventSummary(
                id=self.id, name=self.name, kinds=[], start=self.start, end=self.end
            )
        )


@dataclass(frozen=True)
class _Attribution:
    role: str
    actor: models.Entity
    claimed_by: models.Entity | None
    sources: tuple[str, ...]


@dataclass
class _Exposure:
    """Who the events expose, through which events, and why, in words."""

    entities: dict[str, models.Entity] = field(default_factory=dict)
    reasons: dict[str, dict[str, list[str]]] = field(default_factory=lambda: defaultdict(dict))
    events: dict[str, _Event] = field(default_factory=dict)
    read: int = 0
    bounds: list[str] = field(default_factory=list)
    units: UnitsRead = field(default_factory=UnitsRead)  # each unit's chain read once

    def add(self, event: _Event, who: models.Entity, reason: str) -> None:
        self.entities.setdefault(who.id, who)
        self.events.setdefault(event.id, event)
        said = self.reasons[who.id].setdefault(event.id, [])
        if reason not in said:
            said.append(reason)

    async def add_batch(self, reader: Reader, rows: list[dict[str, Any]]) -> None:
        """A batch of events: their attributions now, their units' chains in one go."""
        asked: list[tuple[_Event, models.Entity, PartialDate]] = []
        for row in rows:
            if not row["attributions"]:  # a filtered event nobody is attributed
                continue
            event = _Event(row["id"], row["name"] or "an unnamed event", row["start"], row["end"])
            self.read += 1
            claims = _attributions(row["attributions"])
            if len(claims) > MAX_ROWS:
                self._bound(
                    f"{event.name} has more than {MAX_ROWS:,} attributions: the first "
                    f"{MAX_ROWS:,} were read, and whoever the others name may be missing."
                )
                claims = claims[:MAX_ROWS]
            span = event.span
            for claim in claims:
                self._add_attribution(event, claim, span)
            units = {c.actor.id: c.actor for c in claims if _chained(c)}
            if span is not None:
                asked += [(event, units[i], span) for i in sorted(units)]
        chains = await chains_at(  # the gap names each level's commanders, nobody else posted
            reader,
            [(unit.id, span) for _, unit, span in asked],
            commanders_only=True,
            read=self.units,
        )
        for (event, unit, _), chain in zip(asked, chains, strict=True):
            self._add_chain(event, unit, chain)

    def _add_attribution(
        self, event: _Event, claim: _Attribution, span: PartialDate | None
    ) -> None:
        if claim.role not in NAMING_ROLES and not _chained(claim):
            return
        reason = f"attributed as {claim.role} of {event.name} ({_according_to(claim)})"
        if _chained(claim) and span is None:
            reason += "; the event has no date in the graph, so its chain of command is not read"
        self.add(event, claim.actor, reason)

    def _add_chain(self, event: _Event, unit: models.Entity, chain: models.Chain) -> None:
        """Every unit above UNIT at the event's dates and every commander on the way."""
        for depth, level in enumerate(chain.levels):
            if depth > 0:
                self.add(event, level.unit, _in_chain(chain, depth))
            for commander in level.commanders:
                self.add(event, commander.person, _commands(chain, depth, commander))
        if chain.truncated:
            self._bound(
                f"The chain of command of {_name(unit)} at the dates of {event.name} stops "
                f"after {len(chain.levels)} levels (at most {queries.MAX_DEPTH} are read, "
                f"{MAX_ROWS:,} units a statement): units above it and their commanders may be "
                "missing."
            )

    def _bound(self, said: str) -> None:
        if said not in self.bounds:
            self.bounds.append(said)

    def answer(self, without: set[str]) -> Unsanctioned:
        """Everyone exposed but those WITHOUT, by id."""
        gaps = tuple(self._gap(i) for i in sorted(self.entities) if i not in without)
        bounds = self.bounds[:BOUNDS_SHOWN]
        if len(self.bounds) > BOUNDS_SHOWN:
            bounds.append(f"And {len(self.bounds) - BOUNDS_SHOWN:,} more bounds like these.")
        return Unsanctioned(gaps=gaps, events=self.read, truncated_because=tuple(bounds))

    def _gap(self, entity_id: str) -> models.Gap:
        because = self.reasons[entity_id]
        ordered = sorted(
            (self.events[i] for i in because), key=lambda e: (e.start is None, e.start, e.id)
        )
        return models.Gap(
            entity=self.entities[entity_id],
            events=sorted(because),
            reasons=[
                models.GapReason(event=e.entity, dates=e.dates, reasons=because[e.id])
                for e in ordered[:REASONS_SHOWN]
            ],
            reasons_not_shown=max(0, len(ordered) - REASONS_SHOWN),
        )


def _attributions(rows: list[dict[str, Any]]) -> list[_Attribution]:
    """The attributions of a row of GAP_EVENTS, those with an actor."""
    found = []
    for row in rows:
        actor = entity(row["actor"])
        if actor is not None:
            sources = tuple(dict.fromkeys(s for s in row["sources"] if s))
            found.append(_Attribution(row["role"], actor, entity(row["claimed_by"]), sources))
    return found


def _chained(claim: _Attribution) -> bool:
    """Whether the attribution puts a unit on the list with its chain of command."""
    return claim.role in CHAIN_ROLES and claim.actor.type == Label.ORGANIZATION


def _according_to(claim: _Attribution) -> str:
    sources = "; ".join(claim.sources)
    if claim.claimed_by is not None:
        said = f"according to {_name(claim.claimed_by)}"
        return f"{said}, as reported in {sources}" if sources else said
    return f"according to {sources}" if sources else "no source the viewer may see is named"


def _in_chain(chain: models.Chain, depth: int) -> str:
    """Why the unit DEPTH levels above the attributed one is listed: the chain up to it held at
    the event's dates, as surely as its least certain link."""
    links = [(chain.levels[i - 1].unit, chain.levels[i]) for i in range(1, depth + 1)]
    weakest = next(
        (link for link in links if _link_certainty(link[1]) != Certainty.CERTAIN), links[-1]
    )
    below, level = weakest
    how = relation_words(level.relation)
    certainty = _link_certainty(level).value
    why = level.relation_as_of.reason if level.relation_as_of else "no dates read"
    where = "directly above it" if depth == 1 else f"{depth} levels above it"
    return (
        f"{_name(chain.levels[depth].unit)} was in the chain of "
        f"command of {_name(chain.unit)} at the event's dates, {where}: {_name(below)} {how} "
        f"{_name(level.unit)} ({certainty}: {why})"
    )


def _link_certainty(level: models.ChainLevel) -> Certainty:
    return level.relation_as_of.certainty if level.relation_as_of else Certainty.POSSIBLE


def _commands(chain: models.Chain, depth: int, commander: models.Commander) -> str:
    """Why a commander of a level of the chain is listed."""
    unit = chain.levels[depth].unit
    said = (
        f"{commander.role or 'commander'} of {_name(unit)} at the event's dates "
        f"({commander.as_of.certainty.value}: {commander.as_of.reason})"
    )
    if depth == 0:
        return said
    return f"{said}; {_name(unit)} was in the chain of command of {_name(chain.unit)} then"


def _name(who: models.Entity) -> str:
    if who.name:
        return who.name
    return "an unnamed unit" if who.type == Label.ORGANIZATION else "an unnamed person"


async def _sanctioned(reader: Reader, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), SANCTIONS_AT_ONCE):
        chunk = list(ids[start : start + SANCTIONS_AT_ONCE])
        found |= {row["id"] for row in await reader.rows(queries.SANCTIONED_IDS, entities=chunk)}
    return found
