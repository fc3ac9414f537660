"""``citizenid sign …``: sign a PDF with a card, verify signed PDFs, personalise and unblock the application.

Secrets never come from the command line (shell history, ``ps``): the PIN is read from an environment
variable (``CITIZENID_SIGNING_PIN`` unless ``--pin-env`` names another) or else from the first line of
standard input, hidden when that is a terminal.  The card image is saved after every exchange with it,
so a wrong PIN costs a try on the card file as it would on a real card.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from citizenid.chip.service import ChipImage
from citizenid.errors import InvalidInput
from citizenid.signing.errors import SignatureInvalid, SigningError
from citizenid.signing.service import SigningService


class _DocumentFirst(TyperGroup):
    """``citizenid sign doc.pdf`` signs; ``citizenid sign verify doc.pdf`` and friends are subcommands."""

    # Typer vendors its own click; its Context type is private, hence Any.
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["pdf", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(cls=_DocumentFirst, no_args_is_help=True,
                  help="Sign PDFs with the identity card (PAdES) and verify signed PDFs.")


def _service(ctx: typer.Context) -> SigningService:
    if isinstance(ctx.obj, SigningService):
        return ctx.obj
    from citizenid.clictx import container  # noqa: PLC0415 - built on first use, never at import

    return container().signing


def _secret(env: str, what: str) -> str:
    value = os.environ.get(env)
    if value is None:
        value = getpass.getpass(f"{what}: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\r\n")
    if not value:
        raise InvalidInput(f"no {what}: set {env} or give it on standard input")
    return value


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InvalidInput(f"cannot read {path}: {error.strerror}") from None


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


CardOption = Annotated[Path, typer.Option("--card", help="the card's chip image (citizenid chip personalise)")]
ImageOption = Annotated[Path | None, typer.Option("--card", help="the card's chip image (citizenid chip personalise)")]
ReaderOption = Annotated[str | None, typer.Option(help="sign with the card in this PC/SC reader instead of an image")]
MrzOption = Annotated[str | None, typer.Option(help="with --reader: the card's MRZ (three lines, \\n between)")]


@app.command("pdf", help="Sign a PDF with the card (the default: `citizenid sign document.pdf --card …`).")
def sign_command(
    ctx: typer.Context,
    document: Annotated[Path, typer.Argument(help="the PDF to sign")],
    card: ImageOption = None,
    reader: ReaderOption = None,
    mrz: MrzOption = None,
    out: Annotated[Path | None, typer.Option(help="where to write the signed PDF (default: <name>.signed.pdf)")] = None,
    timestamp: Annotated[bool, typer.Option(help="add a time stamp from the project's TSA (PAdES B-T)")] = False,
    reason: Annotated[str | None, typer.Option(help="why the holder signs")] = None,
    location: Annotated[str | None, typer.Option(help="where the holder signs")] = None,
    pin_env: Annotated[str, typer.Option(help="environment variable holding the PIN")] = "CITIZENID_SIGNING_PIN",
) -> None:
    service = _service(ctx)
    pdf = _read(document)
    if (card is None) == (reader is None):
        raise InvalidInput("name the card: --card <chip image> or --reader <PC/SC reader> --mrz <MRZ>")
    pin = _secret(pin_env, "signing PIN")
    if card is not None:
        image = ChipImage.load(card)
        try:
            signed = service.sign_pdf_with_image(pdf, image, pin, timestamp=timestamp, reason=reason,
                                                 location=location)
        finally:
            image.save(card)  # the PIN counter moved on the card, whatever happened
    else:
        signed = _sign_in_reader(service, pdf, pin, str(reader), mrz, timestamp=timestamp, reason=reason,
                                 location=location)
    target = out or document.with_name(f"{document.stem}.signed.pdf")
    _write(target, signed)
    typer.echo(f"signed {document} -> {target} ({'PAdES B-T' if timestamp else 'PAdES B-B'})")


def _sign_in_reader(service: SigningService, pdf: bytes, pin: str, reader: str, mrz: str | None, *,
                    timestamp: bool, reason: str | None, location: str | None) -> bytes:
    from citizenid.chip.service import PcscTransport, parse_td1  # noqa: PLC0415 - pyscard only when asked

    if not mrz:
        raise InvalidInput("--reader needs the card's --mrz (it opens secure messaging)")
    transport = PcscTransport(reader)
    try:
        card = service.card(transport, parse_td1(mrz.replace("\\n", "\n")).mrz_information())
        return service.sign_pdf(pdf, card, pin, timestamp=timestamp, reason=reason, location=location)
    finally:
        transport.close()


@app.command("verify")
def verify_command(
    ctx: typer.Context,
    document: Annotated[Path, typer.Argument(help="a signed PDF")],
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Validate every signature against the citizen signing CA and its CRL; exits non-zero when invalid."""
    report = _service(ctx).validate_pdf(_read(document))
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        for signature in report.signatures:
            mark = "ok  " if signature.valid else "FAIL"
            when = signature.timestamp or signature.signed_at
            typer.echo(f"{mark} {signature.field}: {signature.signer} ({signature.signer_id}), {signature.level}, "
                       f"{when.isoformat() if when else 'no time'}: {signature.reason}")
    if not report.valid:
        raise SignatureInvalid(report.reason)


@app.command("personalise")
def personalise_command(
    ctx: typer.Context,
    card: Annotated[Path, typer.Argument(help="the chip image to give a signature application")],
    full_name: Annotated[str, typer.Option(help="the holder's name as on the card")],
    personal_number: Annotated[str, typer.Option(help="the holder's 12-digit personal number")],
) -> None:
    """Make the signing key on the chip and certify it; PIN then PUK from CITIZENID_SIGNING_PIN / _PUK or stdin."""
    image = ChipImage.load(card)
    pin = _secret("CITIZENID_SIGNING_PIN", "new signing PIN")
    puk = _secret("CITIZENID_SIGNING_PUK", "unblock code (PUK)")
    certificate = _service(ctx).personalise(image, full_name=full_name, personal_number=personal_number, pin=pin,
                                            puk=puk)
    image.save(card)
    typer.echo(f"signing certificate {certificate.serial_number:x} for {full_name}, valid until "
               f"{certificate.not_valid_after_utc.date().isoformat()}")


@app.command("unblock")
def unblock_command(ctx: typer.Context, card: CardOption) -> None:
    """Unblock the PIN with the PUK and set a new PIN (CITIZENID_SIGNING_PUK, CITIZENID_SIGNING_NEW_PIN or stdin)."""
    service = _service(ctx)
    image = ChipImage.load(card)
    if image.applications is None or image.applications.signing is None:
        raise SigningError("this card has no signature application")
    puk = _secret("CITIZENID_SIGNING_PUK", "unblock code (PUK)")
    new_pin = _secret("CITIZENID_SIGNING_NEW_PIN", "new signing PIN")
    from citizenid.chip.service import InProcessTransport, VirtualChip  # noqa: PLC0415

    try:
        service.card(InProcessTransport(VirtualChip(image)), image.mrz_information).unblock(puk, new_pin)
    finally:
        image.save(card)
    typer.echo("PIN unblocked and changed")


@app.command("revoke")
def revoke_command(ctx: typer.Context, card_number: Annotated[str, typer.Argument(help="the card's number")]) -> None:
    """Revoke the card's signing certificates now (the card was revoked) and publish the CRL."""
    count = _service(ctx).revoke_card(card_number)
    typer.echo(f"revoked {count} signing certificate(s) of card {card_number}")


