"""A person's command exposure: their career, the units under them, and what those units did."""

from __future__ import annotations

from typing import Any

from graph.asof import Certainty
from graph.db import queries
from graph.db.reader import Reader
from graph.reads import events, models
from graph.reads.command import COMMAND_ROLES
from graph.reads.rows import MAX_ROWS, as_of, attribution, entity, node_entity, posting
from graph.reads.sanctions import sanctions


async def person_exposure(reader: Reader, person_id: str) -> models.Exposure:
    """A person's career, the units under their command over time (with the units below them
    as the hierarchy stood), the events attributed to those units during those tenures, kept
    apart from the events the person is linked to directly, and their sanctions."""
    person = node_entity(await reader.node(person_id))
    rows = await reader.rows(queries.PERSON_POSTINGS, person=person_id, limit=MAX_ROWS)
    timeline = [posting(r) for r in rows]
    commands = [
        (p, r["tenure"]) for p, r in zip(timeline, rows, strict=True) if p.role in COMMAND_ROLES
    ]
    exposure: list[models.ExposedEvent] = []
    for held, tenure in commands:
        exposure += await _exposure_under(reader, held.organization, tenure)
    direct = await reader.rows(
        queries.ATTRIBUTIONS_TO_ACTOR, actor=person_id, roles=list(_DIRECT_ROLES), limit=MAX_ROWS
    )
    return models.Exposure(
        person=person,
        timeline=timeline,
        commanded_units=_unique([p.organization for p, _ in commands]),
        command_exposure=exposure,
        direct_links=[attribution(r) for r in direct],
        sanctions=await sanctions(reader, entities=[person_id]),
    )


_DIRECT_ROLES = ("perpetrator", "commander", "participant")


def _unique(entities: list[models.Entity]) -> list[models.Entity]:
    return list({e.id: e for e in entities}.values())


async def _exposure_under(
    reader: Reader, unit: models.Entity, tenure: dict[str, Any]
) -> list[models.ExposedEvent]:
    """Events attributed to UNIT or a unit below it, each judged at the event's dates: the
    tenure and every link down the hierarchy must hold then; the weakest link decides."""
    found: list[models.ExposedEvent] = []
    frontier: list[tuple[models.Entity, list[models.Entity], list[dict[str, Any]]]] = [
        (unit, [unit], [tenure])
    ]
    seen = {unit.id}
    for _ in range(queries.MAX_DEPTH):
        below = []
        for current, via, spans in frontier:
            rows = await reader.rows(
                queries.ATTRIBUTIONS_TO_ACTOR,
                actor=current.id,
                roles=["perpetrator"],
                limit=MAX_ROWS,
            )
            for row in rows:
                summary = await events.event_summary(reader, row["event"]["id"])
                at = events.event_span(summary)
                if at is None:
                    continue
                answer = _weakest([as_of(s, at) for s in spans])
                if answer.certainty == Certainty.NO.value:
                    continue
                found.append(
                    models.ExposedEvent(
                        event=summary,
                        unit=current,
                        via=via,
                        as_of=answer,
                        attribution=attribution(row),
                    )
                )
            for child in await reader.rows(queries.SUBORDINATES, unit=current.id, limit=MAX_ROWS):
                child_entity = entity(child["child"])
                if child_entity is None or child_entity.id in seen:
                    continue
                seen.add(child_entity.id)
                below.append((child_entity, [*via, child_entity], [*spans, child["tenure"]]))
        if not below:
            break
        frontier = below
    return found


def _weakest(answers: list[models.AsOf]) -> models.AsOf:
    order = {Certainty.NO.value: 0, Certainty.POSSIBLE.value: 1, Certainty.CERTAIN.value: 2}
    return min(answers, key=lambda a: order[a.certainty])
