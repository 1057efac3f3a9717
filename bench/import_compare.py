"""ACLED imports side by side: the transactional path, a tuned LOAD CSV, a row-by-row loader,
and the bulk path against neo4j-admin alone.

`python bench/import_compare.py --rows 10000,100000`: for each size, a synthetic ACLED export
of that many rows (`bench/import_stream.py`'s generator) goes, on a Neo4j of the script's own
(temporary folder, free port, the shared jars), into the same empty database three ways, each
in a process of its own whose resident memory is sampled, the database emptied after each:

(a) `silsila import acled FILE`, the product's transactional path (check, then chunk by chunk);
(b) a tuned hand-written `LOAD CSV` (below, bench-only): the shared entities (places, then
    their `WITHIN` links, then actors) first, then the rows with `CALL { … } IN TRANSACTIONS OF
    1000 ROWS`. Cypher has no slug, sha256 or regex replacement, so a Python pass first copies
    the file into Neo4j's import folder with the values made by those added as columns (ids'
    name slugs, `search_keys`, citation ids, the row's number); it is timed as part of (b).
    Everything else (dates and their bounds, kinds and their labels, the unused cells kept as
    `classification`, which record of an actor named in several rows wins, relationships) is
    Cypher;
(c) a row-by-row loader: one transaction per row through the neo4j driver, running (b)'s
    statements on that row alone (shared entities merged as they come). On more than
    `--naive-rows` rows (5,000) it runs on the first that many only, and says so.

The three graphs are then compared (every node's labels and properties by id; every
relationship's type, ends and properties); when (c) ran on a sample, its graph is compared with
(b)'s on the same sample. Then, as before, `silsila import acled FILE --bulk` (in process: check,
CSV files, server stopped, `neo4j-admin database import full`, server started, constraints and
indexes built) and neo4j-admin alone on the files the bulk path wrote.

Prints, per size, a table of seconds, rows/s and peak memory (the importing process and Neo4j)
per side, whether the graphs are identical, the bulk path's steps, then
`ratio_bulk_vs_admin_import=Z` and last `ratio_vs_load_csv=X ratio_vs_naive=Y` for the largest
size: (a)'s rows/s over (b)'s and over (c)'s. Each side's time is the wall time of its process,
start-up included. `--running` uses the Neo4j the `SILSILA_*` settings name (which must be
running and empty) instead and leaves the bulk path out.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:
    from import_stream import resident_bytes, silsila, write_export
except ImportError:  # imported as `bench.import_compare` (the tests)
    from bench.import_stream import resident_bytes, silsila, write_export

from neo4j import Driver

from graph.db import spelling, store
from graph.db.runtime import LocalNeo4j
from graph.db.settings import Settings
from loaders.acled import FORMAT
from loaders.acled.records import (
    ACTOR_KINDS,
    ACTOR_SLOTS,
    DATASET,
    EVENT_KINDS,
    GOVERNMENT,
    ONLY_MONTH,
    ONLY_PROVINCE,
)
from loaders.bulk import BulkSummary, run_bulk_import
from loaders.formats import CHUNK_ROWS, UNGRADED
from loaders.tabular import MONTHS as MONTH_NUMBERS
from loaders.tabular import key
from ontology.model import load as load_ontology

DEFAULT_ROWS = "10000,100000"
NAIVE_ROWS = 5000
HEAP = "1g"
PAGECACHE = "1g"
SAMPLE_SECONDS = 0.1
BATCH_ROWS = 1000
SIDES = ("import", "load-csv", "naive")
# Each side first runs once, untimed, on this many rows: a new server's first statements are
# planned and its JIT warmed by whichever side runs first, which would otherwise pay for all.
WARM_UP_ROWS = 200

# ----- (b) and (c): the values Cypher cannot make, as extra columns ---------------------

PLACE_LEVELS = (
    ("country", "country"),
    ("admin1", "governorate"),
    ("admin2", "district"),
    ("admin3", "subdistrict"),
    ("location", "other"),
)
# read only if geo_precision is not 3 (and the coordinates only with a location)
SOMETIMES_READ = frozenset({"admin2", "admin3", "location", "latitude", "longitude"})
SLOTS = tuple(slot for slot, _ in ACTOR_SLOTS)
MONTHS = {name: f"{number:02d}" for name, number in MONTH_NUMBERS.items()}


def citation_id(owner: str, item: dict[str, str]) -> str:
    """The id the pipeline gives an inline citation (a hash of its owner and content)."""
    text = "\x1f".join([owner, *(f"{k}={item[k]}" for k in sorted(item))])
    return f"citation:{hashlib.sha256(text.encode('utf-8')).hexdigest()[:24]}"


def keys_of(*names: str) -> str:
    return "|".join(spelling.search_keys(names))


def event_name(values: dict[str, str], place_name: str) -> str:
    kind = values.get("sub_event_type", "").strip() or values.get("event_type", "").strip()
    return f"{kind or 'Event'} in {place_name}, {values['event_date'].strip()}"


def derived(number: int, values: dict[str, str]) -> dict[str, str]:
    """The columns a row gains for Cypher: slugs, search keys, citation ids, its number."""
    cell = {k: (v or "").strip() for k, v in values.items()}
    event_id = cell["event_id_cnty"]
    event_key = f"acled-{event_id.lower()}"
    extra = {"_n": str(number)}
    extra |= {f"_{x}_{c}": "" for c, _ in PLACE_LEVELS for x in "psc"}
    exact = cell.get("geo_precision") != ONLY_PROVINCE
    path: list[str] = []
    place_name = ""
    for level, (column, _) in enumerate(PLACE_LEVELS):
        name = cell.get(column, "") if exact or level < 2 else ""
        if column == "location":
            path += [""] * (4 - len(path))
        path.append(key(name) if name else "")
        if not name:
            continue
        place = f"place:acled-{'.'.join(path)}"
        citation = {"source": DATASET.source_id, "locator": f"{column} column", "quote": name}
        extra |= {f"_p_{column}": place, f"_s_{column}": keys_of(name)}
        extra[f"_c_{column}"] = citation_id(place, citation)
        place_name = name
    for slot in SLOTS:
        names = [n.strip() for n in cell.get(slot, "").split(";") if n.strip()]
        slugs = [key(n) for n in names]
        attributions = [f"attribution:{event_key}-{slot}-{s}" for s in slugs]
        actor_citations = [
            citation_id(f"org:acled-{s}", {"source": DATASET.source_id} | quoted(n))
            for n, s in zip(names, slugs, strict=True)
        ]
        cells = [citation_id(a, DATASET.cell(event_id, slot)) for a in attributions]
        extra |= {
            f"_k_{slot}": "|".join(slugs),
            f"_s_{slot}": "|".join(" ".join(spelling.search_keys([n])) for n in names),
            f"_c_{slot}": "|".join(actor_citations),
            f"_a_{slot}": "|".join(cells),
        }
    sources = cell.get("source", "")
    details = [f"sources: {sources}"] if sources else []
    extra["_c_event"] = citation_id(
        f"event:{event_key}", DATASET.citation(event_id, details, cell.get("notes", ""))
    )
    extra["_c_casualty"] = citation_id(
        f"casualty:{event_key}", DATASET.cell(event_id, "fatalities")
    )
    extra["_s_event"] = keys_of(event_name(cell, place_name))
    return extra


def quoted(name: str) -> dict[str, str]:
    return {"locator": "actor columns", "quote": name}


def read_rows(path: Path, limit: int | None = None) -> tuple[list[str], Iterator[dict[str, str]]]:
    """The export's header, and its rows with their derived columns (at most LIMIT)."""
    handle = path.open(newline="", encoding="utf-8")
    reader = csv.DictReader(handle)
    header = list(reader.fieldnames or [])

    def rows() -> Iterator[dict[str, str]]:
        with handle:
            for number, values in enumerate(reader):
                if limit is not None and number >= limit:
                    return
                yield values | derived(number, values)

    return header, rows()


