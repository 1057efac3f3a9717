"""Entity resolution for imports: reuse what is certainly the same, ask about the rest.

An imported person, organization or place whose id is not in the graph is compared with the
graph's entities of the same type by normalised name and aliases:

- an organization or place whose name or an alias equals exactly one entity's (of a
  compatible kind) *is* that entity: the import's records point to it instead;
- a person is never merged by name (two people share names); a person with the same or a
  similar name, and any other near or ambiguous match, becomes a *merge candidate* on the
  review list (`silsila review`), and the imported entity is kept apart until someone
  accepts it.

Decisions are remembered: an accepted candidate maps the imported id to the existing entity
on every later import, a rejected one is not asked again.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from typing import Any

from neo4j import Driver

from graph.db import queries, store
from graph.db.settings import Settings
from graph.errors import InvalidRequestError
from graph.reads.search import lucene_query
from loaders.names import normalised
from loaders.pipeline import Record, embedded_links
from ontology.model import Ontology, RelationshipDef
from ontology.terms import Label

RESOLVED_TYPES = (Label.PERSON, Label.ORGANIZATION, Label.PLACE)
NAME_MATCHED_TYPES = (Label.ORGANIZATION, Label.PLACE)  # persons only by id or by review
SIMILAR = 0.85  # SequenceMatcher ratio of normalised names that makes a candidate
CANDIDATE_HITS = 10
LOOKUPS_PER_READ = 500  # name lookups sent in one statement
GENERIC_KINDS = {None, "other"}


@dataclass(frozen=True)
class Candidate:
    """A possible merge waiting on the review list."""

    label: str
    imported_id: str
    imported_name: str
    existing_id: str
    existing_name: str
    reason: str
    score: float
    origin: str

    @property
    def id(self) -> str:
        digest = hashlib.sha256(f"{self.imported_id}\x1f{self.existing_id}".encode())
        return f"merge:{digest.hexdigest()[:24]}"

    def properties(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": "pending",
            "candidate_label": self.label,
            "imported_id": self.imported_id,
            "imported_name": self.imported_name,
            "existing_id": self.existing_id,
            "existing_name": self.existing_name,
            "reason": self.reason,
            "score": round(self.score, 3),
            "origin": self.origin,
        }


@dataclass
class _Outcome:
    reuse: str | None = None
    candidates: list[Candidate] = field(default_factory=list)


@dataclass
class Resolution:
    """The records to write (references rewritten) and what resolution found."""

    records: list[Record]
    reused: dict[str, str]
    candidates: list[Candidate]
    protected: list[str]
    # The ids of the records asked about that the graph holds under their record type.
    present: frozenset[str] = frozenset()


class Resolver:
    """Resolves the entity records of an import against the graph, caching every answer."""

    def __init__(
        self,
        driver: Driver,
        settings: Settings,
        ontology: Ontology,
        unmatched: Container[str] = (),
    ) -> None:
        """UNMATCHED: ids never offered as matches (what an interrupted run of the same
        import created, which an uninterrupted run would not have seen)."""
        self.driver = driver
        self.settings = settings
        self.ontology = ontology
        self.unmatched = unmatched
        self._outcomes: dict[str, _Outcome] = {}

    def resolve(
        self, records: Sequence[Record], written: Mapping[str, set[str]] | None = None
    ) -> Resolution:
        """RECORDS with reused entities dropped and every reference to them rewritten.

        A record whose id is already in the graph is left out (kept as it is in the graph)
        when the graph's node cites a source this record does not: an import never
        overwrites a statement someone else's source makes. WRITTEN: the records a write
        still under way puts in the graph, with the sources each cites, taken as the graph's.
        """
        by_label: dict[str, list[str]] = defaultdict(list)
        for record in records:
            by_label[record.label].append(record.id)
        cited = store.cited_sources_by_label(self.driver, self.settings, by_label)
        if written:
            cited |= {r.id: written[r.id] for r in records if r.id in written}
        protected = {r.id for r in records if r.id in cited and not cited[r.id] <= cited_sources(r)}
        entities = [r for r in records if r.label in RESOLVED_TYPES and r.id not in cited]
        self._look_up([r for r in entities if r.id not in self._outcomes])
        outcomes = {r.id: self._outcomes[r.id] for r in entities}
        reused = {i: o.reuse for i, o in outcomes.items() if o.reuse is not None}
        dropped = protected | set(reused)
        kept = [_rewrite(r, reused, self.ontology) for r in records if r.id not in dropped]
        found = [c for o in outcomes.values() for c in o.candidates]
        return Resolution(kept, reused, found, sorted(protected), frozenset(cited))

    def _look_up(self, records: Sequence[Record]) -> None:
        """Outcomes for RECORDS, enclosing places before the places within them."""
        if not records:
            return
        decided = self._decisions([r.id for r in records])
        hits = self._hits([r for r in records if not _accepted(decided.get(r.id, {}))])
        for record in _outermost_first(records):
            parent = record.properties.get("within")
            if isinstance(parent, str) and parent in self._outcomes:
                resolved = self._outcomes[parent].reuse or parent
                record = replace(record, properties={**record.properties, "within": resolved})
            found = [h for h in hits.get(record.id, []) if _compatible_places(record, h)]
            self._outcomes[record.id] = self._match(record, decided.get(record.id, {}), found)

    def _decisions(self, ids: list[str]) -> dict[str, dict[str, str]]:
        """For each imported id, the existing ids already decided on, with the decision."""
        if not ids:
            return {}
        rows = store.read(
            self.driver, self.settings, queries.MERGE_DECISIONS, ids=ids, limit=len(ids) * 50
        )
        found: dict[str, dict[str, str]] = {}
        for row in rows:
            found.setdefault(row["imported_id"], {})[row["existing_id"]] = row["status"]
        return found

    def _match(
        self, record: Record, decided: dict[str, str], hits: list[dict[str, Any]]
    ) -> _Outcome:
        accepted = _accepted(decided)
        if accepted:
            return _Outcome(reuse=accepted[0])
        exact = [h for h in hits if _names(h) & _names_of(record)]
        if record.label in NAME_MATCHED_TYPES and len(exact) == 1:
            return _Outcome(reuse=exact[0]["id"])
        candidates = []
        for hit in hits:
            if decided.get(hit["id"]) is None:  # rejected or pending: not asked again
                candidate = _candidate(record, hit, hit in exact)
                if candidate is not None:
                    candidates.append(candidate)
        return _Outcome(candidates=candidates)

    def _hits(self, records: Sequence[Record]) -> dict[str, list[dict[str, Any]]]:
        """For each record, entities of its type whose names resemble its name, read for
        LOOKUPS_PER_READ records at a time (their places are compared by the caller)."""
        asks = []
        for record in records:
            try:
                lucene = lucene_query(str(record.properties.get("name") or ""))
            except InvalidRequestError:  # a name without words: nothing to compare
                continue
            asks.append({"key": record.id, "lucene": lucene, "types": [record.label]})
        found: dict[str, list[dict[str, Any]]] = {}
        for start in range(0, len(asks), LOOKUPS_PER_READ):
            rows = store.read(
                self.driver,
                self.settings,
                queries.NAME_CANDIDATES,
                asks=asks[start : start + LOOKUPS_PER_READ],
                index=queries.NAME_SEARCH_INDEX,
                fetch=CANDIDATE_HITS * 5,
                limit=CANDIDATE_HITS,
            )
            for row in rows:
                if row["id"] not in self.unmatched:
                    found.setdefault(row["key"], []).append(dict(row))
        return found


def _accepted(decided: dict[str, str]) -> list[str]:
    """The existing ids a reviewer accepted as this record, in order."""
    return sorted(k for k, status in decided.items() if status == "accepted")


def _compatible_places(record: Record, hit: Any) -> bool:
    """Same kind (or one unknown) and the same enclosing place (or one not known)."""
    kind, parent = record.properties.get("place_kind"), record.properties.get("within")
    kinds_agree = kind in GENERIC_KINDS or hit["place_kind"] in GENERIC_KINDS
    kinds_agree = kinds_agree or hit["place_kind"] == kind
    parents_agree = not parent or not hit["within"] or parent in hit["within"]
    return kinds_agree and parents_agree


def _outermost_first(records: Sequence[Record]) -> list[Record]:
    """Places ordered so that a place comes after the place it is within (others first)."""
    by_id = {r.id: r for r in records}

    def depth(record: Record) -> int:
        seen: set[str] = set()
        parent = record.properties.get("within")
        while isinstance(parent, str) and parent in by_id and parent not in seen:
            seen.add(parent)
            parent = by_id[parent].properties.get("within")
        return len(seen)

    return sorted(records, key=depth)


def cited_sources(record: Record) -> set[str]:
    """The ids of the sources a record's citations name."""
    citations = record.properties.get("citations")
    items = citations if isinstance(citations, list) else []
    return {str(c.get("source")) for c in items if isinstance(c, dict)}


