"""PDF signatures per second through the in-process card, against pyHanko with a software key; OTP checks.

Prints one JSON line per figure:

- ``signing.pdf``: PAdES B-B signatures per second through the virtual chip (one secure-messaging session,
  as with a card left in the reader; each signature reads the certificate, checks it against the CRL,
  verifies the PIN and has the chip sign), with ``ratio_to_software_key``: card speed over pyHanko
  signing the same PDF with the same kind of key in memory, timed in alternating blocks in this process
  so both see the same machine load (goal: at least 0.5, i.e. within 2x).
- ``signing.validate``: signed PDFs validated per second against the citizen signing CA and its CRL.
- ``otp.validate``: TOTP/HOTP codes accepted per second by the OTP service (SQLite, a read and a
  compare-and-set update per code, each code once), with ``ratio_to_domain``: over the pure rule alone.

``--quick`` runs a few dozen of each for CI.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from sqlalchemy.orm import sessionmaker
from tests.unit.chip.conftest import FACE, make_holder  # run.py puts the repository root on the path
from tests.unit.signing.conftest import make_pdf

from benchmarks.common import emit
from citizenid.chip.card import VirtualChip
from citizenid.chip.image import personalise
from citizenid.chip.transport import InProcessTransport
from citizenid.db import UnitOfWork, create_engine_for
from citizenid.db.migrate import upgrade
from citizenid.otp.domain import OtpKind, OtpParameters, OtpState, hotp, validate
from citizenid.otp.service import MemoryMasterKey, OtpService
from citizenid.pki.service import MemoryKeyStore, PkiService
from citizenid.signing.pades import software_signer
from citizenid.signing.service import SigningService

PIN, PUK = "123456", "87654321"
PERSON = "001093047064"


def _signing_rates(blocks: int, per_block: int) -> tuple[float, float, bytes]:
    pki = PkiService(MemoryKeyStore(), Path(tempfile.mkdtemp(prefix="bench-sign-")))
    pki.init()
    service = SigningService(pki)
    holder = make_holder()
    image = personalise(holder, FACE, pki.document_signer())
    service.personalise(image, full_name=holder.full_name, personal_number=holder.personal_number, pin=PIN, puk=PUK)
    card = service.card(InProcessTransport(VirtualChip(image)), image.mrz_information, prefer_pace=False)
    pdf = make_pdf("Don xin xac nhan cu tru " * 40)

    # The baseline: the same certificate profile and curve, the key in memory, pyHanko doing the rest.
    key = ec.generate_private_key(ec.SECP256R1())
    baseline_cert = pki.citizen_signing.issue(key.public_key(), full_name=holder.full_name,
                                              personal_number=holder.personal_number, card_number="BASELINE")
    baseline = software_signer(key, baseline_cert, service.chain())

    def software() -> bytes:
        meta = signers.PdfSignatureMetadata(field_name="Signature1", md_algorithm="sha256",
                                            subfilter=fields.SigSeedSubFilter.PADES)
        out = signers.PdfSigner(meta, signer=baseline).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)))
        assert isinstance(out, io.BytesIO)
        return out.getvalue()

    signed = service.sign_pdf(pdf, card, PIN)  # warm-up both paths (imports, caches, the session)
    software()
    card_time = software_time = 0.0
    for _ in range(blocks):
        start = time.perf_counter()
        for _ in range(per_block):
            signed = service.sign_pdf(pdf, card, PIN)
        card_time += time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(per_block):
            software()
        software_time += time.perf_counter() - start
    count = blocks * per_block
    validations = max(5, count // 4)
    start = time.perf_counter()
    for _ in range(validations):
        assert service.validate_pdf(signed).valid
    validate_rate = validations / (time.perf_counter() - start)
    emit("signing.validate", per_s=round(validate_rate, 1))
    return count / card_time, count / software_time, signed


def _otp_rates(count: int) -> tuple[float, float]:
    directory = Path(tempfile.mkdtemp(prefix="bench-otp-"))
    engine = create_engine_for(f"sqlite:///{directory / 'otp.db'}")
    upgrade(engine)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    service = OtpService(lambda: UnitOfWork(factory), MemoryMasterKey())
    secret = service.enrol(PERSON, "BENCH", OtpParameters(OtpKind.HOTP)).secret
    codes = [hotp(secret, i) for i in range(count)]
    start = time.perf_counter()
    for code in codes:
        service.validate(PERSON, "BENCH", code)
    service_rate = count / (time.perf_counter() - start)
    params, state = OtpParameters(OtpKind.HOTP), OtpState()
    start = time.perf_counter()
    for code in codes:
        outcome = validate(params, secret, state, code, now=0)
        assert outcome.accepted
        state = outcome.state
    domain_rate = count / (time.perf_counter() - start)
    engine.dispose()
    return service_rate, domain_rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few dozen of each, for CI")
    args = parser.parse_args()
    blocks, per_block = (3, 10) if args.quick else (10, 30)
    card_rate, software_rate, _ = _signing_rates(blocks, per_block)
    emit("signing.pdf", per_s=round(card_rate, 1), software_key_per_s=round(software_rate, 1),
         ratio_to_software_key=round(card_rate / software_rate, 3))
    service_rate, domain_rate = _otp_rates(200 if args.quick else 2000)
    emit("otp.validate", per_s=round(service_rate, 1), domain_per_s=round(domain_rate, 1),
         ratio_to_domain=round(service_rate / domain_rate, 4))


if __name__ == "__main__":
    main()
