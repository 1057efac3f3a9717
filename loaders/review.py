"""The review list: possible merges an importer was unsure of, accepted or rejected by a person.

Accepting a candidate folds the imported entity into the existing one: every relationship
moves over (its citations too), its names become aliases, and later imports map its id to
the existing entity. Rejecting keeps both apart and the importer does not ask again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from neo4j import Driver, ManagedTransaction

from graph.db import queries, store
from graph.db.settings import Settings
from loaders.errors import LoaderError
from loaders.resolve import Candidate
from ontology.model import load as load_ontology

PAGE = 50


class ReviewError(LoaderError):
    """A review decision that cannot be taken (unknown or already decided candidate)."""


@dataclass(frozen=True)
class Decision:
    candidate: dict[str, Any]
    status: str
    relationships_moved: int = 0
    aliases_added: int = 0


def merge_candidates(tx: ManagedTransaction, candidates: Sequence[Candidate]) -> None:
    """Put CANDIDATES on the list inside TX (an import's chunk writes them with its records);
    those already decided keep their decision."""
    rows = [{"id": c.id, "properties": c.properties()} for c in candidates]
    if rows:
        tx.run(queries.MERGE_CANDIDATES, rows=rows).consume()


def candidates(
    driver: Driver,
    settings: Settings,
    status: str | None = "pending",
    skip: int = 0,
    limit: int = PAGE,
) -> list[dict[str, Any]]:
    """A page of the review list, by candidate id."""
    rows = store.read(driver, settings, queries.REVIEW_LIST, status=status, skip=skip, limit=limit)
    return [dict(r["candidate"]) for r in rows]


def counts(driver: Driver, settings: Settings) -> dict[str, int]:
    """How many candidates are pending, accepted and rejected."""
    rows = store.read(driver, settings, queries.REVIEW_COUNTS)
    return {r["status"]: r["candidates"] for r in rows}


def reject(driver: Driver, settings: Settings, candidate_id: str) -> Decision:
    """Keep the two entities apart; the importer will not propose this pair again."""
    candidate = _pending(driver, settings, candidate_id)
    _write(settings, driver, lambda tx: _decide(tx, candidate_id, "rejected"))
    return Decision(candidate, "rejected")


def accept(driver: Driver, settings: Settings, candidate_id: str) -> Decision:
    """Fold the imported entity into the existing one, in one transaction."""
    candidate = _pending(driver, settings, candidate_id)
    label = str(candidate["candidate_label"])
    ids = {"dup": candidate["imported_id"], "keep": candidate["existing_id"]}

    def fold(tx: ManagedTransaction) -> tuple[int, int]:
        moved = 0
        for rel in sorted({r.name for r in load_ontology().relationships}):
            for outgoing in (True, False):
                record = tx.run(queries.move_relationships(label, rel, outgoing), **ids).single()
                moved += record["moved"] if record else 0
        folded = tx.run(queries.fold_duplicate(label), **ids).single()
        _decide(tx, candidate_id, "accepted")
        return moved, folded["aliases_added"] if folded else 0

    moved, aliases = _write(settings, driver, fold)
    return Decision(candidate, "accepted", moved, aliases)


def _pending(driver: Driver, settings: Settings, candidate_id: str) -> dict[str, Any]:
    rows = store.read(driver, settings, queries.MERGE_CANDIDATE, id=candidate_id)
    if not rows:
        raise ReviewError(f"{candidate_id}: no such candidate; `silsila review` lists them")
    candidate = dict(rows[0]["candidate"])
    if candidate.get("status") != "pending":
        raise ReviewError(f"{candidate_id}: already {candidate.get('status')}")
    return candidate


def _decide(tx: ManagedTransaction, candidate_id: str, status: str) -> None:
    decided = datetime.now(UTC).isoformat(timespec="seconds")
    tx.run(queries.DECIDE_CANDIDATE, id=candidate_id, status=status, decided=decided).consume()


def _write(settings: Settings, driver: Driver, work: Any) -> Any:
    with (
        store.translated_errors(settings),
        store.session(driver, settings) as session,
    ):
        return session.execute_write(work)
