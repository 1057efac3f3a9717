"""The local Neo4j: fetched, started once, private password, clear errors if it cannot start."""

from __future__ import annotations

import ipaddress
import math
import socket
import stat
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from pydantic import SecretStr

from graph.db import store
from graph.db.runtime import (
    BOLT_SHUTDOWN_SETTINGS,
    BOLT_SHUTDOWN_WAIT,
    ENTRY_POINT,
    MIB,
    PAGECACHE_FLOOR_BYTES,
    LocalNeo4j,
    MemoryPlan,
    mebibytes,
    memory_guards,
    neo4j_version,
    page_cache_for,
    parse_admin_size,
    parse_java_major,
    parse_size,
)
from graph.db.settings import Settings
from graph.errors import (
    JavaMissingError,
    JavaVersionError,
    MavenMissingError,
    NotEnoughMemoryError,
    PortTakenError,
)
from tests.conftest import cli_env, make_settings


def servers_of(runtime: LocalNeo4j) -> list[psutil.Process]:
    marker = f"--home-dir={runtime.home}"
    return [
        p
        for p in psutil.process_iter(["cmdline"])
        if marker in (p.info["cmdline"] or []) and ENTRY_POINT in (p.info["cmdline"] or [])
    ]


def test_pom_pins_neo4j_526_lts() -> None:
    assert neo4j_version().startswith("5.26.")


@pytest.mark.parametrize(
    ("output", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15', 17),
        ('java version "1.8.0_401"', 8),
        ('openjdk version "21" 2023-09-19', 21),
        ("no version here", None),
    ],
)
def test_java_major_version_is_read_from_java_version_output(output: str, major: int) -> None:
    assert parse_java_major(output) == major


def test_start_twice_runs_one_server(neo4j_runtime: LocalNeo4j) -> None:
    first = neo4j_runtime.status()
    second = neo4j_runtime.start()
    assert second.pid == first.pid
    assert len(servers_of(neo4j_runtime)) == 1


