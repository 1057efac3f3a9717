"""Who commanded a unit at a date, the chain above it, and a person's command exposure.

Every as-of decision goes through `graph.asof.holds_at`: certain, possible, or no.
"""

from __future__ import annotations

from collections.abc import Sequence

from graph.asof import Certainty, PartialDate
from graph.db import queries
from graph.db.reader import Reader
from graph.reads import models
from graph.reads.rows import MAX_ROWS, as_of, entity, node_entity, tenure_model

COMMAND_ROLES = ("commander", "head")


async def commanders_at(reader: Reader, unit_id: str, at: PartialDate) -> list[models.Commander]:
    """Who held a command post (commander or head) in the unit at AT, certain ones first."""
    return await posted_at(reader, unit_id, at, COMMAND_ROLES)


async def posted_at(
    reader: Reader, unit_id: str, at: PartialDate, roles: Sequence[str] | None = None
) -> list[models.Commander]:
    """Who was posted to the unit at AT (in ROLES, or any role), certain ones first."""
    rows = await reader.rows(
        queries.COMMAND_POSTINGS,
        unit=unit_id,
        roles=None if roles is None else list(roles),
        limit=MAX_ROWS,
    )
    found = []
    for row in rows:
        answer = as_of(row["tenure"], at)
        if answer.certainty == Certainty.NO.value:
            continue
        person = entity(row["person"])
        if person is None:
            continue
        found.append(
            models.Commander(
                person=person,
                role=row["role"],
                title=row["title"],
                rank=row["rank"],
                tenure=tenure_model(row["tenure"]),
                as_of=answer,
                citations=[models.Citation(**c) for c in row["citations"]],
            )
        )
    return sorted(found, key=lambda c: (c.as_of.certainty != Certainty.CERTAIN.value, c.person.id))


async def chain_of_command(
    reader: Reader, unit_id: str, at: PartialDate, max_depth: int = queries.MAX_DEPTH
) -> models.Chain:
    """The unit and its superiors as they stood at AT, each level with its commanders then.

    A level with nobody on record is kept as an explicit gap. Command relations are followed
    before membership; a relation that did not hold at AT is not followed.
    """
    unit = node_entity(await reader.node(unit_id))
    levels = [await _level(reader, unit, 0, at)]
    seen = {unit.id}
    current = unit
    truncated = False
    while True:
        parent = await _superior(reader, current.id, at)
        if parent is None:
            break
        relation, parent_entity, answer, cites = parent
        if parent_entity.id in seen:  # a cycle in the data; stop rather than loop
            break
        if len(levels) > max_depth:
            truncated = True
            break
        level = await _level(reader, parent_entity, len(levels), at)
        level.relation, level.relation_as_of, level.citations = relation, answer, cites
        levels.append(level)
        seen.add(parent_entity.id)
        current = parent_entity
    return models.Chain(unit=unit, at=str(at), levels=levels, truncated=truncated)


async def _level(
    reader: Reader, unit: models.Entity, depth: int, at: PartialDate
) -> models.ChainLevel:
    posted = await posted_at(reader, unit.id, at)
    commanders = [p for p in posted if p.role in COMMAND_ROLES]
    return models.ChainLevel(
        unit=unit, depth=depth, commanders=commanders, posted=posted, gap=not commanders
    )


async def _superior(
    reader: Reader, unit_id: str, at: PartialDate
) -> tuple[str, models.Entity, models.AsOf, list[models.Citation]] | None:
    """The unit's superior at AT: a certain relation before a possible one, command first."""
    rows = await reader.rows(queries.SUPERIORS, unit=unit_id, limit=MAX_ROWS)
    ranked = []
    for row in rows:
        answer = as_of(row["tenure"], at)
        parent = entity(row["parent"])
        if answer.certainty == Certainty.NO.value or parent is None:
            continue
        rank = (answer.certainty != Certainty.CERTAIN.value, row["relation"] != "command")
        cites = [models.Citation(**c) for c in row["citations"]]
        ranked.append((rank, row["relation"], parent, answer, cites))
    if not ranked:
        return None
    _, relation, parent, answer, cites = min(ranked, key=lambda r: r[0])
    return relation, parent, answer, cites
