"""The graph as FollowTheMoney entities (JSON-ready dicts) for Aleph / OpenSanctions tooling.

Every entity is built with the FtM model (`model.make_entity`, values cleaned by their FtM
type), with its Silsila id as FtM id (in FtM's alphabet: `person.qahtan-khalil`, see
`loaders.ftm.ids`), and `proof` naming the Documents its citations come
from. Restricted persons (witnesses under an alias) are not exported, nor any claim that
names one, nor any text value that contains one's name or alias.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from followthemoney import EntityProxy, model
from followthemoney.types import registry
from neo4j import Driver

from graph.db.export import read_graph
from graph.db.settings import Settings
from loaders.formats import TextExport
from loaders.ftm.ids import to_ftm
from ontology.model import Ontology
from ontology.rdf import GraphLink, GraphNode
from ontology.terms import Rel

Values = dict[str, Any]  # FtM property -> a value, a list of values, or None


class _Graph:
    """The nodes and links to export, and what is withheld."""

    def __init__(self, nodes: Sequence[GraphNode], links: Sequence[GraphLink]) -> None:
        self.nodes = {n.id: n for n in nodes}
        self.out: dict[str, list[GraphLink]] = defaultdict(list)
        self.into: dict[str, list[GraphLink]] = defaultdict(list)
        for link in links:
            self.out[link.from_id].append(link)
            self.into[link.to_id].append(link)
        restricted = [n for n in nodes if "Person" in n.labels and _restricted(n)]
        self.hidden = {n.id for n in restricted}
        self.hidden_names = {
            name
            for n in restricted
            for name in [n.properties.get("name"), *(n.properties.get("aliases") or [])]
            if isinstance(name, str) and name
        }

    def withheld(self, node: GraphNode) -> bool:
        """A restricted person or source, or a claim naming a restricted person."""
        if _restricted(node):
            return True
        return any(
            link.to_id in self.hidden for link in self.out[node.id] if link.rel != Rel.CITED_IN
        )

    def exported(self, node_id: str) -> bool:
        node = self.nodes.get(node_id)
        return node is not None and _kind(node) is not None and not self.withheld(node)

    def targets(self, node_id: str, rel: str) -> list[str]:
        """The exported nodes NODE_ID links to through REL."""
        return [x.to_id for x in self.out[node_id] if x.rel == rel and self.exported(x.to_id)]

    def target(self, node_id: str, rel: str) -> str | None:
        return next(iter(self.targets(node_id, rel)), None)

    def proof(self, node_id: str) -> list[str]:
        """The exported sources of NODE_ID's citations."""
        cited = [x.to_id for x in self.out[node_id] if x.rel == Rel.CITED_IN]
        return list(dict.fromkeys(s for c in cited for s in self.targets(c, Rel.FROM_SOURCE)))

    def names_hidden(self, value: str) -> bool:
        return any(name in value for name in self.hidden_names)


def export_ftm(nodes: Sequence[GraphNode], links: Sequence[GraphLink]) -> Iterator[dict[str, Any]]:
    """FtM entity dicts for the graph `graph.db.export.read_graph` returns, in node order."""
    graph = _Graph(nodes, links)
    for node in nodes:
        kind = _kind(node)
        if kind is None or graph.withheld(node):
            continue
        built = EXPORTERS[kind](graph, node)
        if built is not None:
            yield built.to_dict()


def ftm_lines(driver: Driver, settings: Settings, ontology: Ontology) -> str:
    """The graph's FtM entities as JSON lines (keys sorted), what `silsila export ftm` writes."""
    nodes, links = read_graph(driver, settings, ontology)
    entities = export_ftm(nodes, links)
    return "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in entities)


EXPORT = TextExport(
    name="ftm",
    summary="FollowTheMoney entities, JSON lines (restricted persons left out)",
    default_name="entities.ftm.json",
    wrote="FollowTheMoney entities",
    text=ftm_lines,
)


def _person(graph: _Graph, node: GraphNode) -> EntityProxy | None:
    p = node.properties
    return _entity(
        graph,
        node,
        "Person",
        {
            "name": p.get("name"),
            "alias": p.get("aliases"),
            "birthDate": p.get("birth_date"),
            "nationality": p.get("nationality"),
            "country": p.get("country"),
            "gender": p.get("gender"),
            "position": p.get("positions"),
            "description": p.get("description"),
        },
    )


def _organization(graph: _Graph, node: GraphNode) -> EntityProxy | None:
    p = node.properties
    return _entity(
        graph,
        node,
        "Organization",
        {
            "name": p.get("name"),
            "alias": p.get("aliases"),
            "country": p.get("country"),
            "classification": p.get("classification"),
            "keywords": p.get("org_kind"),
            "incorporationDate": p.get("first_cited") if p.get("first_cited_is_start") else None,
            "dissolutionDate": p.get("last_cited") if p.get("last_cited_is_end") else None,
            "description": p.get("description"),
        },
    )


def _address(graph: _Graph, node: GraphNode) -> EntityProxy | None:
    p = node.properties
    return _entity(
        graph,
        node,
        "Address",
        {
            "full": p.get("name"),
            "alias": p.get("aliases"),
            "country": p.get("country"),
            "latitude": _text(p.get("latitude")),
            "longitude": _text(p.get("longitude")),
            "keywords": p.get("place_kind"),
            "description": p.get("description"),
        },
    )


