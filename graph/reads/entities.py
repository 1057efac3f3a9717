"""Any record on its own: its facts, their citations, its links, and the claims naming it."""

from __future__ import annotations

import re
from typing import Any

from graph.db import queries
from graph.db.reader import Reader, no_record
from graph.errors import InvalidRequestError, NotFoundError
from graph.reads import models
from graph.reads.rows import MAX_ROWS, entity, node_entity
from ontology.model import load
from ontology.terms import Label, Prop

# A record id written into free text ("distinct from org:post-2024-government-forces").
MENTION = re.compile(r"\b[a-z]+:[\w.-]*\w")
MAX_MENTIONS = 5
# The claims naming a record come a page at a time: a hub (a force with thousands of
# attributions) costs what one page costs.
CLAIMS_PAGE = 100
MAX_CLAIMS_PAGE = 1000


def _root(labels: list[str]) -> str:
    ontology = load()
    return next(label for label in labels if len(ontology.ancestors(label)) == 1)


def _facts(properties: dict[str, Any]) -> dict[str, Any]:
    """The record's own values: derived day bounds and search keys left out."""
    derived = {b for p in load().properties for b in p.bound_names()} | {Prop.SEARCH_KEYS}
    return {k: v for k, v in sorted(properties.items()) if k not in derived}


async def entity_detail(
    reader: Reader, node_id: str, limit: int = CLAIMS_PAGE, offset: int = 0
) -> models.EntityDetail:
    """Everything the graph holds directly about one record (NotFoundError if absent or hidden),
    with one page of the claims naming it: LIMIT (at most MAX_CLAIMS_PAGE) after OFFSET; a
    place's page also holds up to LIMIT of the events there."""
    if not 1 <= limit <= MAX_CLAIMS_PAGE or offset < 0:
        raise InvalidRequestError(
            f"A page of claims holds 1 to {MAX_CLAIMS_PAGE} claims from an offset of 0 or more."
        )
    node = await reader.node(node_id)
    root = _root(node["labels"])
    page = {"id": node_id, "limit": limit, "offset": offset}
    read = await reader.rows(queries.entity_page(root), links=MAX_ROWS, **page)
    if not read:  # deleted since its lookup
        raise no_record(node_id)
    cites, links, claims = read[0]["citations"], read[0]["links"], read[0]["claims"]
    dated = list(claims)
    if root == Label.PLACE:
        dated += await reader.rows(queries.events_at(root), **page)
        dated.sort(key=lambda r: (r["date"] is None, r["date"] or ""))
    more = any(r["more"] for r in dated)
    return models.EntityDetail(
        offset=offset,
        limit=limit,
        more=more,
        next_offset=offset + limit if more else None,
        entity=node_entity(node),
        facts=_facts(node["properties"]),
        citations=[models.Citation(**c) for c in cites],
        links=[
            models.Link(relationship=r["relationship"], target=target)
            for r in links
            if (target := entity(r["target"])) is not None
        ],
        claims=[claim for r in claims if (claim := entity(r["claim"])) is not None],
        timeline=[
            models.TimelineEntry(
                date=r["date"],
                claim=claim,
                what=r["what"],
                event=r["event_name"],
                citations=[models.Citation(**c) for c in r["citations"]],
            )
            for r in dated
            if (claim := entity(r["claim"])) is not None
        ],
    )


async def mentioned(reader: Reader, detail: models.EntityDetail) -> dict[str, models.Entity]:
    """The records whose ids the record's own text names and the caller may see, by id: a page
    shows them by name. At most MAX_MENTIONS are looked up."""
    texts = [v for v in detail.facts.values() if isinstance(v, str)]
    ids = dict.fromkeys(m for text in texts for m in MENTION.findall(text))
    ids.pop(detail.entity.id, None)
    found: dict[str, models.Entity] = {}
    for node_id in list(ids)[:MAX_MENTIONS]:
        try:
            found[node_id] = node_entity(await reader.node(node_id))
        except NotFoundError:
            continue  # not a record, or not one the caller may see: the text stays as written
    return found
