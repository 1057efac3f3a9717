"""Median and p95 latency of the chain, accountability, exposure and event-view endpoints on the
loaded dataset.

Run against the local Neo4j with the default dataset loaded (`make run`, or `silsila db start`
and `silsila load`): `.venv/bin/python bench/api_latency.py`.
"""

from __future__ import annotations

import statistics
import time

from fastapi.testclient import TestClient

from api.app import create_app

REQUESTS = 100
ENDPOINTS = {
    "/units/{id}/chain": (
        "/units/org:15th-division/chain",
        {"at": "2011-12-19"},
    ),
    "/units/{id}/chain (AFID 2024)": (
        "/units/org:air-force-intelligence-directorate/chain",
        {"at": "2024-06-01"},
    ),
    "/events/{id}/accountability": ("/events/event:darayya-massacre-2012/accountability", {}),
    "/persons/{id}/exposure": ("/persons/person:qahtan-khalil/exposure", {}),
    "/views/events/{id}": ("/views/events/event:darayya-massacre-2012", {}),
}


def main() -> None:
    with TestClient(create_app()) as client:
        for label, (path, params) in ENDPOINTS.items():
            client.get(path, params=params).raise_for_status()  # warm the plan cache
            timings = []
            for _ in range(REQUESTS):
                start = time.perf_counter()
                client.get(path, params=params).raise_for_status()
                timings.append((time.perf_counter() - start) * 1000)
            timings.sort()
            p95 = timings[int(0.95 * len(timings)) - 1]
            print(f"{label}: median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