def _event(graph: _Graph, node: GraphNode) -> EntityProxy | None:
    p = node.properties
    roles: dict[str, list[str]] = defaultdict(list)
    for link in graph.into[node.id]:
        attribution = graph.nodes.get(link.from_id)
        if (
            link.rel != Rel.OF_EVENT
            or attribution is None
            or "Attribution" not in attribution.labels
        ):
            continue
        if graph.withheld(attribution):
            continue
        role = "organizer" if attribution.properties.get("role") == "organizer" else "involved"
        roles[role] += graph.targets(attribution.id, Rel.OF_ACTOR)
    return _entity(
        graph,
        node,
        "Event",
        {
            "name": p.get("name"),
            "alias": p.get("aliases"),
            "keywords": p.get("event_kind"),
            "startDate": p.get("start"),
            "endDate": p.get("end"),
            "location": p.get("place_description"),
            "addressEntity": graph.target(node.id, Rel.AT_PLACE),
            "involved": roles["involved"],
            "organizer": roles["organizer"],
            "description": p.get("description"),
        },
    )


def _sanction(graph: _Graph, node: GraphNode) -> EntityProxy | None:
    p = node.properties
    authority = graph.nodes.get(graph.target(node.id, Rel.BY_AUTHORITY) or "")
    return _entity(
        graph,
        node,
        "Sanction",
        {
            "entity": graph.target(node.id, Rel.SANCTIONS),
            "authority": authority.properties.get("name") if authority else None,
            "authorityId": p.get("authority_id"),
            "program": p.get("program"),
            "programId": p.get("program_id"),
            "programUrl": p.get("program_url"),
            "provisions": p.get("provisions"),
            "status": p.get("sanction_status"),
            "reason": p.get("reason"),
            "country": p.get("country"),
            "listingDate": p.get("listing_date"),
            "startDate": p.get("start_date"),
            "endDate": p.get("end_date"),
            "description": p.get("description"),
        },
    )


# A posting's role -> the FtM interest schema and its two properties (person, organisation).
INTEREST_OF_ROLE = {
    "employee": ("Employment", "employee", "employer"),
    "director": ("Directorship", "director", "organization"),
}
MEMBERSHIP = ("Membership", "member", "organization")


def _posting(graph: _Graph, node: GraphNode) -> EntityProxy | None:
    p = node.properties
    schema, holder, organization = INTEREST_OF_ROLE.get(str(p.get("role")), MEMBERSHIP)
    return _entity(
        graph,
        node,
        schema,
        {
            holder: graph.target(node.id, Rel.OF_PERSON),
            organization: graph.target(node.id, Rel.IN_ORGANIZATION),
            "role": p.get("title") or p.get("role"),
            **_interval(p, extra=[f"rank: {p['rank']}"] if p.get("rank") else []),
        },
    )


def _unit_relation(graph: _Graph, node: GraphNode) -> EntityProxy | None:
    p = node.properties
    parent = graph.target(node.id, Rel.PARENT_UNIT)
    child = graph.target(node.id, Rel.CHILD_UNIT)
    if p.get("relation") == "command":  # the parent directs the child
        values = {"director": parent, "organization": child, **_interval(p)}
        return _entity(graph, node, "Directorship", values)
    return _entity(
        graph, node, "Membership", {"member": child, "organization": parent, **_interval(p)}
    )


def _document(graph: _Graph, node: GraphNode) -> EntityProxy | None:
    p = node.properties
    return _entity(
        graph,
        node,
        "Document",
        {
            "name": p.get("name"),
            "title": p.get("title"),
            "fileName": p.get("file") or p.get("name"),  # FtM requires a file name
            "sourceUrl": p.get("url"),
            "publisher": p.get("publisher"),
            "author": p.get("author"),
            "publishedAt": p.get("published"),
            "retrievedAt": p.get("retrieved"),
        },
        with_proof=False,
    )


def _interval(p: dict[str, Any], extra: list[str] | None = None) -> Values:
    """Cited dates as FtM start and end only when they are a real start and end; otherwise
    they are said in the description, since FtM has no "first cited"."""
    notes = list(extra or [])
    start = p.get("first_cited") if p.get("first_cited_is_start") else None
    end = p.get("last_cited") if p.get("last_cited_is_end") else None
    if p.get("first_cited") and start is None:
        notes.append(f"first cited: {p['first_cited']}")
    if p.get("last_cited") and end is None:
        notes.append(f"last cited: {p['last_cited']}")
    texts = [p["description"]] if p.get("description") else []
    return {"startDate": start, "endDate": end, "description": "\n".join(texts + notes) or None}


def _entity(
    graph: _Graph, node: GraphNode, schema: str, values: Values, with_proof: bool = True
) -> EntityProxy | None:
    """The FtM entity of NODE, values cleaned by the model; None if a required one is missing."""
    proxy = model.make_entity(schema)
    proxy.id = to_ftm(node.id)
    if with_proof:
        values = {**values, "proof": graph.proof(node.id)}
    for prop, value in values.items():
        is_ref = proxy.schema.properties[prop].type == registry.entity
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item and not graph.names_hidden(item):
                proxy.add(prop, to_ftm(item) if is_ref else item)
    if any(not proxy.has(name) for name in proxy.schema.required):
        return None
    return proxy


def _restricted(node: GraphNode) -> bool:
    return node.properties.get("restricted") is True


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


EXPORTERS: dict[str, Callable[[_Graph, GraphNode], EntityProxy | None]] = {
    "Person": _person,
    "Organization": _organization,
    "Place": _address,
    "Event": _event,
    "Sanction": _sanction,
    "Posting": _posting,
    "UnitRelation": _unit_relation,
    "Source": _document,
}


def _kind(node: GraphNode) -> str | None:
    """The record type of NODE that the export writes, if any."""
    return next((label for label in EXPORTERS if label in node.labels), None)
