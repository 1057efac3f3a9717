"""The local Neo4j: fetched from Maven Central, started from its own entry point, on 127.0.0.1."""

from __future__ import annotations

import errno
import json
import math
import os
import re
import secrets
import shutil
import socket
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil
from pydantic import SecretStr

from graph.db import store
from graph.db.settings import Settings
from graph.errors import (
    AdminImportError,
    CredentialsLostError,
    FetchError,
    GraphUnavailableError,
    JavaMissingError,
    JavaVersionError,
    MavenMissingError,
    MemoryRecommendationError,
    NotEnoughMemoryError,
    PortTakenError,
    QueryError,
    ServerExitedError,
    StartTimeoutError,
)

POM = Path(__file__).parent / "neo4j" / "pom.xml"
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
SET_PASSWORD = ("dbms", "set-initial-password")
MEMORY_RECOMMENDATION = ("server", "memory-recommendation")
IMPORT_FULL = ("database", "import", "full")
SUPPORTED_JAVA = (17, 21)
# What Neo4j's own launcher passes to the JVM (conf `server.jvm.additional`).
JVM_OPTIONS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
)
JVM_OVERHEAD_BYTES = 300 * 1024**2
MIB = 1024**2
# A page cache sized to the store holds all of it; the growth share leaves room for what is
# loaded before the next start sizes it again (Neo4j's advice: the store plus its growth).
PAGECACHE_GROWTH = 1.2
PAGECACHE_FLOOR_BYTES = 512 * MIB
STOP_TIMEOUT_SECONDS = 60.0
BOLT_SHUTDOWN_WAIT = "500ms"
BOLT_SHUTDOWN_SETTINGS = (
    "internal.server.bolt.connection_shutdown_wait_time",
    "internal.server.bolt.thread_pool_shutdown_wait_time",
    "internal.dbms.bolt.netty_server_shutdown_timeout",
)
# Shares of the heap Neo4j's memory pools may give transactions: one transaction at most a
# quarter, all of them together at most half, so the rest of the server keeps room to work.
TRANSACTION_HEAP_SHARE = 4
ALL_TRANSACTIONS_HEAP_SHARE = 2


@dataclass(frozen=True)
class RuntimeStatus:
    """What `silsila db status` reports."""

    running: bool
    version: str
    bolt_uri: str
    port: int
    data_dir: Path
    logs_dir: Path
    pid: int | None = None
    rss_bytes: int | None = None
    server_version: str | None = None
    heap: str | None = None
    pagecache: str | None = None
    # Data and native indexes, as neo4j-admin measures them: what the page cache holds.
    store_bytes: int | None = None


@dataclass(frozen=True)
class Recommendation:
    """What `neo4j-admin server memory-recommendation` advises, and the store it saw."""

    heap_bytes: int
    pagecache_bytes: int
    store_bytes: int


@dataclass(frozen=True)
class MemoryPlan:
    """The heap and page cache a start gives Neo4j; `store_bytes` is None when the settings
    named both, so neo4j-admin was not asked."""

    heap: str
    pagecache: str
    store_bytes: int | None = None


def neo4j_version() -> str:
    """The Neo4j version the pom fetches; the pom is its only written place."""
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    node = ET.parse(POM).getroot().find("m:properties/m:neo4j.version", ns)  # noqa: S314
    if node is None or not node.text:
        raise FetchError(f"{POM}: properties/neo4j.version is missing")
    return node.text.strip()


def parse_java_major(version_output: str) -> int | None:
    """The major version from `java -version` output ("1.8.0" is 8, "17.0.15" is 17)."""
    match = re.search(r'version "(\d+)(?:\.(\d+))?', version_output)
    if match is None:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def parse_size(size: str) -> int:
    """Bytes in a Neo4j memory setting such as `512m` or `1g`."""
    units = {"m": 1024**2, "g": 1024**3}
    return int(size[:-1]) * units[size[-1].lower()]


