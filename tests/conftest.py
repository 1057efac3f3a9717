"""One real Neo4j for the whole test session, in its own folder and port.

Tests that write get a clean graph (`driver`). Read-only tests share the default dataset
(`default_dataset`), loaded once and loaded again only after a writing test emptied the graph;
modules that only read run first, so the session loads it about once.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner
from neo4j import Driver

from graph.db import store
from graph.db.runtime import LocalNeo4j
from graph.db.settings import Settings
from loaders import journal, pipeline
from loaders.records import read_paths
from ontology.model import load as load_ontology

REPO = Path(__file__).resolve().parent.parent
# Jars are shared with `make run` (fetched once); data, logs and secrets are the session's own.
SHARED_DIST = REPO / ".silsila" / "dist"
DEFAULT_DATA = REPO / "data" / "default"
# Fixtures that read the shared default dataset; a module using one and never `driver` only reads.
SHARED_READERS = {"default_dataset", "dataset_client", "silsila", "run", "live_server"}
RESTARTS = "restarts_neo4j"  # the marker of tests that stop or kill the session's Neo4j


def pytest_configure(config: pytest.Config) -> None:
    """Keep the user's own SILSILA_* settings (and so their database) out of the tests. The
    command's consoles read their width once, when imported: make it wide, so that a long error
    line is one line."""
    config.addinivalue_line(
        "markers",
        f"{RESTARTS}: the test stops or kills the session's Neo4j; it runs after the others, "
        "since a restarted server plans every statement again",
    )
    for name in [n for n in os.environ if n.startswith("SILSILA_")]:
        del os.environ[name]
    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "300"
    import cli.main  # noqa: F401

    if columns is None:
        del os.environ["COLUMNS"]
    else:
        os.environ["COLUMNS"] = columns


@contextmanager
def one_worker_at_a_time(lock: Path) -> Iterator[None]:
    """Hold an exclusive lock on LOCK: the suite runs in parallel workers (pytest-xdist)."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# The session's own server plans a thousand statements or more, each anew after a cache clear:
# with the optimising compiler too, a plan takes about 30% less once it has warmed up (the
# chain of command's 1.3 s, 0.9 s).
SESSION_JIT = "-XX:TieredStopAtLevel=4"


def make_settings(state_dir: Path, **overrides: object) -> Settings:
    """Settings for a test instance: small memory, a free port, never the user's .env."""
    values: dict[str, object] = {
        "state_dir": state_dir,
        "dist_dir": SHARED_DIST,
        "neo4j_bolt_port": free_port(),
        "neo4j_heap": "512m",
        "neo4j_pagecache": "128m",
        # Each test server plans hundreds of different statements a few times each: the quick
        # compiler alone warms up sooner (a first dataset load 12 s instead of 17 s).
        "neo4j_jvm_options": "-XX:TieredStopAtLevel=1",
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
        SILSILA_NEO4J_JVM_OPTIONS=settings.neo4j_jvm_options,
    )
    return env


def silsila(
    *args: str, env: Mapping[str, str], check: bool = False
) -> subprocess.CompletedProcess[str]:
    """`silsila ARGS` run in this process, with ENV as its whole environment: what a user sees
    (exit status, stdout, stderr), without an interpreter start-up per call. Tests of what only a
    separate process shows (a killed importer, `serve`) start one instead."""
    from cli.main import main  # the command, imported once per session

    argv, environ = sys.argv, dict(os.environ)
    sys.argv = ["silsila", *args]
    os.environ.clear()
    os.environ.update(env)
    code: int = 0
    try:
        with CliRunner().isolation() as (stdout, stderr, _):
            try:
                main()
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else int(e.code is not None)
            sys.stdout.flush()
            sys.stderr.flush()
            out, err = stdout.getvalue().decode(), stderr.getvalue().decode()
    finally:
        sys.argv = argv
        os.environ.clear()
        os.environ.update(environ)
    result = subprocess.CompletedProcess(["silsila", *args], code, out, err)
    if check:
        result.check_returncode()
    return result


