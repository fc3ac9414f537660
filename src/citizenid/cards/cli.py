"""``citizenid card …`` and ``citizenid batch …``: thin commands over the card service."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from citizenid.cards.domain import ApplicationState, Reason, RevocationReason
from citizenid.cards.errors import CardInvalid
from citizenid.cards.repository import Worklist
from citizenid.clictx import container, operator

card_app = typer.Typer(help="Card applications, cards, renewals, the revocation list and the campaign.",
                       no_args_is_help=True)
batch_app = typer.Typer(help="Production batches: create, run (resumable), dispatch, print sheet.",
                        no_args_is_help=True)
console = Console()


def _echo(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CardInvalid(f"cannot read {what} {path}: {error.strerror}") from None


@card_app.command("apply")
def apply(
    number: str,
    site: Annotated[str, typer.Option(help="the office taking the application")],
    reason: Annotated[Reason, typer.Option()] = Reason.FIRST_CARD,
    photo: Annotated[Path | None, typer.Option(help="JPEG or PNG")] = None,
    fingerprint: Annotated[list[str] | None, typer.Option(help="POSITION=FILE, e.g. 2=right-index.png")] = None,
    declare: Annotated[list[str] | None, typer.Option(help="FIELD=VALUE as the applicant states it")] = None,
    idempotency_key: Annotated[str | None, typer.Option(help="repeat the command safely")] = None,
) -> None:
    """Take an application for a person in the register; prints the receipt."""
    prints: dict[int, bytes] = {}
    for item in fingerprint or []:
        position, _, file = item.partition("=")
        if not position.isdigit() or not file:
            raise CardInvalid(f"'{item}' is not POSITION=FILE")
        prints[int(position)] = _read(Path(file), "fingerprint")
    declared: dict[str, str] = {}
    for item in declare or []:
        name, sep, value = item.partition("=")
        if not sep:
            raise CardInvalid(f"'{item}' is not FIELD=VALUE")
        declared[name] = value
    receipt = container().cards.take_application(
        operator(), number, reason=reason, site=site, declared=declared,
        photo=_read(photo, "photo") if photo else None, fingerprints=prints, idempotency_key=idempotency_key)
    _echo({**asdict(receipt.application), "biometric_candidates": receipt.candidates})


@card_app.command("application")
def show_application(application_id: str) -> None:
    """Show an application and its history."""
    service = container().cards
    _echo({**asdict(service.get_application(operator(), application_id)),
           "history": [asdict(t) for t in service.application_history(operator(), application_id)]})


@card_app.command("check")
def check(application_id: str) -> None:
    """received → verified: the declared details agree with the register."""
    _echo(asdict(container().cards.verify(operator(), application_id)))


@card_app.command("amend")
def amend(application_id: str,
          declare: Annotated[list[str], typer.Option(help="FIELD=VALUE as the applicant's papers state it")]) -> None:
    """Correct the declared details of a received application."""
    declared: dict[str, str] = {}
    for item in declare:
        name, sep, value = item.partition("=")
        if not sep:
            raise CardInvalid(f"'{item}' is not FIELD=VALUE")
        declared[name] = value
    _echo(asdict(container().cards.amend(operator(), application_id, declared)))


@card_app.command("approve")
def approve(application_id: str) -> None:
    _echo(asdict(container().cards.approve(operator(), application_id)))


@card_app.command("reject")
def reject(application_id: str, reason: Annotated[str, typer.Option(help="what the applicant will read")]) -> None:
    _echo(asdict(container().cards.reject(operator(), application_id, reason)))


@card_app.command("worklist")
def worklist(
    province: str | None = None,
    site: str | None = None,
    state: ApplicationState | None = None,
    older_than_hours: float | None = None,
    page: int = 1,
    page_size: int = 50,
) -> None:
    """Applications by province, site, state and age in state, oldest first."""
    before = dt.datetime.now(dt.UTC) - dt.timedelta(hours=older_than_hours) if older_than_hours is not None else None
    found = container().cards.worklist(operator(), Worklist(province, site, state, before), page=page,
                                       page_size=page_size)
    table = Table("application", "number", "province", "site", "state", "since")
    for a in found:
        since = f"{a.state_since:%Y-%m-%d %H:%M}"
        table.add_row(a.application_id, a.personal_number, a.province, a.site, a.state, since)
    console.print(table)


@card_app.command("issue")
def issue(application_id: str,
          officer_confirmed: Annotated[bool, typer.Option("--officer-confirmed")] = False,
          live_photo: Annotated[Path | None, typer.Option()] = None) -> None:
    """Hand the card over and activate it; the holder's earlier cards are revoked."""
    card = container().cards.issue(operator(), application_id, officer_confirmed=officer_confirmed,
                                   live_photo=_read(live_photo, "live photo") if live_photo else None)
    _echo(asdict(card))


