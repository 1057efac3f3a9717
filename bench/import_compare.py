"""Imports of generated ACLED rows side by side: the bulk path against neo4j-admin alone.

`python bench/import_compare.py --rows 10000,100000`: for each size, a synthetic ACLED export
of that many rows (`bench/import_stream.py`'s generator) is imported with `silsila import acled
FILE --bulk` (in process: check, CSV files, server stopped, `neo4j-admin database import full`,
server started, constraints and indexes built) into an empty Neo4j of the script's own
(temporary folder, free port, the shared jars); then neo4j-admin alone imports the files the
bulk path wrote, the server stopped. Prints, per size, each step's seconds and both rows/s,
then last `ratio_bulk_vs_admin_import=Z` for the largest size: the bulk path's rows/s over
neo4j-admin's, so the cost of checking and converting is visible (1.0 would be free).
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from import_stream import write_export

from graph.db import store
from graph.db.runtime import LocalNeo4j
from graph.db.settings import Settings
from loaders.acled import FORMAT
from loaders.bulk import BulkSummary, run_bulk_import

DEFAULT_ROWS = "10000,100000"
HEAP = "1g"
PAGECACHE = "1g"


@dataclass(frozen=True)
class Measured:
    """One size: the bulk path end to end, its steps, and neo4j-admin alone."""

    rows: int
    nodes: int
    bulk_seconds: float
    steps: BulkSummary
    admin_seconds: float

    @property
    def ratio(self) -> float:
        return (self.rows / self.bulk_seconds) / (self.rows / self.admin_seconds)

    def report(self) -> str:
        s = self.steps
        return (
            f"{self.rows:>9,} rows, {self.nodes:,} nodes: bulk {self.bulk_seconds:7.1f} s "
            f"({self.rows / self.bulk_seconds:8,.0f} rows/s; check {s.check_seconds:.1f} s, "
            f"files {s.convert_seconds:.1f} s, neo4j-admin {s.admin_seconds:.1f} s, restart "
            f"and indexes {s.restart_seconds:.1f} s); neo4j-admin alone "
            f"{self.admin_seconds:6.1f} s ({self.rows / self.admin_seconds:9,.0f} rows/s); "
            f"ratio {self.ratio:.3f}"
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def measure(rows: int, folder: Path) -> Measured:
    """Both imports of ROWS generated rows, on a Neo4j of its own under FOLDER."""
    export = folder / f"acled-{rows}.csv"
    write_export(export, rows)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        state_dir=folder / "state",
        dist_dir=Settings().neo4j_dist_dir.resolve(),
        neo4j_bolt_port=free_port(),
        neo4j_heap=HEAP,
        neo4j_pagecache=PAGECACHE,
    )
    runtime = LocalNeo4j(settings)
    runtime.start()
    try:
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
    return Measured(rows, nodes, bulk_seconds, steps, admin_seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default=DEFAULT_ROWS, help="sizes, comma-separated")
    sizes = sorted(int(n) for n in parser.parse_args().rows.split(","))
    results = []
    for rows in sizes:
        with tempfile.TemporaryDirectory(prefix="silsila-import-compare-") as folder:
            results.append(measure(rows, Path(folder)))
        print(results[-1].report(), flush=True)
    print(f"ratio_bulk_vs_admin_import={results[-1].ratio:.3f}")


if __name__ == "__main__":
    main()
