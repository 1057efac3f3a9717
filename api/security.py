"""Who is calling: roles, bearer tokens stored hashed, and the dependencies that check them.

`public` needs no token. `investigator` and `admin` send `Authorization: Bearer <token>`, with a
token made by `silsila token create --role ROLE`, or sign in at /ui/sign-in, whose session
cookie (`api/sessions.py`) stands for the token on GET requests. Only the sha256 of each token
is kept, in STATE_DIR/tokens.json (mode 0600), so the file alone does not let anyone in.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.errors import AccessDeniedError as AccessDeniedError
from api.errors import ApiError
from api.errors import NotAuthenticatedError as NotAuthenticatedError
from api.sessions import SESSION_COOKIE, SESSION_STATE, Sessions
from graph.db.settings import Settings

TOKENS_FILE = "tokens.json"
ANONYMOUS = "anonymous"
CALLER_STATE = "caller"  # request.state's name for the caller the gate checked
_FORMAT_VERSION = 1
# A session cookie counts on these only: a request that may change anything needs the header
# (or, for the sign-in forms, a form token), so no other site can make a browser send one.
SAFE_METHODS = frozenset({"GET", "HEAD"})
# Aliases, because TokenStore.list shadows the builtin inside the class.
_Entries = list[dict[str, Any]]


class Role(StrEnum):
    """What a caller may do: public reads, investigators query, admins administer."""

    public = "public"
    investigator = "investigator"
    admin = "admin"


TOKEN_ROLES = (Role.investigator, Role.admin)


@dataclass(frozen=True)
class TokenInfo:
    """A stored token, without its secret: public id, role, and when it was made (UTC)."""

    id: str
    role: Role
    created: str


_TokenInfos = list[TokenInfo]


@dataclass(frozen=True)
class Caller:
    """Who made a request: their role and token id (`anonymous` without a token), and whether
    a browser's session cookie stood for the token."""

    role: Role
    token_id: str = ANONYMOUS
    session: bool = False


class TokenStoreError(ApiError):
    """The token file cannot be read or written; the message says which file and why."""


class TokenRoleError(ApiError):
    """A token was asked for a role that takes none (public) or that does not exist."""


class UnknownTokenError(ApiError):
    """No stored token has the id given."""


def tokens_path(settings: Settings) -> Path:
    """Where the hashed tokens live."""
    return settings.state_dir / TOKENS_FILE


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenStore:
    """Bearer tokens kept as sha256 hashes in one JSON file, rewritten atomically, mode 0600.

    The file is read on every look-up, so a token created while the API runs works at once.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def create(self, role: Role) -> tuple[str, str]:
        """Make a token for `role`; returns (public token id, the token). Show the token once."""
        try:
            role = Role(role)
        except ValueError as e:
            raise TokenRoleError(
                f"{role!r} is not a role; tokens are for {', '.join(TOKEN_ROLES)}."
            ) from e
        if role not in TOKEN_ROLES:
            raise TokenRoleError(f"Tokens are for {', '.join(TOKEN_ROLES)}; {role} needs none.")
        entries = self._read()
        token = secrets.token_urlsafe(32)
        known = {e["id"] for e in entries}
        token_id = "tok_" + secrets.token_hex(4)
        while token_id in known:
            token_id = "tok_" + secrets.token_hex(4)
        created = datetime.now(UTC).isoformat(timespec="seconds")
        entries.append(
            {"id": token_id, "role": role.value, "sha256": _digest(token), "created": created}
        )
        self._write(entries)
        return token_id, token

    def lookup(self, token: str) -> TokenInfo | None:
        """The stored token matching `token`, compared in constant time, or None."""
        presented = _digest(token)
        found: TokenInfo | None = None
        for entry in self._read():
            if hmac.compare_digest(presented, str(entry["sha256"])) and found is None:
                found = _info(entry)
        return found

    def find(self, token_id: str) -> TokenInfo | None:
        """The stored token with the public id TOKEN_ID, or None (revoked, or never made)."""
        for entry in self._read():
            if entry["id"] == token_id:
                return _info(entry)
        return None

    def role_of(self, token: str) -> Role | None:
        """The role a token grants, or None when it is not a token of this store."""
        info = self.lookup(token)
        return None if info is None else info.role

    def list(self) -> _TokenInfos:
        """Every token's id, role and creation time (never the hash)."""
        return [_info(entry) for entry in self._read()]

    def revoke(self, token_id: str) -> bool:
        """Delete a token by its public id; False when there is none with that id."""
        entries = self._read()
        kept = [e for e in entries if e["id"] != token_id]
        if len(kept) == len(entries):
            return False
        self._write(kept)
        return True

    def _read(self) -> _Entries:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as e:
            raise TokenStoreError(f"Cannot read {self.path}: {e.strerror}.") from e
        damaged = TokenStoreError(
            f"{self.path} is not a token file Silsila wrote; move it aside and create "
            "tokens again with `silsila token create`."
        )
        try:
            data = json.loads(raw.decode("utf-8"))
            entries = data["tokens"]
            for entry in entries:
                Role(entry["role"])
                if not {"id", "sha256", "created"} <= entry.keys():
                    raise damaged
        except (ValueError, KeyError, TypeError) as e:
            raise damaged from e
        return list(entries)

    def _write(self, entries: _Entries) -> None:
        """Write to a 0600 temporary file in the same folder, then rename it over the old one."""
        text = json.dumps({"version": _FORMAT_VERSION, "tokens": entries}, indent=2) + "\n"
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tokens-", suffix=".tmp", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:  # mkstemp makes it 0600
                    f.write(text)
                    f.flush()
                    os.fsync(f.fileno())
                os.chmod(tmp, 0o600)
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as e:
            raise TokenStoreError(f"Cannot write {self.path}: {e.strerror}.") from e