@card_app.command("show")
def show(card_number: str) -> None:
    service = container().cards
    _echo({**asdict(service.get_card(operator(), card_number)),
           "history": [asdict(e) for e in service.card_history(operator(), card_number)]})


@card_app.command("revoke")
def revoke(card_number: str, reason: Annotated[RevocationReason, typer.Option()], note: str = "") -> None:
    """Revoke a lost, stolen or damaged card; it is on the revocation list at once."""
    _echo(asdict(container().cards.revoke(operator(), card_number, reason, note)))


@card_app.command("update")
def update(card_number: str) -> None:
    """Write the register's current details to the card's chip (new DG13 and SOD, same card)."""
    _echo(asdict(container().cards.update_card(operator(), card_number)))


@card_app.command("verify")
def verify(card_number: str) -> None:
    """Read the card's chip as an offline reader does; exit 1 when it does not verify."""
    result = container().cards.verify_card(operator(), card_number)
    _echo(result)
    if not result["valid"]:
        raise typer.Exit(1)


@card_app.command("renewals")
def renewals(months: int = 3, province: str | None = None, limit: int = 1000) -> None:
    """Holders who must renew in the coming months (a renewal age is reached)."""
    table = Table("number", "card", "province", "expires", "renewal age")
    for due in container().cards.renewals(operator(), months=months, province=province, limit=limit):
        table.add_row(due.personal_number, due.card_number, due.province, due.expiry_date.isoformat(),
                      str(due.renewal_age or ""))
    console.print(table)


@card_app.command("revocation-list")
def revocation_list(out: Path) -> None:
    """Write the signed list of revoked cards (DER) for offline readers."""
    out.write_bytes(container().cards.revocation_list())
    typer.echo(f"wrote {out}")


@card_app.command("target")
def target(milestone: Annotated[ApplicationState, typer.Option()], count: Annotated[int, typer.Option()],
           due: Annotated[str, typer.Option(help="YYYY-MM-DD")], province: str | None = None) -> None:
    """Set a campaign target, e.g. --milestone received --count 50000000 --due 2021-07-01."""
    try:
        due_date = dt.date.fromisoformat(due)
    except ValueError:
        raise CardInvalid(f"'{due}' is not a date YYYY-MM-DD") from None
    target_id = container().cards.set_target(operator(), milestone=milestone, target=count, due=due_date,
                                             province=province)
    typer.echo(target_id)


@card_app.command("campaign")
def campaign(window_days: int = 7) -> None:
    """Targets against counts so far, with the date each will be met at the recent rate."""
    table = Table("province", "milestone", "target", "due", "done", "per day", "forecast", "on track")
    for t in container().cards.campaign(operator(), window_days=window_days):
        table.add_row(t.province or "all", t.milestone, f"{t.target:,}", t.due_date.isoformat(), f"{t.done:,}",
                      f"{t.daily_rate:,.1f}", t.forecast.isoformat() if t.forecast else "never at this rate",
                      "yes" if t.on_track else "no")
    console.print(table)


@batch_app.command("create")
def create(limit: int = 1000, province: str | None = None) -> None:
    """Take approved applications, oldest first, into a new batch; prints its id."""
    batch = container().cards.create_batch(operator(), limit=limit, province=province)
    typer.echo(batch.batch_id)


@batch_app.command("run")
def run(batch_id: str, max_cards: int | None = None) -> None:
    """Make the batch's pending cards; safe to interrupt and rerun, and to run in several processes."""
    service = container().cards
    with Progress(TextColumn("cards"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True)) as progress:
        task = progress.add_task("cards", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        batch = service.run_batch(operator(), batch_id, max_cards=max_cards, progress=advance)
    _echo(asdict(batch))


@batch_app.command("show")
def show_batch(batch_id: str) -> None:
    _echo(asdict(container().cards.batch(operator(), batch_id)))


@batch_app.command("dispatch")
def dispatch(batch_id: str) -> None:
    """Hand the batch's checked cards to delivery."""
    typer.echo(f"dispatched {container().cards.dispatch_batch(operator(), batch_id)} cards")


@batch_app.command("sheet")
def sheet(batch_id: str, out: Path) -> None:
    """Write the batch's print sheet (PDF, four cards a page, front beside back)."""
    count = container().cards.print_sheet(operator(), batch_id, out)
    typer.echo(f"wrote {count} cards to {out}")
