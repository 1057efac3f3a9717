"""An append-only audit log: who did what to which target, when (UTC), one JSON line each.

It lives at STATE_DIR/audit.jsonl (mode 0600). A line names the caller by role and public token
id, never by token, and the target by an id or a hash, never by parameter values:

    {"at": "2025-01-01T12:00:00.123456+00:00", "role": "investigator", "token_id": "tok_1a2b3c4d",
     "action": "cypher", "target": "<sha256 of the statement>", "outcome": "ok"}

Routes take the log as a dependency: `audit: AuditDep`, then `audit.record(caller, "casefile", id)`.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request

from api.errors import ApiError
from api.security import Caller
from graph.db.settings import Settings

AUDIT_FILE = "audit.jsonl"


class AuditLogError(ApiError):
    """The audit log cannot be written or read back; the message names the file."""


def audit_path(settings: Settings) -> Path:
    """Where the audit log lives."""
    return settings.state_dir / AUDIT_FILE


class AuditLog:
    """Appends one JSON line per action to a 0600 file; never rewrites or truncates it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def record(
        self, caller: Caller, action: str, target: str, *, outcome: str | None = None
    ) -> None:
        """Append who (`caller`) did `action` to `target`, now; `outcome` if known."""
        entry: dict[str, Any] = {
            "at": datetime.now(UTC).isoformat(),
            "role": caller.role.value,
            "token_id": caller.token_id,
            "action": action,
            "target": target,
        }
        if outcome is not None:
            entry["outcome"] = outcome
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            with self._lock:
                self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    os.fchmod(fd, 0o600)
                    os.write(fd, line)
                finally:
                    os.close(fd)
        except OSError as e:
            raise AuditLogError(f"Cannot append to the audit log {self.path}: {e.strerror}.") from e

    def entries(self) -> list[dict[str, Any]]:
        """Every line so far, parsed (for admins and tests)."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as e:
            raise AuditLogError(f"Cannot read the audit log {self.path}: {e.strerror}.") from e
        try:
            lines = data.decode("utf-8").splitlines()
            return [json.loads(line) for line in lines if line.strip()]
        except ValueError as e:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise AuditLogError(f"The audit log {self.path} has a damaged line: {e}.") from e


def get_audit(request: Request) -> AuditLog:
    """The app's audit log (made in the lifespan)."""
    audit: AuditLog = request.app.state.audit
    return audit


AuditDep = Annotated[AuditLog, Depends(get_audit)]
