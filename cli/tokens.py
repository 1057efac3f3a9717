"""`silsila token`: create, list and revoke the API's bearer tokens (stored hashed).

Errors (`TokenStoreError`, `UnknownTokenError`) are printed by `cli.main.main`, like every other.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from api.security import Role, TokenStore, UnknownTokenError, tokens_path
from cli.console import out
from graph.db.settings import Settings

token_app = typer.Typer(
    help="Create, list and revoke API bearer tokens (investigator, admin).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


class TokenRole(StrEnum):
    """Roles a token can carry (public needs none)."""

    investigator = "investigator"
    admin = "admin"


def _store() -> TokenStore:
    return TokenStore(tokens_path(Settings()))


@token_app.command("create")
def create(
    role: Annotated[TokenRole, typer.Option("--role", help="What the token may do.")],
) -> None:
    """Create a token and print it once; only its sha256 is kept."""
    store = _store()
    token_id, token = store.create(Role(role.value))
    out.print(f"Created {role.value} token {token_id} in {store.path}.", highlight=False)
    out.print("It is shown only this once; keep it secret. Send it as", highlight=False)
    out.print("  Authorization: Bearer <token>", highlight=False)
    # Plain echo, so no wrapping or markup can alter the token.
    typer.echo(token)


@token_app.command("list")
def list_tokens() -> None:
    """List the tokens' ids, roles and creation times (never the tokens or their hashes)."""
    store = _store()
    tokens = store.list()
    if not tokens:
        out.print(f"No tokens yet in {store.path}; create one with `silsila token create`.")
        return
    table = Table("id", "role", "created (UTC)")
    for info in tokens:
        table.add_row(info.id, info.role.value, info.created)
    out.print(table)


@token_app.command("revoke")
def revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id, as `token list` shows it.")],
) -> None:
    """Revoke a token by its id; requests with it get 401 from then on."""
    if not _store().revoke(token_id):
        raise UnknownTokenError(f"No token has the id {token_id!r}; see `silsila token list`.")
    out.print(f"Revoked {token_id}.", highlight=False)
