"""Who commanded a unit at a date, and the chain of command above it.

Every as-of decision goes through `graph.asof.holds_at`: certain, possible, or no. The graph is
read in one round trip per question; the decisions are taken here, in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from graph.asof import Certainty, PartialDate
from graph.db import queries
from graph.db.reader import Reader
from graph.errors import InvalidRequestError, NotFoundError
from graph.reads import models
from graph.reads.rows import MAX_ROWS, as_of, entity, node_entity, tenure_model

COMMAND_ROLES = ("commander", "head")
# Units whose superiors one statement reads in `chains_at`: few enough that those above them
# stay within the statement's row limit.
UNITS_AT_ONCE = 100

# A unit read by queries.UNITS_ABOVE: its entity map, the relations to its superiors (command
# first) and its postings (oldest first).
UnitAbove = dict[str, Any]


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
    return _posted([row["posting"] for row in rows], at)


async def chain_of_command(
    reader: Reader, unit_id: str, at: PartialDate, max_depth: int = queries.MAX_DEPTH
) -> models.Chain:
    """The unit and its superiors as they stood at AT, each level with its commanders then.

    A level with nobody on record is kept as an explicit gap. Command relations are followed
    before membership; a relation that did not hold at AT is not followed.
    """
    (chain,) = await chains_of_command(reader, [unit_id], at, max_depth)
    return chain


async def chains_of_command(
    reader: Reader, unit_ids: Sequence[str], at: PartialDate, max_depth: int = queries.MAX_DEPTH
) -> list[models.Chain]:
    """The chains of several units at one date, in the order asked, read in one round trip."""
    return await chains_at(reader, [(unit_id, at) for unit_id in unit_ids], max_depth)


async def chains_at(
    reader: Reader,
    asked: Sequence[tuple[str, PartialDate]],
    max_depth: int = queries.MAX_DEPTH,
) -> list[models.Chain]:
    """The chains of many units, each at its own date (an event's), in the order asked: the
    units above are read once for all of them, UNITS_AT_ONCE at a time, not once per date."""
    if not 0 <= max_depth <= queries.MAX_DEPTH:
        raise InvalidRequestError(f"max_depth must be 0..{queries.MAX_DEPTH}, not {max_depth}")
    ids = sorted({unit_id for unit_id, _ in asked})
    units: dict[str, UnitAbove] = {}
    for start in range(0, len(ids), UNITS_AT_ONCE):
        chunk = ids[start : start + UNITS_AT_ONCE]
        rows = await reader.rows(queries.UNITS_ABOVE, units=chunk, limit=MAX_ROWS)
        units |= {row["id"]: row for row in rows}
    return [
        _chain(units, unit_id, at, max_depth)
        if unit_id in units
        else await _chain_of_other(reader, unit_id, at)
        for unit_id, at in asked
    ]


async def _chain_of_other(reader: Reader, record_id: str, at: PartialDate) -> models.Chain:
    """The chain of a record that is not an organization: itself alone, nobody posted (a gap).
    NotFoundError when no record has the id, or the caller may not see it."""
    record = node_entity(await reader.node(record_id))
    return models.Chain(unit=record, at=at, levels=[_level(record, 0, [], at)])


def _chain(
    units: dict[str, UnitAbove], unit_id: str, at: PartialDate, max_depth: int
) -> models.Chain:
    """Climb from the unit through the superior that held at AT, level by level."""
    current = units[unit_id]
    unit = _unit_entity(current)
    levels = [_level(unit, 0, current["postings"], at)]
    seen = {unit.id}
    truncated = False
    while True:
        superior = _superior(current["superiors"], at)
        if superior is None:
            break
        if superior.parent.id in seen:  # a cycle in the data; stop rather than loop
            break
        # Beyond the depth asked, or beyond what one statement reads (its row limit).
        if len(levels) > max_depth or superior.parent.id not in units:
            truncated = True
            break
        current = units[superior.parent.id]
        level = _level(superior.parent, len(levels), current["postings"], at)
        level.relation, level.relation_as_of = superior.relation, superior.as_of
        level.citations = superior.citations
        levels.append(level)
        seen.add(superior.parent.id)
    return models.Chain(unit=unit, at=at, levels=levels, truncated=truncated)


def _unit_entity(unit: UnitAbove) -> models.Entity:
    found = entity(unit["unit"])
    if found is None:  # pragma: no cover - the statement matches the unit
        raise NotFoundError(f"unit {unit['id']!r} lost its entity")
    return found


def _level(
    unit: models.Entity, depth: int, postings: list[dict[str, Any]], at: PartialDate
) -> models.ChainLevel:
    posted = _posted(postings, at)
    commanders = [p for p in posted if p.role in COMMAND_ROLES]
    return models.ChainLevel(
        unit=unit, depth=depth, commanders=commanders, posted=posted, gap=not commanders
    )


def _posted(postings: list[dict[str, Any]], at: PartialDate) -> list[models.Commander]:
    """The postings that held or may have held at AT, certain ones first."""
    found = []
    for posting in postings:
        answer = as_of(posting["tenure"], at)
        person = entity(posting["person"])
        if answer.certainty == Certainty.NO or person is None:
            continue
        found.append(
            models.Commander(
                person=person,
                role=posting["role"],
                title=posting["title"],
                rank=posting["rank"],
                tenure=tenure_model(posting["tenure"]),
                as_of=answer,
                citations=[models.Citation(**c) for c in posting["citations"]],
            )
        )
    return sorted(found, key=lambda c: (c.as_of.certainty != Certainty.CERTAIN, c.person.id))


class _Superior(NamedTuple):
    relation: str
    parent: models.Entity
    as_of: models.AsOf
    citations: list[models.Citation]


def _superior(relations: list[dict[str, Any]], at: PartialDate) -> _Superior | None:
    """The unit's superior at AT: a certain relation before a possible one, command first
    (RELATIONS come command first, then by id: the first of equals wins)."""
    ranked = []
    for relation in relations:
        answer = as_of(relation["tenure"], at)
        parent = entity(relation["parent"])
        if answer.certainty == Certainty.NO or parent is None:
            continue
        rank = (answer.certainty != Certainty.CERTAIN, relation["relation"] != "command")
        cites = [models.Citation(**c) for c in relation["citations"]]
        ranked.append((rank, _Superior(relation["relation"], parent, answer, cites)))
    if not ranked:
        return None
    return min(ranked, key=lambda r: r[0])[1]
