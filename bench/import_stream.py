"""Streaming import of a synthetic ACLED export: rows per second and the importer's peak memory.

`python bench/import_stream.py [N]` (default 1,000,000) writes a realistic ACLED CSV of N
rows (about 50 actors and 500 places, repeated as in a real export) to a temporary folder,
runs `silsila import acled FILE` on its first N/10 rows and then on all N rows against the
running dev database (`silsila db start` first), samples the subprocess's resident memory,
and prints rows/s and the peak of each run: a streaming import keeps the peak flat as N
grows tenfold.

The runs write their synthetic events (ids `event:acled-bench…`; places in the country
"Benchland", actors named "Bench …", so none is resolved to a curated entity) into the dev
database; the small run's rows are the large run's first rows, so it ends with N events.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from graph.db.runtime import LocalNeo4j
from graph.db.settings import Settings
from loaders.acled.export import HEADER as ACLED_HEADER

try:
    import psutil
except ImportError:  # fall back to /proc (Linux)
    psutil = None  # type: ignore[assignment]

DEFAULT_ROWS = 1_000_000
SAMPLE_SECONDS = 0.2
# Names of their own (not Syria's), so the entity resolver never ties them to curated ones.
GOVERNORATES = tuple(f"Bench Province {n}" for n in range(1, 15))
DISTRICTS_PER_GOVERNORATE = 4
SUBDISTRICTS_PER_DISTRICT = 3
LOCATIONS = 500
# (sub_event_type, event_type, actor type code of actor1, of actor2, civilian targeting)
EVENT_TYPES = (
    ("Air/drone strike", "Explosions/Remote violence", "1", "2", ""),
    (
        "Shelling/artillery/missile attack",
        "Explosions/Remote violence",
        "1",
        "7",
        "Civilian targeting",
    ),
    ("Armed clash", "Battles", "1", "2", ""),
    ("Remote explosive/landmine/IED", "Explosions/Remote violence", "3", "7", "Civilian targeting"),
    ("Attack", "Violence against civilians", "3", "7", "Civilian targeting"),
    (
        "Abduction/forced disappearance",
        "Violence against civilians",
        "2",
        "7",
        "Civilian targeting",
    ),
)
ACTORS = {
    "1": [f"Bench State Forces {n}" for n in range(1, 11)],
    "2": [f"Bench Rebel Brigade {n}" for n in range(1, 16)],
    "3": [f"Bench Militia {n}" for n in range(1, 16)],
    "7": [f"Bench Civilians {n}" for n in range(1, 6)],
}
SOURCES = ("Syrian Observatory for Human Rights", "SANA", "Step News Agency", "Enab Baladi")
START = dt.date(2012, 1, 1)
PRIMES = (7919, 104729, 1299709, 15485863)  # spread row numbers over the pools, repeatably


@dataclass(frozen=True)
class Run:
    """One measured import."""

    rows: int
    seconds: float
    peak_bytes: int

    def report(self) -> str:
        rate = self.rows / self.seconds
        peak = self.peak_bytes / 1024**2
        took = f"{self.rows:>9,} rows: {self.seconds:8.1f} s"
        return f"{took}, {rate:8,.0f} rows/s, peak memory {peak:,.0f} MiB"


def place(n: int) -> tuple[str, str, str, str, float, float]:
    """The n-th of LOCATIONS places: admin1-3, location and its point."""
    governorate = GOVERNORATES[n % len(GOVERNORATES)]
    district = n // len(GOVERNORATES) % DISTRICTS_PER_GOVERNORATE
    subdistrict = n // 7 % SUBDISTRICTS_PER_DISTRICT
    return (
        governorate,
        f"{governorate} District {district}",
        f"{governorate} Subdistrict {district}-{subdistrict}",
        f"Village {n}",
        32.5 + (n * 37 % 450) / 100,
        35.8 + (n * 53 % 600) / 100,
    )


def row(i: int) -> list[str]:
    """Row I of the synthetic export."""
    sub_event, event_type, inter1, inter2, targeting = EVENT_TYPES[i * PRIMES[0] % len(EVENT_TYPES)]
    actor1 = ACTORS[inter1][i * PRIMES[1] % len(ACTORS[inter1])]
    actor2 = ACTORS[inter2][i * PRIMES[2] % len(ACTORS[inter2])]
    assoc = ACTORS["3"][i % len(ACTORS["3"])] if i % 5 == 0 else ""
    admin1, admin2, admin3, location, latitude, longitude = place(i * PRIMES[3] % LOCATIONS)
    day = START + dt.timedelta(days=i % 4700)
    date = day.isoformat() if i % 2 else f"{day.day} {day:%B %Y}"
    fatalities = i * 13 % 9
    time_precision = "1" if i % 10 else "2"
    geo_precision = "3" if i % 20 == 0 else "1"
    notes = (
        f"On {day.day} {day:%B %Y}, {actor1} and {actor2} were involved in an incident "
        f"({sub_event.lower()}) in {location} ({admin2}, {admin1}). {fatalities} people "
        "were reported killed."
    )
    return [
        f"BENCH{i}",
        date,
        str(day.year),
        time_precision,
        "Political violence",
        event_type,
        sub_event,
        actor1,
        assoc,
        inter1,
        actor2,
        "",
        inter2,
        f"{inter1}{inter2}",
        targeting,
        "760",
        "Middle East",
        "Benchland",
        admin1,
        admin2,
        admin3,
        location,
        f"{latitude:.4f}",
        f"{longitude:.4f}",
        geo_precision,
        SOURCES[i % len(SOURCES)],
        "National",
        notes,
        str(fatalities),
        "",
        str(1_600_000_000 + i),
    ]


def write_export(path: Path, rows: int) -> None:
    """A synthetic ACLED export of ROWS rows, written as it is generated."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(ACLED_HEADER)
        for i in range(rows):
            writer.writerow(row(i))