def parse_admin_size(size: str) -> int:
    """Bytes in a size neo4j-admin prints, such as `6400k`, `8000m`, `2g` or `1.5g`."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([kmgt]?)", size.strip().lower())
    if match is None:
        raise MemoryRecommendationError(f"neo4j-admin printed a size Silsila cannot read: {size!r}")
    power = " kmgt".index(match.group(2) or " ")
    return math.ceil(float(match.group(1)) * (1 << (10 * power)))


def parse_recommendation(output: str) -> Recommendation:
    """The heap, page cache and store size in neo4j-admin's memory recommendation."""
    found: dict[str, int] = {}
    patterns = {
        "heap": r"^server\.memory\.heap\.max_size=(\S+)$",
        "pagecache": r"^server\.memory\.pagecache\.size=(\S+)$",
        "store": r"^# Total size of data and native indexes in all databases: (\S+)$",
    }
    for name, pattern in patterns.items():
        match = re.search(pattern, output, re.MULTILINE)
        if match is None:
            raise MemoryRecommendationError(
                f"neo4j-admin's memory recommendation has no {name} line:\n{output[-2000:]}"
            )
        found[name] = parse_admin_size(match.group(1))
    return Recommendation(found["heap"], found["pagecache"], found["store"])


def page_cache_for(store_bytes: int, recommended_bytes: int) -> int:
    """Neo4j's recommended page cache, cut to the store and its growth (at least the floor):
    a page cache larger than the store only holds memory others could use."""
    wanted = max(PAGECACHE_FLOOR_BYTES, math.ceil(store_bytes * PAGECACHE_GROWTH))
    return min(recommended_bytes, wanted)


def mebibytes(size_bytes: int) -> str:
    """A Neo4j memory setting for SIZE_BYTES, rounded up to whole MiB (`512m`)."""
    return f"{-(-size_bytes // MIB)}m"


def memory_guards(heap: str) -> dict[str, str]:
    """Neo4j's transaction memory caps for a heap of `heap` (`512m` gives 128m and 256m)."""
    mib = parse_size(heap) // 1024**2
    return {
        "db.memory.transaction.max": f"{mib // TRANSACTION_HEAP_SHARE}m",
        "dbms.memory.transaction.total.max": f"{mib // ALL_TRANSACTIONS_HEAP_SHARE}m",
    }


