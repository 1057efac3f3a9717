"""Network views as plain data: nodes typed and styled, claims collapsed into cited edges.

`graph.render.network_html` turns a `Network` into HTML with pyvis; everything here is testable
without a browser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph.asof import Certainty, PartialDate
from graph.db import queries
from graph.db.reader import Reader, entity_type
from graph.reads import models
from graph.reads.command import chain_of_command
from graph.reads.events import event_accountability
from graph.reads.exposure import person_exposure
from ontology.terms import Label, Prop
from ontology.words import kind, relation_words, words

MAX_NODES = 500
MAX_DEPTH = 3


@dataclass(frozen=True)
class ViewNode:
    id: str
    label: str
    type: str
    title: str


@dataclass(frozen=True)
class ViewEdge:
    source: str
    target: str
    label: str
    title: str
    certain: bool = True


@dataclass
class Network:
    """What a view shows, and how much it left out."""

    title: str
    nodes: dict[str, ViewNode] = field(default_factory=dict)
    edges: list[ViewEdge] = field(default_factory=list)
    limit: int = MAX_NODES
    not_shown: int = 0
    # Drawn as a hierarchy: "DU" puts each edge's target above its source (a chain: the unit
    # above on top), "UD" below it (an exposure: the person on top); None, a force layout.
    hierarchy: str | None = None

    def add_node(self, entity: models.Entity) -> bool:
        """Add a node unless the cap is reached; False (and counted) when left out."""
        if entity.id in self.nodes:
            return True
        if len(self.nodes) >= self.limit:
            self.not_shown += 1
            return False
        name = entity.name or kind(entity)
        self.nodes[entity.id] = ViewNode(entity.id, name, entity.type, f"{name}\n{kind(entity)}")
        return True

    def add_edge(self, edge: ViewEdge) -> None:
        if edge.source in self.nodes and edge.target in self.nodes and edge not in self.edges:
            self.edges.append(edge)


def evidence_text(citations: list[models.Citation]) -> str:
    """A tooltip listing an edge's citations."""
    if not citations:
        return "No citation on this link."
    lines = [
        f"[{c.source_name or c.source}, {c.locator or 'no locator'}] “{c.quote or ''}”"
        for c in citations
    ]
    return "\n".join(lines)


def _dates(claim: dict[str, Any]) -> str:
    first, last = claim.get("first_cited"), claim.get("last_cited")
    if not (first or last):
        return ""
    return f" ({first or '?'} to {last or ('open' if claim.get('open_ended') else '?')})"


def _claim_label(claim: dict[str, Any]) -> str:
    """A claim's edge in words: its role, its relation or its kind, and its dates."""
    label = next((x for x in claim["labels"] if x != Label.CLAIM), Label.CLAIM)
    if claim.get("role"):
        what = words(claim["role"], Prop.ROLE)
    elif claim.get("relation"):
        what = relation_words(claim["relation"]).removeprefix("was ")
    else:
        what = words(label).lower()
    return f"{what}{_dates(claim)}"


def _certain(claim: dict[str, Any] | None) -> bool:
    """Hedged attributions and relations with a known-uncertain span are drawn dashed."""
    if claim is None:
        return True
    return claim.get("confidence") in (None, "High") and not claim.get("hedge")


async def neighbourhood(reader: Reader, node_id: str, depth: int = 1, limit: int = 100) -> Network:
    """A record and what lies within DEPTH links of it (claims collapsed into edges)."""
    start = await reader.node(node_id)
    network = Network(title=f"Neighbourhood of {start['name'] or node_id}", limit=limit)
    network.add_node(
        models.Entity(
            id=node_id,
            type=entity_type(start["labels"]),
            name=start["name"],
            labels=start["labels"],
        )
    )
    frontier = [node_id]
    for _ in range(min(depth, MAX_DEPTH)):
        rows = await reader.rows(queries.VIEW_NEIGHBOURS, ids=frontier, limit=limit * 4)
        following = []
        for row in rows:
            target = row["target"]
            entity = models.Entity(
                id=target["id"],
                type=entity_type(target["labels"]),
                name=target["name"],
                labels=target["labels"],
            )
            is_new = entity.id not in network.nodes
            if not network.add_node(entity):
                continue
            if is_new:
                following.append(entity.id)
            claim = row["claim"]
            cites = [models.Citation(**c) for c in row["citations"]]
            label = _claim_label(claim) if claim else words(row["from_rel"])
            network.add_edge(
                ViewEdge(row["source"], entity.id, label, evidence_text(cites), _certain(claim))
            )
        frontier = following
        if not frontier:
            break
    return network


