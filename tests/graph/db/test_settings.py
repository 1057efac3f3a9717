"""Settings come from the environment, `.env`, then the runtime's connection file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.db.settings import Settings


def test_connection_file_supplies_the_password(tmp_path: Path) -> None:
    (tmp_path / "connection.json").write_text(
        json.dumps({"neo4j_password": "from-file", "neo4j_bolt_port": 7777})
    )
    settings = Settings(_env_file=None, state_dir=tmp_path)
    assert settings.neo4j_password is not None
    assert settings.neo4j_password.get_secret_value() == "from-file"
    assert settings.bolt_uri == "bolt://127.0.0.1:7777"
    assert "from-file" not in repr(settings)


def test_environment_overrides_the_connection_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "connection.json").write_text(json.dumps({"neo4j_password": "from-file"}))
    monkeypatch.setenv("SILSILA_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("SILSILA_NEO4J_PASSWORD", "from-env")
    monkeypatch.setenv("SILSILA_API_PORT", "8123")
    settings = Settings(_env_file=None)
    assert settings.neo4j_password is not None
    assert settings.neo4j_password.get_secret_value() == "from-env"
    assert settings.api_url == "http://127.0.0.1:8123"


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("SILSILA_NEO4J_URI=bolt://127.0.0.1:9999\nSILSILA_NEO4J_DATABASE=other\n")
    settings = Settings(_env_file=env_file, state_dir=tmp_path)
    assert settings.bolt_uri == "bolt://127.0.0.1:9999"
    assert settings.neo4j_database == "other"


def test_bad_values_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="neo4j_heap"):
        Settings(_env_file=None, state_dir=tmp_path, neo4j_heap="lots")
