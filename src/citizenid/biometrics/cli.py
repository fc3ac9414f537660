"""``citizenid bio …``: capture checks, 1:1, the adjudication queue and the 1:N index from the console."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from citizenid.biometrics.errors import InvalidCapture
from citizenid.biometrics.service import BiometricsService

app = typer.Typer(help="Biometrics: capture quality, 1:1 matching, duplicate adjudication, the 1:N index.",
                  no_args_is_help=True)


def _service(ctx: typer.Context) -> BiometricsService:
    if isinstance(ctx.obj, BiometricsService):
        return ctx.obj
    from citizenid.clictx import container  # noqa: PLC0415 - built on first use, never at import

    return container().biometrics


def _actor() -> str:
    from citizenid.clictx import operator  # noqa: PLC0415

    return operator().actor


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InvalidCapture(f"cannot read the {what} {path}: {error.strerror}") from None


def _echo(data: dict[str, Any]) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _fingers(specs: list[str]) -> dict[int, bytes]:
    prints: dict[int, bytes] = {}
    for spec in specs:
        position, _, path = spec.partition("=")
        if not position.isdigit() or not path:
            raise InvalidCapture(f"--finger takes POSITION=FILE (e.g. 2=right-index.png), not {spec!r}")
        prints[int(position)] = _read(Path(path), f"fingerprint {position}")
    return prints


@app.command("check")
def check(
    ctx: typer.Context,
    photo: Annotated[Path, typer.Argument(help="the face photo (JPEG or PNG)")],
    finger: Annotated[list[str] | None, typer.Option(help="POSITION=FILE, repeatable (2 and 7: the index fingers)")]
    = None,
) -> None:
    """Quality at capture: prints the reasons to retake; exit 1 when the capture is refused."""
    verdict = _service(ctx).check_capture(_read(photo, "photo"), _fingers(finger or []))
    _echo({"ok": verdict.ok, "reasons": list(verdict.reasons)})
    if not verdict.ok:
        raise typer.Exit(1)


@app.command("match")
def match(
    ctx: typer.Context,
    first: Annotated[Path, typer.Argument(help="e.g. the application photo")],
    second: Annotated[Path, typer.Argument(help="e.g. the live capture")],
) -> None:
    """1:1: the score, the operating threshold and the decision."""
    result = _service(ctx).compare_faces(_read(first, "first photo"), _read(second, "second photo"))
    _echo({"score": round(result.score, 4), "threshold": result.threshold, "matched": result.matched})


@app.command("verify-card")
def verify_card(
    ctx: typer.Context,
    dg2: Annotated[Path, typer.Argument(help="EF.DG2 as read from the chip (e.g. by 'citizenid chip read')")],
    live: Annotated[Path, typer.Argument(help="the live capture of the person presenting the card")],
) -> None:
    """The offline verifier's 1:1: the chip's portrait against the person in front of the reader."""
    result = _service(ctx).verify_card_holder(_read(dg2, "DG2 file"), _read(live, "live capture"))
    _echo({"score": round(result.score, 4), "threshold": result.threshold, "matched": result.matched})


@app.command("queue")
def queue(ctx: typer.Context, limit: Annotated[int, typer.Option(min=1, max=500)] = 100) -> None:
    """Duplicate candidates waiting for a supervisor."""
    for line in _service(ctx).queue(limit=limit, actor=_actor()):
        finger = "-" if line.finger_score is None else f"{line.finger_score:.4f}"
        typer.echo(f"{line.application_id}\t{line.personal_number}\t~ {line.candidate_personal_number}\t"
                   f"face {line.face_score:.4f}\tfinger {finger}")


@app.command("show")
def show(
    ctx: typer.Context,
    application: Annotated[str, typer.Argument(help="the application id")],
    out: Annotated[Path, typer.Option(help="folder for the images")] = Path(),
) -> None:
    """Write the applicant's photo and each candidate's into a folder, for a supervisor to compare."""
    found = _service(ctx).case(application, actor=_actor())
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in [(f"{application}-applicant.jpg", found.photo),
                       *((f"{application}-candidate-{c.summary.candidate_personal_number}.jpg", c.photo)
                         for c in found.candidates)]:
        if data is not None:
            (out / name).write_bytes(data)
            written.append(str(out / name))
    _echo({"application_id": application, "status": found.status, "images": written,
           "candidates": [{"personal_number": c.summary.candidate_personal_number,
                           "face_score": round(c.summary.face_score, 4)} for c in found.candidates]})


@app.command("decide")
def decide(
    ctx: typer.Context,
    application: Annotated[str, typer.Argument(help="the application id")],
    candidate: Annotated[str, typer.Argument(help="the candidate's personal number")],
    duplicate: Annotated[bool, typer.Option("--duplicate/--distinct", help="the same person, or another")],
) -> None:
    """A supervisor's ruling on one candidate: a duplicate blocks the application."""
    status = _service(ctx).decide(application, candidate, duplicate, actor=_actor())
    _echo({"application_id": application, "status": status})


@app.command("reindex")
def reindex(ctx: typer.Context) -> None:
    """Rebuild this process's 1:N index from every enrolled face (after restoring a backup, say)."""
    typer.echo(f"{_service(ctx).rebuild_index()} faces indexed")
