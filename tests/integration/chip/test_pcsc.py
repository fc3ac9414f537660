"""Read the virtual chip through real PC/SC: pcscd + vsmartcard's vpcd driver + pyscard.

Uses the system pcscd when one runs (Debian's vpcd configuration listens on 35963); otherwise starts
one for the test and stops it afterwards.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from typer.testing import CliRunner

from citizenid.chip.card import VirtualChip
from citizenid.chip.cli import app as chip_app
from citizenid.chip.errors import TransportError
from citizenid.chip.reader import Reader
from citizenid.chip.service import ChipService
from citizenid.chip.transport import PcscTransport
from citizenid.chip.verifier import TrustStore, Verifier
from citizenid.chip.vicc import VpcdBridge
from citizenid.pki.service import MemoryKeyStore, PkiService
from tests.integration.pcsc import ensure_pcscd

from .test_openssl_interop import HOLDER

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
pytest.importorskip("smartcard", reason="pyscard is not installed")
pytestmark = [
    pytest.mark.skipif(
        shutil.which("pcscd") is None or not VPCD_DRIVER.exists(),
        reason="needs pcscd and vsmartcard-vpcd (Debian packages pcscd, vsmartcard-vpcd)",
    ),
    # One pcscd serves every PC/SC test: they run one after another on one xdist worker.
    pytest.mark.xdist_group("pcsc"),
]


@pytest.fixture(scope="module")
def pcscd() -> None:
    ensure_pcscd()


# One test, two phases: under pytest-xdist two tests could land on two workers and race to start pcscd.
def test_pcsc_library_read_and_cli_read(pcscd: None, tmp_path: Path) -> None:
    service = PkiService(MemoryKeyStore(), tmp_path / "pki")
    service.init()
    chip_service = ChipService(service)
    image = chip_service.personalise(HOLDER, b"\xff\xd8" + bytes(6000) + b"\xff\xd9")
    trust = TrustStore.from_masterlist(service.masterlist(), crls=[service.crl()])
    bridge = VpcdBridge(VirtualChip(image))
    bridge.start()
    try:
        transport = None
        for _ in range(50):  # pcscd polls the driver for card insertion
            try:
                transport = PcscTransport("Virtual PCD 00 00")
                break
            except TransportError:
                time.sleep(0.1)
        assert transport is not None, "pcscd never saw the virtual card"
        try:
            card = Reader(transport).read(image.mrz_information, prefer_pace=False)
        finally:
            transport.close()
        result = Verifier(trust).verify(card)
        assert result.valid, result.as_dict()
        assert result.access == "BAC"
        assert card.files == {f: image.files[f] for f in card.files}

        (tmp_path / "ml.der").write_bytes(service.masterlist())
        (tmp_path / "crl.der").write_bytes(service.crl().public_bytes(Encoding.DER))
        mrz = "\\n".join(HOLDER.mrz().lines())
        outcome = CliRunner().invoke(chip_app, ["read", mrz, "--reader", "Virtual PCD 00 00", "--masterlist",
                                                str(tmp_path / "ml.der"), "--crl", str(tmp_path / "crl.der"),
                                                "--json"], obj=chip_service)
    finally:
        bridge.stop()
    assert outcome.exit_code == 0, (outcome.output, outcome.exception)
    assert json.loads(outcome.output)["valid"] is True
