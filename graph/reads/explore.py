"""Open-ended exploration: how two records connect, and everything one source asserts."""

from __future__ import annotations

from graph.db import queries
from graph.db.reader import Reader
from graph.reads import models
from graph.reads.rows import MAX_ROWS, entity, node_entity
from ontology.model import load
from ontology.terms import Rel

# Citations and their sources link everything a source mentions, and a claimant (a dataset's
# publisher), a sanctioning authority or a report links everything it claims, lists or tables:
# a path through them says only "the same document (or body) mentions both", and they are
# hubs that every imported claim points to, so paths never cross them.
EVIDENCE_LINKS = frozenset(
    {Rel.CITED_IN, Rel.FROM_SOURCE, Rel.CLAIMED_BY, Rel.BY_AUTHORITY, Rel.IN_REPORT}
)
MAX_PATHS = 25


def _root(labels: list[str]) -> str:
    ontology = load()
    return next(label for label in labels if len(ontology.ancestors(label)) == 1)


async def paths(reader: Reader, from_id: str, to_id: str, max_hops: int) -> list[models.Path]:
    """The shortest connecting paths (at most MAX_PATHS), each claim on them with its evidence."""
    start, end = await reader.node(from_id), await reader.node(to_id)
    rel_types = sorted(r.name for r in load().relationships if r.name not in EVIDENCE_LINKS)
    query = queries.shortest_paths(
        max_hops, _root(start["labels"]), _root(end["labels"]), rel_types
    )
    rows = await reader.rows(query, **{"from": from_id, "to": to_id}, limit=MAX_PATHS)
    found = []
    for row in rows:
        steps = []
        for i, node in enumerate(row["nodes"]):
            named = entity(node)
            if named is None:  # pragma: no cover - paths hold nodes
                continue
            rel = row["rels"][i] if i < len(row["rels"]) else None
            cites = [models.Citation(**c) for c in node["citations"]]
            steps.append(models.PathStep(node=named, relationship=rel, citations=cites))
        found.append(models.Path(steps=steps))
    return found


async def source_claims(
    reader: Reader, source_id: str, limit: int = 100, offset: int = 0
) -> models.SourceClaims:
    """Every record citing the source, with the locator and quote, a page at a time."""
    source = node_entity(await reader.node(source_id))
    page = min(limit, MAX_ROWS)
    rows = await reader.rows(queries.SOURCE_CLAIMS, source=source_id, limit=page, offset=offset)
    more = any(r["more"] for r in rows)
    claims = []
    for row in rows:
        record = entity(row["record"])
        if record is not None:
            claims.append(
                models.SourceClaim(record=record, locator=row["locator"], quote=row["quote"])
            )
    # Counted only where the answer ends, on this page: a hub's count would read every citer.
    total = offset + len(rows) if not more and (rows or offset == 0) else None
    return models.SourceClaims(
        source=source,
        claims=claims,
        total=total,
        limit=limit,
        offset=offset,
        more=more,
        next_offset=offset + page if more else None,
    )
