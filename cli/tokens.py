"""`silsila token`: create, list and revoke the API's bearer tokens (stored hashed)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.security import Role, TokenStore, TokenStoreError, tokens_path
from graph.db.settings import Settings

token_app = typer.Typer(
    help="Create, list and revoke API bearer tokens (investigator, admin).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

out = Console()
err = Console(stderr=True)


class TokenRole(StrEnum):
    """Roles a token can carry (public needs none)."""

    investigator = "investigator"
    admin = "admin"


def _store() -> TokenStore:
    return TokenStore(tokens_path(Settings()))


def _fail(error: Exception) -> typer.Exit:
    err.print(f"[bold red]error:[/bold red] {error}", markup=True, highlight=False)
    return typer.Exit(1)


@token_app.command("create")
def create(
    role: Annotated[TokenRole, typer.Option("--role", help="What the token may do.")],
) -> None:
    """Create a token and print it once; only its sha256 is kept."""
    store = _store()
    try:
        token_id, token = store.create(Role(role.value))
    except TokenStoreError as e:
        raise _fail(e) from e
    out.print(f"Created {role.value} token {token_id} in {store.path}.", highlight=False)
    out.print("It is shown only this once; keep it secret. Send it as", highlight=False)
    out.print("  Authorization: Bearer <token>", highlight=False, markup=False)
    # Plain echo, so no wrapping or markup can alter the token.
    typer.echo(token)


@token_app.command("list")
def list_tokens() -> None:
    """List the tokens' ids, roles and creation times (never the tokens or their hashes)."""
    store = _store()
    try:
        tokens = store.list()
    except TokenStoreError as e:
        raise _fail(e) from e
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
    try:
        removed = _store().revoke(token_id)
    except TokenStoreError as e:
        raise _fail(e) from e
    if not removed:
        raise _fail(ValueError(f"No token has the id {token_id!r}; see `silsila token list`."))
    out.print(f"Revoked {token_id}.", highlight=False)
