"""``citizenid chip …``: personalise a chip image, verify one offline, read a card in a PC/SC reader."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from citizenid.chip.card import VirtualChip
from citizenid.chip.errors import ChipError, VerificationFailedError
from citizenid.chip.service import ChipImage, ChipService, PcscTransport, TrustStore, VerificationResult, parse_td1
from citizenid.chip.service import load_holder as _load_holder
from citizenid.chip.vicc import VpcdBridge
from citizenid.clictx import container

app = typer.Typer(help="ICAO 9303 chips: personalise, verify, read.", no_args_is_help=True)


def _service(ctx: typer.Context) -> ChipService:
    """The chip service: the one a caller put in ``ctx.obj`` (tests), else the process container's."""
    if isinstance(ctx.obj, ChipService):
        return ctx.obj
    return container().chip


def _trust(service: ChipService, masterlist: Path | None, crl: list[Path] | None, anchor: Path | None,
           revoked: list[str] | None, revocation_list: Path | None = None) -> TrustStore:
    revoked_set = frozenset(revoked or [])
    if masterlist is None:
        return service.own_trust_store(revoked_set)
    return service.trust_store_from_files(masterlist, crl or [], anchor, revoked_set, revocation_list)


def _report(result: VerificationResult, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        for check in result.checks:
            mark = {True: "ok  ", False: "FAIL", None: "--  "}[check.passed]
            typer.echo(f"{mark} {check.name}: {check.detail}")
        holder = result.holder
        if holder is not None:
            typer.echo(f"holder: {holder.full_name}, {holder.personal_number}")
    if not result.valid:
        failed = ", ".join(c.name for c in result.failures) or "a mandatory check did not pass"
        raise VerificationFailedError(f"the card did not verify: {failed}")


MasterlistOption = Annotated[Path | None, typer.Option(help="masterlist to trust (default: this deployment's)")]
CrlOption = Annotated[list[Path] | None, typer.Option(help="CRL file(s), DER or PEM")]
AnchorOption = Annotated[Path | None, typer.Option(help="pinned CSCA certificate (PEM) the masterlist must chain to")]
RevokedOption = Annotated[list[str] | None, typer.Option(help="revoked card numbers")]
RevocationListOption = Annotated[Path | None, typer.Option(help="signed list of revoked cards")]


@app.command("personalise")
def personalise_command(
    ctx: typer.Context,
    holder: Annotated[Path, typer.Argument(help="JSON file with the card holder's fields")],
    face: Annotated[Path, typer.Argument(help="the face image (JPEG)")],
    out: Annotated[Path, typer.Argument(help="where to write the chip image")],
    pace: Annotated[bool, typer.Option(help="offer PACE (EF.CardAccess)")] = True,
    active_authentication: Annotated[bool, typer.Option(help="active authentication key (DG15)")] = True,
    chip_authentication: Annotated[bool, typer.Option(help="chip authentication key (DG14)")] = True,
) -> None:
    """Personalise a chip image with the current document signer."""
    try:
        face_jpeg = face.read_bytes()
    except OSError as error:
        raise ChipError(f"cannot read {face}: {error.strerror}") from None
    image = _service(ctx).personalise(_load_holder(holder), face_jpeg, pace=pace,
                                      active_authentication=active_authentication,
                                      chip_authentication=chip_authentication)
    image.save(out)
    typer.echo(f"wrote chip image for document {image.document_number} to {out}")


@app.command("verify")
def verify_command(
    ctx: typer.Context,
    image: Annotated[Path, typer.Argument(help="a chip image file")],
    masterlist: MasterlistOption = None,
    crl: CrlOption = None,
    anchor: AnchorOption = None,
    revoked: RevokedOption = None,
    revocation_list: RevocationListOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
) -> None:
    """Read a chip image as a reader reads a card, and verify it offline."""
    service = _service(ctx)
    loaded = ChipImage.load(image)
    trust = _trust(service, masterlist, crl, anchor, revoked, revocation_list)
    _report(service.verify_image(loaded, trust), as_json)


@app.command("read")
def read_command(
    ctx: typer.Context,
    mrz: Annotated[str, typer.Argument(help="the card's MRZ (three lines joined by newlines or run together)")],
    reader: Annotated[str | None, typer.Option(help="PC/SC reader name (substring)")] = None,
    masterlist: MasterlistOption = None,
    crl: CrlOption = None,
    anchor: AnchorOption = None,
    revoked: RevokedOption = None,
    revocation_list: RevocationListOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
) -> None:
    """Read and verify a card in a PC/SC reader, keyed by its MRZ."""
    service = _service(ctx)
    mrz_information = parse_td1(mrz.replace("\\n", "\n")).mrz_information()
    trust = _trust(service, masterlist, crl, anchor, revoked, revocation_list)
    transport = PcscTransport(reader)
    try:
        _report(service.read(transport, mrz_information, trust), as_json)
    finally:
        transport.close()


@app.command("serve")
def serve_command(
    image: Annotated[Path, typer.Argument(help="a chip image file")],
    port: Annotated[int, typer.Option(help="vpcd port (Debian's vsmartcard-vpcd listens on 35963)")] = 35963,
    seconds: Annotated[float, typer.Option(help="stop after this long (0: until interrupted)")] = 0,
) -> None:
    """Put a chip image into the vpcd virtual reader so PC/SC applications can read it."""
    bridge = VpcdBridge(VirtualChip(ChipImage.load(image)), port=port)
    bridge.start()
    typer.echo(f"chip {image} is in the vpcd reader on port {port}; Ctrl-C to remove it")
    try:
        deadline = time.monotonic() + seconds if seconds else None
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        bridge.stop()


@app.command("revocation-list")
def revocation_list_command(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="where to write the signed list")],
    revoked: Annotated[list[str] | None, typer.Option(help="a revoked card number (repeat)")] = None,
    hours: Annotated[int, typer.Option(min=1, help="hours until the next list is due")] = 24,
) -> None:
    """Sign the list of revoked card numbers that offline verifiers load with the masterlist."""
    numbers = frozenset(revoked or [])
    out.write_bytes(_service(ctx).revocation_list(numbers, timedelta(hours=hours)))
    typer.echo(f"wrote a list of {len(numbers)} revoked cards to {out}")
