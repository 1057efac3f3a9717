"""docker-compose.yml: the three services, healthy ordering, and ports on 127.0.0.1 only.

`make test` also runs `docker compose config` where the compose plugin is installed.
"""

from __future__ import annotations

from typing import Any

import yaml

from graph.db.runtime import memory_guards
from tests.conftest import REPO


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return data


def test_neo4j_service_is_526_community_with_auth_healthcheck_and_volume() -> None:
    neo4j = compose()["services"]["neo4j"]
    assert neo4j["image"] == "neo4j:5.26-community"
    assert neo4j["environment"]["NEO4J_AUTH"].startswith("neo4j/${SILSILA_NEO4J_PASSWORD:?")
    assert "cypher-shell" in " ".join(neo4j["healthcheck"]["test"])
    assert "neo4j-data:/data" in neo4j["volumes"]
    assert "neo4j-data" in compose()["volumes"]


def test_loader_runs_once_neo4j_is_healthy_and_api_after_it() -> None:
    services = compose()["services"]
    assert services["loader"]["command"] == ["silsila", "load"]
    assert services["loader"]["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert services["api"]["build"] == "."
    assert services["api"]["depends_on"]["loader"]["condition"] == (
        "service_completed_successfully"
    )
    assert (REPO / "Dockerfile").is_file()


def test_every_published_port_is_bound_to_loopback() -> None:
    ports = [p for s in compose()["services"].values() for p in s.get("ports", [])]
    assert ports
    assert all(str(p).startswith("127.0.0.1:") for p in ports), ports


def test_neo4j_has_the_memory_guards_the_local_runtime_sets() -> None:
    environment = compose()["services"]["neo4j"]["environment"]
    # Neo4j's image reads setting a.b_c from NEO4J_a_b__c.
    guards = {
        name.replace("_", "__").replace(".", "_"): size
        for name, size in memory_guards(environment["NEO4J_server_memory_heap_max__size"]).items()
    }
    assert {f"NEO4J_{name}": size for name, size in guards.items()} == {
        key: environment[key] for key in environment if "memory_transaction" in key
    }