def _names(hit: dict[str, Any]) -> set[str]:
    return {normalised(n) for n in [hit["name"], *hit["aliases"]] if n}


def _names_of(record: Record) -> set[str]:
    names = [record.properties.get("name"), *(record.properties.get("aliases") or [])]
    return {normalised(n) for n in names if isinstance(n, str) and n}


def _candidate(record: Record, hit: dict[str, Any], same_name: bool) -> Candidate | None:
    """A candidate with its reason, or None when the names are not close enough."""
    score = 1.0 if same_name else _similarity(_names_of(record), _names(hit))
    if score < SIMILAR:
        return None
    reason = "same name or alias" if same_name else f"similar name ({score:.2f})"
    born, theirs = _dates(record.properties.get("birth_date")), _dates(hit.get("birth_date"))
    if born and theirs:
        if shared := [d for d in born if d in theirs]:
            reason += f", same birth date {shared[0]}"
        else:
            reason += f", but born {' or '.join(born)} vs {' or '.join(theirs)}"
            score /= 2
    return Candidate(
        label=record.label,
        imported_id=record.id,
        imported_name=str(record.properties.get("name")),
        existing_id=hit["id"],
        existing_name=str(hit["name"]),
        reason=reason,
        score=score,
        origin=f"{record.file}:{record.line}",
    )


