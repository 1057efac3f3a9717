"""bench/import_compare.py: the transactional import, the tuned LOAD CSV and the row-by-row
loader write the same graph, and the script prints its table and last its ratios."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from neo4j import Driver

from bench import import_compare
from bench.import_stream import write_export
from graph.db import store
from graph.db.settings import Settings

ROWS = 12
SAMPLE = 6  # the row-by-row side runs on these first rows, compared with LOAD CSV's on them


def test_the_three_sides_write_the_same_graph_and_the_ratios_come_last(
    driver: Driver, settings: Settings
) -> None:
    command = [sys.executable, import_compare.__file__, "--rows", str(ROWS)]
    command += ["--naive-rows", str(SAMPLE), "--running"]
    done = subprocess.run(
        command, env=import_compare.environment(settings), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert re.fullmatch(r"ratio_vs_load_csv=\d+\.\d{3} ratio_vs_naive=\d+\.\d{3}", lines[-1])
    assert any("graphs: identical" in line for line in lines), done.stdout
    rows = {
        name: line.split()[len(name.split())]
        for name in import_compare.NAMES.values()
        for line in lines
        if line.strip().startswith(name)
    }
    assert list(rows.values()) == [str(ROWS), str(ROWS), str(SAMPLE)]
    assert any(f"first {SAMPLE} rows only" in line for line in lines)
    assert store.node_count(driver, settings) == 0  # emptied after each side


def test_a_changed_graph_is_told_apart(tmp_path: Path, driver: Driver, settings: Settings) -> None:
    export = tmp_path / "acled.csv"
    write_export(export, 3)
    import_compare.load_csv(settings, export)
    before = import_compare.dump(driver)
    driver.execute_query("MATCH (e:Event {id: 'event:acled-bench1'}) SET e.start = '1999'")
    found = import_compare.differences(before, import_compare.dump(driver))
    assert len(found) == 2
    assert '"start": "2012-01-02"' in found[0]
    assert found[1].startswith("  only in the second")
    assert '"start": "1999"' in found[1]
