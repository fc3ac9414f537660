"""``citizenid person …`` and ``citizenid number …``: thin commands over the register service."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from citizenid.clictx import container, operator
from citizenid.registry.api import person_out
from citizenid.registry.domain import EventKind, LifeEvent
from citizenid.registry.errors import RegistryInvalid
from citizenid.registry.repository import SearchCriteria

person_app = typer.Typer(help="Find, show, change and import persons.", no_args_is_help=True)
number_app = typer.Typer(help="Personal identification numbers.", no_args_is_help=True)
console = Console()


@number_app.command("check")
def number_check(number: str) -> None:
    """Explain a number (province, sex, century, year) and flag mismatches with its register record."""
    checked = container().registry.check_number(operator(), number)
    e = checked.explanation
    if not e.valid:
        console.print(f"[red]invalid[/red]: {e.reason}")
        raise typer.Exit(1)
    console.print(f"[green]valid[/green] {e.number}: birth registered in {e.province_name} ({e.province_code}), "
                  f"{'male' if e.sex == 'M' else 'female'}, born {e.birth_year} ({e.century}s)")
    if checked.registered is False:
        console.print("not in the register")
    for mismatch in checked.mismatches:
        console.print(f"[yellow]mismatch[/yellow]: {mismatch}")
    if checked.mismatches:
        raise typer.Exit(1)


@person_app.command("show")
def show(number: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show a person as the register holds them."""
    person = container().registry.get_person(operator(), number, purpose="operator lookup")
    data = person_out(person)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    table = Table(show_header=False, box=None)
    for key, value in data.items():
        if value is not None:
            table.add_row(key, json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value))
    console.print(table)


@person_app.command("search")
def search(
    name: Annotated[str | None, typer.Option(help="name, with or without diacritics")] = None,
    birth_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    birth_year: Annotated[int | None, typer.Option()] = None,
    old_id: Annotated[str | None, typer.Option(help="old 9-digit ID number")] = None,
    household: Annotated[str | None, typer.Option()] = None,
    commune: Annotated[str | None, typer.Option(help="5-digit commune code of the residence")] = None,
    page: int = 1,
    page_size: int = 20,
) -> None:
    """Search the register; prints one person per line."""
    criteria = SearchCriteria(name=name, birth_date=birth_date, birth_year=birth_year, household_id=household,
                              residence_commune=commune)
    found = container().registry.search(operator(), criteria, page=page, page_size=page_size,
                                        purpose="operator search", old_id_number=old_id)
    table = Table("number", "name", "sex", "born", "residence", "household")
    for p in found.items:
        table.add_row(p.personal_number, p.full_name, p.sex.value, p.birth_date.iso(), p.residence_commune,
                      p.household_id or "")
    console.print(table)
    if found.has_more:
        console.print(f"more on page {page + 1}")


@person_app.command("household")
def household(household_id: str) -> None:
    """A household: its address, head and members with their relationship to the head."""
    found = container().registry.household(operator(), household_id, purpose="operator lookup")
    console.print(f"household {found.household_id}: {found.residence_detail or ''} ({found.residence_commune}), "
                  f"head {found.head_number or 'not recorded'}")
    table = Table("number", "name", "relationship", "born")
    for m in found.members:
        relationship = m.household_relationship.value if m.household_relationship else ""
        table.add_row(m.personal_number, m.full_name, relationship, m.birth_date.iso())
    console.print(table)


@person_app.command("history")
def history(number: str) -> None:
    """Every version of a person and the life events between them."""
    found = container().registry.history(operator(), number, purpose="operator lookup")
    for version in found.versions:
        until = version.superseded_at.isoformat() if version.superseded_at else "now"
        console.print(f"[bold]version {version.version}[/bold] {version.recorded_at.isoformat()} → {until}")
        for key, (before, after) in version.changes.items():
            console.print(f"  {key}: {before!r} → {after!r}")
    for event in found.events:
        console.print(f"event {event.kind} on {event.effective_date} by {event.recorded_by}: {event.reason} "
                      f"({event.legal_basis})")


@person_app.command("event")
def record_event(
    number: str,
    kind: Annotated[EventKind, typer.Option()],
    reason: Annotated[str, typer.Option()],
    legal_basis: Annotated[str, typer.Option()],
    effective: Annotated[str | None, typer.Option(help="YYYY-MM-DD, default today")] = None,
    data: Annotated[list[str] | None, typer.Option("--set", help="field=value, repeatable")] = None,
) -> None:
    """Record a life event (death, marriage, change of residence, …) for a person."""
    fields: dict[str, Any] = {}
    for item in data or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise RegistryInvalid(f"--set takes field=value, not '{item}'")
        fields[key.strip()] = value.strip() or None
    try:
        when = dt.date.fromisoformat(effective) if effective else dt.datetime.now(dt.UTC).date()
    except ValueError:
        raise RegistryInvalid(f"--effective '{effective}' is not YYYY-MM-DD") from None
    person = container().registry.record_event(operator(), number, LifeEvent(kind, when, reason, legal_basis, fields))
    console.print(f"recorded {kind.value} for {person.personal_number}; now at version {person.version}")


@person_app.command("import")
def import_persons(
    file: Annotated[Path, typer.Argument(help="a .csv or .parquet file")],
    errors: Annotated[Path | None, typer.Option(help="where rejected rows are written")] = None,
) -> None:
    """Import persons; rejected rows go to an error file with their row number and reason."""
    errors_path = errors or file.with_name(file.stem + ".errors.csv")
    with _progress() as progress:
        task = progress.add_task(f"importing {file.name}", total=None)
        report = container().registry.import_file(
            operator(), file, errors_path=errors_path,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    console.print(f"{report.total} rows: {report.inserted} added, {report.unchanged} already there, "
                  f"{report.rejected} rejected")
    if report.rejected:
        console.print(f"rejected rows are listed in {errors_path}")


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=False)
