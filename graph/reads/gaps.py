"""The accountability gap: people and units in the chains of attributed events with no sanction."""

from __future__ import annotations

from collections import defaultdict

from graph.db.reader import Reader
from graph.reads import models
from graph.reads.events import EventFilter, event_accountability, events
from graph.reads.rows import MAX_ROWS

MAX_EVENTS = 1000


async def unsanctioned(reader: Reader, where: EventFilter | None = None) -> list[models.Gap]:
    """Every person and unit attributed an event, or in its chain at the event's dates, that
    no sanction names; each with the events that put them there."""
    page = await events(reader, where or EventFilter(), limit=MAX_EVENTS)
    exposed: dict[str, models.Entity] = {}
    because: dict[str, set[str]] = defaultdict(set)
    sanctioned: set[str] = set()
    for event in page.items:
        account = await event_accountability(reader, event.id)
        sanctioned |= {s.entity.id for s in account.sanctions}
        named = [a.actor for a in account.attributions if a.role in ("perpetrator", "commander")]
        named += [level.unit for chain in account.chains for level in chain.levels]
        named += [
            c.person for chain in account.chains for lv in chain.levels for c in lv.commanders
        ]
        for who in named:
            exposed.setdefault(who.id, who)
            because[who.id].add(event.id)
    return [
        models.Gap(entity=exposed[i], events=sorted(because[i]))
        for i in sorted(exposed)
        if i not in sanctioned
    ][:MAX_ROWS]
