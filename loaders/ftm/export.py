"""The graph as FollowTheMoney entities (JSON-ready dicts) for Aleph / OpenSanctions tooling.

Every entity is built with the FtM model (`model.make_entity`, values cleaned by their FtM
type) and passes FtM's own validation: a text longer than its FtM type allows is split at
line ends into several values (a description), or else cut (marked `…`). Its FtM id is the
one it was imported from, when it came from an FtM entity (so a re-import gives the same
citations), else its Silsila id in FtM's alphabet (`person.qahtan-khalil`, see
`loaders.ftm.ids`); `proof` names the Documents its citations come from. Restricted persons
(witnesses under an alias) are not exported, nor any claim that names one, nor any text
value that contains one's name or alias.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from followthemoney import EntityProxy, model
from followthemoney.property import Property
from followthemoney.types import registry
from neo4j import Driver

from graph.db.export import read_graph
from graph.db.settings import Settings
from loaders.formats import TextExport
from loaders.ftm.evidence import ACCESS_POINT_KIND
from loaders.ftm.ids import PREFIXES, silsila_id, to_ftm
from ontology.model import Ontology
from ontology.rdf import GraphLink, GraphNode
from ontology.terms import Rel

Values = dict[str, Any]  # FtM property -> a value, a list of values, or None
CUT = "…"  # ends a value cut to FtM's bound for its type


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
        self._ftm_ids = self._imported_ids()

    def ftm_id(self, node_id: str) -> str:
        """The FtM id NODE_ID is written as: the FtM entity it was imported from, else its
        Silsila id in FtM's alphabet."""
        return self._ftm_ids.get(node_id) or to_ftm(node_id)

    def _imported_ids(self) -> dict[str, str]:
        """The FtM id each record imported from an FtM entity was read from (its citations'
        access point, when the importer derives the record's id from it)."""
        found: dict[str, str] = {}
        for node in self.nodes.values():
            label = next((x for x in PREFIXES if x in node.labels), None)
            if label is None:
                continue
            cited = (self.nodes.get(x.to_id) for x in self.out[node.id] if x.rel == Rel.CITED_IN)
            points = sorted(
                str(c.properties.get("access_point"))
                for c in cited
                if c is not None and c.properties.get("access_point_kind") == ACCESS_POINT_KIND
            )
            read_from = next(
                (
                    x
                    for x in points
                    if silsila_id(label, x) == node.id and registry.entity.validate(x)
                ),
                None,
            )
            if read_from is not None and read_from not in found.values():
                found[node.id] = read_from
        return found

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
    named_by_file = p.get("name") == p.get("file") and not p.get("title")
    return _entity(
        graph,
        node,
        "Document",
        {
            "name": None if named_by_file else p.get("name"),  # the importer names it by file
            "title": p.get("title"),
            "fileName": p.get("file") or p.get("name"),  # FtM requires a file name
            "keywords": p.get("kind"),
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
    proxy.id = graph.ftm_id(node.id)
    if with_proof:
        values = {**values, "proof": graph.proof(node.id)}
    for name, value in values.items():
        prop = proxy.schema.properties[name]
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, str) or not item or graph.names_hidden(item):
                continue
            if prop.type == registry.entity:
                proxy.add(prop, graph.ftm_id(item))
                continue
            for piece in _within_bounds(prop, item):
                proxy.add(prop, piece)
    if any(not proxy.has(name) for name in proxy.schema.required):
        return None
    return proxy


def _within_bounds(prop: Property, value: str) -> list[str]:
    """VALUE as FtM's type of PROP bounds it: a text too long as several values, split at
    line ends (a re-import joins a description's values with line ends), a line still too
    long, or any other value, cut."""
    bound = prop.type.max_length
    if len(value) <= bound:
        return [value]
    if prop.type not in (registry.text, registry.html):
        return [value[: bound - len(CUT)] + CUT]
    pieces: list[str] = []
    for line in value.split("\n"):
        line = line if len(line) <= bound else line[: bound - len(CUT)] + CUT
        if pieces and len(pieces[-1]) + 1 + len(line) <= bound:
            pieces[-1] += "\n" + line
        else:
            pieces.append(line)
    return pieces


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