def write_derived(path: Path, target: Path, limit: int | None = None) -> list[str]:
    """PATH copied to TARGET with its derived columns; returns the export's own header."""
    header, rows = read_rows(path, limit)
    first = next(rows, None)
    with target.open("w", newline="", encoding="utf-8") as handle:
        if first is None:
            handle.write(",".join(header) + "\n")
            return header
        writer = csv.DictWriter(handle, fieldnames=list(first))
        writer.writeheader()
        writer.writerow(first)
        writer.writerows(rows)
    return header


# ----- (b) and (c): the Cypher (bench-only: not the product's statements) ---------------

# Cypher's LOAD CSV reads an empty cell as null; `trim` keeps null.
PLACES_OF_ROW = """
WITH row, [c IN $levels | row['_p_' + c.column]] AS ids
UNWIND range(0, size(ids) - 1) AS at
WITH row, ids, at, $levels[at] AS level WHERE ids[at] IS NOT NULL
WITH row, {
  id: ids[at], name: trim(row[level.column]), kind: level.kind, column: level.column,
  within: last([x IN ids[0..at] WHERE x IS NOT NULL]),
  keys: CASE WHEN row['_s_' + level.column] IS NULL THEN null
        ELSE split(row['_s_' + level.column], '|') END,
  cite: row['_c_' + level.column],
  latitude: CASE WHEN level.column = 'location' AND row.latitude IS NOT NULL
            AND row.longitude IS NOT NULL THEN toFloat(trim(row.latitude)) END,
  longitude: CASE WHEN level.column = 'location' AND row.latitude IS NOT NULL
             AND row.longitude IS NOT NULL THEN toFloat(trim(row.longitude)) END
} AS p
"""

