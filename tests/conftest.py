"""One real Neo4j for the whole test session, in its own folder and port; a clean graph per test."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import Driver

from graph.db import store
from graph.db.runtime import LocalNeo4j
from graph.db.settings import Settings

REPO = Path(__file__).resolve().parent.parent
# Jars are shared with `make run` (fetched once); data, logs and secrets are the session's own.
SHARED_DIST = REPO / ".silsila" / "dist"


def pytest_configure(config: pytest.Config) -> None:
    """Keep the user's own SILSILA_* settings (and so their database) out of the tests."""
    for name in [n for n in os.environ if n.startswith("SILSILA_")]:
        del os.environ[name]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_settings(state_dir: Path, **overrides: object) -> Settings:
    """Settings for a test instance: small memory, a free port, never the user's .env."""
    values: dict[str, object] = {
        "state_dir": state_dir,
        "dist_dir": SHARED_DIST,
        "neo4j_bolt_port": free_port(),
        "neo4j_heap": "512m",
        "neo4j_pagecache": "128m",
        "data_dir": REPO / "data" / "default",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def cli_env(settings: Settings) -> dict[str, str]:
    """Environment that points the `silsila` command at a test instance."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SILSILA_")}
    env.update(
        SILSILA_STATE_DIR=str(settings.state_dir),
        SILSILA_DIST_DIR=str(settings.neo4j_dist_dir),
        SILSILA_NEO4J_BOLT_PORT=str(settings.neo4j_bolt_port),
        SILSILA_DATA_DIR=str(settings.data_dir),
    )
    return env


@pytest.fixture(scope="session")
def neo4j_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNeo4j]:
    """Start the session's Neo4j; stop it, leaving no Java process, when the session ends."""
    runtime = LocalNeo4j(make_settings(tmp_path_factory.mktemp("neo4j-state")))
    runtime.start()
    try:
        yield runtime
    finally:
        runtime.stop()


@pytest.fixture(scope="session")
def settings(neo4j_runtime: LocalNeo4j) -> Settings:
    return neo4j_runtime.settings


@pytest.fixture
def driver(neo4j_runtime: LocalNeo4j) -> Iterator[Driver]:
    """A driver to the session's Neo4j, which is emptied (schema kept) before each test."""
    settings = neo4j_runtime.settings
    if neo4j_runtime.process() is None:  # a test that stopped it failed before restarting
        neo4j_runtime.start()
    with store.connect(settings) as drv:
        store.delete_all(drv, settings)
        yield drv
