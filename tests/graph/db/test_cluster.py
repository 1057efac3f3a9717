"""Ready for a cluster: `neo4j://` routing URIs, and reads that follow the writes before them."""

from __future__ import annotations

import asyncio

from neo4j import Driver, Neo4jDriver

from graph.db import store
from graph.db.reader import Reader
from graph.db.settings import Settings
from loaders import pipeline
from ontology.model import load
from tests.conftest import default_records


def routed(settings: Settings) -> Settings:
    """The session's settings with a routing URI: the driver asks the server for its members."""
    return settings.model_copy(
        update={"neo4j_uri": f"neo4j://127.0.0.1:{settings.neo4j_bolt_port}"}
    )


def sources() -> list[pipeline.Record]:
    return [r for r in default_records() if r.label == "Source"][:3]


def rows(records: list[pipeline.Record]) -> tuple[list[pipeline.NodeRow], list[pipeline.LinkRow]]:
    ontology = load()
    return pipeline.normalise(records, ontology, pipeline.known_labels(records, ontology))


def test_a_routing_uri_writes_and_reads_through_the_store_and_the_reader(
    driver: Driver, settings: Settings
) -> None:
    cluster = routed(settings)
    assert cluster.bolt_uri.startswith("neo4j://")
    records = sources()
    ids = [r.id for r in records]
    summary = pipeline.load(cluster, load(), records)
    assert summary.total == len(records)

    with store.connect(cluster) as routing_driver:
        assert isinstance(routing_driver, Neo4jDriver)  # routes, unlike a bolt:// driver
        assert set(store.labels_of_ids(routing_driver, cluster, ids)) == set(ids)

    async def read_back() -> dict[str, object]:
        async_driver = store.open_async_driver(cluster)
        try:
            return await Reader(async_driver, cluster, public=False).node(ids[0])
        finally:
            await async_driver.close()

    assert asyncio.run(read_back())["id"] == ids[0]


def test_a_write_leaves_its_bookmark_where_the_next_read_takes_it(
    driver: Driver, settings: Settings
) -> None:
    cluster = routed(settings)
    nodes, links = rows(sources())
    with store.connect(cluster) as routing_driver:
        manager = routing_driver.execute_query_bookmark_manager
        before = set(manager.get_bookmarks())
        pipeline.write(routing_driver, cluster, nodes, links)
        after = set(manager.get_bookmarks())
        # The write's session shares the manager `store.read` (execute_query) sends its
        # bookmarks from: on a cluster the read waits until its member has the write.
        assert after
        assert after != before
        ids = [n.properties["id"] for n in nodes]
        assert set(store.labels_of_ids(routing_driver, cluster, ids)) >= set(ids)


def test_a_new_reader_on_the_same_driver_reads_its_writes(
    driver: Driver, settings: Settings
) -> None:
    cluster = routed(settings)
    (record,) = sources()[:1]
    nodes, _ = rows([record])

    async def write_then_read() -> tuple[set[str], set[str], dict[str, object]]:
        async_driver = store.open_async_driver(cluster)
        try:
            manager = async_driver.execute_query_bookmark_manager
            before = set(await manager.get_bookmarks())
            # A write through execute_query, as the API would make one, then a fresh Reader.
            await async_driver.execute_query(
                "MERGE (s:Source {id: $id}) SET s += $properties",
                id=record.id,
                properties=nodes[0].properties,
                database_=cluster.neo4j_database,
            )
            after = set(await manager.get_bookmarks())
            found = await Reader(async_driver, cluster, public=False).node(record.id)
            return before, after, found
        finally:
            await async_driver.close()

    before, after, found = asyncio.run(write_then_read())
    assert after - before, "the write left no bookmark for the reads after it"
    assert found["id"] == record.id
