"""Network views: typed data in, offline HTML out, capped, drawn the same way twice."""

from __future__ import annotations

import asyncio
import re

from neo4j import Driver

from graph.asof import PartialDate
from graph.db.reader import Reader
from graph.db.settings import Settings
from graph.db.store import open_async_driver
from graph.reads import views
from graph.render import network_html

EXTERNAL = re.compile(r"""(?:src|href)=["']https?://""")


def build(settings: Settings, make: object) -> views.Network:
    async def run() -> views.Network:
        driver = open_async_driver(settings)
        try:
            return await make(Reader(driver, settings, public=True))  # type: ignore[operator]
        finally:
            await driver.close()

    return asyncio.run(run())


def test_views_are_offline_capped_and_stable(default_dataset: Driver, settings: Settings) -> None:
    small = build(settings, lambda r: views.neighbourhood(r, "place:idlib-governorate", 2, 10))
    assert len(small.nodes) == 10
    assert small.not_shown > 0
    page = network_html.page(small, expand_url="/views/neighbourhood/x?limit=20")
    assert f"{small.not_shown} more not shown." in page
    assert not EXTERNAL.search(page)
    assert '<script src="/static/vis-network.min.js"></script>' in page
    assert network_html.page(small) == network_html.page(small)
    assert '"randomSeed": 7' in page
    inline = network_html.inline(small)
    assert not EXTERNAL.search(inline)
    assert len(inline) > 400_000  # vis-network itself is inside


def test_chain_view_draws_possible_links_dashed(
    default_dataset: Driver, settings: Settings
) -> None:
    at = PartialDate.parse("2024-06-01")
    chain = build(
        settings, lambda r: views.chain_view(r, "org:air-force-intelligence-directorate", at)
    )
    (edge,) = chain.edges
    assert (edge.source, edge.target) == (
        "person:qahtan-khalil",
        "org:air-force-intelligence-directorate",
    )
    assert edge.label == "head (possible)"
    assert edge.certain is False
    assert "Khalil was named head of SAFI in January 2024." in edge.title
    assert '"dashes": true' in network_html.page(chain)
