"""``aml-screen tokens``: API tokens from the command line (service accounts, scripted
set-ups). The secret is printed once, on standard output alone, so that a script can keep
it (``TOKEN=$(aml-screen tokens create …)``); every change is audited as a system action."""

from __future__ import annotations

import json
from typing import Any

import click
from sqlalchemy.orm import Session

from aml_screen.cli.context import Context, pass_context
from aml_screen.cli.messages import t
from aml_screen.cli.options import ROW_ID
from aml_screen.cli.users import table_lines
from aml_screen.store.accounts import get_user
from aml_screen.store.api_tokens import (
    MAX_EXPIRY_DAYS,
    TokenRow,
    create_token,
    list_tokens,
    revoke_token,
)
from aml_screen.store.models import ApiToken


@click.group("tokens")
def tokens_group() -> None:
    """API tokens / jetons d'accès à l'API."""


def _time(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else "-"


@tokens_group.command("create")
@click.argument("name")
@click.option("--user", "username", default=None,
              help="Account the token acts for (default: the account named NAME, e.g. a "
                   "service account) / compte pour lequel le jeton agit.")
@click.option("--scope", "scopes", required=True,
              help="Comma-separated: read, triage, submit, admin / séparés par des virgules.")
@click.option("--expires", "days", type=click.IntRange(1, MAX_EXPIRY_DAYS), default=None,
              help="Days until it expires (default: never) / jours avant expiration.")
@pass_context
def create_command(obj: Context, name: str, username: str | None, scopes: str,
                   days: int | None) -> None:
    """Create a token and print it once / crée un jeton et l'affiche une seule fois."""

    def create(session: Session) -> tuple[str, ApiToken]:
        owner = get_user(session, username or name)
        made = create_token(session, owner, name, scopes.split(","), days)
        return made.secret, made.token

    secret, token = obj.in_session(create)
    click.echo(t("tokens.cli.created", id=token.id, name=token.name, user=username or name,
                 scopes=", ".join(token.scopes), expires=_time(token.expires_at)), err=True)
    click.echo(t("tokens.cli.shown_once"), err=True)
    click.echo(secret)


def _as_json(row: TokenRow) -> dict[str, Any]:
    token = row.token
    return {"id": token.id, "name": token.name, "user": row.username, "prefix": token.prefix,
            "scopes": list(token.scopes), "state": row.state(),
            **{field: value.isoformat() if value is not None else None
               for field, value in (("created_at", token.created_at),
                                    ("expires_at", token.expires_at),
                                    ("last_used_at", token.last_used_at),
                                    ("revoked_at", token.revoked_at))}}


@tokens_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON / sortie JSON.")
@pass_context
def list_command(obj: Context, as_json: bool) -> None:
    """Every token, newest first (never its secret) / tous les jetons (jamais le secret)."""
    rows = obj.in_session(list_tokens)
    if as_json:
        click.echo(json.dumps([_as_json(row) for row in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(t("tokens.cli.none"))
        return
    header = tuple(t(f"tokens.col.{c}") for c in (
        "id", "name", "user", "prefix", "scopes", "created", "expires", "last_used", "state"))
    click.echo("\n".join(table_lines([header, *(
        (str(row.token.id), row.token.name, row.username, row.token.prefix + "…",
         ",".join(row.token.scopes), _time(row.token.created_at),
         _time(row.token.expires_at), _time(row.token.last_used_at),
         t(f"tokens.state.{row.state()}")) for row in rows)])))


@tokens_group.command("revoke")
@click.argument("token_id", type=ROW_ID, metavar="ID")
@pass_context
def revoke_command(obj: Context, token_id: int) -> None:
    """Refuse a token from now on / révoque un jeton."""
    name = obj.in_session(lambda session: revoke_token(session, token_id).name)
    click.echo(t("tokens.cli.revoked", id=token_id, name=name))


def register(main: click.Group) -> None:
    main.add_command(tokens_group)
