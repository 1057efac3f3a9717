"""Roles and bearer tokens: the hashed token file, the CLI, the audit log, and the dependencies."""

from __future__ import annotations

import hashlib
import json
import stat
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import silsila_error
from api.audit import AuditLog, AuditLogError
from api.errors import INTERNAL_MESSAGE
from api.security import (
    AdminDep,
    Caller,
    InvestigatorDep,
    Role,
    RoleDep,
    TokenRoleError,
    TokenStore,
    TokenStoreError,
)
from cli.tokens import token_app
from ontology.errors import SilsilaError


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_token_is_stored_only_as_its_hash_in_a_0600_file(tmp_path: Path) -> None:
    path = tmp_path / "state" / "tokens.json"
    store = TokenStore(path)
    token_id, token = store.create(Role.investigator)
    assert len(token) >= 43
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    text = path.read_text(encoding="utf-8")
    assert token not in text
    assert hashlib.sha256(token.encode()).hexdigest() in text
    [entry] = json.loads(text)["tokens"]
    assert entry["id"] == token_id
    assert entry["role"] == "investigator"
    created = datetime.fromisoformat(entry["created"])
    assert created.utcoffset() == timedelta(0)
    # Atomic rewrite: no temporary file is left beside it.
    assert [p.name for p in path.parent.iterdir()] == ["tokens.json"]


def test_tokens_map_to_their_roles_and_nothing_else_does(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "tokens.json")
    investigator_id, investigator = store.create(Role.investigator)
    admin_id, admin = store.create(Role.admin)
    assert investigator_id != admin_id
    assert store.role_of(investigator) is Role.investigator
    assert store.role_of(admin) is Role.admin
    assert store.role_of(investigator + "x") is None
    assert store.role_of("") is None
    assert store.role_of(hashlib.sha256(admin.encode()).hexdigest()) is None  # the hash is no key
    # A second store on the same file (the CLI while the API runs) sees the same tokens.
    assert TokenStore(tmp_path / "tokens.json").role_of(admin) is Role.admin


def test_list_and_revoke(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "tokens.json")
    assert store.list() == []
    token_id, token = store.create(Role.admin)
    [info] = store.list()
    assert (info.id, info.role) == (token_id, Role.admin)
    assert not hasattr(info, "sha256")
    assert store.revoke(token_id) is True
    assert store.revoke(token_id) is False
    assert store.role_of(token) is None
    assert mode(tmp_path / "tokens.json") == 0o600


def test_public_needs_no_token(tmp_path: Path) -> None:
    with pytest.raises(TokenRoleError, match="needs none"):
        TokenStore(tmp_path / "tokens.json").create(Role.public)
    with pytest.raises(TokenRoleError, match="not a role"):
        TokenStore(tmp_path / "tokens.json").create("owner")  # type: ignore[arg-type]


def test_a_damaged_token_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(TokenStoreError, match="not a token file"):
        TokenStore(path).role_of("anything")
    path.write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(TokenStoreError, match="not a token file"):
        TokenStore(path).role_of("anything")


def test_a_damaged_audit_log_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    path.write_text('{"action": "cypher"}\n{not json\n', encoding="utf-8")
    with pytest.raises(AuditLogError, match="damaged line"):
        AuditLog(path).entries()


def test_token_create_prints_the_token_once_and_list_never(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"SILSILA_STATE_DIR": str(tmp_path)}
    created = runner.invoke(token_app, ["create", "--role", "investigator"], env=env)
    assert created.exit_code == 0, created.output
    lines = created.output.strip().splitlines()
    token = lines[-1]
    assert created.output.count(token) == 1
    store = TokenStore(tmp_path / "tokens.json")
    assert store.role_of(token) is Role.investigator
    [info] = store.list()
    assert info.id in created.output

    listed = runner.invoke(token_app, ["list"], env=env)
    assert listed.exit_code == 0, listed.output
    assert info.id in listed.output
    assert "investigator" in listed.output
    assert token not in listed.output
    assert hashlib.sha256(token.encode()).hexdigest() not in listed.output

    refused = runner.invoke(token_app, ["create", "--role", "public"], env=env)
    assert refused.exit_code != 0
    assert len(store.list()) == 1

    revoked = runner.invoke(token_app, ["revoke", info.id], env=env)
    assert revoked.exit_code == 0, revoked.output
    assert store.role_of(token) is None