CREATE_PLACE = """
MATCH (s:Source {id: $source})
CREATE (n:Place {id: p.id})
SET n.name = p.name, n.place_kind = p.kind, n.search_keys = p.keys,
    n.latitude = p.latitude, n.longitude = p.longitude
%(place_labels)s
CREATE (n)-[:CITED_IN]->(c:Citation {id: p.cite, locator: p.column + ' column', quote: p.name})
CREATE (c)-[:FROM_SOURCE]->(s)
"""

# Every actor of the row, in slot order: a list `found` of maps.
ACTORS_OF_ROW = """
CALL (row) {
  UNWIND range(0, size($slots) - 1) AS si
  WITH row, si, $slots[si] AS slot
  WITH row, si, slot,
       [n IN split(coalesce(row[slot.column], ''), ';') WHERE trim(n) <> '' | trim(n)] AS names,
       CASE WHEN slot.inter IS NULL THEN '' ELSE coalesce(trim(row[slot.inter]), '') END AS inter
  UNWIND range(0, size(names) - 1) AS ni
  WITH slot, si, ni, names[ni] AS name, inter,
       split(row['_k_' + slot.column], '|')[ni] AS slug,
       split(row['_s_' + slot.column], '|')[ni] AS keys,
       split(row['_c_' + slot.column], '|')[ni] AS cite,
       split(row['_a_' + slot.column], '|')[ni] AS cell
  RETURN collect({
    id: 'org:acled-' + slug, slug: slug, name: name, slot: slot.column, at: si * 1000 + ni,
    inter: CASE WHEN inter = '' THEN null ELSE inter END,
    kind: CASE WHEN name STARTS WITH $government THEN 'state'
          ELSE coalesce($actor_kinds[toLower(inter)], 'other') END,
    keys: CASE WHEN keys = '' THEN null ELSE split(keys, ' ') END, cite: cite, cell: cell
  }) AS found
}
"""

# The row's actors once each, as the first slot naming them gives them.
FIRST_ACTORS = """
WITH row, reduce(kept = [], a IN found |
  CASE WHEN any(k IN kept WHERE k.id = a.id) THEN kept ELSE kept + [a] END) AS actors
"""

WRITE_ACTOR = """
SET o.name = a.name, o.org_kind = a.kind, o.search_keys = a.keys
%(org_labels)s
WITH o, a
MATCH (s:Source {id: $source})
MERGE (c:Citation {id: a.cite})
ON CREATE SET c.locator = 'actor columns', c.quote = a.name
MERGE (o)-[:CITED_IN]->(c)
MERGE (c)-[:FROM_SOURCE]->(s)
"""

