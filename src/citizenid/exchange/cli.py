"""``citizenid partner …``: members, subsystems, services, grants, clients and their keys, suspension,
event delivery — the platform administrator's console."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from citizenid.clictx import operator
from citizenid.exchange.domain import Limits
from citizenid.exchange.errors import ExchangeInvalid

app = typer.Typer(
    help="The exchange platform's partners: members, services, grants, clients, keys.", no_args_is_help=True
)
console = Console()


def _container(ctx: typer.Context) -> Any:
    """The container a caller put in ``ctx.obj`` (tests), else the process's own, built on first use."""
    if ctx.obj is not None and hasattr(ctx.obj, "exchange"):
        return ctx.obj
    from citizenid.clictx import container as process_container  # noqa: PLC0415 - never at import

    return process_container()


def _actor() -> str:
    return operator().actor


def _echo(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


@app.command("seed-catalogue")
def seed_catalogue(ctx: typer.Context) -> None:
    """Load the catalogue of 200+ public services (members, subsystems, services, grants); idempotent."""
    added = _container(ctx).exchange.seed_catalogue(_actor())
    console.print(f"{added} services added")


@app.command("services")
def services(ctx: typer.Context) -> None:
    """The catalogue with each service's grants, as JSON."""
    _echo(_container(ctx).exchange.services())


@app.command("add-member")
def add_member(
    ctx: typer.Context,
    member_id: str,
    name: str,
    kind: Annotated[str, typer.Option(help="ministry, province, bank, telecom or agency")],
) -> None:
    _container(ctx).exchange.add_member(_actor(), member_id, name, kind)
    console.print(f"member {member_id} added")


@app.command("add-subsystem")
def add_subsystem(ctx: typer.Context, member_id: str, subsystem_id: str, name: str) -> None:
    _container(ctx).exchange.add_subsystem(_actor(), member_id, subsystem_id, name)
    console.print(f"subsystem {subsystem_id} added")


@app.command("add-service")
def add_service(
    ctx: typer.Context,
    subsystem_id: str,
    service_code: str,
    name: str,
    legal_basis: Annotated[str, typer.Option(help="the law or decree that allows the service to use the data")],
    purpose: Annotated[str, typer.Option(help="what the service uses the data for")],
    pseudonymous: Annotated[bool, typer.Option(help="give this service aliases instead of numbers")] = False,
) -> None:
    _container(ctx).exchange.add_service(
        _actor(), subsystem_id, service_code, name, legal_basis=legal_basis, purpose=purpose, pseudonymous=pseudonymous
    )
    console.print(f"service {service_code} added")


@app.command("grant")
def grant(
    ctx: typer.Context,
    service_code: str,
    operation: Annotated[str, typer.Argument(help="verify, fetch, card_auth or events")],
    scope: Annotated[list[str], typer.Argument(help="attributes (or event topics for events)")],
) -> None:
    """Set what a service may do with one operation (replaces the previous scope)."""
    values = _container(ctx).exchange.grant(_actor(), service_code, operation, scope)
    console.print(f"{service_code} may {operation}: {', '.join(sorted(values))}")


@app.command("revoke-grant")
def revoke_grant(ctx: typer.Context, service_code: str, operation: str) -> None:
    _container(ctx).exchange.revoke_grant(_actor(), service_code, operation)
    console.print(f"{service_code} may no longer {operation}")


@app.command("add-client")
def add_client(
    ctx: typer.Context,
    service_code: str,
    client_id: str,
    name: str,
    rate: Annotated[float, typer.Option(min=0.001, help="requests per second")] = 50.0,
    burst: Annotated[int, typer.Option(min=1)] = 100,
    daily_quota: Annotated[int, typer.Option(min=1)] = 1_000_000,
) -> None:
    _container(ctx).exchange.add_client(
        _actor(), service_code, client_id, name, limits=Limits(rate, burst, daily_quota)
    )
    console.print(f"client {client_id} added for {service_code}; register its public key with add-key")


@app.command("add-key")
def add_key(
    ctx: typer.Context,
    client_id: str,
    jwk_file: Annotated[Path, typer.Argument(help="the client's public key as a JWK")],
) -> None:
    """Register a public key; keep the old one active until the partner has switched (rotation)."""
    try:
        jwk = json.loads(jwk_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ExchangeInvalid(f"cannot read a JWK from {jwk_file}: {exc}") from None
    kid = _container(ctx).exchange.add_key(_actor(), client_id, jwk)
    console.print(f"key {kid} active for {client_id}")


@app.command("retire-key")
def retire_key(ctx: typer.Context, client_id: str, kid: str) -> None:
    _container(ctx).exchange.retire_key(_actor(), client_id, kid)
    console.print(f"key {kid} of {client_id} retired")


@app.command("suspend")
def suspend(
    ctx: typer.Context, client_id: str, reason: Annotated[str, typer.Option(help="why, for the record")]
) -> None:
    """Suspend a client now: its existing tokens stop working on their next request."""
    _container(ctx).exchange.set_suspended(_actor(), client_id, True, reason)
    console.print(f"client {client_id} suspended")


@app.command("reinstate")
def reinstate(ctx: typer.Context, client_id: str) -> None:
    _container(ctx).exchange.set_suspended(_actor(), client_id, False)
    console.print(f"client {client_id} reinstated")


@app.command("deliver")
def deliver(
    ctx: typer.Context,
    every: Annotated[float | None, typer.Option(min=0.5, help="keep delivering every N seconds")] = None,
) -> None:
    """Send due life-event webhooks (retries with backoff; dead letters after the last attempt)."""
    events = _container(ctx).exchange_events
    while True:
        report = events.deliver_due()
        console.print(f"delivered {report.delivered}, retrying {report.retried}, dead {report.dead}")
        if every is None:
            return
        time.sleep(every)


@app.command("dead-letters")
def dead_letters(ctx: typer.Context) -> None:
    _echo(_container(ctx).exchange_events.dead_letters())