def test_status_reports_version_port_and_data_folder(settings: Settings) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cli", "db", "status"],
        env=cli_env(settings) | {"COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "running" in result.stdout
    assert neo4j_version() in result.stdout
    assert str(settings.neo4j_bolt_port) in result.stdout
    assert str((settings.state_dir / "neo4j" / "data").resolve()) in result.stdout


def test_server_listens_on_loopback_only(neo4j_runtime: LocalNeo4j) -> None:
    (server,) = servers_of(neo4j_runtime)
    listening = [c for c in server.net_connections("inet") if c.status == psutil.CONN_LISTEN]
    assert listening, "the server listens on no port"
    # Java reports IPv4 sockets as IPv4-mapped IPv6 (::ffff:127.0.0.1); both must be loopback.
    addresses = {ipaddress.ip_address(c.laddr.ip) for c in listening}
    plain = {getattr(a, "ipv4_mapped", None) or a for a in addresses}
    assert plain == {ipaddress.ip_address("127.0.0.1")}
    assert neo4j_runtime.settings.neo4j_bolt_port in {c.laddr.port for c in listening}


def test_password_is_generated_private_and_never_logged(neo4j_runtime: LocalNeo4j) -> None:
    settings = neo4j_runtime.settings
    connection = settings.connection_file
    assert stat.S_IMODE(connection.stat().st_mode) == 0o600
    assert stat.S_IMODE(connection.parent.stat().st_mode) == 0o700
    assert settings.neo4j_password is not None
    password = settings.neo4j_password.get_secret_value()
    assert len(password) >= 24
    assert password not in repr(settings)
    logs = list(neo4j_runtime.logs_dir.glob("*.log"))
    assert logs
    for log in logs:
        assert password not in log.read_text(encoding="utf-8", errors="replace"), log
    # The initial-password argument file is deleted once used.
    assert not list((neo4j_runtime.home / "run").glob("*.arg"))


def test_a_taken_port_is_reported_with_what_to_do(tmp_path: Path) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        runtime = LocalNeo4j(make_settings(tmp_path, neo4j_bolt_port=port))
        with pytest.raises(PortTakenError, match="SILSILA_NEO4J_BOLT_PORT"):
            runtime.start()
    assert servers_of(runtime) == []


def test_missing_java_is_reported(tmp_path: Path) -> None:
    runtime = LocalNeo4j(make_settings(tmp_path, java=str(tmp_path / "no-such-java")))
    with pytest.raises(JavaMissingError, match="Install Java 17"):
        runtime.start()


def test_wrong_java_version_is_reported(tmp_path: Path) -> None:
    old_java = tmp_path / "java"
    old_java.write_text("#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n")
    old_java.chmod(0o755)
    runtime = LocalNeo4j(make_settings(tmp_path, java=str(old_java)))
    with pytest.raises(JavaVersionError, match=r"Java 11; Neo4j 5\.26\.\d+ needs Java 17 or 21"):
        runtime.start()


def test_missing_maven_is_reported_when_neo4j_is_not_fetched(tmp_path: Path) -> None:
    runtime = LocalNeo4j(
        make_settings(tmp_path, dist_dir=tmp_path / "empty", mvn=str(tmp_path / "no-mvn"))
    )
    with pytest.raises(MavenMissingError, match="Install Maven"):
        runtime.start()


def test_not_enough_memory_is_reported(tmp_path: Path) -> None:
    runtime = LocalNeo4j(make_settings(tmp_path, neo4j_heap="4000g"))
    with pytest.raises(NotEnoughMemoryError, match="SILSILA_NEO4J_HEAP"):
        runtime.start()


def test_a_password_starting_with_a_dash_is_set_not_read_as_an_option(tmp_path: Path) -> None:
    # One generated password in 64 starts with "-"; neo4j-admin once took it for an option.
    runtime = LocalNeo4j(make_settings(tmp_path, neo4j_password=SecretStr("-dash-first_pw")))
    java = runtime.check_java()
    runtime._write_conf(runtime.memory_plan(java))
    runtime._ensure_credentials(java)
    assert (runtime.data_dir / "dbms" / "auth.ini").is_file()
    assert not (runtime.home / "run" / "initial-password.arg").exists()


def test_memory_guards_are_shares_of_the_heap() -> None:
    assert memory_guards("512m") == {
        "db.memory.transaction.max": "128m",
        "dbms.memory.transaction.total.max": "256m",
    }
    assert memory_guards("1g") == {
        "db.memory.transaction.max": "256m",
        "dbms.memory.transaction.total.max": "512m",
    }


def test_the_running_neo4j_applies_the_memory_guards(neo4j_runtime: LocalNeo4j) -> None:
    settings = neo4j_runtime.settings
    guards = memory_guards(settings.neo4j_heap)
    with store.connect(settings) as driver:
        records = driver.execute_query(
            "SHOW SETTINGS YIELD name, value WHERE name IN $names RETURN name, value",
            names=list(guards),
            database_=settings.neo4j_database,
        ).records
    # Neo4j reports sizes as `128.00MiB`.
    applied = {r["name"]: r["value"] for r in records}
    assert applied == {name: f"{int(size[:-1]):.2f}MiB" for name, size in guards.items()}


def test_the_settings_jvm_options_reach_the_server_and_bolt_stops_without_waiting(
    neo4j_runtime: LocalNeo4j,
) -> None:
    (server,) = servers_of(neo4j_runtime)
    options = neo4j_runtime.settings.neo4j_jvm_options.split()
    assert options
    assert server.cmdline()[: server.cmdline().index("-cp")][-len(options) :] == options
    conf = (neo4j_runtime.conf_dir / "neo4j.conf").read_text(encoding="utf-8").splitlines()
    assert {f"{name}={BOLT_SHUTDOWN_WAIT}" for name in BOLT_SHUTDOWN_SETTINGS} <= set(conf)


@pytest.mark.parametrize(
    ("size", "size_bytes"),
    [
        ("0k", 0),
        ("6400k", 6400 * 1024),
        ("8000m", 8000 * MIB),
        ("2g", 2048 * MIB),
        ("1.5g", 1536 * MIB),
    ],
)
def test_sizes_are_read_as_neo4j_admin_prints_them(size: str, size_bytes: int) -> None:
    assert parse_admin_size(size) == size_bytes


def test_the_page_cache_is_cut_to_the_store_and_its_growth() -> None:
    seven_gib = 7 * 1024 * MIB
    assert page_cache_for(0, seven_gib) == PAGECACHE_FLOOR_BYTES
    one_gib = 1024 * MIB
    assert page_cache_for(one_gib, seven_gib) == math.ceil(one_gib * 1.2)
    assert page_cache_for(10 * one_gib, seven_gib) == seven_gib
    # On a small machine Neo4j's advice wins over the floor.
    assert page_cache_for(0, 52 * MIB) == 52 * MIB


def test_neo4j_admin_recommends_for_the_memory_given(tmp_path: Path) -> None:
    runtime = LocalNeo4j(make_settings(tmp_path))
    advice = runtime.recommend(runtime.check_java(), 4096 * MIB)
    # Neo4j 5.26's heuristic for 4 GiB: a 2 GiB heap, a 512 MiB page cache, the rest left
    # to the system; no store yet.
    assert (advice.heap_bytes, advice.pagecache_bytes) == (2048 * MIB, 512 * MIB)
    assert advice.store_bytes == 0
    assert not runtime.data_dir.exists(), "sizing must not create the data folder"


def test_unset_memory_is_sized_by_neo4j_admin_and_the_store(tmp_path: Path) -> None:
    runtime = LocalNeo4j(
        make_settings(tmp_path, neo4j_heap=None, neo4j_pagecache=None, neo4j_memory="16g")
    )
    java = runtime.check_java()
    advice = runtime.recommend(java, 16 * 1024 * MIB)
    plan = runtime.memory_plan(java)
    assert plan.heap == mebibytes(advice.heap_bytes)
    # Neo4j would give the page cache gigabytes; an empty store needs only the floor.
    assert advice.pagecache_bytes > PAGECACHE_FLOOR_BYTES
    assert plan.pagecache == mebibytes(PAGECACHE_FLOOR_BYTES)
    assert plan.store_bytes == 0


def test_settings_that_name_the_memory_win(tmp_path: Path) -> None:
    both = LocalNeo4j(make_settings(tmp_path, neo4j_heap="512m", neo4j_pagecache="128m"))
    assert both.memory_plan(both.check_java()) == MemoryPlan("512m", "128m")
    heap_only = LocalNeo4j(
        make_settings(tmp_path, neo4j_heap="700m", neo4j_pagecache=None, neo4j_memory="16g")
    )
    plan = heap_only.memory_plan(heap_only.check_java())
    assert (plan.heap, plan.pagecache) == ("700m", mebibytes(PAGECACHE_FLOOR_BYTES))


def test_a_sized_start_runs_with_the_recommended_memory(tmp_path: Path) -> None:
    runtime = LocalNeo4j(
        make_settings(tmp_path, neo4j_heap=None, neo4j_pagecache=None, neo4j_memory="2g")
    )
    plan = runtime.memory_plan(runtime.check_java())
    try:
        status = runtime.start()
        (server,) = servers_of(runtime)
        assert f"-Xmx{plan.heap}" in server.cmdline()
        assert (status.heap, status.pagecache) == (plan.heap, plan.pagecache)
        assert status.store_bytes is not None
        with store.connect(runtime.settings) as driver:
            (record,) = driver.execute_query(
                "SHOW SETTINGS YIELD name, value WHERE name = $name RETURN value",
                name="server.memory.pagecache.size",
            ).records
        assert record["value"] == f"{parse_size(plan.pagecache) // MIB:.2f}MiB"
    finally:
        runtime.stop()
