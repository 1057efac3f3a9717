"""Every GET endpoint's latency as the graph grows: p50/p95 per size and the growth factor.

    .venv/bin/python bench/scale.py --sizes 100000,1000000 [--seed 1] [--requests 20]

For each size it starts a Neo4j of its own (temporary folder, free port), writes the synthetic
graph of that many nodes (bench/synthetic.py) and loads its files one after another through
`loaders.pipeline.load`, serves the API from a `silsila serve` process, and asks every GET
route of the app (read from the app itself, so a new route is covered without editing this
file) about realistic ids of that graph (the hub force, a typical brigade and battalion, an
officer, an event, a governorate, the hub source…) over real HTTP, one request at a time:
`--warmup` requests first, not counted, then `--requests` (fewer when an endpoint has taken
`--budget` seconds). It prints the load time and the loader's peak memory, a table of p50/p95
and answer size per endpoint and size with the growth of p95 from the smallest size to the
largest, and last `worst_growth=X worst_endpoint=NAME` over the routes that read records.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Route

try:
    import synthetic
    from load import REPO, _free_port, _wait_for, percentile
except ImportError:  # imported as `bench.scale` (the tests)
    from bench import synthetic
    from bench.load import REPO, _free_port, _wait_for, percentile

from api.app import create_app
from graph.db.runtime import LocalNeo4j
from graph.db.settings import Settings

AT = "2016-06-01"


@dataclass(frozen=True)
class Ids:
    """Realistic ids of one synthetic graph, read from its files."""

    hub_actor: str
    force: str
    brigade: str
    battalion: str
    officer: str
    event: str
    governorate: str
    hub_source: str
    source: str

    @classmethod
    def of(cls, folder: Path) -> Ids:
        first: dict[str, dict[str, Any]] = {}
        for file in synthetic.record_files(folder):
            with file.open(encoding="utf-8") as lines:
                for line in lines:
                    record = json.loads(line)
                    kind = record["type"]
                    if kind == "Attribution" and record["actor"] == synthetic.HUB_ACTOR:
                        continue  # a typical event: one the hub is not blamed for
                    if kind == "Posting" and record["role"] != "commander":
                        continue
                    first.setdefault(kind, record)
        posting = first["Posting"]
        return cls(
            hub_actor=synthetic.HUB_ACTOR,
            force="org:syn-force-0002",
            brigade=posting["organization"]
            if "brigade" in posting["organization"]
            else "org:syn-brigade-0001",
            battalion="org:syn-battalion-0001",
            officer=posting["person"],
            event=first["Attribution"]["event"],
            governorate="place:idlib-governorate",
            hub_source=synthetic.HUB_SOURCE,
            source="source:syn-report-00001",
        )


def get_routes() -> list[Route]:
    """Every GET route of the app, through the routers it includes."""

    def walk(routes: list[BaseRoute]) -> Iterator[BaseRoute]:
        for route in routes:
            inner = getattr(route, "original_router", None)
            yield from walk(inner.routes) if inner is not None else [route]

    app = create_app()
    return [r for r in walk(app.routes) if isinstance(r, Route) and "GET" in (r.methods or ())]


def _parameters(dependant: Dependant) -> Iterator[tuple[str, bool, bool]]:
    """(alias, in path, required) of a route's parameters, its dependencies' included."""
    seen: set[str] = set()
    stack = [dependant]
    while stack:
        current = stack.pop()
        for param, in_path in [(p, True) for p in current.path_params] + [
            (p, False) for p in current.query_params
        ]:
            if param.alias not in seen:
                seen.add(param.alias)
                yield param.alias, in_path, param.field_info.is_required()
        stack.extend(current.dependencies)


def variants(path: str, ids: Ids) -> list[tuple[str, dict[str, str]]]:
    """(case name, parameters) for one route: the hub and a typical record where both matter,
    and the filters a list is used with."""
    unit_cases = [("hub force", {"unit_id": ids.hub_actor}), ("brigade", {"unit_id": ids.brigade})]
    by_path: dict[str, list[tuple[str, dict[str, str]]]] = {
        "/entities/{entity_id}": [
            ("hub force", {"entity_id": ids.hub_actor}),
            ("brigade", {"entity_id": ids.brigade}),
            ("officer", {"entity_id": ids.officer}),
            ("event", {"entity_id": ids.event}),
            ("governorate", {"entity_id": ids.governorate}),
        ],
        "/units/{unit_id}/commanders": unit_cases,
        "/units/{unit_id}/chain": [("battalion", {"unit_id": ids.battalion})],
        "/views/units/{unit_id}/chain": [("battalion", {"unit_id": ids.battalion})],
        "/events": [
            ("all", {}),
            ("place", {"place": ids.governorate}),
            ("perpetrator", {"perpetrator": ids.hub_actor, "include_subordinates": "true"}),
            ("perpetrator brigade", {"perpetrator": ids.brigade}),
            ("type+from", {"type": "massacre", "from": "2016-09"}),
            ("min_killed", {"min_killed": "10"}),
            ("source", {"source": ids.source}),
        ],
        "/sanctions": [
            ("all", {}),
            ("first 20", {"limit": "20"}),  # the same answer at both sizes
            ("authority", {"authority": "Synthetic sanctioning state 1"}),
            ("authority, first 10", {"authority": "Synthetic sanctioning state 1", "limit": "10"}),
        ],
        "/sources/{source_id}/claims": [
            ("hub source", {"source_id": ids.hub_source}),
            ("report", {"source_id": ids.source}),
        ],
        "/stats/events": [("party", {"group_by": "party"}), ("month", {"group_by": "month"})],
        "/casefiles/{subject_id}": [
            ("event", {"subject_id": ids.event, "format": "json"}),
            ("officer", {"subject_id": ids.officer, "format": "json"}),
        ],
        "/views/neighbourhood/{node_id}": [
            ("hub force", {"node_id": ids.hub_actor}),
            ("brigade", {"node_id": ids.brigade}),
        ],
        "/ui/search": [("brigade", {"q": "brigade"})],
        "/paths": [("officer-hub", {"from": ids.officer, "to": ids.hub_actor, "max_hops": "3"})],
    }
    return by_path.get(path, [("", {})])


def defaults(ids: Ids) -> dict[str, str]:
    """A value for each parameter a route requires, when its variants do not give one."""
    return {
        "entity_id": ids.brigade,
        "unit_id": ids.brigade,
        "event_id": ids.event,
        "person_id": ids.officer,
        "subject_id": ids.event,
        "source_id": ids.source,
        "node_id": ids.brigade,
        "at": AT,
        "q": "brigade",
        "name": "silsila.css",
    }


def requests(ids: Ids) -> list[tuple[str, str, dict[str, str]]]:
    """(endpoint name, URL path, query) for every GET route and each of its variants."""
    found = []
    fill = defaults(ids)
    for route in get_routes():
        params = list(_parameters(route.dependant)) if isinstance(route, APIRoute) else []
        for case, given in variants(route.path, ids):
            path, query = route.path, {}
            for alias, in_path, required in params:
                value = given.get(alias) or (fill.get(alias) if required or in_path else None)
                if value is None and required:
                    raise SystemExit(f"{route.path} requires {alias!r}: add it to defaults()")
                if value is None:
                    continue
                if in_path:
                    path = path.replace("{" + alias + "}", value)
                else:
                    query[alias] = value
            name = f"{route.path} ({case})" if case else route.path
            found.append((name, path, query))
    return found


@dataclass
class Timing:
    p50: float
    p95: float
    n: int
    statuses: str
    kib: float  # the answer's size, to tell a graph that grew from an answer that did


def time_endpoint(
    http: httpx.Client, path: str, query: dict[str, str], args: argparse.Namespace
) -> Timing:
    latencies: list[float] = []
    statuses: set[int] = set()
    spent = 0.0
    size = 0
    for n in range(args.warmup + args.requests):
        start = time.perf_counter()
        answer = http.get(path, params=query)
        took = time.perf_counter() - start
        statuses.add(answer.status_code)
        size = len(answer.content)
        if n >= args.warmup:
            latencies.append(took * 1000)
            spent += took
            if spent > args.budget and len(latencies) >= 3:
                break
    shown = ",".join(str(s) for s in sorted(statuses))
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    return Timing(p50, p95, len(latencies), shown, size / 1024)


@contextmanager
def own_api(size: int, seed: int) -> Iterator[tuple[str, Ids]]:
    """Neo4j with the synthetic graph of SIZE nodes, and the API serving it: (url, ids)."""
    state = Path(tempfile.mkdtemp(prefix="silsila-scale-"))
    settings = Settings(
        _env_file=None,
        state_dir=state,
        dist_dir=REPO / ".silsila" / "dist",
        neo4j_bolt_port=_free_port(),
        api_port=_free_port(),
    )
    neo4j = LocalNeo4j(settings)
    server: subprocess.Popen[bytes] | None = None
    try:
        folder = state / "records"
        start = time.perf_counter()
        counts = synthetic.generate(size, folder, seed)
        print(
            f"[{size:,}] wrote {sum(counts.values()):,} nodes in "
            f"{time.perf_counter() - start:.0f} s; starting Neo4j in {state}",
            flush=True,
        )
        neo4j.start()
        took, _ = synthetic.load_folder(folder, settings, echo=False)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rate = sum(counts.values()) / took
        print(f"[{size:,}] loaded in {took:.0f} s ({rate:.0f} nodes/s), peak {peak:.0f} MiB")
        env = {k: v for k, v in os.environ.items() if not k.startswith("SILSILA_")}
        env |= {
            "SILSILA_STATE_DIR": str(state),
            "SILSILA_DIST_DIR": str(settings.neo4j_dist_dir),
            "SILSILA_NEO4J_BOLT_PORT": str(settings.neo4j_bolt_port),
        }
        command = [sys.executable, "-m", "cli", "serve", "--port", str(settings.api_port)]
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _wait_for(settings.api_url, server)
        yield settings.api_url, Ids.of(folder)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        neo4j.stop()
        shutil.rmtree(state, ignore_errors=True)


def measure(size: int, args: argparse.Namespace) -> dict[str, Timing]:
    timings: dict[str, Timing] = {}
    with (
        own_api(size, args.seed) as (url, ids),
        httpx.Client(base_url=url, timeout=args.timeout) as http,
    ):
        for name, path, query in requests(ids):
            timings[name] = timing = time_endpoint(http, path, query, args)
            print(
                f"[{size:,}] {name}: p50 {timing.p50:.0f} ms, p95 {timing.p95:.0f} ms "
                f"(n={timing.n}, status {timing.statuses}, {timing.kib:.1f} KiB)",
                flush=True,
            )
    return timings


# Routes that read no records (/health only pings Neo4j): their growth is the machine's, so
# they are the noise floor and never the worst endpoint (a 1 ms file's 3 ms outlier is not).
READS_NO_RECORDS = ("/health", "/docs", "/openapi.json", "/static/{name}", "/ui", "/ui/sign-in")


def report(sizes: list[int], results: dict[int, dict[str, Timing]]) -> None:
    first, last = sizes[0], sizes[-1]
    heads = "".join(f" {f'p50@{s:,}':>12} {f'p95@{s:,}':>12}" for s in sizes)
    sizes_head = f"{f'KiB@{first:,}':>12} {f'KiB@{last:,}':>12}"
    print(f"\n{'endpoint':<48}{heads} {'growth':>7} {sizes_head}  status")
    worst, worst_name = 0.0, ""
    for name in results[first]:
        cells = "".join(
            f" {results[s][name].p50:>12.1f} {results[s][name].p95:>12.1f}" for s in sizes
        )
        growth = results[last][name].p95 / max(results[first][name].p95, 0.001)
        if growth > worst and name not in READS_NO_RECORDS:
            worst, worst_name = growth, name
        statuses = "/".join(results[s][name].statuses for s in sizes)
        kib = f"{results[first][name].kib:>12.1f} {results[last][name].kib:>12.1f}"
        print(f"{name:<48}{cells} {growth:>6.2f}x {kib}  {statuses}")
    print("latencies in ms over real HTTP; growth = p95 at the largest size / at the smallest;")
    print("KiB: the answer's size, which grows where the subject itself has more to say")
    idle = [n for n in READS_NO_RECORDS if n in results[first]]
    noise = ", ".join(
        f"{n} {results[last][n].p95 / max(results[first][n].p95, 0.001):.2f}x" for n in idle
    )
    print(f"noise floor (routes reading no records): {noise}")
    print(f"worst_growth={worst:.2f} worst_endpoint={worst_name.replace(' ', '_')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="node counts, comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=20, help="measured requests each")
    parser.add_argument("--warmup", type=int, default=3, help="requests first, not counted")
    parser.add_argument("--budget", type=float, default=30.0, help="seconds per endpoint")
    parser.add_argument("--timeout", type=float, default=300.0, help="per request, seconds")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    results = {size: measure(size, args) for size in sizes}
    report(sizes, results)


if __name__ == "__main__":
    main()
