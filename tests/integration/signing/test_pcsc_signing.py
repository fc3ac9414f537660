"""Sign a PDF with the card through real PC/SC: pcscd + vsmartcard's vpcd + pyscard, then validate it.

Uses the vpcd reader's second slot ("Virtual PCD 00 01", port 35964) so that it never competes with the
chip area's PC/SC test for the first one.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citizenid.chip.card import VirtualChip
from citizenid.chip.errors import CardError, TransportError
from citizenid.chip.image import ChipImage, personalise
from citizenid.chip.transport import PcscTransport
from citizenid.chip.vicc import VpcdBridge
from citizenid.pki.service import MemoryKeyStore, PkiService
from citizenid.signing.cli import app as sign_app
from citizenid.signing.errors import WrongPin
from citizenid.signing.service import SigningService
from tests.integration.pcsc import ensure_pcscd
from tests.unit.chip.conftest import FACE, make_holder
from tests.unit.signing.conftest import PIN, PUK, make_pdf

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
READER = "Virtual PCD 00 01"
PORT = 35964
pytest.importorskip("smartcard", reason="pyscard is not installed")
pytestmark = [
    pytest.mark.skipif(
        shutil.which("pcscd") is None or not VPCD_DRIVER.exists(),
        reason="needs pcscd and vsmartcard-vpcd (Debian packages pcscd, vsmartcard-vpcd)",
    ),
    # One pcscd serves every PC/SC test: they run one after another on one xdist worker.
    pytest.mark.xdist_group("pcsc"),
]


def sign_through_pcsc(signing: SigningService, image: ChipImage, workdir: Path) -> tuple[bytes, bytes]:
    """The library signs through the reader, then ``citizenid sign --reader`` does (PIN from the env)."""
    ensure_pcscd()
    bridge = VpcdBridge(VirtualChip(image), port=PORT)
    bridge.start()
    try:
        transport = None
        for _ in range(50):  # pcscd polls the driver for card insertion
            try:
                transport = PcscTransport(READER)
                break
            except TransportError:
                time.sleep(0.1)
        assert transport is not None, "pcscd never saw the virtual card"
        try:
            card = signing.card(transport, image.mrz_information, prefer_pace=False)
            with pytest.raises(WrongPin):
                signing.sign_pdf(make_pdf(), card, "000000")
            signed = signing.sign_pdf(make_pdf(), card, PIN, timestamp=True)
        finally:
            transport.close()
        (workdir / "don.pdf").write_bytes(make_pdf())
        mrz = "\\n".join(make_holder().mrz().lines())
        outcome = CliRunner().invoke(sign_app, [str(workdir / "don.pdf"), "--reader", READER, "--mrz", mrz],
                                     obj=signing, env={"CITIZENID_SIGNING_PIN": PIN})
        if isinstance(outcome.exception, (TransportError, CardError)):
            raise outcome.exception
        assert outcome.exit_code == 0, (outcome.output, outcome.exception)
        return signed, (workdir / "don.signed.pdf").read_bytes()
    finally:
        bridge.stop()


# When the other test's pcscd goes away under a live connection, pyscard's destructor complains about
# the dead context; the retry below is the answer to that, not the warning.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_sign_a_pdf_through_pcsc(tmp_path: Path) -> None:
    pki = PkiService(MemoryKeyStore(), tmp_path / "pki")
    pki.init()
    signing = SigningService(pki)
    holder = make_holder()
    image = personalise(holder, FACE, pki.document_signer())
    signing.personalise(image, full_name=holder.full_name, personal_number=holder.personal_number, pin=PIN, puk=PUK)
    for attempt in range(3):
        try:
            signed, signed_by_cli = sign_through_pcsc(signing, image, tmp_path)
            break
        except (TransportError, CardError):
            # The chip test on another worker stopped the pcscd it had started; start ours and go again.
            if attempt == 2:
                raise
            time.sleep(0.5)
    report = signing.validate_pdf(signed)
    assert report.valid, report.as_dict()
    assert report.signatures[0].level == "B-T"
    assert signing.validate_pdf(signed_by_cli).valid
    assert image.applications is not None
    assert image.applications.signing is not None
    assert image.applications.signing.pin.tries_left == 5  # the right PIN restored the counter