class LocalNeo4j:
    """One Neo4j server whose files live in SETTINGS.state_dir/neo4j."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.home = (settings.state_dir / "neo4j").resolve()
        self.version = neo4j_version()
        self.lib_dir = (settings.neo4j_dist_dir / f"neo4j-{self.version}" / "lib").resolve()

    @property
    def conf_dir(self) -> Path:
        return self.home / "conf"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    # ----- status -------------------------------------------------------------

    def process(self) -> psutil.Process | None:
        """The running server of this home folder, found by its command line."""
        marker = f"--home-dir={self.home}"
        for proc in psutil.process_iter(["cmdline"]):
            cmdline = proc.info.get("cmdline") or []
            if marker in cmdline and ENTRY_POINT in cmdline:
                return proc
        return None

    def status(self, store_bytes: int | None = None) -> RuntimeStatus:
        """Whether the server runs, with its version, port, folders and memory; STORE_BYTES
        when the caller measured the store already."""
        proc = self.process()
        server_version = None
        rss = None
        heap = None
        if proc is not None:
            rss = _rss(proc)
            heap = _heap_of(proc)
            try:
                server_version = store.server_version(self.settings)
            except GraphUnavailableError:
                server_version = None
        return RuntimeStatus(
            running=proc is not None,
            version=self.version,
            bolt_uri=self.settings.bolt_uri,
            port=self.settings.neo4j_bolt_port,
            data_dir=self.data_dir,
            logs_dir=self.logs_dir,
            pid=proc.pid if proc is not None else None,
            rss_bytes=rss,
            server_version=server_version,
            heap=heap,
            pagecache=self._configured_pagecache(),
            store_bytes=self.store_size() if store_bytes is None else store_bytes,
        )

    def _configured_pagecache(self) -> str | None:
        """The page cache the last start wrote into neo4j.conf (what the server runs with)."""
        conf = self.conf_dir / "neo4j.conf"
        if not conf.is_file():
            return None
        match = re.search(
            r"^server\.memory\.pagecache\.size=(\S+)$", conf.read_text("utf-8"), re.MULTILINE
        )
        return match.group(1) if match else None

    def store_size(self) -> int | None:
        """The store's data and native indexes in bytes, by neo4j-admin; None before the first
        start, when Java or the jars are missing, or when it fails (status says what it can)."""
        java = shutil.which(self.settings.java)
        fetched = (self.lib_dir / ".complete").is_file()
        if java is None or not fetched or not self.data_dir.is_dir():
            return None
        try:
            return self.recommend(java, psutil.virtual_memory().total).store_bytes
        except (MemoryRecommendationError, OSError, subprocess.TimeoutExpired):
            return None

    # ----- start --------------------------------------------------------------

    def start(self) -> RuntimeStatus:
        """Start the server if it is not running, and wait until Bolt answers."""
        proc = self.process()
        store_bytes = None
        if proc is None:
            java = self.check_java()
            self.check_port()
            plan = self.memory_plan(java)
            self.check_memory(plan)
            self.fetch()
            self._write_conf(plan)
            self._ensure_credentials(java)
            proc = self._launch(java, plan)
            store_bytes = plan.store_bytes
        self._wait_for_bolt(proc)
        return self.status(store_bytes)

    def memory_plan(self, java: str) -> MemoryPlan:
        """Heap and page cache: the settings' where they name them, else neo4j-admin's
        recommendation for the memory Neo4j may take, the page cache cut to the store."""
        heap, pagecache = self.settings.neo4j_heap, self.settings.neo4j_pagecache
        if heap is not None and pagecache is not None:
            return MemoryPlan(heap, pagecache)
        memory = self.settings.neo4j_memory
        budget = parse_size(memory) if memory else psutil.virtual_memory().available
        advice = self.recommend(java, budget)
        return MemoryPlan(
            heap=heap or mebibytes(advice.heap_bytes),
            pagecache=pagecache
            or mebibytes(page_cache_for(advice.store_bytes, advice.pagecache_bytes)),
            store_bytes=advice.store_bytes,
        )

    def recommend(self, java: str, memory_bytes: int) -> Recommendation:
        """Neo4j's own advice for MEMORY_BYTES and this home's store (no server needed)."""
        self.fetch()
        # neo4j-admin reads only where the data is; a config of its own leaves neo4j.conf to
        # the start that writes it.
        sizing = self.home / "run" / "sizing"
        for folder in (self.home, sizing.parent, sizing):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        (sizing / "neo4j.conf").write_text(
            f"server.directories.data={self.data_dir}\n", encoding="utf-8"
        )
        result = subprocess.run(
            [
                java,
                "-cp",
                f"{self.lib_dir}/*",
                ADMIN_TOOL,
                *MEMORY_RECOMMENDATION,
                f"--memory={max(1, memory_bytes // MIB)}m",
            ],
            env={**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(sizing)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise MemoryRecommendationError(
                f"neo4j-admin server memory-recommendation failed: {result.stderr[-2000:]}"
                " Set SILSILA_NEO4J_HEAP and SILSILA_NEO4J_PAGECACHE to skip it."
            )
        return parse_recommendation(result.stdout)

    def check_java(self) -> str:
        """The java executable, if it is a version Neo4j 5.26 runs on."""
        java = shutil.which(self.settings.java)
        if java is None:
            raise JavaMissingError(
                f"No Java found (looked for {self.settings.java!r}). Install Java 17, "
                "e.g. `apt-get install openjdk-17-jre-headless`, or set SILSILA_JAVA."
            )
        result = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
        major = parse_java_major(result.stderr + result.stdout)
        if major not in SUPPORTED_JAVA:
            raise JavaVersionError(
                f"{java} is Java {major or 'of unknown version'}; Neo4j {self.version} needs "
                f"Java {' or '.join(map(str, SUPPORTED_JAVA))}. Install Java 17 or point "
                "SILSILA_JAVA at one."
            )
        return java

    def check_port(self) -> None:
        """Fail early when something else listens on the Bolt port."""
        port = self.settings.neo4j_bolt_port
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            # SO_REUSEADDR, as Neo4j itself binds: only a listener, not TIME_WAIT, blocks it.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError as e:
                if e.errno != errno.EADDRINUSE:
                    raise
                raise PortTakenError(
                    f"Port {port} on 127.0.0.1 is taken by another process. Stop it, or "
                    "choose another port with SILSILA_NEO4J_BOLT_PORT."
                ) from e

    def check_memory(self, plan: MemoryPlan) -> None:
        """Fail early when the heap and page cache do not fit in free memory."""
        need = parse_size(plan.heap) + parse_size(plan.pagecache) + JVM_OVERHEAD_BYTES
        available = psutil.virtual_memory().available
        if available < need:
            raise NotEnoughMemoryError(
                f"Neo4j needs about {need // MIB} MiB (heap {plan.heap}, page cache "
                f"{plan.pagecache}) but only {available // MIB} MiB is free. Free memory, or "
                "lower SILSILA_NEO4J_HEAP and SILSILA_NEO4J_PAGECACHE (or SILSILA_NEO4J_MEMORY, "
                "which sizes both)."
            )

    def fetch(self) -> None:
        """Copy Neo4j's jars from Maven Central into the dist folder, once."""
        if (self.lib_dir / ".complete").is_file():
            return
        mvn = shutil.which(self.settings.mvn)
        if mvn is None:
            raise MavenMissingError(
                f"Neo4j {self.version} is not fetched yet and no Maven was found (looked for "
                f"{self.settings.mvn!r}). Install Maven (`apt-get install maven`) or set "
                "SILSILA_MVN."
            )
        partial = self.lib_dir.with_name("lib.partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.parent.mkdir(parents=True, exist_ok=True)
        log = partial.parent / "fetch.log"
        command = [mvn, "-B", "-f", str(POM), "dependency:copy-dependencies"]
        with log.open("w", encoding="utf-8") as out:
            result = subprocess.run(
                [*command, f"-DoutputDirectory={partial}"], stdout=out, stderr=subprocess.STDOUT
            )
        if result.returncode != 0:
            tail = "\n".join(log.read_text(encoding="utf-8").splitlines()[-15:])
            raise FetchError(
                f"Maven could not fetch Neo4j {self.version} (see {log}). Check that Maven "
                f"Central is reachable.\n{tail}"
            )
        (partial / ".complete").write_text(self.version, encoding="utf-8")
        shutil.rmtree(self.lib_dir, ignore_errors=True)
        partial.rename(self.lib_dir)

    def _write_conf(self, plan: MemoryPlan) -> None:
        """Write neo4j.conf: loopback only, no HTTP, no query log."""
        self.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        for folder in (self.conf_dir, self.data_dir, self.logs_dir):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        port = self.settings.neo4j_bolt_port
        lines = [
            "server.default_listen_address=127.0.0.1",
            f"server.bolt.listen_address=127.0.0.1:{port}",
            f"server.bolt.advertised_address=127.0.0.1:{port}",
            "server.http.enabled=false",
            "server.https.enabled=false",
            "dbms.security.auth_enabled=true",
            f"server.directories.data={self.data_dir}",
            f"server.directories.logs={self.logs_dir}",
            f"server.directories.run={self.home / 'run'}",
            f"server.directories.import={self.home / 'import'}",
            f"server.memory.pagecache.size={plan.pagecache}",
            # The query log would write parameters, and parameters can hold restricted names.
            "db.logs.query.enabled=OFF",
            # No transaction (an investigator's POST /cypher included), nor all of them, may
            # take the heap: past a cap Neo4j stops the transaction, not the server.
            *(f"{name}={size}" for name, size in memory_guards(plan.heap).items()),
            "dbms.usage_report.enabled=false",
            "db.tx_log.rotation.retention_policy=2 files",
            # Bolt waits 5 s for idle connections and 5 s for its threads after the databases
            # have already closed every transaction: a stop (and a --bulk import's restart)
            # would spend 10 s waiting on nothing.
            *(f"{name}={BOLT_SHUTDOWN_WAIT}" for name in BOLT_SHUTDOWN_SETTINGS),
        ]
        (self.conf_dir / "neo4j.conf").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def _ensure_credentials(self, java: str) -> None:
        """Give a new data folder a generated password, recorded in a 0600 file."""
        connection = self.settings.connection_file
        if (self.data_dir / "dbms" / "auth.ini").is_file():
            if not connection.is_file() and self.settings.neo4j_password is None:
                raise CredentialsLostError(
                    f"{self.data_dir} has a password but {connection} is gone. Restore it, set "
                    f"SILSILA_NEO4J_PASSWORD, or delete {self.data_dir} to start an empty graph."
                )
            return
        secret = self.settings.neo4j_password
        password = secret.get_secret_value() if secret is not None else secrets.token_urlsafe(24)
        _write_private(
            connection,
            json.dumps(
                {
                    "neo4j_user": "neo4j",
                    "neo4j_password": password,
                    "neo4j_bolt_port": self.settings.neo4j_bolt_port,
                },
                indent=2,
            ),
        )
        # picocli reads `@file` arguments, so the password never shows in a process list; `--`
        # ends the options, so a password starting with "-" is not read as one.
        argfile = self.home / "run" / "initial-password.arg"
        _write_private(argfile, "--\n" + password + "\n")
        try:
            result = subprocess.run(
                [java, "-cp", f"{self.lib_dir}/*", ADMIN_TOOL, *SET_PASSWORD, f"@{argfile}"],
                env=self._env(),
                capture_output=True,
                text=True,
                timeout=120,
            )
        finally:
            argfile.unlink(missing_ok=True)
        if result.returncode != 0:
            raise ServerExitedError(f"neo4j-admin could not set the password: {result.stderr}")
        self.settings.neo4j_password = SecretStr(password)

    def _env(self) -> dict[str, str]:
        return {**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.conf_dir)}

    def _launch(self, java: str, plan: MemoryPlan) -> psutil.Process:
        """Start the server detached from this process, its console going to a log file."""
        heap = plan.heap
        command = [
            java,
            f"-Xms{heap}",
            f"-Xmx{heap}",
            *JVM_OPTIONS,
            *self.settings.neo4j_jvm_options.split(),
            "-cp",
            f"{self.lib_dir}/*",
            ENTRY_POINT,
            f"--home-dir={self.home}",
            f"--config-dir={self.conf_dir}",
        ]
        with (self.logs_dir / "console.log").open("ab") as console:
            popen = subprocess.Popen(
                command,
                env=self._env(),
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                cwd=self.home,
            )
        return psutil.Process(popen.pid)

    def _wait_for_bolt(self, proc: psutil.Process) -> None:
        """Poll Bolt until it answers, the process dies, or the timeout passes."""
        deadline = time.monotonic() + self.settings.neo4j_start_timeout
        while time.monotonic() < deadline:
            if not _alive(proc):
                raise ServerExitedError(
                    f"Neo4j exited while starting. Its last words:\n{self._log_tail()}"
                )
            try:
                store.server_version(self.settings)
            except (GraphUnavailableError, QueryError):
                # QueryError: Bolt answers but the database is still coming online.
                time.sleep(0.5)
                continue
            return
        self.stop()
        raise StartTimeoutError(
            f"Neo4j did not answer on {self.settings.bolt_uri} within "
            f"{self.settings.neo4j_start_timeout:.0f}s; it was stopped. Raise "
            f"SILSILA_NEO4J_START_TIMEOUT or read {self.logs_dir}.\n{self._log_tail()}"
        )

    def _log_tail(self, lines: int = 20) -> str:
        chunks = []
        for name in ("console.log", "neo4j.log"):
            path = self.logs_dir / name
            if path.is_file():
                text = path.read_text(encoding="utf-8", errors="replace").splitlines()
                chunks.append(f"--- {path}\n" + "\n".join(text[-lines:]))
        return "\n".join(chunks)

    # ----- stop ---------------------------------------------------------------

    def stop(self) -> bool:
        """Stop the server and wait until its JVM is gone; False if none was running."""
        proc = self.process()
        if proc is None:
            return False
        proc.terminate()
        try:
            proc.wait(timeout=STOP_TIMEOUT_SECONDS)
        except psutil.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=STOP_TIMEOUT_SECONDS)
        return True

    # ----- bulk import ----------------------------------------------------------

    def import_full(self, arguments: Sequence[str], work_dir: Path) -> str:
        """Run `neo4j-admin database import full ARGUMENTS` into the configured database, which
        it replaces; the server must be stopped. Returns what neo4j-admin printed. On failure the
        half-written store is removed, so the next start creates the database empty."""
        java = self.check_java()
        self.fetch()
        database = self.settings.neo4j_database
        command = [java, "-cp", f"{self.lib_dir}/*", ADMIN_TOOL, *IMPORT_FULL]
        report = work_dir / "import.report"
        options = [
            "--overwrite-destination=true",
            f"--report-file={report}",
            "--verbose",  # the cause of a failure, not only that it failed
            *arguments,
        ]
        # picocli reads `@file` arguments: thousands of file names never make a command too long
        argfile = work_dir / "import.args"
        argfile.write_text("\n".join([*options, database]) + "\n", encoding="utf-8")
        result = subprocess.run(
            [*command, f"@{argfile}"], env=self._env(), capture_output=True, text=True, cwd=work_dir
        )
        if result.returncode != 0:
            self.remove_database(database)
            raise AdminImportError(
                f"neo4j-admin database import full failed: {_admin_cause(result)} The database "
                f"was left empty (its report: {report})."
            )
        return result.stdout

    def remove_database(self, database: str) -> None:
        """Delete DATABASE's store and transaction logs (the server stopped): the next start
        creates it empty."""
        for folder in ("databases", "transactions"):
            shutil.rmtree(self.data_dir / folder / database, ignore_errors=True)


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _admin_cause(result: subprocess.CompletedProcess[str]) -> str:
    """The innermost cause neo4j-admin's verbose output gives, else its last line."""
    output = result.stderr + result.stdout
    causes = re.findall(r"^Caused by: (?:[\w.$]+: )*(.+)$", output, re.MULTILINE)
    lines = [line for line in output.splitlines() if line.strip()]
    return (causes[-1] if causes else lines[-1] if lines else "no output").strip()


def _heap_of(proc: psutil.Process) -> str | None:
    """The heap the server was launched with (its -Xmx)."""
    try:
        cmdline = proc.cmdline()
    except psutil.Error:
        return None
    return next((arg[len("-Xmx") :] for arg in cmdline if arg.startswith("-Xmx")), None)


def _rss(proc: psutil.Process) -> int | None:
    try:
        return int(proc.memory_info().rss)
    except psutil.Error:
        return None


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read, in a folder only its owner can enter."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(path, 0o600)
