"""docker-compose.yml: the three services, healthy ordering, and ports on 127.0.0.1 only; the
`cluster` profile: three Neo4j Enterprise primaries that find each other, and Silsila routing.

Where the compose plugin is installed, `docker compose config` checks both profiles too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

import pytest
import yaml

from graph.db.runtime import memory_guards
from tests.conftest import REPO

CLUSTER_MEMBERS = ("neo4j-core1", "neo4j-core2", "neo4j-core3")
DEFAULT_SERVICES = {"neo4j", "loader", "api"}


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return data


def cluster_services() -> dict[str, Any]:
    return {
        name: service
        for name, service in compose()["services"].items()
        if "cluster" in service.get("profiles", [])
    }


def compose_plugin() -> str | None:
    """The docker executable, if its compose plugin answers."""
    docker = shutil.which("docker")
    if docker is None:
        return None
    probe = subprocess.run([docker, "compose", "version"], capture_output=True, timeout=30)
    return docker if probe.returncode == 0 else None


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


def test_the_default_services_are_those_of_no_profile() -> None:
    services = compose()["services"]
    unprofiled = {name for name, service in services.items() if "profiles" not in service}
    assert unprofiled == DEFAULT_SERVICES
    assert set(services) - unprofiled == set(cluster_services())


def test_the_cluster_is_three_enterprise_primaries_that_find_each_other() -> None:
    services = cluster_services()
    assert set(CLUSTER_MEMBERS) <= set(services)
    advertised = set()
    for name in CLUSTER_MEMBERS:
        member = services[name]
        environment = member["environment"]
        assert member["image"] == "neo4j:5.26-enterprise"
        assert environment["NEO4J_ACCEPT_LICENSE_AGREEMENT"] == "yes"
        assert environment["NEO4J_AUTH"].startswith("neo4j/${SILSILA_NEO4J_PASSWORD:?")
        assert environment["NEO4J_initial_dbms_default__primaries__count"] == "3"
        assert environment["NEO4J_dbms_cluster_discovery_version"] == "V2_ONLY"
        assert environment["NEO4J_db_logs_query_enabled"] == "OFF"
        # Every member lists every member, itself included, at the discovery v2 port.
        endpoints = environment["NEO4J_dbms_cluster_discovery_v2_endpoints"].split(",")
        assert sorted(endpoints) == [f"{m}:6000" for m in CLUSTER_MEMBERS]
        assert environment["NEO4J_server_default__advertised__address"] == name
        assert member["hostname"] == name
        advertised.add(environment["NEO4J_server_bolt_advertised__address"])
        assert f"{name}-data:/data" in member["volumes"]
        assert f"{name}-data" in compose()["volumes"]
        assert "cypher-shell" in " ".join(member["healthcheck"]["test"])
    ports = {address.rsplit(":", 1)[1] for address in advertised}
    assert len(ports) == len(CLUSTER_MEMBERS)
    # 7688 is Neo4j's server-side routing port, 7687 the single server's published one.
    assert "7688" not in ports
    assert "7687" not in ports


def test_each_member_publishes_its_bolt_port_as_it_advertises_it() -> None:
    services = cluster_services()
    for name in CLUSTER_MEMBERS:
        environment = services[name]["environment"]
        port = environment["NEO4J_server_bolt_advertised__address"].rsplit(":", 1)[1]
        assert environment["NEO4J_server_bolt_listen__address"] == f"0.0.0.0:{port}"
        assert environment["BOLT_PORT"] == port
        assert services[name]["ports"] == [f"127.0.0.1:{port}:{port}"]


def test_cluster_members_have_the_memory_guards_of_their_heap() -> None:
    for name in CLUSTER_MEMBERS:
        environment = cluster_services()[name]["environment"]
        guards = memory_guards(environment["NEO4J_server_memory_heap_max__size"])
        assert environment["NEO4J_db_memory_transaction_max"] == guards["db.memory.transaction.max"]
        assert (
            environment["NEO4J_dbms_memory_transaction_total_max"]
            == (guards["dbms.memory.transaction.total.max"])
        )


def test_silsila_on_the_cluster_routes_and_waits_for_every_member() -> None:
    services = cluster_services()
    members = {m: {"condition": "service_healthy"} for m in CLUSTER_MEMBERS}
    loader, api = services["cluster-loader"], services["cluster-api"]
    advertised = {
        services[m]["environment"]["NEO4J_server_bolt_advertised__address"] for m in CLUSTER_MEMBERS
    }
    for service in (loader, api):
        uri = service["environment"]["SILSILA_NEO4J_URI"]
        assert uri.startswith("neo4j://")
        assert uri.removeprefix("neo4j://") in advertised
    assert loader["depends_on"] == members
    assert api["depends_on"] == members | {
        "cluster-loader": {"condition": "service_completed_successfully"}
    }
    # Beside the single-server API, not on its port.
    default_ports = set(compose()["services"]["api"]["ports"])
    assert not set(api["ports"]) & default_ports


@pytest.mark.parametrize("profile", [None, "cluster"])
def test_docker_compose_accepts_the_file(profile: str | None) -> None:
    docker = compose_plugin()
    if docker is None:
        pytest.skip("the docker compose plugin is not installed (the tests above check the file)")
    selected = ["--profile", profile] if profile else []
    result = subprocess.run(
        [docker, "compose", *selected, "config", "--quiet"],
        cwd=REPO,
        env=os.environ | {"SILSILA_NEO4J_PASSWORD": "compose-config-check"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
