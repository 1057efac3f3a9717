"""Silsila's one settings class: environment, `.env`, then the local runtime's connection file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

CONNECTION_FILE = "connection.json"


class Settings(BaseSettings):
    """Where Neo4j is, how to reach it, where the API listens, and where files live."""

    model_config = SettingsConfigDict(
        env_prefix="SILSILA_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    state_dir: Path = Field(
        default=Path(".silsila"), description="Git-ignored folder for Neo4j data, logs, secrets."
    )
    data_dir: Path = Field(default=Path("data/default"), description="The default dataset.")
    dist_dir: Path | None = Field(
        default=None, description="Where fetched Neo4j jars live; default STATE_DIR/dist."
    )
    neo4j_uri: str | None = Field(default=None, description="Bolt URI; default the local one.")
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr | None = None
    neo4j_database: str = "neo4j"
    neo4j_bolt_port: int = Field(default=7687, ge=1, le=65535)
    # Unset, `silsila db start` sizes them with neo4j-admin's memory recommendation.
    neo4j_heap: str | None = Field(default=None, pattern=r"^\d+[mg]$", description="JVM heap.")
    neo4j_pagecache: str | None = Field(
        default=None, pattern=r"^\d+[mg]$", description="Page cache; default sized to the store."
    )
    neo4j_memory: str | None = Field(
        default=None,
        pattern=r"^\d+[mg]$",
        description="Memory Neo4j may take, to size heap and page cache; default what is free.",
    )
    neo4j_start_timeout: float = Field(default=120.0, gt=0)
    neo4j_jvm_options: str = Field(
        default="",
        description="More JVM options for the local server, space-separated (after Neo4j's own).",
    )
    java: str = Field(default="java", description="The java executable (name or path).")
    mvn: str = Field(default="mvn", description="The Maven executable (name or path).")
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Let the runtime's connection file fill what the environment leaves unset."""
        return (
            init_settings,
            env_settings,
            dotenv_settings,
            _ConnectionFileSource(settings_cls, init_settings, env_settings, dotenv_settings),
        )

    @property
    def connection_file(self) -> Path:
        """The 0600 file where `silsila db start` records how to connect."""
        return self.state_dir / CONNECTION_FILE

    @property
    def neo4j_dist_dir(self) -> Path:
        """Where the fetched Neo4j jars live (shared by every instance folder)."""
        return self.dist_dir if self.dist_dir is not None else self.state_dir / "dist"

    @property
    def bolt_uri(self) -> str:
        """The Bolt URI to connect to."""
        return self.neo4j_uri or f"bolt://127.0.0.1:{self.neo4j_bolt_port}"

    @property
    def api_url(self) -> str:
        """The URL the API serves on."""
        return f"http://{self.api_host}:{self.api_port}"


class _ConnectionFileSource(PydanticBaseSettingsSource):
    """Reads STATE_DIR/connection.json, written by the local runtime, as the lowest source."""

    def __init__(self, settings_cls: type[BaseSettings], *earlier: PydanticBaseSettingsSource):
        super().__init__(settings_cls)
        self._earlier = earlier

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        """Unused: values come from __call__ all at once."""
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        state_dir = Path(".silsila")
        for source in self._earlier:
            value = source().get("state_dir")
            if value is not None:
                state_dir = Path(value)
                break
        path = state_dir / CONNECTION_FILE
        if not path.is_file():
            return {}
        recorded = json.loads(path.read_text(encoding="utf-8"))
        keys = ("neo4j_password", "neo4j_user", "neo4j_bolt_port")
        return {key: recorded[key] for key in keys if key in recorded}
