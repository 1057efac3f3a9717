"""The `silsila` command: help, and `serve` answering on a real port."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from graph.db.runtime import RuntimeStatus
from graph.db.settings import Settings
from tests.conftest import cli_env, free_port, silsila


def run_cli(*args: str, state_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin"}
    if state_dir is not None:
        env["SILSILA_STATE_DIR"] = str(state_dir)
    return silsila(*args, env=env)


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
        # Ids and searches can carry a witness's alias: the log names routes, not paths.
        httpx.get(f"{url}/entities/statement:observer-abu-amin-80-qoqfin", timeout=30)
        httpx.get(f"{url}/search", params={"q": "Abu Amin"}, timeout=30)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert f"Silsila API on {url}" in output
    assert "GET /health 200" in output
    assert "GET /entities/{entity_id} 404" in output
    assert "GET /search " in output  # (whatever it found: the graph may be empty here)
    assert "abu" not in output.lower()


@pytest.mark.parametrize(
    ("args", "damaged", "message"),
    [
        (  # an API error (ApiError)
            ("token", "revoke", "tok_nope"),
            False,
            "error: No token has the id 'tok_nope'; see `silsila token list`.",
        ),
        (("token", "list"), True, "is not a token file Silsila wrote"),  # ApiError
        (("load", "no/such/records.jsonl"), False, "no/such/records.jsonl"),  # LoaderError
    ],
)
def test_known_errors_print_one_line_and_exit_1(
    tmp_path: Path, args: tuple[str, ...], damaged: bool, message: str
) -> None:
    if damaged:
        (tmp_path / "tokens.json").write_text("[not json", encoding="utf-8")
    result = run_cli(*args, state_dir=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_the_command_starts_without_importing_pandas() -> None:
    # The driver would import it (half a second of every start); notebooks need it, the CLI not.
    probe = (
        "import sys\n"
        "from cli.__main__ import main\n"
        "sys.argv = ['silsila', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('neo4j' in sys.modules, any(n.startswith('pandas.') for n in sys.modules))\n"
    )
    started = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert started.stdout.splitlines()[-1] == "True False"


def test_db_status_shows_the_store_against_the_page_cache(settings: Settings) -> None:
    result = silsila("db", "status", env=cli_env(settings), check=True)
    # The session's server runs with the tests' explicit 512 MiB heap and 128 MiB page cache.
    assert "heap:   512m" in result.stdout
    match = re.search(
        r"store:\s+([\d.]+) MiB of data and native indexes, page cache 128 MiB", result.stdout
    )
    assert match, result.stdout
    databases = settings.state_dir / "neo4j" / "data" / "databases"
    on_disk = sum(f.stat().st_size for f in databases.rglob("*") if f.is_file())
    assert 0 < float(match.group(1)) * 1024**2 <= on_disk * 1.01
    assert "no longer fits" not in result.stdout


def test_db_status_says_when_the_store_outgrew_the_page_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.main import _describe

    grown = RuntimeStatus(
        running=False,
        version="5.26.30",
        bolt_uri="bolt://127.0.0.1:7687",
        port=7687,
        data_dir=tmp_path,
        logs_dir=tmp_path,
        pagecache="128m",
        store_bytes=300 * 1024**2,
    )
    _describe(grown)
    printed = capsys.readouterr().out
    assert "store:  300.0 MiB of data and native indexes, page cache 128 MiB" in printed
    assert "no longer fits in the page cache" in printed
    _describe(replace(grown, store_bytes=100 * 1024**2))
    assert "no longer fits" not in capsys.readouterr().out
