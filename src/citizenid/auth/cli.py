"""``citizenid users …``: accounts for officers."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from citizenid.auth.domain import Role
from citizenid.clictx import container
from citizenid.errors import InvalidInput

app = typer.Typer(help="Officer accounts.", no_args_is_help=True)
console = Console()


@app.command("add")
def add(
    username: str,
    role: Annotated[Role, typer.Option(help="registrar, supervisor, production_operator, auditor, administrator")],
    province: Annotated[str | None, typer.Option(help="province code (required for registrars)")] = None,
    name: Annotated[str | None, typer.Option(help="display name")] = None,
    password_stdin: Annotated[bool, typer.Option(help="read the password from standard input")] = False,
) -> None:
    """Create an account.  The password comes from CITIZENID_NEW_PASSWORD, stdin, or a prompt."""
    password = os.environ.get("CITIZENID_NEW_PASSWORD")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    if not password:
        if not sys.stdin.isatty():
            raise InvalidInput("no password given: use --password-stdin or CITIZENID_NEW_PASSWORD")
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    view = container().auth.add_user(username, password, role=role, province_code=province, display_name=name)
    scope = f" in province {view.province_code}" if view.province_code else ""
    console.print(f"created {view.role.value} '{view.username}'{scope}")


@app.command("list")
def list_users() -> None:
    """List accounts (never their passwords)."""
    table = Table("username", "name", "role", "province", "active")
    for v in container().auth.list_users():
        table.add_row(v.username, v.display_name, v.role.value, v.province_code or "all", "yes" if v.active else "no")
    console.print(table)


@app.command("disable")
def disable(username: str) -> None:
    """Disable an account and end its sessions at once."""
    container().auth.set_active(username, False)
    console.print(f"disabled '{username}'")
