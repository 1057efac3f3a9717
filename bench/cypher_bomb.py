"""POST /cypher under memory bombs: the resident memory of the API and of Neo4j, per statement.

`python bench/cypher_bomb.py [--app-dir DIR] [--only NAME ...]` runs each bomb below once
against the running local Neo4j (`silsila db start`; `silsila load` for a loaded graph). For each
one it starts a fresh API (`uvicorn api.app:create_app` from DIR, default this checkout) with its
own state folder and an investigator token, so one bomb's leftovers do not inflate the next,
sends the statement, samples both processes' resident memory every 50 ms, and prints the
answer's status, size and time, each process's memory before and at its peak, and how long
until Neo4j answers again. `--app-dir` runs the same bombs against another checkout, such as the
code before a change (`git archive <commit> | tar -x -C DIR`). The bombs in DAMAGING run only
when named with --only.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from api.security import Role, TokenStore, tokens_path
from graph.db import store
from graph.db.runtime import LocalNeo4j
from graph.db.settings import Settings
from graph.errors import GraphError

REPO = Path(__file__).resolve().parent.parent
SAMPLE_SECONDS = 0.05
PAD = "x" * 66
BOMBS = {
    # Two million short rows: the row cap's case.
    "many-rows": f"UNWIND range(1, 2000000) AS i RETURN i, '{PAD}' AS pad",
    # A thousand rows of 512 KiB each: 512 MiB under the row cap.
    "big-rows": (
        "UNWIND range(1, 1000) AS i RETURN i, reduce(s = 'x', j IN range(1, 19) | s + s) AS s"
    ),
    # One 64 MiB value in one row.
    "one-big-value": "RETURN reduce(s = 'x', i IN range(1, 26) | s + s) AS s",
    # A string doubled 40 times (a terabyte): more than any heap.
    "string-doubling": "RETURN reduce(s = 'x', i IN range(1, 40) | s + s) AS s",
    # collect() of 100 million integers: the per-transaction memory cap's case.
    "huge-collect": "UNWIND range(1, 100000000) AS i RETURN collect(i) AS c",
    # A list of 50 million integers built inside one expression, which Neo4j does not track.
    "big-list": "RETURN size([i IN range(1, 50000000) | i]) AS n",
}
# Run only when asked for (--only): Neo4j can be left refusing some connections until restarted.
DAMAGING = frozenset({"big-list"})


@dataclass(frozen=True)
class Outcome:
    """One bomb's answer and the memory it cost."""

    name: str
    status: int | str
    answer_bytes: int
    seconds: float
    api_before: int
    api_peak: int
    neo4j_before: int
    neo4j_peak: int
    neo4j_back_s: float | None
    summary: str

    def report(self) -> str:
        mib = 1024**2
        back = "never" if self.neo4j_back_s is None else f"{self.neo4j_back_s:.1f} s"
        return (
            f"{self.name:16} {self.status!s:>7} {self.answer_bytes / mib:9.1f} MiB "
            f"{self.seconds:6.1f} s | API {self.api_before / mib:5.0f} -> "
            f"{self.api_peak / mib:5.0f} MiB | Neo4j {self.neo4j_before / mib:5.0f} -> "
            f"{self.neo4j_peak / mib:5.0f} MiB | Neo4j answers again after {back} | "
            f"{self.summary}"
        )


class Sampler:
    """The peak resident memory of a process, sampled on a thread until stopped."""

    def __init__(self, process: psutil.Process) -> None:
        self.process = process
        self.peak = rss(process)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self.peak = max(self.peak, rss(self.process))


def rss(process: psutil.Process) -> int:
    try:
        return int(process.memory_info().rss)
    except psutil.Error:
        return 0


