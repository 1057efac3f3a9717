"""Lifting a witness's protection on purpose: `--unrestrict ID` on `silsila load` and `import`.

A restricted record stays restricted when a file omits the flag; only an id named here lifts
it. Each lift is audited by a digest of the id, since ids can carry a restricted alias.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer
from rich.console import Console

from api.audit import AuditLog, audit_path
from api.security import Caller, Role
from graph.db.readonly import statement_digest
from graph.db.settings import Settings

CLI_CALLER = "local-cli"  # the machine's own user, who holds the database's credentials

UnrestrictOption = Annotated[
    list[str] | None,
    typer.Option(
        "--unrestrict",
        metavar="ID",
        help="Lift the protection of this restricted record (repeatable; audited). Without it, "
        "a restricted record stays restricted even where a file omits the flag.",
    ),
]


def id_digest(record_id: str) -> str:
    """What the audit log keeps of an id: its SHA-256, never the id."""
    return "sha256:" + statement_digest(record_id)


def audit_unrestricted(settings: Settings, ids: Sequence[str]) -> None:
    """Record each lifted protection in the audit log."""
    log = AuditLog(audit_path(settings))
    for record_id in ids:
        log.record(Caller(Role.admin, CLI_CALLER), "unrestrict", id_digest(record_id))


def report_kept(console: Console, kept: int) -> None:
    """Say, without naming them, how many records stayed restricted against their files."""
    if kept:
        console.print(
            f"{kept} restricted record(s) stay restricted although the files do not mark them; "
            "lift a protection only on purpose, with --unrestrict ID."
        )