@pytest.fixture(scope="session", autouse=True)
def neo4j_jars(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Neo4j's jars, fetched before any test starts a server. Every server of the session shares
    them, and so do parallel workers (pytest-xdist): one fetches while the others wait."""
    with one_worker_at_a_time(SHARED_DIST.parent / "fetch.lock"):
        LocalNeo4j(make_settings(tmp_path_factory.mktemp("jars"))).fetch()


@pytest.fixture(scope="session")
def neo4j_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNeo4j]:
    """Start the session's Neo4j; stop it, leaving no Java process, when the session ends."""
    runtime = LocalNeo4j(
        make_settings(tmp_path_factory.mktemp("neo4j-state"), neo4j_jvm_options=SESSION_JIT)
    )
    runtime.start()
    try:
        yield runtime
    finally:
        runtime.stop()
        assert runtime.process() is None, "db stop left a Java process behind"


@pytest.fixture(scope="session")
def settings(neo4j_runtime: LocalNeo4j) -> Settings:
    return neo4j_runtime.settings


@cache
def default_records() -> list[pipeline.Record]:
    """The default dataset's records, read once per session (tests never change them)."""
    return read_paths([DEFAULT_DATA])


@dataclass
class DefaultDataset:
    """The default dataset in the session's Neo4j, for tests that only read it."""

    settings: Settings
    loaded: bool = False
    loads: int = 0

    def ensure(self) -> Settings:
        """Load the dataset into an empty graph unless it is there, untouched since."""
        if not self.loaded:
            with store.connect(self.settings) as drv:
                store.delete_all(drv, self.settings)
            pipeline.load(self.settings, load_ontology(), default_records())
            self.loaded = True
            self.loads += 1
        return self.settings


@pytest.fixture(scope="session")
def shared_dataset(settings: Settings) -> DefaultDataset:
    return DefaultDataset(settings)


@pytest.fixture
def default_dataset(shared_dataset: DefaultDataset) -> Iterator[Driver]:
    """A driver to the graph holding the default dataset; the test must only read."""
    settings = shared_dataset.ensure()
    with store.connect(settings) as drv:
        yield drv


@pytest.fixture
def journals(settings: Settings) -> Iterator[Path]:
    """The folder of import journals, empty before and after the test."""
    folder = journal.folder(settings)
    shutil.rmtree(folder, ignore_errors=True)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def driver(neo4j_runtime: LocalNeo4j, shared_dataset: DefaultDataset) -> Iterator[Driver]:
    """A driver to the session's Neo4j, which is emptied (schema kept) before each test."""
    settings = neo4j_runtime.settings
    if neo4j_runtime.process() is None:  # a test that stopped it failed before restarting
        neo4j_runtime.start()
    shared_dataset.loaded = False
    with store.connect(settings) as drv:
        store.delete_all(drv, settings)
        yield drv


def _only_reads(module_items: list[pytest.Item]) -> bool:
    names = {name for item in module_items for name in getattr(item, "fixturenames", ())}
    return "driver" not in names and bool(names & SHARED_READERS)


def _writes(item: pytest.Item) -> bool:
    return "driver" in getattr(item, "fixturenames", ())


def _restarts(item: pytest.Item) -> bool:
    return item.get_closest_marker(RESTARTS) is not None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules that only read the shared dataset first (in their usual order), then the rest,
    each with its reading tests before its writing ones, so the dataset is seldom reloaded; the
    tests that restart Neo4j come last, so no other test waits while it plans its statements
    again (a first load on a fresh server takes 15 s, the next ones 1.5 s)."""
    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        if not _restarts(item):
            modules.setdefault(item.nodeid.split("::")[0], []).append(item)
    readers = [m for m in modules.values() if _only_reads(m)]
    writers = [sorted(m, key=_writes) for m in modules.values() if not _only_reads(m)]
    restarting = [item for item in items if _restarts(item)]
    items[:] = [item for module in readers + writers for item in module] + restarting
