"""A person's command exposure: their career, the units under them, and what those units did."""

from __future__ import annotations

from typing import Any

from graph.asof import Certainty
from graph.db import queries
from graph.db.reader import Reader, no_record
from graph.errors import InvalidRequestError
from graph.reads import models
from graph.reads.command import COMMAND_ROLES
from graph.reads.events import event_span
from graph.reads.rows import (
    MAX_ROWS,
    as_of,
    attribution,
    entity,
    event_row,
    node_entity,
    posting,
)
from graph.reads.sanctions import sanction
from ontology.words import kind

_DIRECT_ROLES = ("perpetrator", "commander", "participant")

# A unit read by queries.UNITS_BELOW: the relations to the units below it, and the events
# attributed to it, each with its summary.
UnitBelow = dict[str, Any]
_NOTHING_BELOW: UnitBelow = {"subordinates": [], "attributed": []}


async def person_exposure(reader: Reader, person_id: str) -> models.Exposure:
    """A person's career, the units under their command over time (with the units below them
    as the hierarchy stood), the events attributed to those units during those tenures, kept
    apart from the events the person is linked to directly, and their sanctions.

    Two round trips: the person with their postings, direct links and sanctions; then the units
    below every unit they commanded, with what was attributed to them."""
    rows = await reader.rows(
        queries.PERSON_EXPOSURE, person=person_id, roles=list(_DIRECT_ROLES), limit=MAX_ROWS
    )
    if not rows:
        # Not a person the caller may see: not found, as any missing record; or another kind.
        record = node_entity(await reader.node(person_id))
        raise InvalidRequestError(
            f"{record.name} ({kind(record).lower()}) is not a person: exposure is read for a "
            "person."
        )
    found = rows[0]
    person = entity(found["person"])
    if person is None:  # pragma: no cover - the statement matched the person
        raise no_record(person_id)
    postings = found["postings"]
    timeline = [posting(p) for p in postings]
    commands = [
        (held, p["tenure"])
        for held, p in zip(timeline, postings, strict=True)
        if held.role in COMMAND_ROLES
    ]
    below = await _units_below(reader, [held.organization.id for held, _ in commands])
    exposure = [
        exposed
        for held, tenure in commands
        for exposed in _exposure_under(below, held.organization, tenure)
    ]
    return models.Exposure(
        person=person,
        timeline=timeline,
        commanded_units=_unique([held.organization for held, _ in commands]),
        command_exposure=exposure,
        direct_links=[attribution(r) for r in found["direct"]],
        sanctions=[sanction(s) for s in found["sanctions"]],
    )


def _unique(entities: list[models.Entity]) -> list[models.Entity]:
    return list({e.id: e for e in entities}.values())


async def _units_below(reader: Reader, unit_ids: list[str]) -> dict[str, UnitBelow]:
    """The units below the commanded ones and what was attributed to them, in one round trip."""
    if not unit_ids:
        return {}
    rows = await reader.rows(
        queries.UNITS_BELOW, units=unit_ids, roles=["perpetrator"], limit=MAX_ROWS
    )
    return {row["id"]: row for row in rows}


def _exposure_under(
    below: dict[str, UnitBelow], unit: models.Entity, tenure: dict[str, Any]
) -> list[models.ExposedEvent]:
    """Events attributed to UNIT or a unit below it, each judged at the event's dates: the
    tenure and every link down the hierarchy must hold then; the weakest link decides.

    The hierarchy is walked breadth first, so a unit reached twice counts once, through the
    first (shortest) way down; MAX_DEPTH levels of units, UNIT the first."""
    found: list[models.ExposedEvent] = []
    frontier: list[tuple[models.Entity, list[models.Entity], list[dict[str, Any]]]] = [
        (unit, [unit], [tenure])
    ]
    seen = {unit.id}
    for _ in range(queries.MAX_DEPTH):
        following = []
        for current, via, spans in frontier:
            record = below.get(current.id, _NOTHING_BELOW)
            found += _exposed(record["attributed"], current, via, spans)
            for child in record["subordinates"]:
                child_entity = entity(child["child"])
                if child_entity is None or child_entity.id in seen:
                    continue
                seen.add(child_entity.id)
                following.append((child_entity, [*via, child_entity], [*spans, child["tenure"]]))
        if not following:
            break
        frontier = following
    return found


def _exposed(
    attributed: list[dict[str, Any]],
    unit: models.Entity,
    via: list[models.Entity],
    spans: list[dict[str, Any]],
) -> list[models.ExposedEvent]:
    """The events attributed to UNIT at whose dates every span of SPANS held or may have."""
    found = []
    for item in attributed:
        summary = event_row(item["event"])
        at = event_span(summary)
        if at is None:
            continue
        answer = _weakest([as_of(span, at) for span in spans])
        if answer.certainty == Certainty.NO:
            continue
        found.append(
            models.ExposedEvent(
                event=summary,
                unit=unit,
                via=via,
                as_of=answer,
                attribution=attribution(item["attribution"]),
            )
        )
    return found


_STRENGTH = {Certainty.NO: 0, Certainty.POSSIBLE: 1, Certainty.CERTAIN: 2}


def _weakest(answers: list[models.AsOf]) -> models.AsOf:
    return min(answers, key=lambda a: _STRENGTH[Certainty(a.certainty)])