async def chain_view(reader: Reader, unit_id: str, at: PartialDate) -> Network:
    """A unit's chain of command at a date: units upward, commanders beside each level."""
    return chain_network(await chain_of_command(reader, unit_id, at))


def chain_network(chain: models.Chain) -> Network:
    """A chain already answered, drawn: units upward, commanders beside each level."""
    network = Network(
        title=f"Chain of command of {chain.unit.name} as of {chain.at}", hierarchy="DU"
    )
    previous: models.Entity | None = None
    for level in chain.levels:
        network.add_node(level.unit)
        if previous is not None and level.relation_as_of is not None:
            network.add_edge(
                ViewEdge(
                    previous.id,
                    level.unit.id,
                    f"{relation_words(level.relation).removeprefix('was ')} "
                    f"({level.relation_as_of.certainty})",
                    evidence_text(level.citations),
                    level.relation_as_of.certainty == Certainty.CERTAIN.value,
                )
            )
        for commander in level.commanders:
            network.add_node(commander.person)
            network.add_edge(
                ViewEdge(
                    commander.person.id,
                    level.unit.id,
                    f"{words(commander.role, Prop.ROLE)} ({commander.certainty})",
                    evidence_text(commander.citations),
                    commander.certainty == Certainty.CERTAIN.value,
                )
            )
        previous = level.unit
    return network


async def event_view(reader: Reader, event_id: str, limit: int = 200) -> Network:
    """An event: who is alleged to have done it (per source), their chains, its place."""
    account = await event_accountability(reader, event_id)
    event = account.event
    network = Network(title=f"Network of {event.name}", limit=limit)
    network.add_node(
        models.Entity(id=event.id, type=Label.EVENT, name=event.name, labels=event.kinds)
    )
    if event.place is not None:
        network.add_node(event.place)
        network.add_edge(ViewEdge(event.id, event.place.id, "at place", "", True))
    for a in account.attributions:
        network.add_node(a.actor)
        by = f" per {a.claimed_by.name}" if a.claimed_by else ""
        certain = a.confidence in (None, "High") and not a.hedge
        network.add_edge(
            ViewEdge(
                a.actor.id,
                event.id,
                f"{words(a.role, Prop.ROLE)}{by}",
                evidence_text(a.citations),
                certain,
            )
        )
    for chain in account.chains:  # drawn from the answer, not asked again
        sub = chain_network(chain)
        for node in sub.nodes.values():
            network.add_node(models.Entity(id=node.id, type=node.type, name=node.label))
        for edge in sub.edges:
            network.add_edge(edge)
    return network


async def exposure_view(reader: Reader, person_id: str) -> Network:
    """A person: postings, the events under their command, direct links, sanctions."""
    exposed = await person_exposure(reader, person_id)
    network = Network(title=f"Exposure of {exposed.person.name}", hierarchy="UD")
    network.add_node(exposed.person)
    for posting in exposed.timeline:
        network.add_node(posting.organization)
        label = f"{words(posting.role, Prop.ROLE)}{_dates(posting.tenure.model_dump())}"
        network.add_edge(
            ViewEdge(person_id, posting.organization.id, label, evidence_text(posting.citations))
        )
    for item in exposed.command_exposure:
        network.add_node(item.unit)
        network.add_node(models.Entity(id=item.event.id, type=Label.EVENT, name=item.event.name))
        network.add_edge(
            ViewEdge(
                item.unit.id,
                item.event.id,
                f"perpetrator ({item.as_of.certainty})",
                evidence_text(item.attribution.citations),
                item.as_of.certainty == Certainty.CERTAIN.value,
            )
        )
    for a in exposed.direct_links:
        network.add_node(a.event)
        network.add_edge(
            ViewEdge(person_id, a.event.id, words(a.role, Prop.ROLE), evidence_text(a.citations))
        )
    for s in exposed.sanctions:
        if s.authority is not None:
            network.add_node(s.authority)
            label = f"sanctioned {s.listing_date or ''}".strip()
            network.add_edge(ViewEdge(s.authority.id, person_id, label, evidence_text(s.citations)))
    return network
