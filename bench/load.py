"""N concurrent clients for T seconds over a mix of the API's endpoints, public and investigator:
requests, errors by status, and p50/p95/p99 per endpoint and overall, each endpoint set beside
its time budget (docs/api.md).

By default it starts its own Neo4j (in a temporary folder, on a free port), loads the default
dataset, makes an investigator token, and serves the API from a `silsila serve` process, all
stopped at the end. Against a running API instead: `--url http://127.0.0.1:8000 [--token T]`
(without a token every client is public).

    .venv/bin/python bench/load.py                          # 50 clients x 60 s, 1 s pauses
    .venv/bin/python bench/load.py --clients 10 --seconds 15
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from api.security import Role, TokenStore, tokens_path
from graph.db.runtime import LocalNeo4j
from graph.db.settings import Settings
from loaders import pipeline
from loaders.records import read_paths
from ontology.model import load

REPO = Path(__file__).resolve().parent.parent
# p99 budgets per class of endpoint, in ms (docs/api.md, "Time budgets").
BUDGETS_MS = {"lookup": 1000, "list": 1000, "expensive": 2000, "cypher": 10000}
AFID = "org:air-force-intelligence-directorate"
KHALIL = "person:qahtan-khalil"
SEARCHES = ["Darayya", "داريا", "Assad", "Khalil", "Idlib", "air force", "Deir ez-Zor", "Hama"]
CYPHER = {"statement": "MATCH (e:Event) RETURN count(e) AS events", "parameters": {}}


@dataclass
class Seeds:
    """Ids to ask about, read from the API itself, so the mix fits whatever it serves."""

    events: list[str] = field(default_factory=lambda: ["event:darayya-massacre-2012"])
    units: list[str] = field(default_factory=lambda: [AFID])
    persons: list[str] = field(default_factory=lambda: [KHALIL])


@dataclass(frozen=True)
class Endpoint:
    """One kind of request in the mix: its name, class (for the budget) and weight."""

    name: str
    budget_class: str
    weight: int
    investigator_only: bool = False

    def request(self, seeds: Seeds, pick: random.Random) -> tuple[str, str, dict[str, Any]]:
        """(method, path, params or JSON body) for one request of this kind."""
        event, unit = pick.choice(seeds.events), pick.choice(seeds.units)
        person = pick.choice(seeds.persons)
        at = pick.choice(["2011-12-19", "2012-08-25", "2016-09", "2023-11-25", "2024-06-01"])
        paths: dict[str, tuple[str, dict[str, Any]]] = {
            "health": ("/health", {}),
            "entity": (f"/entities/{pick.choice([event, unit, person])}", {}),
            "commanders": (f"/units/{unit}/commanders", {"at": at}),
            "chain": (f"/units/{unit}/chain", {"at": at}),
            "accountability": (f"/events/{event}/accountability", {}),
            "casualties": (f"/events/{event}/casualties", {}),
            "exposure": (f"/persons/{person}/exposure", {}),
            "events (filtered)": ("/events", pick.choice(EVENT_FILTERS)),
            "search": ("/search", {"q": pick.choice(SEARCHES)}),
            "sanctions": ("/sanctions", {"authority": "United States"}),
            "stats": ("/stats/events", {"group_by": pick.choice(["party", "month"])}),
            "view (event)": (f"/views/events/{event}", {}),
            "view (chain)": (f"/views/units/{unit}/chain", {"at": at}),
            "case file": (
                f"/casefiles/{pick.choice([event, person])}",
                {"format": pick.choice(["json", "html"])},
            ),
            "gaps": ("/gaps/unsanctioned", {}),
            "paths": ("/paths", {"from": person, "to": unit, "max_hops": 3}),
        }
        if self.name == "cypher":
            return "POST", "/cypher", CYPHER
        path, params = paths[self.name]
        return "GET", path, params


EVENT_FILTERS: list[dict[str, Any]] = [
    {"place": "place:idlib-governorate", "from": "2011", "to": "2012"},
    {"perpetrator": "org:syrian-government-forces", "include_subordinates": "true", "limit": 50},
    {"min_killed": 10, "limit": 100},
    {"type": "massacre", "from": "2016-09"},
]
MIX = [
    Endpoint("health", "lookup", 1),
    Endpoint("entity", "lookup", 3),
    Endpoint("commanders", "lookup", 2),
    Endpoint("chain", "lookup", 3),
    Endpoint("accountability", "lookup", 3),
    Endpoint("casualties", "lookup", 1),
    Endpoint("exposure", "lookup", 2),
    Endpoint("events (filtered)", "list", 2),
    Endpoint("search", "list", 3),
    Endpoint("sanctions", "list", 1),
    Endpoint("stats", "list", 1),
    Endpoint("view (event)", "expensive", 1),
    Endpoint("view (chain)", "expensive", 1),
    Endpoint("case file", "expensive", 1),
    Endpoint("gaps", "expensive", 1),
    Endpoint("paths", "expensive", 1),
    Endpoint("cypher", "cypher", 1, investigator_only=True),
]


@dataclass
class Tally:
    """What the clients saw of requests sent from `since` on: latencies (ms) and statuses per
    endpoint. Requests sent earlier (the warm-up) are not counted."""

    since: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, name: str, status: str, sent: float, ms: float) -> None:
        if sent >= self.since:
            self.latencies[name].append(ms)
            self.statuses[name][status] += 1


async def client(
    http: httpx.AsyncClient,
    seeds: Seeds,
    token: str | None,
    deadline: float,
    think: float,
    tally: Tally,
    seed: int,
) -> None:
    """One client: a pause of THINK s on average, a request, its answer, a pause…, until the
    deadline. The first pause spreads the clients' arrivals as in a steady state, instead of
    all of them sending at the same instant (a burst no server sees in use)."""
    pick = random.Random(seed)  # noqa: S311 - a request mix, not a secret
    mix = [e for e in MIX if token is not None or not e.investigator_only]
    weights = [e.weight for e in mix]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    while True:
        if think:
            await asyncio.sleep(pick.expovariate(1 / think))
        if time.monotonic() >= deadline:
            return
        endpoint = pick.choices(mix, weights)[0]
        method, path, params = endpoint.request(seeds, pick)
        sent, start = time.monotonic(), time.perf_counter()
        try:
            if method == "POST":
                answer = await http.post(path, json=params, headers=headers)
            else:
                answer = await http.get(path, params=params, headers=headers)
            status = str(answer.status_code)
        except httpx.TimeoutException:
            status = "timeout"
        except httpx.TransportError as e:
            status = type(e).__name__
        tally.add(endpoint.name, status, sent, (time.perf_counter() - start) * 1000)


async def read_seeds(http: httpx.AsyncClient) -> Seeds:
    """Events from /events, units and persons from the gap (both exposed to chains)."""
    seeds = Seeds()
    events = (await http.get("/events", params={"limit": 1000})).json()["items"]
    gaps = (await http.get("/gaps/unsanctioned")).json()["gaps"]
    seeds.events = [e["id"] for e in events] or seeds.events
    units = [g["entity"]["id"] for g in gaps if g["entity"]["type"] == "Organization"]
    persons = [g["entity"]["id"] for g in gaps if g["entity"]["type"] == "Person"]
    seeds.units = sorted(set(units) | {AFID})
    seeds.persons = sorted(set(persons) | {KHALIL})
    return seeds


async def run(url: str, token: str | None, clients: int, seconds: float, args: Any) -> Tally:
    """One load for `--warmup` + SECONDS, counting the requests sent in the last SECONDS.

    The warm-up is the measured load itself, without a break: a freshly started Neo4j plans
    each statement on first use and its JVM compiles the hot paths as they get hot, so the
    first thousands of answers pay for that (`--warmup 0` measures them); a warm-up with fewer
    clients or one role leaves paths cold that the measured load then finds."""
    limits = httpx.Limits(max_connections=clients + 5, max_keepalive_connections=clients + 5)
    timeout = httpx.Timeout(args.timeout)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) as http:
        seeds = await read_seeds(http)
        tally = Tally(since=time.monotonic() + args.warmup)
        deadline = tally.since + seconds
        investigators = round(clients * args.investigators) if token else 0
        await asyncio.gather(
            *(
                client(
                    http,
                    seeds,
                    token if i < investigators else None,
                    deadline,
                    args.think,
                    tally,
                    seed=i,
                )
                for i in range(clients)
            )
        )
    return tally


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered)) - 1))]


def report(tally: Tally, seconds: float, clients: int) -> None:
    classes = {e.name: e.budget_class for e in MIX}
    every = [ms for values in tally.latencies.values() for ms in values]
    statuses: Counter[str] = Counter()
    for counts in tally.statuses.values():
        statuses.update(counts)
    errors = {s: n for s, n in statuses.items() if not s.startswith("2")}
    print(f"{clients} clients x {seconds:g} s: {len(every)} requests, {len(every) / seconds:.1f}/s")
    print(f"errors by status: {dict(sorted(errors.items())) or 'none'}")
    print()
    head = f"{'endpoint':<18} {'class':<9} {'n':>6} {'non-2xx':<16} "
    print(head + f"{'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}  budget p99")
    rows = sorted(tally.latencies.items(), key=lambda item: (classes[item[0]], item[0]))
    for name, values in rows:
        budget = BUDGETS_MS[classes[name]]
        bad = {s: n for s, n in tally.statuses[name].items() if not s.startswith("2")}
        p99 = percentile(values, 99)
        verdict = "ok" if p99 <= budget else "OVER"
        print(
            f"{name:<18} {classes[name]:<9} {len(values):>6} {_counts(bad):<16} "
            f"{percentile(values, 50):>7.0f} {percentile(values, 95):>7.0f} {p99:>7.0f} "
            f"{max(values):>7.0f}  {budget:>6} ms {verdict}"
        )
    if every:
        print(
            f"{'overall':<18} {'':<9} {len(every):>6} {_counts(errors):<16} "
            f"{percentile(every, 50):>7.0f} {percentile(every, 95):>7.0f} "
            f"{percentile(every, 99):>7.0f} {max(every):>7.0f}"
        )
    print("\nlatencies in ms, every answer counted (a 503 too); budgets in docs/api.md")


def _counts(counts: dict[str, int]) -> str:
    return ",".join(f"{s}:{n}" for s, n in sorted(counts.items())) or "-"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def own_server() -> Iterator[tuple[str, str]]:
    """A Neo4j of its own with the default dataset, and the API served from it: (url, token)."""
    state = Path(tempfile.mkdtemp(prefix="silsila-load-"))
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
        print(f"starting Neo4j in {state} and loading the default dataset…", flush=True)
        neo4j.start()
        pipeline.load(settings, load(), read_paths([REPO / "data" / "default"]))
        _, token = TokenStore(tokens_path(settings)).create(Role.investigator)
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
        yield settings.api_url, token
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        neo4j.stop()
        shutil.rmtree(state, ignore_errors=True)


def _wait_for(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the API exited with status {server.returncode}")
        try:
            if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the API at {url} did not answer /health within 120 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running API; default: start Neo4j and the API here")
    parser.add_argument("--token", help="an investigator token for --url (default: public only)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between requests, s")
    parser.add_argument("--investigators", type=float, default=0.3, help="share of clients")
    parser.add_argument("--timeout", type=float, default=120.0, help="per request, seconds")
    parser.add_argument(
        "--warmup", type=float, default=30.0, help="seconds of load before measuring (0: cold)"
    )
    args = parser.parse_args()
    if args.url:
        tally = asyncio.run(run(args.url, args.token, args.clients, args.seconds, args))
    else:
        with own_server() as (url, token):
            tally = asyncio.run(run(url, token, args.clients, args.seconds, args))
    report(tally, args.seconds, args.clients)


if __name__ == "__main__":
    main()
