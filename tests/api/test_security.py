"""Roles and bearer tokens: the hashed token file, the CLI, the audit log, and the dependencies."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import stat
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from typer.testing import CliRunner

from api.app import create_app, silsila_error
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
    tokens_path,
)
from api.sessions import FORM_COOKIE, SESSION_COOKIE, ForgedFormError, Sessions
from cli.tokens import token_app
from ontology.errors import SilsilaError
from tests.conftest import make_settings


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

    app.add_api_route("/whoami", whoami, methods=["POST"])

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


# Signing in from a browser: a session cookie for a token, form tokens, and error pages.

SESSION_HOURS = 8


@pytest.fixture
def browser_app(tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    """The whole app over a state folder of its own (these routes never reach Neo4j), with an
    investigator token."""
    settings = make_settings(tmp_path / "state", neo4j_password="unused")
    _, token = TokenStore(tokens_path(settings)).create(Role.investigator)
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client, token


def form_token(client: TestClient, path: str = "/ui/sign-in") -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert found, "the page has no form token"
    return found.group(1)


def sign_in(client: TestClient, token: str, after: str = "/ui/search?q=Abu+Amin") -> Response:
    fields = {"token": token, "form_token": form_token(client), "next": after}
    return client.post("/ui/sign-in", data=fields)


def set_cookie(response: Response, name: str) -> str:
    [header] = [h for h in response.headers.get_list("set-cookie") if h.startswith(name + "=")]
    return header


def test_signing_in_sets_a_signed_session_cookie_not_the_token(
    browser_app: tuple[TestClient, str],
) -> None:
    client, token = browser_app
    assert "Public view" in client.get("/ui/sign-in").text
    answer = sign_in(client, token)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ui/search?q=Abu+Amin"  # back where they were
    cookie = set_cookie(answer, SESSION_COOKIE)
    attributes = {a.strip().split("=")[0].lower(): a for a in cookie.split(";")[1:]}
    assert {"httponly", "path", "samesite", "max-age"} <= attributes.keys()
    assert attributes["path"].strip() == "Path=/"
    assert attributes["samesite"].strip().lower() == "samesite=strict"
    assert attributes["max-age"].strip() == f"Max-Age={SESSION_HOURS * 3600}"
    assert "secure" not in attributes  # plain http on loopback; https gets Secure (below)
    assert token not in cookie
    assert hashlib.sha256(token.encode()).hexdigest() not in cookie
    page = client.get("/ui/sign-in")
    assert "Signed in as investigator" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert "Sign out" in page.text


@pytest.mark.parametrize(
    "after", ["https://elsewhere.example/ui", "//elsewhere.example/ui", "/api", "/ui/sign-out"]
)
def test_signing_in_never_sends_the_browser_off_the_pages(
    browser_app: tuple[TestClient, str], after: str
) -> None:
    client, token = browser_app
    assert sign_in(client, token, after).headers["location"] == "/ui"


def test_over_https_the_cookies_are_secure(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "state", neo4j_password="unused")
    _, token = TokenStore(tokens_path(settings)).create(Role.investigator)
    app = create_app(settings)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        form = client.get("/ui/sign-in")
        answer = sign_in(client, token)
    assert "Secure" in set_cookie(form, FORM_COOKIE)
    assert "Secure" in set_cookie(answer, SESSION_COOKIE)


def test_a_session_counts_on_gets_only_and_ends_with_sign_out(
    browser_app: tuple[TestClient, str],
) -> None:
    client, token = browser_app
    sign_in(client, token)
    assert "Signed in as investigator" in client.get("/ui/sign-in").text
    # A forged sign-out (no form token, or another's) is refused, and the session lives on.
    forged = client.post("/ui/sign-out", data={"form_token": "x" * 43})
    assert forged.status_code == 403
    assert forged.headers["content-type"].startswith("text/html")
    assert "Signed in as investigator" in client.get("/ui/sign-in").text
    out = client.post("/ui/sign-out", data={"form_token": form_token(client)})
    assert out.status_code == 303
    assert "Max-Age=0" in set_cookie(out, SESSION_COOKIE)
    assert SESSION_COOKIE not in client.cookies
    assert "Public view" in client.get("/ui/sign-in").text


def test_a_bad_token_or_a_form_from_elsewhere_gets_a_page(
    browser_app: tuple[TestClient, str],
) -> None:
    client, token = browser_app
    wrong = sign_in(client, token + "x")
    assert wrong.status_code == 401
    assert wrong.headers["content-type"].startswith("text/html")
    assert "not one this server knows" in wrong.text
    assert 'name="token"' in wrong.text  # the form again
    assert SESSION_COOKIE not in client.cookies
    # Login CSRF: a form posted from another site carries no form token this server made.
    other = TestClient(client.app, follow_redirects=False)
    forged = other.post("/ui/sign-in", data={"token": token, "form_token": "forged"})
    assert forged.status_code == 403
    assert "did not come from this site" in forged.text
    assert SESSION_COOKIE not in other.cookies
    # A token in the URL signs nobody in.
    assert "Public view" in client.get("/ui/sign-in", params={"token": token}).text


def test_the_token_is_never_logged(
    browser_app: tuple[TestClient, str], caplog: pytest.LogCaptureFixture
) -> None:
    client, token = browser_app
    with caplog.at_level(logging.DEBUG):
        sign_in(client, token)
        sign_in(client, token + "x")
        client.get("/ui/sign-in")
    assert caplog.records, "nothing was logged: the check would pass vacuously"
    assert token not in caplog.text


def test_a_revoked_token_or_a_forged_or_stale_cookie_is_the_public_view(
    browser_app: tuple[TestClient, str], tmp_path: Path
) -> None:
    client, token = browser_app
    sign_in(client, token)
    session = client.cookies[SESSION_COOKIE]
    payload, _, signature = session.rpartition(".")
    client.cookies.set(SESSION_COOKIE, payload.replace("tok_", "tok_0") + "." + signature)
    assert "Public view" in client.get("/ui/sign-in").text
    client.cookies.set(SESSION_COOKIE, session)
    assert "Signed in as investigator" in client.get("/ui/sign-in").text
    store = TokenStore(tmp_path / "state" / "tokens.json")
    [info] = store.list()
    store.revoke(info.id)
    assert "Public view" in client.get("/ui/sign-in").text


def test_sessions_expire_and_are_signed_with_the_servers_key(tmp_path: Path) -> None:
    now = [1_000_000.0]
    sessions = Sessions(b"k" * 32, lifetime=60, clock=lambda: now[0])
    value = sessions.issue("tok_12345678")
    assert sessions.token_id(value) == "tok_12345678"
    assert Sessions(b"j" * 32).token_id(value) is None  # another server's key
    assert sessions.token_id(value.replace("tok_1", "tok_2")) is None
    assert sessions.token_id("") is None
    now[0] += 61
    assert sessions.token_id(value) is None
    with pytest.raises(ForgedFormError):
        sessions.check_form("nonce", sessions.form_token("another nonce"))
    with pytest.raises(ForgedFormError):
        sessions.check_form(None, "")
    sessions.check_form("nonce", sessions.form_token("nonce"))
    path = tmp_path / "state" / "session.key"
    key = Sessions.load(path).key
    assert mode(path) == 0o600
    assert Sessions.load(path).key == key  # kept across restarts


def test_a_session_cookie_does_not_count_on_a_post(guarded: tuple[TestClient, str, str]) -> None:
    client, investigator, _ = guarded
    app = client.app
    assert isinstance(app, FastAPI)
    sessions = Sessions(b"k" * 32)
    app.state.sessions = sessions
    [info] = [i for i in app.state.tokens.list() if i.role is Role.investigator]
    client.cookies.set(SESSION_COOKIE, sessions.issue(info.id))
    assert client.get("/whoami").json() == "investigator"
    assert client.post("/whoami").json() == "public"
    assert client.get("/whoami", headers=bearer(investigator)).json() == "investigator"


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/ui/nothing", 404, "Not found"),
        ("/ui/entities/org:x?at=25-08-2012", 422, "YYYY-MM-DD"),
    ],
)
def test_errors_on_pages_are_pages(
    browser_app: tuple[TestClient, str], path: str, status: int, says: str
) -> None:
    client, _ = browser_app
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert says in response.text
    assert "Public view" in response.text
    assert client.get("/nothing").headers["content-type"] == "application/json"


def test_a_failure_of_ours_on_a_page_is_a_500_page(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path / "state", neo4j_password="unused"))

    @app.get("/ui/boom")
    async def boom() -> None:
        raise RuntimeError("/secret/server/path")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/ui/boom")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "Server error" in response.text
    assert "/secret/server/path" not in response.text
    assert response.headers["X-Frame-Options"] == "DENY"