ROW = """
MATCH (s:Source {id: $source}), (acled:Organization {id: $acled})
WITH row, s, acled, trim(row.event_id_cnty) AS eid, trim(row.event_date) AS day,
     coalesce(trim(row.geo_precision), '') <> $only_province AS exact,
     [c IN $levels WHERE row['_p_' + c.column] IS NOT NULL | c.column] AS placed
WITH row, s, acled, eid, day, exact, 'acled-' + toLower(eid) AS ekey,
     row['_p_' + last(placed)] AS place, trim(row[last(placed)]) AS place_name,
     CASE
       WHEN day =~ '\\d{4}-\\d{2}-\\d{2}' THEN day
       WHEN day =~ '\\d{1,2} [A-Za-z]+ \\d{4}' THEN split(day, ' ')[2] + '-'
         + $months[toLower(split(day, ' ')[1])] + '-' + right('0' + split(day, ' ')[0], 2)
       WHEN day =~ '[A-Za-z]+ \\d{4}' THEN split(day, ' ')[1] + '-'
         + $months[toLower(split(day, ' ')[0])]
       ELSE day
     END AS date
WITH row, s, acled, eid, day, exact, ekey, place, place_name,
     CASE WHEN trim(row.time_precision) = $only_month THEN left(date, 7) ELSE date END AS start
CREATE (e:Event {id: 'event:' + ekey})
SET e.name = coalesce(trim(row.sub_event_type), trim(row.event_type), 'Event')
             + ' in ' + place_name + ', ' + day,
    e.event_kind = coalesce($event_kinds[toLower(coalesce(trim(row.sub_event_type), ''))],
                            'other'),
    e.start = start,
    e.start_earliest = CASE size(start) WHEN 10 THEN date(start) WHEN 7 THEN date(start + '-01')
                       ELSE date(start + '-01-01') END,
    e.start_latest = CASE size(start) WHEN 10 THEN date(start)
                     WHEN 7 THEN date(start + '-01') + duration({months: 1})
                       - duration({days: 1})
                     ELSE date(start + '-12-31') END,
    e.date_precision = trim(row.time_precision), e.geo_precision = trim(row.geo_precision),
    e.disorder_type = trim(row.disorder_type), e.event_type = trim(row.event_type),
    e.sub_event_type = trim(row.sub_event_type),
    e.civilian_targeting = CASE WHEN $targeting THEN row.civilian_targeting IS NOT NULL END,
    e.search_keys = CASE WHEN row._s_event IS NULL THEN null
                    ELSE split(row._s_event, '|') END
WITH row, s, acled, eid, ekey, place, e, [c IN $header WHERE NOT c IN $read
       AND NOT (exact AND c IN ['admin2', 'admin3', 'location'])
       AND NOT (exact AND row.location IS NOT NULL AND c IN ['latitude', 'longitude'])
       AND coalesce(trim(row[c]), '') <> '' | c + ': ' + trim(row[c])] AS unused
SET e.classification = CASE WHEN size(unused) > 0 THEN unused END
%(event_labels)s
CREATE (e)-[:CITED_IN]->(c:Citation {
  id: row._c_event, access_point: eid, access_point_kind: $id_column, quote: trim(row.notes),
  locator: 'event ' + eid + coalesce('; sources: ' + trim(row.source), '')
})-[:FROM_SOURCE]->(s)
WITH row, s, acled, eid, ekey, place, e
MATCH (pl:Place {id: place})
CREATE (e)-[:AT_PLACE]->(pl)
WITH row, s, acled, eid, ekey, e
%(actors)s
CALL (found, s, acled, eid, ekey, e) {
  UNWIND found AS a
  MATCH (o:Organization {id: a.id})
  CREATE (t:Attribution:Claim {
    id: 'attribution:' + ekey + '-' + a.slot + '-' + a.slug, role: 'involved', slot: a.slot,
    inter: a.inter, credibility: $ungraded
  })
  CREATE (t)-[:OF_EVENT]->(e), (t)-[:OF_ACTOR]->(o), (t)-[:CLAIMED_BY]->(acled)
  CREATE (t)-[:CITED_IN]->(c:Citation {
    id: a.cell, locator: 'event ' + eid + ', ' + a.slot, access_point: eid,
    access_point_kind: $id_column
  })-[:FROM_SOURCE]->(s)
}
CALL (row, s, acled, eid, ekey, e) {
  WITH row, s, acled, eid, ekey, e WHERE row.fatalities IS NOT NULL
  CREATE (k:CasualtyCount:Claim {
    id: 'casualty:' + ekey, killed: toInteger(trim(row.fatalities)), count_kind: 'reported',
    credibility: $ungraded
  })
  CREATE (k)-[:OF_EVENT]->(e), (k)-[:CLAIMED_BY]->(acled)
  CREATE (k)-[:CITED_IN]->(c:Citation {
    id: row._c_casualty, locator: 'event ' + eid + ', fatalities', access_point: eid,
    access_point_kind: $id_column
  })-[:FROM_SOURCE]->(s)
}
"""

DATASET_NODES = """
MERGE (s:Source {id: $source}) SET s += $source_properties
MERGE (o:Organization {id: $acled}) SET o += $publisher_properties, %(publisher_labels)s
MERGE (c:Citation {id: $publisher_citation}) SET c += $citation_properties
MERGE (o)-[:CITED_IN]->(c)
MERGE (c)-[:FROM_SOURCE]->(s)
"""


def labels_by(name: str, field: str, values: Sequence[str], var: str) -> str:
    """FOREACH clauses giving VAR the kind labels its FIELD's value selects (Cypher cannot
    set a label from a value)."""
    ontology = load_ontology()
    clauses = []
    for value in values:
        labels = ontology.labels_of_node(name, {field: value})[1:]
        if labels:
            spelled = "".join(f":{x}" for x in labels)
            clauses.append(
                f"FOREACH (_ IN CASE WHEN {var}.{field} = '{value}' THEN [1] ELSE [] END | "
                f"SET {var}{spelled})"
            )
    return "\n".join(clauses)


