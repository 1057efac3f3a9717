"""A Syria-scale synthetic graph as record files in the project's own JSONL format.

    .venv/bin/python bench/synthetic.py --nodes 1000000 [--seed 1] [--out DIR] [--load]

Writes about N nodes (records plus their citations) to DIR as numbered files of at most
`CHUNK` records each, in dependency order (sources, places, organizations, persons, events,
then the claims), so that loading the files one after another, each through
`loaders.pipeline.load`, keeps memory flat: every id a file names is in it or already in the
graph. `--load` does that into the running database (`silsila db start` first).

Shape, at about 1M nodes: 5,000 units in dated hierarchies (UnitRelation with first_cited and
last_cited, a tenth moved under another parent later), 50,000 persons (a share of them
restricted witnesses as in the default dataset, the rest officers with dated Postings),
events with a date and a place within a governorate, and Attributions, CasualtyCounts,
Participations, Findings, Statements and AreaControls per event as in the default dataset
(`PER_EVENT`, measured from data/default/*.jsonl). Hubs: one force with N/95 attributions
(10,000+ at 1M nodes) and one source cited by N/10 claims. Every record cites a source with a
locator and a quote. The same seed gives the same files byte for byte.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHUNK = 5_000
# At 1M nodes (issue 14): units and persons scale with the graph from these.
UNITS_PER_MILLION = 5_000
PERSONS_PER_MILLION = 50_000
# Per event, as in the default dataset (data/default/*.jsonl, December 2026: 142 events,
# 142 attributions, 122 casualty counts, 50 participations, 37 statements, 43 area controls,
# 18 findings).
PER_EVENT = {
    "Attribution": 142 / 142,
    "CasualtyCount": 122 / 142,
    "Participation": 50 / 142,
    "Statement": 37 / 142,
    "AreaControl": 43 / 142,
    "Finding": 18 / 142,
}
CITATIONS_PER_RECORD = 1321 / 968  # the default dataset's citations per record
RESTRICTED_SHARE = 10 / 49  # restricted persons (witnesses under an alias) in the dataset
POSTINGS_PER_OFFICER = 1.2
MOVED_UNITS = 0.1  # units placed under a second parent later: dated hierarchies
SANCTIONED_UNITS, SANCTIONED_OFFICERS = 0.02, 0.005
HUB_ATTRIBUTIONS_PER_NODE = 1 / 95
HUB_CITATIONS_PER_NODE = 1 / 10
# Event kinds weighted as in the default dataset.
EVENT_KINDS = {
    "massacre": 61,
    "shelling": 18,
    "other": 15,
    "arrest": 10,
    "death_under_torture": 9,
    "killing_by_gunfire": 8,
    "military_operation": 5,
    "airstrike": 5,
    "clashes": 4,
    "execution": 2,
    "bombing": 2,
    "landmine": 1,
    "explosive_remnant": 1,
    "defection": 1,
}
MEANS = {
    "airstrike": ["warplanes"],
    "shelling": ["artillery"],
    "bombing": ["car_bomb"],
    "landmine": ["landmine"],
    "massacre": ["gunfire"],
}
GOVERNORATES = (
    "aleppo",
    "idlib",
    "hama",
    "homs",
    "latakia",
    "tartus",
    "rif-dimashq",
    "damascus",
    "daraa",
    "as-suwayda",
    "quneitra",
    "deir-ez-zor",
    "raqqa",
    "al-hasakah",
)
DISTRICTS_PER_GOVERNORATE = 5
FIRST_YEAR, LAST_YEAR = 2011, 2024


@dataclass
class Plan:
    """How many of each record to write for about NODES nodes."""

    nodes: int
    units: int
    forces: int
    persons: int
    witnesses: int
    sources: int
    localities: int
    events: int
    hub_attributions: int
    hub_citations: int

    @classmethod
    def for_nodes(cls, nodes: int) -> Plan:
        scale = nodes / 1_000_000
        units = max(20, round(UNITS_PER_MILLION * scale))
        persons = max(20, round(PERSONS_PER_MILLION * scale))
        witnesses = round(persons * RESTRICTED_SHARE)
        officers = persons - witnesses
        fixed = (
            units * (2 + MOVED_UNITS)  # the unit and its relations
            + persons
            + officers * POSTINGS_PER_OFFICER
            + units * SANCTIONED_UNITS
            + officers * SANCTIONED_OFFICERS
            + 1
            + len(GOVERNORATES) * (1 + DISTRICTS_PER_GOVERNORATE)
            + 8  # monitors, authorities
        )
        per_event = 1 + sum(PER_EVENT.values())
        sources = max(5, nodes // 5_000)
        with_citations = 1 + CITATIONS_PER_RECORD
        events, localities = 1, 0
        for _ in range(3):  # localities depend on events: settle both
            localities = min(6_000, max(30, events // 10))
            left = nodes - sources - (fixed + localities) * with_citations
            events = max(10, int(left / (per_event * with_citations)))
        return cls(
            nodes=nodes,
            units=units,
            forces=max(3, units // 500),
            persons=persons,
            witnesses=witnesses,
            sources=sources,
            localities=localities,
            events=events,
            hub_attributions=math.ceil(nodes * HUB_ATTRIBUTIONS_PER_NODE),
            hub_citations=math.ceil(nodes * HUB_CITATIONS_PER_NODE),
        )


HUB_SOURCE = "source:syn-hub"
HUB_ACTOR = "org:syn-force-0001"


@dataclass
class Generator:
    """Records for a plan, drawn from one seeded random stream in a fixed order."""

    plan: Plan
    seed: int
    pick: random.Random = field(init=False)
    sources: list[str] = field(default_factory=list)
    governorates: list[str] = field(default_factory=list)
    localities: list[str] = field(default_factory=list)
    levels: list[list[str]] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    monitors: list[str] = field(default_factory=list)
    authorities: list[str] = field(default_factory=list)
    officers: list[str] = field(default_factory=list)
    witnesses: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    claims: int = 0
    quote: int = 0

    def __post_init__(self) -> None:
        self.pick = random.Random(self.seed)  # noqa: S311 - a reproducible sample, not a secret

    # ----- helpers -----------------------------------------------------------------------

    def citations(self, claim: bool = True) -> list[dict[str, str]]:
        """One or two citations; a claim's first cites the hub source at the planned rate."""
        count = 2 if self.pick.random() < CITATIONS_PER_RECORD - 1 else 1
        found = []
        for n in range(count):
            hub = claim and n == 0 and self.pick.random() < self.hub_rate
            source = HUB_SOURCE if hub else self.pick.choice(self.sources)
            self.quote += 1
            found.append(
                {
                    "source": source,
                    "locator": f"Section {self.pick.randint(1, 40)} ¶{self.pick.randint(1, 30)}",
                    "quote": f"Synthetic passage {self.quote}, stating the fact.",
                }
            )
        return found

    @property
    def hub_rate(self) -> float:
        return min(1.0, self.plan.hub_citations / max(1, self.expected_claims))

    @property
    def expected_claims(self) -> int:
        p = self.plan
        officers = p.persons - p.witnesses
        per_event = sum(PER_EVENT.values())
        return round(
            p.units * (1 + MOVED_UNITS) + officers * POSTINGS_PER_OFFICER + p.events * per_event
        )

    def year(self, low: int = FIRST_YEAR, high: int = LAST_YEAR) -> int:
        return self.pick.randint(low, high)

    def day(self) -> str:
        """A partial date: a day, or only a month (as the texts often give)."""
        y, m = self.year(), self.pick.randint(1, 12)
        if self.pick.random() < 0.3:
            return f"{y}-{m:02d}"
        return f"{y}-{m:02d}-{self.pick.randint(1, 28):02d}"

    def period(self) -> dict[str, Any]:
        first = self.year(FIRST_YEAR, LAST_YEAR - 2)
        return {"first_cited": str(first), "last_cited": str(self.year(first, LAST_YEAR))}

    # ----- records, in dependency order -------------------------------------------------

    def records(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(kind, record) for every record, in the order they may be loaded."""
        yield from self._sources()
        yield from self._places()
        yield from self._organizations()
        yield from self._persons()
        yield from self._unit_relations()
        yield from self._postings()
        yield from self._sanctions()
        yield from self._events()
        yield from self._event_claims()

    def _sources(self) -> Iterator[tuple[str, dict[str, Any]]]:
        hub = {"type": "Source", "id": HUB_SOURCE, "name": "Synthetic monitor database"}
        yield "sources", hub | {"kind": "database", "reliability": "F"}
        for n in range(1, self.plan.sources + 1):
            sid = f"source:syn-report-{n:05d}"
            self.sources.append(sid)
            yield (
                "sources",
                {
                    "type": "Source",
                    "id": sid,
                    "name": f"Synthetic report {n:05d}",
                    "kind": "report",
                    "published": str(self.year()),
                    "reliability": "F",
                },
            )

    def _place(self, pid: str, name: str, kind: str, within: str | None) -> dict[str, Any]:
        place = {"type": "Place", "id": pid, "name": name, "place_kind": kind}
        if within:
            place["within"] = within
        return place | {"citations": self.citations(claim=False)}

    def _places(self) -> Iterator[tuple[str, dict[str, Any]]]:
        yield "places", self._place("place:syria", "Syria", "country", None)
        districts: list[str] = []
        for g in GOVERNORATES:
            gid = f"place:{g}-governorate"
            self.governorates.append(gid)
            name = f"{g.replace('-', ' ').title()} Governorate"
            yield "places", self._place(gid, name, "governorate", "place:syria")
            for d in range(1, DISTRICTS_PER_GOVERNORATE + 1):
                did = f"place:syn-{g}-district-{d}"
                districts.append(did)
                yield "places", self._place(did, f"Synthetic {g} district {d}", "district", gid)
        for n in range(1, self.plan.localities + 1):
            lid = f"place:syn-locality-{n:05d}"
            self.localities.append(lid)
            kind = self.pick.choice(["town", "village", "city", "neighbourhood"])
            within = self.pick.choice(districts)
            yield "places", self._place(lid, f"Synthetic locality {n:05d}", kind, within)

    def _org(self, oid: str, name: str, kind: str) -> dict[str, Any]:
        return {
            "type": "Organization",
            "id": oid,
            "name": name,
            "org_kind": kind,
            "citations": self.citations(claim=False),
        }

    def _organizations(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for n, kind in enumerate(["monitoring_ngo"] * 4 + ["international_body"], 1):
            oid = f"org:syn-monitor-{n}"
            self.monitors.append(oid)
            yield "organizations", self._org(oid, f"Synthetic monitor {n}", kind)
        for n in range(1, 4):
            oid = f"org:syn-authority-{n}"
            self.authorities.append(oid)
            yield "organizations", self._org(oid, f"Synthetic sanctioning state {n}", "state")
        # Forces, then divisions, brigades and battalions under them: 1 : 4 : 20 : the rest.
        p = self.plan
        divisions = max(1, p.units // 50)
        brigades = max(1, p.units // 5)
        sizes = [p.forces, divisions, brigades, p.units - p.forces - divisions - brigades]
        names = ["force", "division", "brigade", "battalion"]
        kinds = ["armed_force", "military_unit", "military_unit", "military_unit"]
        for size, name, kind in zip(sizes, names, kinds, strict=True):
            level = [f"org:syn-{name}-{n:04d}" for n in range(1, size + 1)]
            self.levels.append(level)
            self.units += level
            for n, oid in enumerate(level, 1):
                yield "organizations", self._org(oid, f"Synthetic {name} {n:04d}", kind)

    def _persons(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for n in range(1, self.plan.persons + 1):
            pid = f"person:syn-{n:06d}"
            person: dict[str, Any] = {"type": "Person", "id": pid}
            if n % round(1 / RESTRICTED_SHARE) == 0 and len(self.witnesses) < self.plan.witnesses:
                self.witnesses.append(pid)
                person |= {"name": f"Witness alias {n:06d}", "restricted": True}
            else:
                self.officers.append(pid)
                person |= {"name": f"Synthetic officer {n:06d}"}
            yield "persons", person | {"citations": self.citations(claim=False)}

    def _claim(self, label: str, cid: str, fields: dict[str, Any]) -> dict[str, Any]:
        self.claims += 1
        record = {"type": label, "id": cid, **fields, "credibility": "6"}
        return record | {"citations": self.citations()}

    def _unit_relations(self) -> Iterator[tuple[str, dict[str, Any]]]:
        n = 0
        for above, level in zip(self.levels, self.levels[1:], strict=False):
            for child in level:
                parents = [self.pick.choice(above)]
                if self.pick.random() < MOVED_UNITS:
                    parents.append(self.pick.choice(above))
                first = self.year(FIRST_YEAR, LAST_YEAR - 4)
                for k, parent in enumerate(parents):
                    n += 1
                    last = self.year(first, first + 3) if k + 1 < len(parents) else LAST_YEAR
                    yield (
                        "relations",
                        self._claim(
                            "UnitRelation",
                            f"unitrelation:syn-{n:06d}",
                            {
                                "child": child,
                                "parent": parent,
                                "relation": "command",
                                "first_cited": str(first),
                                "last_cited": str(last),
                            },
                        ),
                    )
                    first = last

    def _postings(self) -> Iterator[tuple[str, dict[str, Any]]]:
        n = 0
        roles = ["commander", "officer", "member"]
        for person in self.officers:
            for _ in range(2 if self.pick.random() < POSTINGS_PER_OFFICER - 1 else 1):
                n += 1
                role = self.pick.choices(roles, [2, 5, 3])[0]
                yield (
                    "postings",
                    self._claim(
                        "Posting",
                        f"posting:syn-{n:06d}",
                        {
                            "person": person,
                            "organization": self.pick.choice(self.units),
                            "role": role,
                            "rank": self.pick.choice(["Colonel", "Brigadier General", "Major"]),
                            **self.period(),
                        },
                    ),
                )

    def _sanctions(self) -> Iterator[tuple[str, dict[str, Any]]]:
        units = self.units[:: round(1 / SANCTIONED_UNITS)]
        officers = self.officers[:: round(1 / SANCTIONED_OFFICERS)]
        for n, entity in enumerate(units + officers, 1):
            yield (
                "sanctions",
                self._claim(
                    "Sanction",
                    f"sanction:syn-{n:05d}",
                    {
                        "entity": entity,
                        "authority": self.pick.choice(self.authorities),
                        "program": ["Synthetic sanctions programme"],
                        "listing_date": str(self.year(2012, LAST_YEAR)),
                    },
                ),
            )

    def _events(self) -> Iterator[tuple[str, dict[str, Any]]]:
        kinds, weights = list(EVENT_KINDS), list(EVENT_KINDS.values())
        for n in range(1, self.plan.events + 1):
            eid = f"event:syn-{n:06d}"
            self.events.append(eid)
            kind = self.pick.choices(kinds, weights)[0]
            event: dict[str, Any] = {
                "type": "Event",
                "id": eid,
                "name": f"Synthetic {kind.replace('_', ' ')} {n:06d}",
                "event_kind": kind,
                "start": self.day(),
                "place": self.pick.choice(self.localities),
            }
            if kind in MEANS:
                event["means"] = MEANS[kind]
            yield "events", event | {"citations": self.citations(claim=False)}

    def _event_claims(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Per event, its claims at the dataset's rates; the hub force is every 95th node's
        perpetrator, spread over the events."""
        due = {label: 0.0 for label in PER_EVENT}
        counts = dict.fromkeys(PER_EVENT, 0)
        hub_every = max(1, len(self.events) // self.plan.hub_attributions)
        witnesses = iter(self.witnesses)
        for i, event in enumerate(self.events):
            for label, rate in PER_EVENT.items():
                due[label] += rate
                while due[label] >= 1:
                    due[label] -= 1
                    counts[label] += 1
                    cid = f"{label.lower()}:syn-{counts[label]:06d}"
                    hub = label == "Attribution" and i % hub_every == 0
                    fields = self._claim_fields(label, event, hub, witnesses)
                    yield "claims", self._claim(label, cid, fields)

    def _claim_fields(
        self, label: str, event: str, hub: bool, witnesses: Iterator[str]
    ) -> dict[str, Any]:
        monitor = self.pick.choice(self.monitors)
        if label == "Attribution":
            actor = HUB_ACTOR if hub else self.pick.choice(self.units)
            return {"event": event, "actor": actor, "role": "perpetrator", "claimed_by": monitor}
        if label == "CasualtyCount":
            killed = int(self.pick.paretovariate(1.2)) + self.pick.randint(0, 5)
            kind = self.pick.choice(["reported", "at_least", "named"])
            return {"event": event, "killed": killed, "count_kind": kind, "claimed_by": monitor}
        if label == "Participation":
            witness = next(witnesses, None)
            if witness is not None:
                return {"event": event, "person": witness, "role": "witness"}
            return {"event": event, "actor": monitor, "role": "reporter"}
        if label == "Statement":
            by = self.pick.choice(self.officers)
            text = "A synthetic statement about the event."
            return {"by": by, "about": event, "date": self.day(), "text": text}
        if label == "AreaControl":
            return {
                "actor": self.pick.choice(self.units),
                "place": self.pick.choice(self.localities),
                **self.period(),
            }
        text = "Synthetic finding: reasonable grounds to believe the event took place."
        return {"by": monitor, "about": event, "date": self.day(), "text": text}


def generate(nodes: int, out: Path, seed: int = 1) -> dict[str, int]:
    """Write the files to OUT; the number of records and citations of each kind."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.jsonl"):
        old.unlink()
    generator = Generator(Plan.for_nodes(nodes), seed)
    counts: dict[str, int] = {}
    kind, number, lines = "", 0, 0
    handle = None
    try:
        for record_kind, record in generator.records():
            if handle is None or record_kind != kind or lines >= CHUNK:
                if handle is not None:
                    handle.close()
                kind, number, lines = record_kind, number + 1, 0
                handle = (out / f"{number:04d}-{kind}.jsonl").open("w", encoding="utf-8")
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            lines += 1
            counts[record["type"]] = counts.get(record["type"], 0) + 1
            counts["Citation"] = counts.get("Citation", 0) + len(record.get("citations", []))
    finally:
        if handle is not None:
            handle.close()
    return counts


def record_files(folder: Path) -> list[Path]:
    """The files in the order they load."""
    return sorted(folder.glob("*.jsonl"))


def load_folder(folder: Path, settings: Any = None, echo: bool = True) -> tuple[float, int]:
    """Load the files one after another through the pipeline, each validated in full before
    it is written: (seconds, nodes created)."""
    from graph.db.settings import Settings
    from loaders import pipeline
    from loaders.records import read_paths
    from ontology.model import load as load_ontology

    settings = settings or Settings()
    ontology = load_ontology()
    start = time.perf_counter()
    files = record_files(folder)
    created = 0
    for n, file in enumerate(files, 1):
        summary = pipeline.load(settings, ontology, read_paths([file]))
        created += sum(summary.created.values())
        if echo:
            took = time.perf_counter() - start
            print(
                f"  {n}/{len(files)} {file.name}: {summary.total} nodes, {took:.0f} s", flush=True
            )
    return time.perf_counter() - start, created


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, required=True, help="about this many nodes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("synthetic"))
    parser.add_argument("--load", action="store_true", help="load into the running database")
    args = parser.parse_args()
    start = time.perf_counter()
    counts = generate(args.nodes, args.out, args.seed)
    took = time.perf_counter() - start
    print(f"wrote {sum(counts.values()):,} nodes to {args.out} in {took:.1f} s:")
    for label, count in sorted(counts.items()):
        print(f"  {label}: {count:,}")
    if args.load:
        took, created = load_folder(args.out)
        print(f"loaded {created:,} nodes in {took:.0f} s")


if __name__ == "__main__":
    main()