def api_env(settings: Settings, state_dir: Path) -> dict[str, str]:
    """The API's environment: the same Neo4j, its own state folder (tokens, audit log)."""
    if settings.neo4j_password is None:
        raise SystemExit("No Neo4j password known: `silsila db start` first.")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SILSILA_")}
    env.update(
        SILSILA_STATE_DIR=str(state_dir),
        SILSILA_NEO4J_URI=settings.bolt_uri,
        SILSILA_NEO4J_USER=settings.neo4j_user,
        SILSILA_NEO4J_PASSWORD=settings.neo4j_password.get_secret_value(),
        SILSILA_NEO4J_DATABASE=settings.neo4j_database,
    )
    return env


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_api(app_dir: Path, env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--app-dir",
        str(app_dir),
        "--factory",
        "api.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603
            command,
            env=env | {"PYTHONPATH": str(app_dir)},
            cwd=app_dir,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"The API exited at start; see {log}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=2).raise_for_status()
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"The API did not answer within 60 s; see {log}")


def stop_api(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def seconds_until_neo4j_answers(settings: Settings, give_up_s: float = 600) -> float | None:
    """How long after the bomb's answer Neo4j answers a query again; None if not within
    `give_up_s`."""
    began = time.perf_counter()
    while time.perf_counter() - began < give_up_s:
        try:
            store.server_version(settings)
        except GraphError:
            time.sleep(1)
            continue
        return time.perf_counter() - began
    return None


def summarise(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:120]
    if "rows" in body:
        extra = f", truncated_by={body['truncated_by']}" if "truncated_by" in body else ""
        return f"{len(body['rows'])} rows, truncated={body['truncated']}{extra}"
    return str(body.get("error", body))[:160]


def run_bomb(
    name: str,
    statement: str,
    settings: Settings,
    neo4j: psutil.Process,
    start: Callable[[], tuple[subprocess.Popen[bytes], str, str]],
) -> Outcome:
    """Send one bomb to a fresh API; Neo4j is sampled until it answers again."""
    api, url, token = start()
    try:
        api_process = psutil.Process(api.pid)
        api_before, neo4j_before = rss(api_process), rss(neo4j)
        with Sampler(neo4j) as neo4j_peak:
            began = time.perf_counter()
            with Sampler(api_process) as api_peak:
                status, size, summary = send(url, token, statement)
            seconds = time.perf_counter() - began
            back_s = seconds_until_neo4j_answers(settings)
    finally:
        stop_api(api)
    return Outcome(
        name,
        status,
        size,
        seconds,
        api_before,
        api_peak.peak,
        neo4j_before,
        neo4j_peak.peak,
        back_s,
        summary,
    )


def send(url: str, token: str, statement: str) -> tuple[int | str, int, str]:
    """POST the statement: the status (or the client's error), the answer's bytes, a summary."""
    try:
        response = httpx.post(
            f"{url}/cypher",
            json={"statement": statement, "parameters": {}},
            headers={"Authorization": f"Bearer {token}"},
            timeout=600,
        )
    except httpx.HTTPError as e:
        return type(e).__name__, 0, str(e)[:120]
    return response.status_code, len(response.content), summarise(response)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-dir", type=Path, default=REPO, help="the checkout to serve")
    parser.add_argument("--only", nargs="*", choices=sorted(BOMBS), help="run only these bombs")
    args = parser.parse_args()
    settings = Settings()
    neo4j = LocalNeo4j(settings).process()
    if neo4j is None:
        raise SystemExit("Neo4j is not running: `silsila db start` first.")
    app_dir = args.app_dir.resolve()
    print(f"API from {app_dir}; Neo4j pid {neo4j.pid} on {settings.bolt_uri}")
    with tempfile.TemporaryDirectory(prefix="silsila-bomb-") as folder:
        state_dir = Path(folder) / "state"
        own = settings.model_copy(update={"state_dir": state_dir})
        _, token = TokenStore(tokens_path(own)).create(Role.investigator)
        env = api_env(settings, state_dir)
        log = Path(folder) / "api.log"

        def start() -> tuple[subprocess.Popen[bytes], str, str]:
            port = free_port()
            return start_api(app_dir, env, port, log), f"http://127.0.0.1:{port}", token

        for name in args.only or [n for n in BOMBS if n not in DAMAGING]:
            print(run_bomb(name, BOMBS[name], settings, neo4j, start).report(), flush=True)


if __name__ == "__main__":
    main()
