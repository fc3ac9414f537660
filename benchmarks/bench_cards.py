"""The card pipeline: application intake over HTTP and a production batch.

- intake: ``POST /api/v1/applications`` (photo + two fingerprints, base64 JSON, an Idempotency-Key each)
  from 16 keep-alive connections against one uvicorn worker on SQLite; applications/s and p50/p99, with
  the ratio to ``GET /api/v1/ping`` in the same run.  Goal: ≥ 120/s (Vietnam's peak day ×20).
- production: a batch of BENCH_CARDS_BATCH cards (default 10,000) made end to end in one process (chip
  image, quality-control read-back, front and back PNG, card number, commit), dispatched, and its print
  sheet written; cards/s, the share of time per step, and the ratio to bare chip personalisation.

Sizes: BENCH_CARDS_PEOPLE (register, default 20,000), BENCH_CARDS_INTAKE (default 3,000 applications),
BENCH_CARDS_BATCH (default 10,000 cards).
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import io
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data as skdata
from sqlalchemy import select, update

from benchmarks.bench_register_http import free_port, register_db, serve, token
from benchmarks.common import emit, median, percentile
from benchmarks.httpload import run_load
from citizenid.auth.domain import Principal, Role
from citizenid.bootstrap import bootstrap
from citizenid.cards.domain import ApplicationState, Reason
from citizenid.cards.models import ApplicationRow
from citizenid.cards.printing import chip_face
from citizenid.chip.service import CardHolder
from citizenid.config import Settings
from citizenid.registry.models import PersonRow

PASSPHRASE = "bench-cards-passphrase"


def _photo() -> bytes:
    out = io.BytesIO()
    Image.fromarray(skdata.astronaut()).crop((120, 0, 420, 400)).resize((360, 480)).save(out, "JPEG", quality=85)
    return out.getvalue()


def _fingerprint(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    out = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (200, 200), dtype=np.uint8), "L").save(out, "PNG")
    return out.getvalue()


async def _post_load(port: int, bodies: list[bytes], headers: dict[str, str],
                     connections: int) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    errors = [0]
    failures: list[str] = []
    queue = list(reversed(range(len(bodies))))
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while queue:
                i = queue.pop()
                body = bodies[i]
                began = time.perf_counter()
                writer.write((f"POST /api/v1/applications HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}"
                              f"Idempotency-Key: bench-{hash(body)}\r\nContent-Type: application/json\r\n"
                              f"Content-Length: {len(body)}\r\n\r\n").encode() + body)
                answer = await reader.readuntil(b"\r\n\r\n")
                length = next(int(line[15:]) for line in answer.split(b"\r\n")
                              if line[:15].lower() == b"content-length:")
                content = await reader.readexactly(length)
                latencies.append((time.perf_counter() - began) * 1000)
                if int(answer[9:12]) != 201:
                    errors[0] += 1
                    failures.append(content[:300].decode(errors="replace"))
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    if failures:
        print(f"first failure: {failures[0]}", file=sys.stderr)
    return time.perf_counter() - began, latencies, errors[0]


def intake(db: Path, numbers: list[str], count: int) -> None:
    photo = base64.b64encode(_photo()).decode()
    prints = {str(p): base64.b64encode(_fingerprint(p)).decode() for p in (2, 7)}
    bodies = [json.dumps({"personal_number": n, "reason": "first_card", "site": "CA-bench", "declared": {},
                          "photo": photo, "fingerprints": prints}).encode() for n in numbers[:count]]
    port = free_port()
    server = serve(db, port)
    try:
        headers = {"Authorization": f"Bearer {token(port)}"}
        ping = run_load("127.0.0.1", port, ["/api/v1/ping"], headers=headers, requests=3000)
        warm = min(200, len(bodies) // 10)
        asyncio.run(_post_load(port, bodies[:warm], headers, 4))
        seconds, latencies, errors = asyncio.run(_post_load(port, bodies[warm:], headers, 16))
    finally:
        server.terminate()
        server.wait(10)
    if errors:
        raise RuntimeError(f"{errors} applications failed")
    rate = len(latencies) / seconds
    emit("cards.intake.http", applications=len(latencies), per_s=round(rate, 1),
         p50_ms=round(percentile(latencies, 50), 1), p99_ms=round(percentile(latencies, 99), 1),
         ratio_to_ping=round(rate / ping.rps, 3), goal_per_s=120, gate=os.environ["CITIZENID_BIOMETRICS"])


def production(data_dir: Path, db: Path, numbers: list[str], size: int) -> None:
    settings = Settings(data_dir=data_dir, database_url=f"sqlite:///{db}", keystore_passphrase=PASSPHRASE)
    container = bootstrap(settings)
    operator = Principal("bench", Role.OPERATOR, kind="cli")
    photo = _photo()
    prints = {p: _fingerprint(p) for p in (2, 7)}
    for number in numbers[:size]:
        container.cards.take_application(operator, number, reason=Reason.FIRST_CARD, site="CA-bench", declared={},
                                         photo=photo, fingerprints=prints)
    with container.uow() as uow:  # approvals are not what is measured here
        uow.session.execute(update(ApplicationRow).values(state=ApplicationState.APPROVED.value))
        uow.commit()
    # Baseline in the same process: bare chip personalisation of the same face.
    holder = CardHolder("001090000001", "Nguyễn Văn An", dt.date(1990, 5, 17), "M", "Hà Nội", "Hà Nội",
                        dt.date(2026, 1, 1), None)
    face = chip_face(photo)
    bare = []
    for _ in range(3):
        began = time.perf_counter()
        for _ in range(100):
            container.chip.personalise(holder, face)
        bare.append(100 / (time.perf_counter() - began))
    timings: dict[str, float] = {}
    began = time.perf_counter()
    batch = container.cards.create_batch(operator, limit=size)
    timings["create batch"] = time.perf_counter() - began
    mark = time.perf_counter()
    done = container.cards.run_batch(operator, batch.batch_id, timings=timings)
    mark2 = time.perf_counter()
    container.cards.dispatch_batch(operator, batch.batch_id)
    timings["dispatch"] = time.perf_counter() - mark2
    mark3 = time.perf_counter()
    container.cards.print_sheet(operator, batch.batch_id, data_dir / "sheet.pdf")
    timings["print sheet"] = time.perf_counter() - mark3
    total = time.perf_counter() - began
    if done.produced != size:
        raise RuntimeError(f"made {done.produced} of {size} cards ({done.spoiled} spoiled)")
    accounted = sum(timings.values())
    shares = {k.replace(" ", "_"): round(v / accounted, 3) for k, v in sorted(timings.items(), key=lambda kv: -kv[1])}
    rate = size / total
    emit("cards.production.batch", cards=size, per_s=round(rate, 1), seconds=round(total, 1),
         run_seconds=round(mark2 - mark, 1), ratio_to_bare_personalise=round(rate / median(bare), 3),
         bare_personalise_per_s=round(median(bare), 1))
    emit("cards.production.shares", cards=size, **shares)
    container.close()


def main() -> None:
    # The format-only gate unless told otherwise: the reference models are measured by bench_biometrics.
    os.environ.setdefault("CITIZENID_BIOMETRICS", "format-only")
    people = int(os.environ.get("BENCH_CARDS_PEOPLE", "20000"))
    intake_count = int(os.environ.get("BENCH_CARDS_INTAKE", "3000"))
    batch_size = int(os.environ.get("BENCH_CARDS_BATCH", "10000"))
    if intake_count + batch_size > people:
        raise SystemExit("BENCH_CARDS_PEOPLE must cover BENCH_CARDS_INTAKE + BENCH_CARDS_BATCH")
    cached, _, _ = register_db(people)
    work = Path(tempfile.mkdtemp(prefix="bench-cards-"))
    try:
        db = work / "citizenid.db"
        shutil.copyfile(cached, db)
        container = bootstrap(Settings(data_dir=work, database_url=f"sqlite:///{db}", keystore_passphrase=PASSPHRASE))
        container.pki.init()
        with container.uow() as uow:
            unique = list(uow.session.scalars(select(PersonRow.personal_number).where(PersonRow.status == "living")
                                              .order_by(PersonRow.personal_number)))
        container.close()
        intake(db, unique, intake_count)
        production(work, db, unique[intake_count:], batch_size)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
