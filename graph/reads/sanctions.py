"""Sanctions on the people and units in the graph (FollowTheMoney's Sanction fields)."""

from __future__ import annotations

from typing import Any

from graph.asof import PartialDate
from graph.db import queries
from graph.db.reader import Reader
from graph.errors import NotFoundError
from graph.reads import models
from graph.reads.rows import MAX_ROWS, entity


async def sanctions(
    reader: Reader,
    entities: list[str] | None = None,
    authority: str | None = None,
    program: str | None = None,
    listed_from: PartialDate | None = None,
    listed_to: PartialDate | None = None,
    limit: int = MAX_ROWS,
) -> list[models.Sanction]:
    """Sanctions, filtered by who, which authority (id or name), program, and listing dates
    (a listing date that may fall between LISTED_FROM's first day and LISTED_TO's last),
    oldest listing first and the undated last. One statement, built from the filters given;
    a second for the undated sanctions where the dated ones do not fill the page."""
    params: dict[str, Any] = {
        "entities": entities,
        "authority": authority,
        "program": program,
        "listed_from": None if listed_from is None else listed_from.earliest.isoformat(),
        "listed_to": None if listed_to is None else listed_to.latest.isoformat(),
    }
    params = {name: value for name, value in params.items() if value}
    given = frozenset(params)
    rows = await reader.rows(queries.sanctions_listed(given), **params, limit=limit)
    walked = "entities" not in given
    if walked and len(rows) < limit and not given & {"listed_from", "listed_to"}:
        undated = queries.sanctions_listed(given, undated=True)
        rows += await reader.rows(undated, **params, limit=limit - len(rows))
    return [sanction(row["sanction"]) for row in rows]


def sanction(row: dict[str, Any]) -> models.Sanction:
    """A Sanction from the map of queries._sanction."""
    target = entity(row["entity"])
    if target is None:  # pragma: no cover - the statements match the target
        raise NotFoundError(f"sanction {row['id']!r} lost its target")
    return models.Sanction(
        id=row["id"],
        entity=target,
        authority=entity(row["authority"]),
        program=_programs(row["program"]),
        listing_date=row["listing_date"],
        start_date=row["start_date"],
        end_date=row["end_date"],
        reason=row["reason"],
        citations=[models.Citation(**c) for c in row["citations"]],
    )


def _programs(found: list[str] | str | None) -> str | None:
    """Several programs in one line; a graph loaded before they were lists holds a string."""
    if isinstance(found, str):
        return found or None
    return "; ".join(found) if found else None