def resident_bytes(pid: int) -> int:
    """The resident memory of PID and its children, or 0 once it has gone."""
    if psutil is not None:
        try:
            process = psutil.Process(pid)
            tree = [process, *process.children(recursive=True)]
            return sum(p.memory_info().rss for p in tree)
        except psutil.Error:
            return 0
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return int(fields.get("VmRSS", "0 kB").split()[0]) * 1024


def silsila() -> str:
    """The `silsila` command of the interpreter running this script."""
    beside = Path(sys.executable).with_name("silsila")
    return str(beside) if beside.exists() else shutil.which("silsila") or "silsila"


def measure(path: Path, rows: int, log: Path) -> Run:
    """Run `silsila import acled PATH`, sampling its memory until it exits."""
    command = [silsila(), "import", "acled", str(path)]
    start = time.perf_counter()
    peak = 0
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603
        while process.poll() is None:
            peak = max(peak, resident_bytes(process.pid))
            time.sleep(SAMPLE_SECONDS)
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        tail = "\n".join(log.read_text().splitlines()[-20:])
        raise SystemExit(f"`{' '.join(command)}` failed ({process.returncode}):\n{tail}")
    return Run(rows, seconds, peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="?", type=int, default=DEFAULT_ROWS, help="rows to import")
    rows = parser.parse_args().rows
    if not LocalNeo4j(Settings()).status().running:
        raise SystemExit("Neo4j is not running: `silsila db start` first.")
    with tempfile.TemporaryDirectory(prefix="silsila-bench-") as folder:
        runs = []
        for size in (max(rows // 10, 1), rows):
            path = Path(folder) / f"acled-{size}.csv"
            write_export(path, size)
            print(f"wrote {size:,} rows ({path.stat().st_size / 1024**2:,.0f} MiB); importing…")
            runs.append(measure(path, size, Path(folder) / f"import-{size}.log"))
            print(runs[-1].report(), flush=True)
    small, large = runs
    print(f"peak memory x{large.peak_bytes / max(small.peak_bytes, 1):.2f} for x10 rows")


if __name__ == "__main__":
    main()
