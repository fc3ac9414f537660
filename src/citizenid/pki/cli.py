"""``citizenid pki …``: the issuing PKI from the production centre's console."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from citizenid.clictx import container
from citizenid.pki.service import KeyAlgorithm, PkiService

app = typer.Typer(help="The issuing PKI: CSCA, document signers, CRLs, masterlist.", no_args_is_help=True)


def _service(ctx: typer.Context) -> PkiService:
    """The PKI service: the one a caller put in ``ctx.obj`` (tests), else the process container's."""
    if isinstance(ctx.obj, PkiService):
        return ctx.obj
    return container().pki


def _echo_status(service: PkiService) -> None:
    typer.echo(json.dumps(service.status().as_dict(), indent=2, ensure_ascii=False))


@app.command("init")
def init(
    ctx: typer.Context,
    algorithm: Annotated[KeyAlgorithm, typer.Option(help="CSCA key algorithm")] = KeyAlgorithm.EC_P256,
    signer_algorithm: Annotated[KeyAlgorithm | None, typer.Option(help="document signer key algorithm")] = None,
) -> None:
    """Create the CSCA, its masterlist signer and the first document signer."""
    service = _service(ctx)
    service.init(algorithm, signer_algorithm)
    _echo_status(service)


@app.command("status")
def status(ctx: typer.Context) -> None:
    """The CSCA, the current document signer and whether it is due for rotation."""
    _echo_status(_service(ctx))


@app.command("rotate-signer")
def rotate_signer(ctx: typer.Context) -> None:
    """Retire the current document signer now and issue a new one."""
    service = _service(ctx)
    signer = service.rotate_signer()
    typer.echo(f"new document signer {signer.label} (serial {signer.certificate.serial_number:x})")


@app.command("rotate-csca")
def rotate_csca(ctx: typer.Context) -> None:
    """Roll the CSCA key over; prints the link certificate (PEM) verifiers need."""
    link = _service(ctx).rotate_csca()
    typer.echo(link.public_bytes(Encoding.PEM).decode(), nl=False)


@app.command("crl")
def crl(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Option(help="write the CRL (DER) here as well")] = None,
) -> None:
    """Issue the next CRL of every CSCA; prints and optionally exports the current CSCA's."""
    issued = _service(ctx).crl()
    if out is not None:
        out.write_bytes(issued.public_bytes(Encoding.DER))
    number = issued.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    typer.echo(f"CRL {number}: {len(list(issued))} revoked, next update {issued.next_update_utc:%Y-%m-%d %H:%M} UTC")


@app.command("masterlist")
def masterlist(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="where to write the signed masterlist (DER CMS)")],
    anchor: Annotated[Path | None, typer.Option(help="also write the current CSCA certificate (PEM) here")] = None,
) -> None:
    """Export the signed CSCA masterlist that verifiers import."""
    service = _service(ctx)
    out.write_bytes(service.masterlist())
    if anchor is not None:
        anchor.write_bytes(service.csca_certificates()[-1].public_bytes(Encoding.PEM))
    typer.echo(f"wrote masterlist with {len(service.csca_certificates()) + len(service.link_certificates())} "
               f"certificates to {out}")
