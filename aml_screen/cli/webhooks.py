"""``aml-screen webhooks``: webhook endpoints from the command line (scripted set-ups). The
signing secret is printed once, on standard output alone, so that a script can keep it
(``SECRET=$(aml-screen webhooks add …)``); every change is audited as a system action."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click
from sqlalchemy.orm import Session

from aml_screen.cli.context import Context, pass_context
from aml_screen.cli.messages import number, t
from aml_screen.cli.options import ROW_ID
from aml_screen.cli.users import table_lines
from aml_screen.secret_key import secret_key
from aml_screen.store.models import WEBHOOK_EVENTS
from aml_screen.store.paging import Page
from aml_screen.store.secret_box import WEBHOOKS, SecretBox
from aml_screen.store.webhook_deliveries import DeliveryRow, delivery_history
from aml_screen.store.webhook_endpoints import (
    EndpointRow,
    create_endpoint,
    get_endpoint,
    list_endpoints,
    remove_endpoint,
)


@click.group("webhooks")
def webhooks_group() -> None:
    """Webhook endpoints / points de réception de webhooks."""


def _time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else "-"


@webhooks_group.command("add")
@click.argument("url")
@click.option("--events", required=True,
              help=f"Comma-separated: {', '.join(WEBHOOK_EVENTS)} / séparés par des virgules.")
@click.option("--min-risk", type=click.FloatRange(0, 100), default=0.0, show_default=True,
              help="alert.created only from this risk score / score de risque minimal.")
@click.option("--description", default="", help="For people / pour les personnes.")
@pass_context
def add_command(obj: Context, url: str, events: str, min_risk: float,
                description: str) -> None:
    """Register an endpoint and print its secret once / enregistre un point de réception
    et affiche son secret une seule fois."""
    box = SecretBox(secret_key(obj.settings), WEBHOOKS)

    def create(session: Session) -> tuple[int, str, list[str], str]:
        made = create_endpoint(session, url, events.split(","), box,
                               description=description, min_risk=min_risk)
        return made.endpoint.id, made.endpoint.url, list(made.endpoint.events), made.secret

    endpoint_id, stored_url, chosen, secret = obj.in_session(create)
    click.echo(t("webhooks.cli.created", id=endpoint_id, url=stored_url,
                 events=", ".join(chosen)), err=True)
    click.echo(t("webhooks.cli.secret_once"), err=True)
    click.echo(secret)


def _endpoint_json(row: EndpointRow) -> dict[str, Any]:
    endpoint = row.endpoint
    return {"id": endpoint.id, "url": endpoint.url, "description": endpoint.description,
            "events": list(endpoint.events), "min_risk": endpoint.min_risk,
            "active": endpoint.active, "waiting": row.waiting, "failed": row.failed,
            "created_at": endpoint.created_at.isoformat(),
            "last_event_at": row.last_event_at.isoformat() if row.last_event_at else None}


@webhooks_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON / sortie JSON.")
@pass_context
def list_command(obj: Context, as_json: bool) -> None:
    """Every endpoint (never its secret) / tous les points de réception (jamais le secret)."""
    rows = obj.in_session(list_endpoints)
    if as_json:
        click.echo(json.dumps([_endpoint_json(row) for row in rows], ensure_ascii=False,
                              indent=2))
        return
    if not rows:
        click.echo(t("webhooks.cli.none"))
        return
    header = tuple(t(f"webhooks.cli.col.{c}") for c in (
        "id", "url", "events", "min_risk", "state", "waiting", "failed"))
    click.echo("\n".join(table_lines([header, *(
        (str(row.endpoint.id), row.endpoint.url, ",".join(row.endpoint.events),
         number(row.endpoint.min_risk),
         t("webhooks.state.active" if row.endpoint.active else "webhooks.state.disabled"),
         str(row.waiting), str(row.failed)) for row in rows)])))


@webhooks_group.command("remove")
@click.argument("endpoint_id", type=ROW_ID, metavar="ID")
@pass_context
def remove_command(obj: Context, endpoint_id: int) -> None:
    """Remove an endpoint with its deliveries / supprime un point de réception."""
    url = obj.in_session(lambda session: remove_endpoint(session, endpoint_id).url)
    click.echo(t("webhooks.cli.removed", id=endpoint_id, url=url))


def _last_try(row: DeliveryRow) -> str:
    if not row.attempts:
        return "-"
    last = row.attempts[-1]
    outcome = (str(last.status_code) if last.status_code is not None
               else t(f"webhooks.error.{last.error}"))
    return f"{len(row.attempts)}: {outcome}"


def _delivery_json(row: DeliveryRow) -> dict[str, Any]:
    delivery = row.delivery
    return {"id": delivery.id, "event_id": delivery.event_id, "type": delivery.event_type,
            "status": delivery.status, "created_at": delivery.created_at.isoformat(),
            "next_attempt_at": delivery.next_attempt_at.isoformat()
            if delivery.status == "pending" else None,
            "attempts": [{"number": a.number, "at": a.at.isoformat(),
                          "status_code": a.status_code, "error": a.error,
                          "duration_ms": a.duration_ms} for a in row.attempts]}


@webhooks_group.command("deliveries")
@click.argument("endpoint_id", type=ROW_ID, metavar="ID")
@click.option("--page", type=ROW_ID, default=1, show_default=True,
              help="Page of 25, newest first / page de 25, les plus récents d'abord.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON / sortie JSON.")
@pass_context
def deliveries_command(obj: Context, endpoint_id: int, page: int, as_json: bool) -> None:
    """An endpoint's delivery history / historique des envois d'un point de réception."""

    def history(session: Session) -> Page[DeliveryRow]:
        get_endpoint(session, endpoint_id)
        return delivery_history(session, endpoint_id, page)

    found = obj.in_session(history)
    if as_json:
        click.echo(json.dumps([_delivery_json(row) for row in found.items],
                              ensure_ascii=False, indent=2))
        return
    if not found.items:
        click.echo(t("webhooks.cli.no_deliveries"))
        return
    header = tuple(t(f"webhooks.cli.col.{c}") for c in (
        "id", "event", "recorded", "status", "last_try"))
    click.echo("\n".join(table_lines([header, *(
        (str(row.delivery.id), row.delivery.event_type, _time(row.delivery.created_at),
         t(f"webhooks.status.{row.delivery.status}"), _last_try(row))
        for row in found.items)])))


def register(main: click.Group) -> None:
    main.add_command(webhooks_group)
