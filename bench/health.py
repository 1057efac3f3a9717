"""GET /health latency through the API on the local Neo4j, and Neo4j's resident memory."""

from __future__ import annotations

import statistics
import time

from fastapi.testclient import TestClient

from api.app import create_app
from graph.db.runtime import LocalNeo4j
from graph.db.settings import Settings

REQUESTS = 200


def main() -> None:
    settings = Settings()
    status = LocalNeo4j(settings).status()
    if not status.running:
        raise SystemExit("Neo4j is not running: `silsila db start` first.")
    timings = []
    with TestClient(create_app(settings)) as client:
        client.get("/health")
        for _ in range(REQUESTS):
            start = time.perf_counter()
            client.get("/health").raise_for_status()
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    print(
        f"GET /health x{REQUESTS}: median {statistics.median(timings):.1f} ms, "
        f"p95 {timings[int(0.95 * len(timings)) - 1]:.1f} ms"
    )
    if status.rss_bytes is not None:
        print(
            f"Neo4j {status.server_version} resident memory: {status.rss_bytes / 1024**2:.0f} MiB"
        )


if __name__ == "__main__":
    main()