def _info(entry: dict[str, Any]) -> TokenInfo:
    return TokenInfo(id=str(entry["id"]), role=Role(entry["role"]), created=str(entry["created"]))


# Declared so OpenAPI (/docs) shows the bearer scheme; the header is parsed in get_caller.
bearer_scheme = HTTPBearer(
    auto_error=False,
    description="A token from `silsila token create --role investigator|admin`.",
)


def get_token_store(request: Request) -> TokenStore:
    """The app's token store (made in the lifespan)."""
    store: TokenStore = request.app.state.tokens
    return store


def get_caller(request: Request) -> Caller:
    """Who is calling: the bearer token's role; without an Authorization header, the role of
    the session cookie's token on a GET or HEAD, else public.

    A malformed header or an unknown token is a 401, never a silent fall-back to public.
    The app's gate (`api/headers.py`) checks the header before routing and keeps the caller.
    A session cookie that is forged, expired or names a revoked token is no session: public.
    """
    known = getattr(request.state, CALLER_STATE, None)
    if isinstance(known, Caller):
        return known
    header = request.headers.get("Authorization")
    if header is None:
        return session_caller(request) or Caller(role=Role.public)
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise NotAuthenticatedError(
            "Malformed Authorization header: send `Authorization: Bearer <token>` with a token "
            "from `silsila token create --role investigator|admin`, or no header at all.",
        )
    info = get_token_store(request).lookup(token)
    if info is None:
        raise NotAuthenticatedError(
            "Unknown or revoked token: ask an admin for a token made with "
            "`silsila token create --role investigator|admin`.",
        )
    return Caller(role=info.role, token_id=info.id)


def session_caller(request: Request) -> Caller | None:
    """The signed-in caller of a GET or HEAD with a valid session cookie, else None."""
    cookie = request.cookies.get(SESSION_COOKIE)
    sessions = getattr(request.app.state, SESSION_STATE, None)
    if request.method not in SAFE_METHODS or not cookie or not isinstance(sessions, Sessions):
        return None
    token_id = sessions.token_id(cookie)
    info = None if token_id is None else get_token_store(request).find(token_id)
    return None if info is None else Caller(role=info.role, token_id=info.id, session=True)


async def current_caller(request: Request) -> Caller:
    """`get_caller` as a dependency, run on the event loop as the gate runs it: a sync one would
    take a worker thread for every request."""
    return get_caller(request)


async def get_role(request: Request) -> Role:
    """The caller's role (public when no token is sent)."""
    return get_caller(request).role


def require_role(*roles: Role) -> Callable[..., Awaitable[Caller]]:
    """A dependency letting through only callers with one of `roles` (no implied hierarchy).

    It gives 401 to a caller without a token and 403 to one whose token has another role.
    """
    allowed = frozenset(Role(r) for r in roles)
    names = " or ".join(sorted(allowed))

    async def dependency(
        caller: Annotated[Caller, Depends(current_caller)],
        _scheme: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    ) -> Caller:
        if caller.role in allowed:
            return caller
        if caller.role is Role.public:
            raise NotAuthenticatedError(
                f"This needs a bearer token with the role {names}: send "
                "`Authorization: Bearer <token>` (tokens come from `silsila token create`).",
            )
        raise AccessDeniedError(f"Your token's role is {caller.role}; this needs the role {names}.")

    return dependency


CallerDep = Annotated[Caller, Depends(current_caller)]
RoleDep = Annotated[Role, Depends(get_role)]
InvestigatorDep = Annotated[Caller, Depends(require_role(Role.investigator, Role.admin))]
AdminDep = Annotated[Caller, Depends(require_role(Role.admin))]
