"""Row mappers: the maps the statements in graph.db.queries return, as answer models."""

from __future__ import annotations

from typing import Any

from graph.asof import CitedInterval, PartialDate, holds_at
from graph.db.reader import entity_type
from graph.errors import NotFoundError
from graph.reads import models
from ontology.terms import Label

MAX_ROWS = 1000


def entity(data: dict[str, Any] | None) -> models.Entity | None:
    """An Entity from the query's `entity(...)` map."""
    if data is None:
        return None
    return models.Entity(
        id=data["id"], type=entity_type(data["labels"]), name=data["name"], labels=data["labels"]
    )


def node_entity(node: dict[str, Any]) -> models.Entity:
    """An Entity from `Reader.node`."""
    labels = list(node["labels"])
    return models.Entity(id=node["id"], type=entity_type(labels), name=node["name"], labels=labels)


def interval(tenure: dict[str, Any]) -> CitedInterval:
    """The cited interval of a posting or relation."""

    def parsed(key: str) -> PartialDate | None:
        value = tenure.get(key)
        return PartialDate.parse(value) if value else None

    return CitedInterval(
        first_cited=parsed("first_cited"),
        last_cited=parsed("last_cited"),
        first_is_start=bool(tenure.get("first_cited_is_start")),
        last_is_end=bool(tenure.get("last_cited_is_end")),
        open_ended=bool(tenure.get("open_ended")),
    )


def as_of(tenure: dict[str, Any], at: PartialDate) -> models.AsOf:
    answer = holds_at(interval(tenure), at)
    return models.AsOf(certainty=answer.certainty, reason=answer.reason)


def tenure_model(tenure: dict[str, Any]) -> models.Interval:
    return models.Interval(**{k: v for k, v in tenure.items() if v is not None})


def event_kinds(labels: list[str]) -> list[str]:
    return sorted(label for label in labels if label != Label.EVENT)


def event_row(row: dict[str, Any]) -> models.EventSummary:
    killed = row.get("killed")
    max_killed = row.get("max_killed", max(killed) if killed else None)
    return models.EventSummary(
        id=row["id"],
        name=row["name"],
        kinds=event_kinds(row["labels"]),
        start=row["start"],
        end=row["end"],
        place=entity(row["place"]),
        max_killed=max_killed,
    )


def attribution(row: dict[str, Any]) -> models.Attribution:
    event, actor = entity(row["event"]), entity(row["actor"])
    if event is None or actor is None:  # pragma: no cover - the query matches both
        raise NotFoundError("an attribution lost its event or actor")
    return models.Attribution(
        id=row["id"],
        event=event,
        actor=actor,
        role=row["role"],
        claimed_by=entity(row["claimed_by"]),
        confidence=row["confidence"],
        credibility=row["credibility"],
        hedge=row["hedge"],
        citations=[models.Citation(**c) for c in row["citations"]],
    )


def posting(row: dict[str, Any]) -> models.Posting:
    """A person's posting in an organization (the `posting` map of PERSON_POSTINGS)."""
    organization = entity(row["organization"])
    if organization is None:  # pragma: no cover - the query matches it
        raise NotFoundError(f"posting {row['id']!r} lost its organization")
    return models.Posting(
        id=row["id"],
        organization=organization,
        role=row["role"],
        title=row["title"],
        rank=row["rank"],
        tenure=tenure_model(row["tenure"]),
        citations=[models.Citation(**c) for c in row["citations"]],
    )
