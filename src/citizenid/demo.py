"""``make demo``: an SQLite register with a synthetic population, a first officer, and the server."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import uvicorn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from citizenid.auth.domain import Role, operator_principal
from citizenid.auth.errors import AccountExists
from citizenid.bootstrap import PASSPHRASE_FILE, Container, bootstrap
from citizenid.cards.domain import ApplicationState
from citizenid.config import load_settings
from citizenid.db.migrate import upgrade
from citizenid.registry.repository import SearchCriteria
from citizenid.synth import generate_population_batches

FIRST_OFFICER = "giamsat"
ADMINISTRATOR = "quantri"
console = Console()


def run_demo(*, people: int, host: str, port: int, serve: bool) -> Container:
    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _demo_passphrase(settings.data_dir, given=settings.keystore_passphrase)
    container = bootstrap(settings)
    upgrade(container.engine)
    _load_population(container, people)
    if not container.pki.is_initialised:
        container.pki.init()
    container.audit.checkpoint()
    # The exchange platform's catalogue of public services, with their grants (idempotent).
    container.exchange.seed_catalogue("cli:demo")
    _campaign_targets(container, people)
    officer_password = _account(container, settings.data_dir, FIRST_OFFICER, Role.SUPERVISOR, "Cán bộ giám sát")
    admin_password = _account(container, settings.data_dir, ADMINISTRATOR, Role.ADMINISTRATOR, "Quản trị viên")
    sample = container.registry.search(
        operator_principal("demo"), SearchCriteria(name="nguyen van"), page_size=1, purpose="demo: print a sample"
    ).items
    base = f"http://{host}:{port}"
    say = console.print
    say(f"\n[bold]citizenid is ready[/bold] — {container.registry.count():,} people in "
        f"{settings.resolved_database_url()}", soft_wrap=True)
    say(f"  console        {base}/  — the officer console in a browser (Vietnamese; English from the menu)",
        soft_wrap=True)
    say(f"  citizen portal {base}/portal  — sign in with a personal number; the one-time code is written to "
        f"{settings.data_dir / 'notifications.jsonl'}", soft_wrap=True, markup=False)
    say(f"  API            {base}/docs  — press Authorize and log in with the officer below", soft_wrap=True)
    say(f"  officer login  {FIRST_OFFICER} / {officer_password}   (supervisor, all provinces)", soft_wrap=True)
    say(f"  admin login    {ADMINISTRATOR} / {admin_password}   (accounts)", soft_wrap=True)
    extract = """python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'"""
    say(f"  from a shell   TOKEN=$(curl -s -X POST {base}/api/v1/auth/token -d username={FIRST_OFFICER} "
        f"-d password={officer_password} | {extract})", soft_wrap=True, markup=False)
    say(f"  partners       {len(container.exchange.services())} public services in the exchange catalogue "
        "(citizenid partner services); docs/exchange.md", soft_wrap=True, markup=False)
    if sample:
        p = sample[0]
        say(f'  find a person  curl -s -H "Authorization: Bearer $TOKEN" '
            f"'{base}/api/v1/persons?name={p.name_key.replace(' ', '+')}&birth_year={p.birth_date.year}'",
            soft_wrap=True, markup=False)
    if serve:
        console.print(f"\nserving on {base} (Ctrl-C stops)")
        uvicorn.run("citizenid.app:app_from_environment", factory=True, host=host, port=port, log_level="warning")
    return container


def _campaign_targets(container: Container, people: int) -> None:
    """The campaign the dashboard follows: applications and issued cards for everyone over 14, once."""
    principal = operator_principal("demo")
    if container.cards.campaign(principal):
        return
    # About 85% of a population is 14 or older (the age of a first card).
    adults = max(1, int(people * 0.85))
    container.cards.set_target(principal, milestone=ApplicationState.RECEIVED, target=adults,
                               due=dt.date(2027, 7, 1), idempotency_key="demo-target-received")
    container.cards.set_target(principal, milestone=ApplicationState.ISSUED, target=adults,
                               due=dt.date(2027, 12, 31), idempotency_key="demo-target-issued")


def _load_population(container: Container, people: int) -> None:
    have = container.registry.count()
    if have >= people:
        console.print(f"the register already holds {have:,} people")
        return
    principal = operator_principal("demo")
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as progress:
        task = progress.add_task("generating and loading the synthetic population", total=people)
        done = 0
        for batch in generate_population_batches(people):
            container.registry.load_table(principal, batch)
            done += batch.num_rows
            progress.update(task, completed=done)


def _demo_passphrase(data_dir: Path, *, given: str | None) -> None:
    """The demo's issuing and audit keys are encrypted with a passphrase kept beside them (mode 0600)."""
    path = data_dir / PASSPHRASE_FILE
    if given or path.exists():
        return
    path.touch(mode=0o600)
    path.write_text(secrets.token_urlsafe(24) + "\n", encoding="utf-8")


def _account(container: Container, data_dir: Path, username: str, role: Role, name: str) -> str:
    """Create the account once; its password is kept (mode 0600) in the data directory for the demo."""
    secret_file = data_dir / f"{username}.password"
    if secret_file.exists():
        return secret_file.read_text(encoding="utf-8").strip()
    password = secrets.token_urlsafe(12)
    try:
        container.auth.add_user(username, password, role=role, display_name=name)
    except AccountExists:
        return "(set before; see the data directory)"
    secret_file.touch(mode=0o600)
    secret_file.write_text(password + "\n", encoding="utf-8")
    return password
