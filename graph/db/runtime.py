"""The local Neo4j: fetched from Maven Central, started from its own entry point, on 127.0.0.1."""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import psutil
from pydantic import SecretStr

from graph.db import store
from graph.db.settings import Settings
from graph.errors import (
    CredentialsLostError,
    FetchError,
    GraphUnavailableError,
    JavaMissingError,
    JavaVersionError,
    MavenMissingError,
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
STOP_TIMEOUT_SECONDS = 60.0
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

    def status(self) -> RuntimeStatus:
        """Whether the server runs, with its version, port, folders and memory."""
        proc = self.process()
        server_version = None
        rss = None
        if proc is not None:
            rss = _rss(proc)
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
        )

    # ----- start --------------------------------------------------------------

    def start(self) -> RuntimeStatus:
        """Start the server if it is not running, and wait until Bolt answers."""
        proc = self.process()
        if proc is None:
            java = self.check_java()
            self.check_port()
            self.check_memory()
            self.fetch()
            self._write_conf()
            self._ensure_credentials(java)
            proc = self._launch(java)
        self._wait_for_bolt(proc)
        return self.status()

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

    def check_memory(self) -> None:
        """Fail early when the heap and page cache do not fit in free memory."""
        need = (
            parse_size(self.settings.neo4j_heap)
            + parse_size(self.settings.neo4j_pagecache)
            + JVM_OVERHEAD_BYTES
        )
        available = psutil.virtual_memory().available
        if available < need:
            raise NotEnoughMemoryError(
                f"Neo4j needs about {need // 1024**2} MiB (heap {self.settings.neo4j_heap}, "
                f"page cache {self.settings.neo4j_pagecache}) but only "
                f"{available // 1024**2} MiB is free. Free memory, or lower "
                "SILSILA_NEO4J_HEAP and SILSILA_NEO4J_PAGECACHE."
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

    def _write_conf(self) -> None:
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
            f"server.memory.pagecache.size={self.settings.neo4j_pagecache}",
            # The query log would write parameters, and parameters can hold restricted names.
            "db.logs.query.enabled=OFF",
            # No transaction (an investigator's POST /cypher included), nor all of them, may
            # take the heap: past a cap Neo4j stops the transaction, not the server.
            *(f"{name}={size}" for name, size in memory_guards(self.settings.neo4j_heap).items()),
            "dbms.usage_report.enabled=false",
            "db.tx_log.rotation.retention_policy=2 files",
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

    def _launch(self, java: str) -> psutil.Process:
        """Start the server detached from this process, its console going to a log file."""
        heap = self.settings.neo4j_heap
        command = [
            java,
            f"-Xms{heap}",
            f"-Xmx{heap}",
            *JVM_OPTIONS,
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


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


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
