"""``citizenid documents …``: the type catalogue, an agency's bulk load, and one person's documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from citizenid.documents.catalogue import CATALOGUE
from citizenid.documents.service import DocumentService, as_dict

app = typer.Typer(help="Integrated documents: health insurance, driving licences, tax codes, ...",
                  no_args_is_help=True)


def _service() -> tuple[DocumentService, str]:
    from citizenid.clictx import container, operator  # noqa: PLC0415 - built on first use, never at import

    return container().documents, operator().actor


@app.command("types")
def types() -> None:
    """The document type catalogue: issuing agency, attributes, what may be shared."""
    for kind in CATALOGUE.values():
        typer.echo(f"{kind.code:22} {kind.agency:12} {kind.name_vi} / {kind.name_en}")
        typer.echo(f"{'':22} attributes: {', '.join(kind.attributes)}; shareable: {', '.join(kind.shareable)}")


@app.command("load")
def load(
    path: Annotated[Path, typer.Argument(help="CSV: action, doc_type, doc_number, personal_number, attributes")],
    agency: Annotated[str, typer.Option(help="the issuing agency's member code, e.g. BCA")],
    errors: Annotated[Path | None, typer.Option(help="where rejected rows go (default: <file>.errors.csv)")] = None,
) -> None:
    """Load an agency's existing documents; rows that fail go to an error file with their reasons.
    From the server's console the agency may load only the types it issues."""
    allowed = frozenset(k.code for k in CATALOGUE.values() if k.agency == agency)
    if not allowed:
        known = sorted({k.agency for k in CATALOGUE.values()})
        raise typer.BadParameter(f"no document type is issued by {agency}; agencies: {', '.join(known)}")
    service, actor = _service()
    errors_path = errors or path.with_suffix(".errors.csv")
    report = service.load_file(actor, agency, allowed, path, errors_path=errors_path)
    typer.echo(f"accepted {report.accepted}, rejected {report.rejected}"
               + (f" (see {errors_path})" if report.rejected else ""))


@app.command("show")
def show(
    number: Annotated[str, typer.Argument(help="the holder's personal number")],
    purpose: Annotated[str, typer.Option(help="why you look (recorded in the access log)")] = "operator check",
) -> None:
    """One person's integrated documents, as JSON."""
    service, actor = _service()
    typer.echo(json.dumps([as_dict(d) for d in service.of_holder(actor, number, purpose=purpose)],
                          indent=2, ensure_ascii=False))
