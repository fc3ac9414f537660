"""Chip personalisation and offline reads per second.

Prints one JSON line per figure:

- ``chip.personalise``: chips per second (every data group, EF.SOD signed by a P-256 document signer; the
  chip's AA/CA key pairs come from pre-personalisation), with ``ratio_to_bare_sign``: personalisation speed
  over bare ECDSA signing of as many SOD signed-attribute blocks, timed in alternating blocks of 100 in the
  same process so both see the same machine load.  One process per core.
- ``chip.read.bac`` / ``chip.read.pace``: full offline reads per second against the in-process virtual
  chip (access control, every file, chip and active authentication, passive authentication with the
  chain and CRL checks).

``--quick`` runs a few hundred of each for CI.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import tempfile
import time
from datetime import date
from pathlib import Path

from citizenid.chip.card import VirtualChip
from citizenid.chip.image import ChipKeys, personalise
from citizenid.chip.lds import CardHolder
from citizenid.chip.reader import Reader
from citizenid.chip.sod import lds_security_object, signed_attributes
from citizenid.chip.transport import InProcessTransport
from citizenid.chip.verifier import TrustStore, Verifier
from citizenid.pki.service import MemoryKeyStore, PkiService

FACE = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40 + b"\xff\xd9"  # ~10 KB, a typical compressed ICAO face


def holder(i: int) -> CardHolder:
    return CardHolder(
        personal_number=f"0012{i % 10**8:08d}",
        full_name="Nguyễn Thị Minh Khai",
        birth_date=date(1990, 1 + i % 12, 1 + i % 28),
        sex="F",
        place_of_origin="Xã Đông Hội, Huyện Đông Anh, Hà Nội",
        place_of_residence="Số 12 ngõ 34 phố Đội Cấn, Phường Ba Đình, Thành phố Hà Nội",
        issue_date=date(2024, 7, 1),
        expiry_date=date(2034, 1 + i % 12, 1 + i % 28),
        father="Nguyễn Văn An",
        mother="Trần Thị Bình",
    )


def _pki() -> PkiService:
    service = PkiService(MemoryKeyStore(), Path(tempfile.mkdtemp(prefix="bench-pki-")))
    service.init()
    return service


def _personalise_worker(args: tuple[int, int]) -> tuple[float, float]:
    """Time personalisation and bare signing in alternating blocks of 100, so both see the same load."""
    start_index, count = args
    signer = _pki().document_signer()
    holders = [holder(start_index + i) for i in range(count)]
    # Chips generate their AA and CA key pairs on-card at pre-personalisation; that is not our CPU's work.
    keys = [ChipKeys.generate() for _ in range(count)]
    blocks = [signed_attributes(lds_security_object({1: os.urandom(32), 2: os.urandom(32)})) for _ in range(count)]
    gc.collect()
    gc.freeze()  # the inputs are long-lived: keep the collector from rescanning them
    chips = signs = 0.0
    step = 100
    for lo in range(0, count, step):
        started = time.perf_counter()
        for h, k in zip(holders[lo : lo + step], keys[lo : lo + step], strict=True):
            personalise(h, FACE, signer, pace=False, chip_keys=k)
        chips += time.perf_counter() - started
        started = time.perf_counter()
        for block in blocks[lo : lo + step]:
            signer.signer.sign(block)
        signs += time.perf_counter() - started
    return chips, signs


def bench_personalise(count: int, workers: int) -> dict[str, object]:
    share = count // workers
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        wall = time.perf_counter()
        results = pool.map(_personalise_worker, [(i * share, share) for i in range(workers)])
        wall = time.perf_counter() - wall
    chip_rate = sum(share / r[0] for r in results)
    sign_rate = sum(share / r[1] for r in results)
    return {"name": "chip.personalise", "per_s": round(chip_rate),
            "ratio_to_bare_sign": round(chip_rate / sign_rate, 3), "bare_sign_per_s": round(sign_rate),
            "chips": share * workers, "workers": workers, "wall_s": round(wall, 2),
            "goal_per_s": 2000, "goal_ratio": 0.3}


def bench_read(count: int, pace: bool) -> dict[str, object]:
    service = _pki()
    signer = service.document_signer()
    trust = TrustStore.from_masterlist(service.masterlist(), crls=[service.crl()])
    verifier = Verifier(trust)
    images = [personalise(holder(i), FACE, signer, pace=pace) for i in range(min(count, 50))]
    started = time.perf_counter()
    for i in range(count):
        image = images[i % len(images)]
        reader = Reader(InProcessTransport(VirtualChip(image)), extended_length=True)
        result = verifier.verify(reader.read(image.mrz_information))
        if not result.valid:
            raise SystemExit(f"benchmark read did not verify: {result.as_dict()}")
    elapsed = time.perf_counter() - started
    name = "chip.read.pace" if pace else "chip.read.bac"
    return {"name": name, "per_s": round(count / elapsed, 1), "reads": count, "goal_per_s": 500}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a short run for CI")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    chips = 2_000 if args.quick else 20_000
    reads = 300 if args.quick else 3_000
    print(json.dumps(bench_personalise(chips, args.workers)))
    print(json.dumps(bench_read(reads, pace=False)))
    print(json.dumps(bench_read(max(20, reads // 30), pace=True)))


if __name__ == "__main__":
    main()