def statements() -> dict[str, str]:
    """The bench's Cypher, kind labels filled from the ontology."""
    ontology = load_ontology()
    orgs = sorted({*ACTOR_KINDS.values(), "state", "other"})
    places = [kind for _, kind in PLACE_LEVELS]
    events = sorted({*EVENT_KINDS.values(), "other"})
    publisher = ontology.labels_of_node("Organization", DATASET.publisher())
    fill = {
        "place_labels": labels_by("Place", "place_kind", places, "n"),
        "org_labels": labels_by("Organization", "org_kind", orgs, "o"),
        "event_labels": labels_by("Event", "event_kind", events, "e"),
        "publisher_labels": "o" + "".join(f":{x}" for x in publisher[1:]),
        "actors": ACTORS_OF_ROW,
    }
    org_kinds = ":".join(sorted(ontology.kind_labels("Organization")))
    return {
        "dataset": DATASET_NODES % fill,
        # (b): the shared entities from the whole file, then the rows
        "places": "LOAD CSV WITH HEADERS FROM $url AS row"
        + PLACES_OF_ROW
        + "WITH p.id AS id, head(collect(p)) AS p"
        + CREATE_PLACE % fill,
        "within": "LOAD CSV WITH HEADERS FROM $url AS row"
        + PLACES_OF_ROW
        + "WITH DISTINCT p.id AS id, p.within AS within WHERE within IS NOT NULL "
        "MATCH (a:Place {id: id}), (b:Place {id: within}) CREATE (a)-[:WITHIN]->(b)",
        # of an actor named in several rows: the last chunk's first typed record, or its first
        # (the product merges within a chunk, and a later chunk rewrites the actor)
        "actors": "LOAD CSV WITH HEADERS FROM $url AS row"
        + ACTORS_OF_ROW
        + FIRST_ACTORS
        + "UNWIND actors AS a "
        "WITH a, toInteger(row._n) / $chunk AS chunk, toInteger(row._n) AS line "
        "ORDER BY chunk DESC, CASE WHEN a.kind = 'other' THEN 1 ELSE 0 END, line, a.at "
        "WITH a.id AS id, head(collect(a)) AS a "
        "CREATE (o:Organization:Actor {id: a.id}) " + WRITE_ACTOR % fill,
        "rows": "LOAD CSV WITH HEADERS FROM $url AS row CALL (row) {"
        + ROW % fill
        + "} IN TRANSACTIONS OF $batch ROWS",
        # (c): one row at a time, $row
        "row places": "WITH $row AS row"
        + PLACES_OF_ROW
        + "OPTIONAL MATCH (old:Place {id: p.id}) WITH p WHERE old IS NULL"
        + CREATE_PLACE % fill,
        "row within": "WITH $row AS row" + PLACES_OF_ROW + "WITH p WHERE p.within IS NOT NULL "
        "MATCH (a:Place {id: p.id}), (b:Place {id: p.within}) MERGE (a)-[:WITHIN]->(b)",
        "row actors": "WITH $row AS row" + ACTORS_OF_ROW + FIRST_ACTORS + "UNWIND actors AS a "
        "OPTIONAL MATCH (old:Organization {id: a.id}) "
        "WITH a, old WHERE old IS NULL OR old._chunk < $chunk "
        "OR (a.kind <> 'other' AND old.org_kind = 'other') "
        "MERGE (o:Organization:Actor {id: a.id}) "
        f"REMOVE o:{org_kinds} SET o._chunk = $chunk " + WRITE_ACTOR % fill,
        "row": "WITH $row AS row " + ROW % fill,
        "row done": "MATCH (o:Organization) WHERE o._chunk IS NOT NULL REMOVE o._chunk",
    }


def parameters(header: Sequence[str]) -> dict[str, Any]:
    """What every statement may use: the dataset's constants and the export's header."""
    source, publisher = DATASET.source(), DATASET.publisher()
    item = publisher.pop("citations")[0]
    return {
        "source": DATASET.source_id,
        "acled": DATASET.publisher_id,
        "source_properties": source | {"search_keys": spelling.search_keys([source["name"]])},
        "publisher_properties": publisher
        | {"search_keys": spelling.search_keys([publisher["name"], *publisher["aliases"]])},
        "publisher_citation": citation_id(DATASET.publisher_id, item),
        "citation_properties": {k: v for k, v in item.items() if k != "source"},
        "levels": [{"column": c, "kind": k} for c, k in PLACE_LEVELS],
        "slots": [{"column": slot, "inter": inter} for slot, inter in ACTOR_SLOTS],
        "government": GOVERNMENT,
        "actor_kinds": ACTOR_KINDS,
        "event_kinds": EVENT_KINDS,
        "months": MONTHS,
        "only_month": ONLY_MONTH,
        "only_province": ONLY_PROVINCE,
        "ungraded": UNGRADED,
        "id_column": DATASET.id_column,
        "header": list(header),
        "read": [  # the columns every row reads (the others: see ROW's `unused`)
            *(c for c in FORMAT.columns if c not in SOMETIMES_READ),
            "disorder_type",
            "event_type",
            "sub_event_type",
            "civilian_targeting",
        ],
        "targeting": "civilian_targeting" in header,
        "chunk": CHUNK_ROWS,
        "batch": BATCH_ROWS,
    }


