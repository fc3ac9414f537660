"""The ``citizenid`` command: mounts each area's commands.  Errors end as one line and a non-zero exit."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import typer
import uvicorn
from rich.console import Console

from citizenid.audit.cli import app as audit_app
from citizenid.auth.cli import app as users_app
from citizenid.biometrics.cli import app as bio_app
from citizenid.cards.cli import batch_app, card_app
from citizenid.chip.cli import app as chip_app
from citizenid.cleansing.cli import app as cleanse_app
from citizenid.clictx import container
from citizenid.db.migrate import current_revision, drift, upgrade
from citizenid.demo import run_demo
from citizenid.documents.cli import app as documents_app
from citizenid.errors import CitizenIdError, InvalidInput
from citizenid.exchange.cli import app as partner_app
from citizenid.pki.cli import app as pki_app
from citizenid.registry.cli import number_app, person_app
from citizenid.signing.cli import app as sign_app
from citizenid.synth import generate_population
from citizenid.synth.legacy import generate_legacy

app = typer.Typer(
    name="citizenid",
    help="citizenid: the population register and its chip identity cards.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="The database: migrations and their check.", no_args_is_help=True)
synth_app = typer.Typer(help="Synthetic populations for demos, tests and benchmarks.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(person_app, name="person")
app.add_typer(number_app, name="number")
app.add_typer(db_app, name="db")
app.add_typer(synth_app, name="synth")
app.add_typer(cleanse_app, name="cleanse")
app.add_typer(pki_app, name="pki")
app.add_typer(chip_app, name="chip")
app.add_typer(card_app, name="card")
app.add_typer(batch_app, name="batch")
app.add_typer(sign_app, name="sign")
app.add_typer(audit_app, name="audit")
app.add_typer(bio_app, name="bio")
app.add_typer(documents_app, name="documents")
app.add_typer(partner_app, name="partner")
err = Console(stderr=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration not yet applied."""
    engine = container().engine
    upgrade(engine)
    typer.echo(f"database at revision {current_revision(engine)}")


@db_app.command("check")
def db_check() -> None:
    """Fail when the models and the migrations disagree."""
    engine = container().engine
    upgrade(engine)
    found = drift(engine)
    if found:
        for item in found:
            err.print(f"drift: {item}")
        raise typer.Exit(1)
    typer.echo("migrations match the models")


@synth_app.command("generate")
def synth_generate(
    out: Annotated[Path, typer.Argument(help="a .parquet or .csv file")],
    count: Annotated[int, typer.Option(min=1)] = 100_000,
    seed: int = 20250701,
) -> None:
    """Write a deterministic synthetic population to a file (same seed, same people)."""
    table = generate_population(count, seed=seed)
    if out.suffix == ".parquet":
        pq.write_table(table, out)
    elif out.suffix == ".csv":
        pacsv.write_csv(table, out)
    else:
        raise InvalidInput("the output file must end in .parquet or .csv")
    typer.echo(f"wrote {table.num_rows} people to {out}")


@synth_app.command("legacy")
def synth_legacy(
    out: Annotated[Path, typer.Argument(help="a directory for the sources, mapping.json, truth and error log")],
    count: Annotated[int, typer.Option(min=1)] = 10_000,
    seed: int = 20250701,
) -> None:
    """Write noisy legacy sources of a synthetic population, with the truth and every injected error."""
    data = generate_legacy(count, seed=seed)
    data.write(out)
    typer.echo(f"wrote {data.truth.num_rows} records of {data.people} people in {len(data.sources)} sources "
               f"({len(data.errors)} injected errors) to {out}")


@app.command("demo")
def demo(
    people: Annotated[int, typer.Option(min=1, help="size of the synthetic population")] = 100_000,
    host: str = "127.0.0.1",
    port: int = 8000,
    serve_: Annotated[bool, typer.Option("--serve/--no-serve")] = True,
) -> None:
    """Create the database, load a synthetic population, make a first officer and serve."""
    run_demo(people=people, host=host, port=port, serve=serve_)


@app.command("serve")
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Serve the API (and the console) with uvicorn."""
    uvicorn.run("citizenid.app:app_from_environment", factory=True, host=host, port=port, workers=workers,
                log_level="warning")


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        # Standalone mode prints usage errors itself (exit 2); our errors and surprises come out here.
        app()
    except CitizenIdError as exc:
        err.print(f"error [{exc.code}]: {exc.detail}", highlight=False, markup=False, soft_wrap=True)
        sys.exit(2)
    except Exception as exc:  # the last line of defence: no traceback reaches a user
        logging.getLogger("citizenid").debug("unexpected error", exc_info=True)
        err.print(f"error: unexpected {type(exc).__name__}: {exc}", highlight=False, markup=False, soft_wrap=True)
        sys.exit(70)


if __name__ == "__main__":
    main()
