"""Read the virtual chip through real PC/SC: pcscd + vsmartcard's vpcd driver + pyscard.

Uses the system pcscd when one runs (Debian's vpcd configuration listens on 35963); otherwise starts
one for the test and stops it afterwards.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from citizenid.chip.card import VirtualChip
from citizenid.chip.image import ChipImage, personalise
from citizenid.chip.reader import Reader
from citizenid.chip.transport import PcscTransport
from citizenid.chip.verifier import TrustStore, Verifier
from citizenid.chip.vicc import VpcdBridge
from citizenid.pki.service import MemoryKeyStore, PkiService

from .test_openssl_interop import HOLDER

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
SOCKET = Path("/run/pcscd/pcscd.comm")
pytest.importorskip("smartcard", reason="pyscard is not installed")
pytestmark = pytest.mark.skipif(
    shutil.which("pcscd") is None or not VPCD_DRIVER.exists(),
    reason="needs pcscd and vsmartcard-vpcd (Debian packages pcscd, vsmartcard-vpcd)",
)


@pytest.fixture(scope="module")
def pcscd() -> Iterator[None]:
    started = None
    if not SOCKET.exists():
        started = subprocess.Popen(["pcscd", "-f", "-e"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):
            if SOCKET.exists():
                break
            time.sleep(0.1)
    yield
    if started is not None:
        started.terminate()
        started.wait(timeout=10)


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> tuple[ChipImage, TrustStore]:
    service = PkiService(MemoryKeyStore(), tmp_path_factory.mktemp("pki"))
    service.init()
    image = personalise(HOLDER, b"\xff\xd8" + bytes(6000) + b"\xff\xd9", service.document_signer())
    return image, TrustStore.from_masterlist(service.masterlist(), crls=[service.crl()])


def test_read_and_verify_over_pcsc(pcscd: None, issued: tuple[ChipImage, TrustStore]) -> None:
    image, trust = issued
    bridge = VpcdBridge(VirtualChip(image))
    bridge.start()
    try:
        transport = None
        for _ in range(50):  # pcscd polls the driver for card insertion
            try:
                transport = PcscTransport("Virtual PCD 00 00")
                break
            except Exception:  # noqa: BLE001 - no card yet
                time.sleep(0.1)
        assert transport is not None, "pcscd never saw the virtual card"
        try:
            card = Reader(transport).read(image.mrz_information, prefer_pace=False)
        finally:
            transport.close()
    finally:
        bridge.stop()
    result = Verifier(trust).verify(card)
    assert result.valid, result.as_dict()
    assert result.access == "BAC"
    assert card.files == {f: image.files[f] for f in card.files}
