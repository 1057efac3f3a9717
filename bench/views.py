"""Render a 500-node network view: pyvis HTML generation, then Chromium until vis-network has
stabilised and drawn. Synthetic nodes, so the number does not depend on the dataset's size.

`.venv/bin/python bench/views.py` (needs Debian's chromium, which `make test` installs).
"""

from __future__ import annotations

import random
import shutil
import statistics
import time

from playwright.sync_api import sync_playwright

from graph.reads.models import Entity
from graph.reads.views import Network, ViewEdge
from graph.render import network_html

NODES = 500
EDGES = 1500
RUNS = 3
TYPES = ("Person", "Organization", "Event", "Place")
# Resolves once vis-network has finished laying the graph out (or at once if it already has).
STABILISED = """() => new Promise(done => {
  if (network.physics.stabilized) { done(); return; }
  network.once("stabilizationIterationsDone", done);
  network.once("stabilized", done);
})"""


def synthetic(seed: int = 1) -> Network:
    rng = random.Random(seed)  # noqa: S311 -- a reproducible layout input, not a secret
    network = Network(title=f"{NODES} synthetic nodes", limit=NODES)
    for i in range(NODES):
        network.add_node(Entity(id=f"n{i}", type=TYPES[i % len(TYPES)], name=f"Node {i}"))
    for _ in range(EDGES):
        a, b = rng.sample(range(NODES), 2)
        network.add_edge(ViewEdge(f"n{a}", f"n{b}", "linked", "evidence", rng.random() > 0.3))
    return network


def main() -> None:
    network = synthetic()
    start = time.perf_counter()
    html = network_html.inline(network)
    print(
        f"HTML for {NODES} nodes / {EDGES} edges: {(time.perf_counter() - start) * 1000:.0f} ms, "
        f"{len(html) / 1024:.0f} KiB with vis-network inline"
    )
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    timings = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
        )
        for _ in range(RUNS):
            page = browser.new_page()
            start = time.perf_counter()
            page.set_content(html)
            page.evaluate(STABILISED)
            timings.append(time.perf_counter() - start)
            page.close()
        browser.close()
    print(
        f"Chromium, page load to stabilised drawing: median {statistics.median(timings):.2f} s "
        f"over {RUNS} runs ({', '.join(f'{t:.2f}' for t in timings)})"
    )


if __name__ == "__main__":
    main()