def load_csv(settings: Settings, export: Path) -> int:
    """(b): EXPORT with its derived columns into Neo4j's import folder, then LOAD CSV."""
    folder = LocalNeo4j(settings).home / "import"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"bench-{os.getpid()}.csv"
    try:
        header = write_derived(export, target)
        given = parameters(header) | {"url": f"file:///{target.name}"}
        cypher = statements()
        with store.connect(settings) as driver, driver.session() as session:
            store.apply_schema(driver, settings, load_ontology())
            for name in ("dataset", "places", "within", "actors", "rows"):
                session.run(cypher[name], given).consume()  # type: ignore[arg-type]
    finally:
        target.unlink(missing_ok=True)
    with export.open(encoding="utf-8") as handle:
        return sum(1 for _ in handle) - 1


def naive(settings: Settings, export: Path, limit: int | None) -> int:
    """(c): one transaction per row, running (b)'s statements on that row alone."""
    header, rows = read_rows(export, limit)
    given = parameters(header)
    cypher = statements()
    done = 0
    with store.connect(settings) as driver, driver.session() as session:
        store.apply_schema(driver, settings, load_ontology())
        session.run(cypher["dataset"], given).consume()  # type: ignore[arg-type]
        for values in rows:
            row = {k: v for k, v in values.items() if v and v.strip()}  # as LOAD CSV reads it
            chunk = int(values["_n"]) // CHUNK_ROWS
            with session.begin_transaction() as tx:
                for name in ("row places", "row within", "row actors", "row"):
                    tx.run(cypher[name], given | {"row": row, "chunk": chunk}).consume()  # type: ignore[arg-type]
                tx.commit()
            done += 1
        session.run(cypher["row done"]).consume()  # type: ignore[arg-type]
    return done


# ----- the comparison -----------------------------------------------------------------

DUMP_NODES = "MATCH (n) RETURN n.id AS id, labels(n) AS labels, properties(n) AS properties"
DUMP_LINKS = (
    "MATCH (a)-[r]->(b) RETURN type(r) AS type, a.id AS start, b.id AS end, "
    "properties(r) AS properties"
)


def plain(value: Any) -> Any:
    if hasattr(value, "iso_format"):
        return value.iso_format()
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def dump(driver: Driver) -> tuple[list[str], list[str]]:
    """The graph as sorted lines: each node's labels and properties by id, each
    relationship's type, ends and properties."""
    nodes = sorted(
        json.dumps(
            [r["id"], sorted(r["labels"]), {k: plain(v) for k, v in r["properties"].items()}],
            sort_keys=True,
        )
        for r in driver.execute_query(DUMP_NODES).records
    )
    links = sorted(
        json.dumps([r["type"], r["start"], r["end"], r["properties"]], sort_keys=True)
        for r in driver.execute_query(DUMP_LINKS).records
    )
    return nodes, links


def differences(a: tuple[list[str], list[str]], b: tuple[list[str], list[str]]) -> list[str]:
    """What one dump has and the other lacks, a few lines of each."""
    found = []
    for kind, x, y in (("node", a[0], b[0]), ("relationship", a[1], b[1])):
        only_x, only_y = sorted(set(x) - set(y)), sorted(set(y) - set(x))
        found += [f"  only in the first: {kind} {line}" for line in only_x[:3]]
        found += [f"  only in the second: {kind} {line}" for line in only_y[:3]]
        if len(x) != len(y):
            found.append(f"  {len(x)} against {len(y)} {kind}s")
    return found


@dataclass(frozen=True)
class Side:
    """One side's run: rows, seconds, and the peak memory of its process and of Neo4j."""

    name: str
    rows: int
    seconds: float
    peak_bytes: int
    neo4j_bytes: int

    @property
    def rate(self) -> float:
        return self.rows / self.seconds

    def line(self) -> str:
        mib = 1024**2
        return (
            f"  {self.name:<26} {self.rows:>9,} {self.seconds:9.1f} {self.rate:10,.0f} "
            f"{self.peak_bytes / mib:10,.0f} {self.neo4j_bytes / mib:10,.0f}"
        )


HEADER_LINE = (
    f"  {'side':<26} {'rows':>9} {'seconds':>9} {'rows/s':>10} {'peak MiB':>10} {'neo4j MiB':>10}"
)
NAMES = {
    "import": "(a) silsila import acled",
    "load-csv": "(b) LOAD CSV, tuned",
    "naive": "(c) row by row",
}


