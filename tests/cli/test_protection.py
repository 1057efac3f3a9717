"""Protection is sticky: a reload that omits `restricted` keeps a witness hidden; only an
explicit `--unrestrict ID` lifts it, and the audit log records that by a digest of the id."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from neo4j import Driver

from api.audit import AUDIT_FILE
from cli.protection import id_digest
from graph.db.settings import Settings
from loaders import pipeline
from loaders.records import read_paths
from ontology.model import load as load_ontology
from tests.conftest import DEFAULT_DATA, cli_env, default_records, silsila

WITNESS = "person:observer-abu-amin-80"


def restricted(driver: Driver) -> bool | None:
    records = driver.execute_query(
        "MATCH (p:Person {id: $id}) RETURN p.restricted AS restricted", id=WITNESS
    ).records
    return records[0]["restricted"]


def unflagged_witness(folder: Path) -> Path:
    """The witness's own record as a file, with its `restricted` flag left out."""
    line = next(
        line
        for file in sorted(DEFAULT_DATA.glob("*.jsonl"))
        for line in file.read_text(encoding="utf-8").splitlines()
        if f'"id": "{WITNESS}"' in line and '"type": "Person"' in line
    )
    record = json.loads(line)
    assert record.pop("restricted") is True
    path = folder / "witness.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    return path


def test_a_reload_without_the_flag_keeps_the_witness_restricted(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    pipeline.load(settings, load_ontology(), default_records())
    reload = read_paths([unflagged_witness(tmp_path)])
    summary = pipeline.load(settings, load_ontology(), reload)
    assert restricted(driver) is True
    assert summary.kept_restricted == 1
    lifted = pipeline.load(settings, load_ontology(), reload, unrestrict=[WITNESS])
    assert restricted(driver) is None
    assert lifted.kept_restricted == 0


def test_the_cli_lifts_protection_only_when_told_and_audits_it_without_the_id(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    pipeline.load(settings, load_ontology(), default_records())
    path = unflagged_witness(tmp_path)

    def load(*extra: str) -> subprocess.CompletedProcess[str]:
        return silsila("load", str(path), *extra, env=cli_env(settings))

    kept = load()
    assert kept.returncode == 0, kept.stderr
    assert "1 restricted record(s) stay restricted" in kept.stdout
    assert "abu-amin" not in kept.stdout + kept.stderr
    assert restricted(driver) is True
    lifted = load("--unrestrict", WITNESS)
    assert lifted.returncode == 0, lifted.stderr
    assert restricted(driver) is None
    audit = (settings.state_dir / AUDIT_FILE).read_text(encoding="utf-8")
    entry = json.loads(audit.splitlines()[-1])
    assert (entry["action"], entry["target"]) == ("unrestrict", id_digest(WITNESS))
    assert "abu-amin" not in audit
