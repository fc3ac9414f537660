"""``citizenid audit …``: checkpoints, whole-log verification and proofs from the server's console."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from citizenid.audit.errors import AuditError, LogIntegrityError
from citizenid.audit.service import AuditService
from citizenid.pki.service import PublicKey

app = typer.Typer(help="The tamper-evident audit log: checkpoints, verification, proofs.", no_args_is_help=True)
err = Console(stderr=True)


def _service(ctx: typer.Context) -> AuditService:
    """The audit service: the one a caller put in ``ctx.obj`` (tests), else the process container's."""
    if isinstance(ctx.obj, AuditService):
        return ctx.obj
    from citizenid.clictx import container  # noqa: PLC0415 - built on first use, never at import

    return container().audit


def _echo(data: dict[str, Any]) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@app.command("checkpoint")
def checkpoint(
    ctx: typer.Context,
    every: Annotated[float | None, typer.Option(min=1, help="keep signing one every N seconds (a service)")] = None,
) -> None:
    """Put pending entries into the tree and sign a checkpoint; with --every, keep doing it."""
    service = _service(ctx)
    while True:
        _echo(service.checkpoint().as_dict())
        if every is None:
            return
        time.sleep(every)


@app.command("verify")
def verify(
    ctx: typer.Context,
    public_key: Annotated[Path | None, typer.Option(help="checkpoint public key (PEM); default: the key store's")]
    = None,
) -> None:
    """Recompute the whole log from the stored entries; fail on any altered or missing entry or bad checkpoint."""
    service = _service(ctx)
    key = _load_key(public_key) if public_key is not None else None
    total = service.head().tree_size
    with Progress(TextColumn("verifying"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as progress:
        task = progress.add_task("entries", total=total)
        report = service.verify(key, progress=lambda done: progress.update(task, completed=done))
    typer.echo(f"{report.entries_checked} entries, {report.nodes_checked} stored subtree hashes and "
               f"{report.checkpoints_checked} checkpoints checked; {report.pending} entries not yet in the tree")
    if not report.ok:
        for problem in report.problems:
            err.print(f"problem: {problem}", highlight=False, markup=False, soft_wrap=True)
        more = report.problems_left_out
        raise LogIntegrityError(f"the audit log fails verification: {len(report.problems) + more} problem(s)")
    typer.echo("the audit log is intact")


def _load_key(path: Path) -> PublicKey:
    try:
        key = load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as error:
        raise AuditError(f"cannot read a public key from {path}: {error}") from error
    if not isinstance(key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        raise AuditError(f"{path} holds a key of a kind that never signs checkpoints")
    return key


@app.command("prove")
def prove(
    ctx: typer.Context,
    index: Annotated[int, typer.Argument(min=0, help="the entry's leaf index")],
    tree_size: Annotated[int | None, typer.Option(min=1, help="default: the latest checkpoint's size")] = None,
) -> None:
    """Print the entry at INDEX and its inclusion proof (RFC 9162 audit path)."""
    proof = _service(ctx).inclusion(index, tree_size)
    _echo({
        "leaf_index": proof.leaf_index,
        "tree_size": proof.tree_size,
        "leaf_hash": _b64(proof.leaf_hash),
        "entry": proof.canonical_entry.decode(),
        "audit_path": [_b64(h) for h in proof.path],
    })


@app.command("consistency")
def consistency(
    ctx: typer.Context,
    first: Annotated[int, typer.Argument(min=0)],
    second: Annotated[int, typer.Argument(min=0)],
) -> None:
    """Print the RFC 9162 consistency proof between two tree sizes."""
    proof = _service(ctx).consistency(first, second)
    _echo({"first": first, "second": second, "proof": [_b64(h) for h in proof]})


@app.command("key")
def key(ctx: typer.Context) -> None:
    """Print the checkpoint public key (PEM) that outside verifiers need."""
    public = _service(ctx).public_key()
    typer.echo(public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode(), nl=False)