def environment(settings: Settings) -> dict[str, str]:
    """The environment pointing `silsila` (and this script's sides) at SETTINGS' Neo4j."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SILSILA_")}
    env.update(
        SILSILA_STATE_DIR=str(Path(settings.state_dir).resolve()),
        SILSILA_DIST_DIR=str(settings.neo4j_dist_dir.resolve()),
        SILSILA_NEO4J_BOLT_PORT=str(settings.neo4j_bolt_port),
        SILSILA_DATA_DIR=str(Path(settings.data_dir).resolve()),
    )
    return env


def run_side(settings: Settings, side: str, export: Path, rows: int, log: Path) -> Side:
    """One side in a process of its own, its memory (and Neo4j's) sampled until it exits."""
    if side == "import":
        command = [silsila(), "import", "acled", str(export)]
    else:
        script = str(Path(__file__).resolve())
        command = [sys.executable, script, "--side", side, "--file", str(export)]
        command += ["--limit", str(rows)]
    server = LocalNeo4j(settings).process()
    peak = neo4j = 0
    started = time.perf_counter()
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603
            command, stdout=output, stderr=subprocess.STDOUT, env=environment(settings)
        )
        while process.poll() is None:
            peak = max(peak, resident_bytes(process.pid))
            if server is not None:
                neo4j = max(neo4j, server.memory_info().rss)
            time.sleep(SAMPLE_SECONDS)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        tail = "\n".join(log.read_text().splitlines()[-20:])
        raise SystemExit(f"`{' '.join(command)}` failed ({process.returncode}):\n{tail}")
    return Side(NAMES[side], rows, seconds, peak, neo4j)


@dataclass(frozen=True)
class Comparison:
    """The three sides on one export, and how their graphs compare."""

    sides: dict[str, Side]
    sampled: bool  # (c) ran on the first rows only; its graph was compared with (b)'s on them
    problems: list[str]  # empty when the graphs are identical

    @property
    def identical(self) -> bool:
        return not self.problems

    @property
    def ratio_vs_load_csv(self) -> float:
        return self.sides["import"].rate / self.sides["load-csv"].rate

    @property
    def ratio_vs_naive(self) -> float:
        return self.sides["import"].rate / self.sides["naive"].rate

    def report(self) -> list[str]:
        lines = [HEADER_LINE, *(s.line() for s in self.sides.values())]
        if self.sampled:
            naive_rows = self.sides["naive"].rows
            lines.append(
                f"  (c) ran on the first {naive_rows:,} rows only (too slow for all); its graph "
                "is compared with (b)'s on those rows"
            )
        if self.identical:
            lines.append("  graphs: identical (every node's labels and properties, every link)")
        else:
            lines += ["  graphs: DIFFER", *self.problems]
        return lines


def compare(
    settings: Settings, export: Path, folder: Path, naive_rows: int = NAIVE_ROWS
) -> Comparison:
    """(a), (b) and (c) on EXPORT, each into the same empty database (emptied after each)."""
    with export.open(encoding="utf-8") as handle:
        rows = sum(1 for _ in handle) - 1
    sampled = rows > naive_rows
    sides: dict[str, Side] = {}
    dumps = {}
    with store.connect(settings) as driver:
        if store.node_count(driver, settings):
            raise SystemExit("the database is not empty: the comparison empties it after each side")
        warm_up = sample(export, min(rows, WARM_UP_ROWS), folder)
        for side in SIDES:
            run_side(settings, side, warm_up, WARM_UP_ROWS, folder / f"warm-up-{side}.log")
            store.delete_all(driver, settings)
        for side in SIDES:
            count = min(rows, naive_rows) if side == "naive" else rows
            sides[side] = run_side(settings, side, export, count, folder / f"{side}.log")
            dumps[side] = dump(driver)
            store.delete_all(driver, settings)
        against = "import"
        if sampled:
            run_side(
                settings,
                "load-csv",
                sample(export, naive_rows, folder),
                naive_rows,
                folder / "sample.log",
            )
            dumps["sample"] = dump(driver)
            store.delete_all(driver, settings)
            against = "sample"
    problems = []
    for first, second in (("import", "load-csv"), (against, "naive")):
        found = differences(dumps[first], dumps[second])
        if found:
            problems += [
                f"  {NAMES.get(first, '(b) on the sample')} against {NAMES[second]}:",
                *found,
            ]
    return Comparison(sides, sampled, problems)


def sample(export: Path, rows: int, folder: Path) -> Path:
    """The first ROWS rows of EXPORT, as a file of their own."""
    target = folder / f"sample-{rows}.csv"
    with export.open(encoding="utf-8") as source, target.open("w", encoding="utf-8") as out:
        for number, line in enumerate(source):
            if number > rows:
                break
            out.write(line)
    return target


# ----- the bulk path against neo4j-admin alone ----------------------------------------


