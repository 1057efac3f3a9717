"""Who commanded a unit at a date, and the chain of command above it.

Every as-of decision goes through `graph.asof.holds_at`: certain, possible, or no. The graph is
read in one round trip per question; the decisions are taken here, in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from graph.asof import Certainty, PartialDate, days_away
from graph.db import queries
from graph.db.reader import Reader, no_record
from graph.errors import InvalidRequestError, NotFoundError
from graph.reads import models
from graph.reads.rows import MAX_ROWS, as_of, entity, interval, node_entity, tenure_model
from graph.reads.sanctions import sanction

COMMAND_ROLES = ("commander", "head")
# Units whose superiors one statement reads in `chains_at`: few enough that those above them
# stay within the statement's row limit.
UNITS_AT_ONCE = 100

# A unit read by queries.UNITS_ABOVE: its entity map, the relations to its superiors (command
# first) and its postings (oldest first).
UnitAbove = dict[str, Any]


@dataclass
class UnitsRead:
    """Units read by queries.UNITS_ABOVE so far, for a caller that asks `chains_at` again and
    again in one answer (the gap asks about the same units for batch after batch of events):
    each unit is read once. A unit read as a start is read with every level above it; one
    read only as a superior of another may lack the levels above it, so it is read again as a
    start when asked about. One UnitsRead serves calls with the same depth and flags only.
    """

    units: dict[str, UnitAbove] = field(default_factory=dict)
    starts: set[str] = field(default_factory=set)


async def commanders_at(reader: Reader, unit_id: str, at: PartialDate) -> list[models.Commander]:
    """Who held a command post (commander or head) in the unit at AT, certain ones first."""
    return await posted_at(reader, unit_id, at, COMMAND_ROLES)


async def unit_commanders(reader: Reader, unit_id: str, at: PartialDate) -> models.Commanders:
    """The record with UNIT_ID and who held a command post in it at AT, certain ones first,
    in one round trip. NotFoundError when no record has the id, or the caller may not see it."""
    rows = await reader.rows(
        queries.NODE_WITH_POSTINGS,
        id=unit_id,
        **queries.role_filter(COMMAND_ROLES),
        limit=MAX_ROWS,
    )
    if not rows:
        raise no_record(unit_id)
    unit = node_entity(rows[0])
    return models.Commanders(unit=unit, at=at, commanders=_posted(rows[0]["postings"], at))


async def posted_at(
    reader: Reader, unit_id: str, at: PartialDate, roles: Sequence[str] | None = None
) -> list[models.Commander]:
    """Who was posted to the unit at AT (in ROLES, or any role), certain ones first."""
    rows = await reader.rows(
        queries.COMMAND_POSTINGS,
        unit=unit_id,
        **queries.role_filter(roles),
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
    commanders_only: bool = False,
    read: UnitsRead | None = None,
) -> list[models.Chain]:
    """The chains of many units, each at its own date (an event's), in the order asked: the
    units above are read once for all of them, UNITS_AT_ONCE at a time, not once per date.
    COMMANDERS_ONLY: each level's `posted` holds its commanders only (a case file's chains
    are drawn at every event's dates, and judging everyone else posted is most of the work).
    READ: the units an earlier call read, kept and added to; they are not read again."""
    chains, _ = await _chains_at(reader, asked, max_depth, False, commanders_only, read)
    return chains


async def chains_with_sanctions(
    reader: Reader, asked: Sequence[tuple[str, PartialDate]]
) -> tuple[list[models.Chain], list[models.Sanction]]:
    """`chains_at`, and in the same statement the sanctions on every unit read and on everyone
    ever posted to one (the caller keeps those it needs)."""
    chains, units = await _chains_at(reader, asked, queries.MAX_DEPTH, with_sanctions=True)
    found = {s["id"]: s for unit in units.values() for s in unit["sanctions"]}
    return chains, [sanction(s) for s in found.values()]


async def _chains_at(
    reader: Reader,
    asked: Sequence[tuple[str, PartialDate]],
    max_depth: int,
    with_sanctions: bool,
    commanders_only: bool = False,
    read: UnitsRead | None = None,
) -> tuple[list[models.Chain], dict[str, UnitAbove]]:
    if not 0 <= max_depth <= queries.MAX_DEPTH:
        raise InvalidRequestError(f"max_depth must be 0..{queries.MAX_DEPTH}, not {max_depth}")
    read = UnitsRead() if read is None else read
    ids = sorted({unit_id for unit_id, _ in asked} - read.starts)
    read.starts.update(ids)
    units = read.units
    for start in range(0, len(ids), UNITS_AT_ONCE):
        chunk = ids[start : start + UNITS_AT_ONCE]
        rows = await reader.rows(
            queries.UNITS_ABOVE,
            units=chunk,
            with_sanctions=with_sanctions,
            **queries.role_filter(COMMAND_ROLES if commanders_only else None),
            limit=MAX_ROWS,
        )
        units |= {row["id"]: row for row in rows}
    chains = [
        _chain(units, unit_id, at, max_depth)
        if unit_id in units
        else await _chain_of_other(reader, unit_id, at)
        for unit_id, at in asked
    ]
    return chains, units


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
        above = _superior(current["superiors"], at)
        if above is None:
            break
        superior = above.followed
        if superior.parent.id in seen:  # a cycle in the data; stop rather than loop
            break
        # Beyond the depth asked, or beyond what one statement reads (its row limit).
        if len(levels) > max_depth or superior.parent.id not in units:
            truncated = True
            break
        current = units[superior.parent.id]
        levels.append(_level_above(levels[-1], above, current["postings"], at))
        seen.add(superior.parent.id)
    return models.Chain(unit=unit, at=at, levels=levels, truncated=truncated)


def _level_above(
    below: models.ChainLevel, above: _Superiors, postings: list[dict[str, Any]], at: PartialDate
) -> models.ChainLevel:
    """The level of the superior followed, with the link to BELOW and the other superiors."""
    followed = above.followed
    level = _level(followed.parent, below.depth + 1, postings, at)
    level.relation, level.relation_as_of = followed.relation, followed.as_of
    level.citations = followed.citations
    level.also_under = [
        models.OtherSuperior(
            unit=o.parent, relation=o.relation, relation_as_of=o.as_of, citations=o.citations
        )
        for o in above.others
    ]
    level.ambiguity = _ambiguity(below.unit, above) + level.ambiguity
    return level


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
        unit=unit,
        depth=depth,
        commanders=commanders,
        posted=posted,
        gap=not commanders,
        ambiguity=_commanders_overlap(unit, commanders),
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


class _Superiors(NamedTuple):
    """The superior the chain climbs through, and the others that held too (same relation)."""

    followed: _Superior
    others: list[_Superior]


def _superior(relations: list[dict[str, Any]], at: PartialDate) -> _Superiors | None:
    """The unit's superiors at AT, the likeliest first: a certain relation before a possible
    one, command before membership, then the one whose citations come nearest AT (an
    open-ended relation past its last citation counts as near). The others of the same kind
    are kept, never dropped: when two parents hold, the answer says so."""
    ranked = []
    for relation in relations:
        answer = as_of(relation["tenure"], at)
        parent = entity(relation["parent"])
        if answer.certainty == Certainty.NO or parent is None:
            continue
        rank = (
            answer.certainty != Certainty.CERTAIN,
            relation["relation"] != "command",
            days_away(interval(relation["tenure"]), at),
        )
        cites = [models.Citation(**c) for c in relation["citations"]]
        ranked.append((rank, _Superior(relation["relation"], parent, answer, cites)))
    if not ranked:
        return None
    ranked.sort(key=lambda r: r[0])  # stable: equals keep the statement's order (by id)
    followed = ranked[0][1]
    others: dict[str, _Superior] = {}
    for _, other in ranked[1:]:
        if other.relation == followed.relation and other.parent.id != followed.parent.id:
            others.setdefault(other.parent.id, other)
    return _Superiors(followed, list(others.values()))


def _ambiguity(below: models.Entity, above: _Superiors) -> list[str]:
    """The sentence saying which other units the level below was under, and how surely."""
    if not above.others:
        return []
    others = "; ".join(
        f"{o.parent.name or 'an unnamed unit'} ({o.as_of.certainty.value}: {o.as_of.reason})"
        for o in above.others
    )
    verb = (
        "was"
        if all(o.as_of.certainty == Certainty.CERTAIN for o in above.others)
        else "may have been"
    )
    return [
        f"The sources disagree or overlap: {below.name or 'the unit below'} {verb} also under "
        f"{others} ({above.followed.relation}). This chain follows "
        f"{above.followed.parent.name or 'the first'} only."
    ]


def _commanders_overlap(unit: models.Entity, commanders: list[models.Commander]) -> list[str]:
    """The sentence saying that several people are on record in command at once."""
    if len(commanders) < 2:
        return []
    names = ", ".join(
        f"{c.person.name or 'an unnamed person'} ({c.as_of.certainty.value})" for c in commanders
    )
    return [
        f"The sources disagree or overlap: {len(commanders)} people are on record in command "
        f"of {unit.name or 'this unit'} at that date: {names}."
    ]


async def unit_profile(reader: Reader, unit_id: str) -> models.UnitProfile:
    """The unit over time in one round trip: its commanders and everyone else ever posted to
    it, the units above and below it at any time, and the latest date its evidence covers.
    NotFoundError for an unknown id, one the caller may not see, or not a unit."""
    rows = await reader.rows(queries.UNIT_PROFILE, unit=unit_id, limit=MAX_ROWS)
    unit = entity(rows[0]["unit"]) if rows else None
    if unit is None:
        raise NotFoundError(f"No unit with id {unit_id!r}.")
    found = rows[0]
    posts = [_unit_post(p) for p in found["postings"]]
    superiors = [_unit_link(r) for r in found["superiors"]]
    subordinates = [_unit_link(r) for r in found["subordinates"]]
    dates = [
        d
        for t in (*(p.tenure for p in posts), *(r.tenure for r in superiors + subordinates))
        for d in (t.first_cited, t.last_cited)
        if d
    ]
    if found["last_event"]:
        dates.append(found["last_event"])
    return models.UnitProfile(
        unit=unit,
        commanders=[p for p in posts if p.role in COMMAND_ROLES],
        others_posted=[p for p in posts if p.role not in COMMAND_ROLES],
        superiors=superiors,
        subordinates=subordinates,
        latest=max(dates, key=lambda d: PartialDate.parse(d).latest, default=None),
    )


def _unit_post(row: dict[str, Any]) -> models.UnitPost:
    person = entity(row["person"])
    if person is None:  # pragma: no cover - the statement matches the person
        raise NotFoundError(f"posting {row['id']!r} lost its person")
    return models.UnitPost(
        person=person,
        role=row["role"],
        title=row["title"],
        rank=row["rank"],
        tenure=tenure_model(row["tenure"]),
        citations=[models.Citation(**c) for c in row["citations"]],
    )


def _unit_link(row: dict[str, Any]) -> models.UnitLink:
    unit = entity(row["unit"])
    if unit is None:  # pragma: no cover - the statement matches the unit
        raise NotFoundError(f"unit relation {row['id']!r} lost its unit")
    return models.UnitLink(
        unit=unit,
        relation=row["relation"],
        tenure=tenure_model(row["tenure"]),
        citations=[models.Citation(**c) for c in row["citations"]],
    )