def test_audit_lines_are_appended_to_a_0600_file(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    log.record(Caller(Role.investigator, "tok_12345678"), "casefile", "event:1")
    log.record(Caller(Role.public), "cypher", "ab" * 32, outcome="refused")
    assert mode(tmp_path / "audit.jsonl") == 0o600
    first, second = log.entries()
    assert first["role"] == "investigator"
    assert first["token_id"] == "tok_12345678"
    assert (first["action"], first["target"]) == ("casefile", "event:1")
    assert datetime.fromisoformat(first["at"]).utcoffset() == timedelta(0)
    assert second["token_id"] == "anonymous"
    assert second["outcome"] == "refused"
    assert len((tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()) == 2


def test_the_audit_log_rotates_without_losing_an_entry(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path, rotate_at=1000)
    caller = Caller(Role.investigator, "tok_12345678")
    for i in range(60):
        log.record(caller, "casefile", f"event:{i}")
    assert [e["target"] for e in log.entries()] == [f"event:{i}" for i in range(60)]
    rotated = log.rotated()
    assert [p.name for p in rotated] == [f"audit.jsonl.{n}" for n in range(1, len(rotated) + 1)]
    assert len(rotated) >= 5
    for part in [*rotated, path]:
        assert 0 < part.stat().st_size <= 1000
        assert mode(part) == 0o600
    # A second log on the same files (the CLI while the API runs) reads and extends the same.
    AuditLog(path, rotate_at=1000).record(caller, "unrestrict", "sha256:ab")
    assert log.entries()[-1]["target"] == "sha256:ab"
    assert len(log.entries()) == 61


def test_a_rotation_never_overwrites_a_rotated_file(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    (tmp_path / "audit.jsonl.1").write_text('{"target": "kept"}\n', encoding="utf-8")
    log = AuditLog(path, rotate_at=200)
    for i in range(10):
        log.record(Caller(Role.public), "casefile", f"event:{i}")
    targets = [e["target"] for e in log.entries()]
    assert targets == ["kept"] + [f"event:{i}" for i in range(10)]


def test_concurrent_records_across_rotations_are_all_kept(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl", rotate_at=2000)
    callers = [Caller(Role.investigator, f"tok_0000000{n}") for n in range(4)]

    def record(caller: Caller) -> None:
        for i in range(50):
            log.record(caller, "cypher", f"{caller.token_id}:{i}")

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(record, callers))
    targets = [e["target"] for e in log.entries()]
    assert sorted(targets) == sorted(f"{c.token_id}:{i}" for c in callers for i in range(50))
    for caller in callers:  # each caller's lines stay in the order they were written
        own = [t for t in targets if t.startswith(caller.token_id)]
        assert own == [f"{caller.token_id}:{i}" for i in range(50)]
    assert len(log.rotated()) >= 5


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[tuple[TestClient, str, str]]:
    """A tiny app using the dependencies, with an investigator and an admin token."""
    app = FastAPI()
    app.state.tokens = TokenStore(tmp_path / "tokens.json")
    app.add_exception_handler(SilsilaError, silsila_error)

    @app.get("/whoami")
    async def whoami(role: RoleDep) -> str:
        return role.value

    @app.get("/investigate")
    async def investigate(caller: InvestigatorDep) -> str:
        return caller.token_id

    @app.get("/administer")
    async def administer(caller: AdminDep) -> str:
        return caller.role.value

    _, investigator = app.state.tokens.create(Role.investigator)
    _, admin = app.state.tokens.create(Role.admin)
    with TestClient(app) as client:
        yield client, investigator, admin


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_roles_from_headers(guarded: tuple[TestClient, str, str]) -> None:
    client, investigator, admin = guarded
    assert client.get("/whoami").json() == "public"
    assert client.get("/whoami", headers=bearer(investigator)).json() == "investigator"
    assert client.get("/whoami", headers=bearer(admin)).json() == "admin"
    token_id = client.get("/investigate", headers=bearer(investigator)).json()
    assert token_id.startswith("tok_")
    assert client.get("/investigate", headers=bearer(admin)).status_code == 200
    assert client.get("/administer", headers=bearer(admin)).json() == "admin"


def test_no_token_is_401_and_a_weak_role_403(guarded: tuple[TestClient, str, str]) -> None:
    client, investigator, _ = guarded
    anonymous = client.get("/administer")
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"] == "Bearer"
    assert "silsila token create" in anonymous.json()["error"]
    weak = client.get("/administer", headers=bearer(investigator))
    assert weak.status_code == 403
    assert weak.json() == {
        "status": "error",
        "error": "Your token's role is investigator; this needs the role admin.",
    }


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-token", "Bearer", "Basic dXNlcjpwYXNz", "Bearer a b", "", "Token abc"],
)
def test_bad_or_malformed_tokens_are_401_even_where_public_may_go(
    guarded: tuple[TestClient, str, str], header: str
) -> None:
    client, _, _ = guarded
    for path in ("/whoami", "/investigate"):
        response = client.get(path, headers={"Authorization": header})
        assert response.status_code == 401, (path, header)
        assert response.json()["status"] == "error"
        assert "silsila token create" in response.json()["error"]


def test_a_damaged_token_file_is_a_500_in_the_usual_shape(
    guarded: tuple[TestClient, str, str], tmp_path: Path
) -> None:
    client, investigator, _ = guarded
    weak = client.get("/administer", headers=bearer(investigator))
    assert "WWW-Authenticate" not in weak.headers  # only a 401 says how to authenticate
    (tmp_path / "tokens.json").write_text("{not json", encoding="utf-8")
    response = client.get("/whoami", headers=bearer(investigator))
    assert response.status_code == 500
    assert response.json()["status"] == "error"
    # The message names a server path: the caller gets the generic text, the log the error.
    assert response.json()["error"] == INTERNAL_MESSAGE
    assert "tokens.json" not in response.text
