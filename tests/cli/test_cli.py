"""The `silsila` command: help, and `serve` answering on a real port."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx

from graph.db.settings import Settings
from tests.conftest import cli_env, free_port


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )


def test_help_lists_the_subcommands() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("db", "load", "serve", "ontology"):
        assert command in result.stdout
    db_help = run_cli("db", "--help").stdout
    for command in ("start", "stop", "status"):
        assert command in db_help


def test_serve_prints_its_url_and_answers_health(settings: Settings) -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port)],
        env=cli_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        response = None
        for _ in range(60):
            try:
                response = httpx.get(f"{url}/health", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        assert response is not None, "the API never answered"
        assert response.status_code == 200
        assert response.json()["neo4j"]["version"].startswith("5.26.")
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert f"Silsila API on {url}" in output
