"""Signed-in browsers: a session cookie instead of a bearer header, and form tokens against
cross-site requests.

`/ui/sign-in` takes a token from `silsila token create` and answers with a session cookie that
holds the token's public id and an expiry, signed with HMAC-SHA256 under a key of this server's
(STATE_DIR/session.key, mode 0600): never the token itself. The id is looked up in the token
store on each request, so revoking the token ends its sessions at once. Forms that change
state (sign-in, sign-out) carry a form token: the HMAC of a random value kept in a cookie of
their own, which a page of another site can neither read nor make.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from api.errors import AccessDeniedError, ApiError
from graph.db.settings import Settings

KEY_FILE = "session.key"
SESSION_COOKIE = "silsila_session"
FORM_COOKIE = "silsila_form"
FORM_FIELD = "form_token"
SESSION_SECONDS = 8 * 60 * 60
_KEY_BYTES = 32
_VERSION = "v1"
SESSION_STATE = "sessions"  # app.state's name for the app's Sessions


class SessionKeyError(ApiError):
    """The session key file cannot be read or written; the message says which file and why."""


class ForgedFormError(AccessDeniedError):
    """A form that changes state came without the form token this server gave it (403): sent
    from another site, or from a page older than its form cookie."""


def key_path(settings: Settings) -> Path:
    """Where the key that signs sessions and form tokens lives."""
    return settings.state_dir / KEY_FILE


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


@dataclass(frozen=True)
class Sessions:
    """Signs and checks session cookies and form tokens with one secret key."""

    key: bytes = field(repr=False)
    lifetime: int = SESSION_SECONDS
    clock: Callable[[], float] = time.time

    @classmethod
    def load(cls, path: Path) -> Sessions:
        """The key in PATH, made (0600, in a 0700 folder) the first time; a key written by
        another process at the same moment wins, so all of them sign alike."""
        try:
            return cls(bytes.fromhex(path.read_text(encoding="ascii").strip()))
        except FileNotFoundError:
            pass
        except (OSError, ValueError) as e:
            raise SessionKeyError(
                f"Cannot read the session key {path}: delete it and restart (everyone signed "
                "in then signs in again)."
            ) from e
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return cls.load(path)
        except OSError as e:
            raise SessionKeyError(f"Cannot write the session key {path}: {e.strerror}.") from e
        key = secrets.token_bytes(_KEY_BYTES)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(key.hex() + "\n")
        return cls(key)

    def _sign(self, purpose: str, text: str) -> str:
        message = f"{purpose}|{text}".encode()
        return _b64(hmac.new(self.key, message, hashlib.sha256).digest())

    def issue(self, token_id: str) -> str:
        """A session cookie's value for the token TOKEN_ID, good for `lifetime` seconds."""
        payload = f"{_VERSION}.{token_id}.{int(self.clock()) + self.lifetime}"
        return f"{payload}.{self._sign('session', payload)}"

    def token_id(self, value: str) -> str | None:
        """The token id a session cookie names, or None when it is forged, damaged or expired."""
        payload, _, signature = value.rpartition(".")
        if not hmac.compare_digest(signature.encode(), self._sign("session", payload).encode()):
            return None
        version, _, rest = payload.partition(".")
        token_id, _, expires = rest.rpartition(".")
        if version != _VERSION or not token_id or not expires.isdigit():
            return None
        return token_id if int(expires) > self.clock() else None

    @staticmethod
    def new_nonce() -> str:
        """The random value a form cookie holds."""
        return secrets.token_urlsafe(24)

    def form_token(self, nonce: str) -> str:
        """The token forms carry, for the form cookie holding NONCE."""
        return self._sign("form", nonce)

    def check_form(self, nonce: str | None, presented: str | None) -> None:
        """Refuse a state-changing form whose token does not match its form cookie."""
        expected = self.form_token(nonce) if nonce else ""
        if not expected or not hmac.compare_digest(expected.encode(), (presented or "").encode()):
            raise ForgedFormError(
                "This form did not come from this site's current page, or its page is too "
                "old: open the page again and send the form from there."
            )