def _dates(value: Any) -> list[str]:
    """A person's dates of birth (a list; a graph loaded before they were lists holds one)."""
    return [str(v) for v in value] if isinstance(value, list) else [str(value)] if value else []


def _similarity(ours: Iterable[str], theirs: Iterable[str]) -> float:
    pairs = [(a, b) for a in ours for b in theirs]
    return max((SequenceMatcher(None, a, b).ratio() for a, b in pairs), default=0.0)


def _rewrite(record: Record, reused: dict[str, str], ontology: Ontology) -> Record:
    """The record with every id it names that was resolved replaced by the existing id."""
    if not reused or record.label not in ontology.labels:
        return record
    properties = dict(record.properties)
    for rel in ontology.relationships_of(record.label):
        value = properties.get(rel.field)
        if rel.embedded and isinstance(value, list):
            properties[rel.field] = [
                _rewrite_embedded(item, rel, reused, ontology) for item in value
            ]
        elif isinstance(value, str):
            properties[rel.field] = reused.get(value, value)
        elif isinstance(value, list):
            properties[rel.field] = [reused.get(v, v) if isinstance(v, str) else v for v in value]
    return replace(record, properties=properties)


def _rewrite_embedded(
    item: Any, rel: RelationshipDef, reused: dict[str, str], ontology: Ontology
) -> Any:
    if not isinstance(item, dict):
        return item
    fields = {inner.field for inner, _ in embedded_links(ontology, rel, item)}
    return {
        k: reused.get(v, v) if k in fields and isinstance(v, str) else v for k, v in item.items()
    }
