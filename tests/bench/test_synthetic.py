"""bench/synthetic.py: the same files for a seed, a graph the pipeline loads whole, and the
default dataset's proportions."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from neo4j import Driver

from bench import synthetic
from graph.db import queries
from graph.db.settings import Settings
from loaders.pipeline import Record
from tests.conftest import default_records

NODES = 3_000


def counts_of(folder: Path) -> tuple[Counter[str], int, int]:
    """Records by type, citations, and restricted persons in the files."""
    types: Counter[str] = Counter()
    citations = restricted = 0
    for file in synthetic.record_files(folder):
        for line in file.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            types[record["type"]] += 1
            citations += len(record.get("citations", []))
            restricted += bool(record.get("restricted"))
    return types, citations, restricted


def test_the_same_seed_writes_the_same_files_byte_for_byte(tmp_path: Path) -> None:
    synthetic.generate(NODES, tmp_path / "a", seed=7)
    synthetic.generate(NODES, tmp_path / "b", seed=7)
    synthetic.generate(NODES, tmp_path / "c", seed=8)
    a, b, c = (synthetic.record_files(tmp_path / x) for x in "abc")
    assert [f.name for f in a] == [f.name for f in b]
    assert all(x.read_bytes() == y.read_bytes() for x, y in zip(a, b, strict=True))
    assert [x.read_bytes() for x in a] != [z.read_bytes() for z in c]


def test_the_graph_has_about_the_nodes_asked_in_the_datasets_proportions(
    tmp_path: Path,
) -> None:
    synthetic.generate(NODES, tmp_path, seed=1)
    types, citations, restricted = counts_of(tmp_path)
    assert abs(sum(types.values()) + citations - NODES) < NODES * 0.05
    seed: list[Record] = default_records()
    dataset = Counter(r.label for r in seed)
    events, seed_events = types["Event"], dataset["Event"]
    for label, rate in synthetic.PER_EVENT.items():
        assert abs(types[label] / events - dataset[label] / seed_events) < 0.05 * rate + 0.02
    seed_citations = sum(len(r.properties.get("citations", [])) for r in seed)
    cited = sum(n for label, n in types.items() if label != "Source")
    assert abs(citations / cited - seed_citations / len(seed)) < 0.1
    seed_persons = [r for r in seed if r.label == "Person"]
    seed_share = sum(bool(r.properties.get("restricted")) for r in seed_persons) / len(seed_persons)
    assert abs(restricted / types["Person"] - seed_share) < 0.03
    plan = synthetic.Plan.for_nodes(NODES)
    assert types["UnitRelation"] >= plan.units - plan.forces  # every unit below a force


def test_the_hubs_are_planned_at_a_million_nodes() -> None:
    plan = synthetic.Plan.for_nodes(1_000_000)
    assert (plan.units, plan.persons) == (5_000, 50_000)
    assert plan.hub_attributions >= 10_000
    assert plan.hub_citations >= 100_000


def test_the_files_load_cleanly_one_after_another(
    tmp_path: Path, driver: Driver, settings: Settings
) -> None:
    written = synthetic.generate(NODES, tmp_path, seed=1)
    _, created = synthetic.load_folder(tmp_path, settings, echo=False)
    assert created == sum(written.values())
    records, _, _ = driver.execute_query(queries.NODE_COUNT)
    assert records[0]["nodes"] == created


def test_one_force_is_blamed_in_the_planned_share_of_attributions(tmp_path: Path) -> None:
    synthetic.generate(NODES, tmp_path, seed=1)
    actors = Counter(
        json.loads(line)["actor"]
        for file in synthetic.record_files(tmp_path)
        for line in file.read_text(encoding="utf-8").splitlines()
        if '"Attribution"' in line
    )
    (hub, blamed), (_, next_most) = actors.most_common(2)
    assert hub == synthetic.HUB_ACTOR
    assert blamed >= synthetic.Plan.for_nodes(NODES).hub_attributions > next_most
