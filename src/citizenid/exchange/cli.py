"""``citizenid partner …``: members, subsystems, services, grants, clients and their keys, suspension,
event delivery — the platform administrator's console."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from citizenid.clictx import container, operator
from citizenid.exchange.domain import Limits
from citizenid.exchange.errors import ExchangeInvalid

app = typer.Typer(help="The exchange platform's partners: members, services, grants, clients, keys.",
                  no_args_is_help=True)
console = Console()


def _actor() -> str:
    return operator().actor


def _echo(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


@app.command("seed-catalogue")
def seed_catalogue() -> None:
    """Load the catalogue of 200+ public services (members, subsystems, services, grants); idempotent."""
    added = container().exchange.seed_catalogue(_actor())
    console.print(f"{added} services added")


@app.command("services")
def services() -> None:
    """The catalogue with each service's grants, as JSON."""
    _echo(container().exchange.services())


@app.command("add-member")
def add_member(member_id: str, name: str,
               kind: Annotated[str, typer.Option(help="ministry, province, bank, telecom or agency")]) -> None:
    container().exchange.add_member(_actor(), member_id, name, kind)
    console.print(f"member {member_id} added")


@app.command("add-subsystem")
def add_subsystem(member_id: str, subsystem_id: str, name: str) -> None:
    container().exchange.add_subsystem(_actor(), member_id, subsystem_id, name)
    console.print(f"subsystem {subsystem_id} added")


@app.command("add-service")
def add_service(
    subsystem_id: str, service_code: str, name: str,
    legal_basis: Annotated[str, typer.Option(help="the law or decree that allows the service to use the data")],
    purpose: Annotated[str, typer.Option(help="what the service uses the data for")],
    pseudonymous: Annotated[bool, typer.Option(help="give this service aliases instead of numbers")] = False,
) -> None:
    container().exchange.add_service(_actor(), subsystem_id, service_code, name, legal_basis=legal_basis,
                                     purpose=purpose, pseudonymous=pseudonymous)
    console.print(f"service {service_code} added")


@app.command("grant")
def grant(service_code: str, operation: Annotated[str, typer.Argument(help="verify, fetch, card_auth or events")],
          scope: Annotated[list[str], typer.Argument(help="attributes (or event topics for events)")]) -> None:
    """Set what a service may do with one operation (replaces the previous scope)."""
    values = container().exchange.grant(_actor(), service_code, operation, scope)
    console.print(f"{service_code} may {operation}: {', '.join(sorted(values))}")


@app.command("revoke-grant")
def revoke_grant(service_code: str, operation: str) -> None:
    container().exchange.revoke_grant(_actor(), service_code, operation)
    console.print(f"{service_code} may no longer {operation}")


@app.command("add-client")
def add_client(
    service_code: str, client_id: str, name: str,
    rate: Annotated[float, typer.Option(min=0.001, help="requests per second")] = 50.0,
    burst: Annotated[int, typer.Option(min=1)] = 100,
    daily_quota: Annotated[int, typer.Option(min=1)] = 1_000_000,
) -> None:
    container().exchange.add_client(_actor(), service_code, client_id, name, limits=Limits(rate, burst, daily_quota))
    console.print(f"client {client_id} added for {service_code}; register its public key with add-key")


@app.command("add-key")
def add_key(client_id: str, jwk_file: Annotated[Path, typer.Argument(help="the client's public key as a JWK")]) -> None:
    """Register a public key; keep the old one active until the partner has switched (rotation)."""
    try:
        jwk = json.loads(jwk_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ExchangeInvalid(f"cannot read a JWK from {jwk_file}: {exc}") from None
    kid = container().exchange.add_key(_actor(), client_id, jwk)
    console.print(f"key {kid} active for {client_id}")


@app.command("retire-key")
def retire_key(client_id: str, kid: str) -> None:
    container().exchange.retire_key(_actor(), client_id, kid)
    console.print(f"key {kid} of {client_id} retired")


@app.command("suspend")
def suspend(client_id: str, reason: Annotated[str, typer.Option(help="why, for the record")]) -> None:
    """Suspend a client now: its existing tokens stop working on their next request."""
    container().exchange.set_suspended(_actor(), client_id, True, reason)
    console.print(f"client {client_id} suspended")


@app.command("reinstate")
def reinstate(client_id: str) -> None:
    container().exchange.set_suspended(_actor(), client_id, False)
    console.print(f"client {client_id} reinstated")


@app.command("deliver")
def deliver(
    every: Annotated[float | None, typer.Option(min=0.5, help="keep delivering every N seconds")] = None,
) -> None:
    """Send due life-event webhooks (retries with backoff; dead letters after the last attempt)."""
    events = container().exchange_events
    while True:
        report = events.deliver_due()
        console.print(f"delivered {report.delivered}, retrying {report.retried}, dead {report.dead}")
        if every is None:
            return
        time.sleep(every)


@app.command("dead-letters")
def dead_letters() -> None:
    _echo(container().exchange_events.dead_letters())
