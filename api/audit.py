"""An append-only audit log: who did what to which target, when (UTC), one JSON line each.

It lives at STATE_DIR/audit.jsonl (mode 0600). A line names the caller by role and public token
id, never by token, and the target by an id or a hash, never by parameter values:

    {"at": "2025-01-01T12:00:00.123456+00:00", "role": "investigator", "token_id": "tok_1a2b3c4d",
     "action": "cypher", "target": "<sha256 of the statement>", "outcome": "ok"}

Routes take the log as a dependency: `audit: AuditDep`, then `audit.record(caller, "casefile", id)`.

When the file would pass ROTATE_AT bytes it is rotated, never truncated: renamed to
audit.jsonl.1, the next time to audit.jsonl.2, and so on (the highest number is the newest
full file). Every rotated file is kept; `entries()` reads them all, oldest first.
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
ROTATE_AT = 16 * 1024 * 1024  # bytes


class AuditLogError(ApiError):
    """The audit log cannot be written or read back; the message names the file."""


def audit_path(settings: Settings) -> Path:
    """Where the audit log lives."""
    return settings.state_dir / AUDIT_FILE


class AuditLog:
    """Appends one JSON line per action to a 0600 file; never rewrites or truncates it, and
    rotates it to a numbered file (kept) before it passes `rotate_at` bytes."""

    def __init__(self, path: Path, rotate_at: int = ROTATE_AT) -> None:
        self.path = path
        self.rotate_at = rotate_at
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
                self._rotate_before(len(line))
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    os.fchmod(fd, 0o600)
                    os.write(fd, line)
                finally:
                    os.close(fd)
        except OSError as e:
            raise AuditLogError(f"Cannot append to the audit log {self.path}: {e.strerror}.") from e

    def rotated(self) -> list[Path]:
        """The rotated files, oldest first (audit.jsonl.1, .2, ...)."""
        numbered = []
        for candidate in self.path.parent.glob(f"{self.path.name}.*"):
            suffix = candidate.name.removeprefix(f"{self.path.name}.")
            if suffix.isascii() and suffix.isdigit():
                numbered.append((int(suffix), candidate))
        return [path for _, path in sorted(numbered)]

    def _rotate_before(self, incoming: int) -> None:
        """Rename the file to the next free number if INCOMING more bytes would pass the size.

        A hard link, then an unlink: a link never replaces an existing file (a rename would),
        so a rotation racing another process's (the CLI's) cannot overwrite a rotated file,
        and a line another process appends meanwhile lands in one file or the other."""
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return
        if size == 0 or size + incoming <= self.rotate_at:
            return
        rotated = self.rotated()
        number = int(rotated[-1].name.rsplit(".", 1)[1]) + 1 if rotated else 1
        while True:
            try:
                os.link(self.path, self.path.with_name(f"{self.path.name}.{number}"))
                break
            except FileExistsError:
                number += 1
            except FileNotFoundError:  # another process rotated it first
                return
        self.path.unlink(missing_ok=True)

    def entries(self) -> list[dict[str, Any]]:
        """Every line so far, the rotated files' first, parsed (for admins and tests)."""
        with self._lock:
            return [entry for path in [*self.rotated(), self.path] for entry in _read(path)]


def _read(path: Path) -> list[dict[str, Any]]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as e:
        raise AuditLogError(f"Cannot read the audit log {path}: {e.strerror}.") from e
    try:
        lines = data.decode("utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]
    except ValueError as e:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise AuditLogError(f"The audit log {path} has a damaged line: {e}.") from e


async def get_audit(request: Request) -> AuditLog:
    """The app's audit log (made in the lifespan)."""
    audit: AuditLog = request.app.state.audit
    return audit


AuditDep = Annotated[AuditLog, Depends(get_audit)]