@dataclass(frozen=True)
class Measured:
    """One size: the three sides, the bulk path end to end, its steps, neo4j-admin alone."""

    rows: int
    comparison: Comparison
    nodes: int = 0
    bulk_seconds: float = 0.0
    steps: BulkSummary | None = None
    admin_seconds: float = 0.0

    @property
    def ratio(self) -> float:
        return (self.rows / self.bulk_seconds) / (self.rows / self.admin_seconds)

    def report(self) -> list[str]:
        lines = [f"{self.rows:,} rows:", *self.comparison.report()]
        s = self.steps
        if s is None:
            return lines
        return [
            *lines,
            f"  bulk {self.bulk_seconds:7.1f} s ({self.rows / self.bulk_seconds:8,.0f} rows/s, "
            f"{self.nodes:,} nodes; check {s.check_seconds:.1f} s, files "
            f"{s.convert_seconds:.1f} s, neo4j-admin {s.admin_seconds:.1f} s, restart and "
            f"indexes {s.restart_seconds:.1f} s); neo4j-admin alone {self.admin_seconds:6.1f} s "
            f"({self.rows / self.admin_seconds:9,.0f} rows/s); ratio {self.ratio:.3f}",
        ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def measure(rows: int, folder: Path, naive_rows: int, heap: str = HEAP) -> Measured:
    """The three sides, then both bulk imports, of ROWS generated rows, on a Neo4j of its own
    under FOLDER with HEAP."""
    export = folder / f"acled-{rows}.csv"
    write_export(export, rows)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        state_dir=folder / "state",
        dist_dir=Settings().neo4j_dist_dir.resolve(),
        neo4j_bolt_port=free_port(),
        neo4j_heap=heap,
        neo4j_pagecache=PAGECACHE,
    )
    runtime = LocalNeo4j(settings)
    runtime.start()
    try:
        comparison = compare(settings, export, folder, naive_rows)
        files = folder / "files"
        started = time.perf_counter()
        steps = run_bulk_import(settings, FORMAT, [export], work_dir=files)
        bulk_seconds = time.perf_counter() - started
        with store.connect(settings) as driver:
            nodes = store.node_count(driver, settings)
        runtime.stop()
        started = time.perf_counter()
        runtime.import_full(steps.admin_arguments, files)
        admin_seconds = time.perf_counter() - started
    finally:
        runtime.stop()
    return Measured(rows, comparison, nodes, bulk_seconds, steps, admin_seconds)


def measure_running(rows: int, folder: Path, naive_rows: int) -> Measured:
    """The three sides on the running Neo4j the SILSILA_* settings name (it must be empty)."""
    export = folder / f"acled-{rows}.csv"
    write_export(export, rows)
    return Measured(rows, compare(Settings(), export, folder, naive_rows))


def side_main(side: str, export: Path, limit: int) -> None:
    """One side, in the process `run_side` started (Settings from SILSILA_*)."""
    settings = Settings()
    if side == "load-csv":
        load_csv(settings, export)
    else:
        naive(settings, export, limit)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default=DEFAULT_ROWS, help="sizes, comma-separated")
    parser.add_argument(
        "--naive-rows",
        type=int,
        default=NAIVE_ROWS,
        help="the row-by-row side runs on at most this many rows",
    )
    parser.add_argument(
        "--running",
        action="store_true",
        help="use the running, empty Neo4j of the SILSILA_* settings; no bulk path",
    )
    parser.add_argument(
        "--heap",
        default=HEAP,
        help="the Neo4j heap it starts (a quarter caps a transaction's memory: the tuned "
        "LOAD CSV reads the whole file's places and actors in one, so 20,000 rows need 4g)",
    )
    parser.add_argument("--side", choices=SIDES[1:], help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.side is not None:
        side_main(args.side, args.file, args.limit)
        return
    sizes = sorted(int(n) for n in args.rows.split(","))
    results = []
    for rows in sizes:
        with tempfile.TemporaryDirectory(prefix="silsila-import-compare-") as folder:
            results.append(
                measure_running(rows, Path(folder), args.naive_rows)
                if args.running
                else measure(rows, Path(folder), args.naive_rows, args.heap)
            )
        print("\n".join(results[-1].report()), flush=True)
    last = results[-1]
    if any(not r.comparison.identical for r in results):
        print("the graphs differ: the ratios compare unlike imports", flush=True)
    if last.steps is not None:
        print(f"ratio_bulk_vs_admin_import={last.ratio:.3f}")
    c = last.comparison
    print(f"ratio_vs_load_csv={c.ratio_vs_load_csv:.3f} ratio_vs_naive={c.ratio_vs_naive:.3f}")


if __name__ == "__main__":
    main()
