"""Independent checks with the openssl command line: what citizenid signs, another implementation accepts."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from citizenid.chip import der
from citizenid.chip.image import ChipImage, personalise
from citizenid.chip.lds import CardHolder, File
from citizenid.chip.sod import parse_sod
from citizenid.pki.service import KeyAlgorithm, MemoryKeyStore, PkiService

OPENSSL = shutil.which("openssl")
pytestmark = pytest.mark.skipif(OPENSSL is None, reason="the openssl command line tool is not installed")

HOLDER = CardHolder(
    personal_number="001093047064", full_name="Ưng Hoàng Hiệp", birth_date=date(1993, 1, 5), sex="M",
    place_of_origin="Hà Nội", place_of_residence="Số 1 đường Nguyễn Trãi, Thanh Xuân, Hà Nội " * 8,
    issue_date=date(2023, 1, 5), expiry_date=None,
)


def openssl(*args: str) -> subprocess.CompletedProcess[bytes]:
    assert OPENSSL is not None
    return subprocess.run([OPENSSL, *args], capture_output=True, check=False, timeout=30)


@pytest.fixture(scope="module", params=[KeyAlgorithm.EC_P256, KeyAlgorithm.EC_BRAINPOOL_P256, KeyAlgorithm.RSA_2048])
def issued(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[PkiService, ChipImage, Path]:
    work = tmp_path_factory.mktemp("openssl")
    service = PkiService(MemoryKeyStore(), work / "pki")
    service.init(request.param)
    image = personalise(HOLDER, b"\xff\xd8" + bytes(3000) + b"\xff\xd9", service.document_signer())
    (work / "csca.pem").write_bytes(service.csca_certificates()[0].public_bytes(Encoding.PEM))
    (work / "ds.pem").write_bytes(service.document_signer().certificate.public_bytes(Encoding.PEM))
    return service, image, work


def test_openssl_verifies_the_sod_against_the_csca(issued: tuple[PkiService, ChipImage, Path]) -> None:
    _, image, work = issued
    sod = work / "sod.der"
    sod.write_bytes(der.unwrap(image.files[File.SOD], 0x77))
    content = work / "content.der"
    result = openssl("cms", "-verify", "-inform", "DER", "-in", str(sod), "-CAfile", str(work / "csca.pem"),
                     "-purpose", "any", "-out", str(content))
    assert result.returncode == 0, result.stderr.decode()
    assert b"Verification successful" in result.stderr
    hashes = parse_sod(image.files[File.SOD]).hashes
    assert all(digest in content.read_bytes() for digest in hashes.values())


def test_openssl_rejects_a_tampered_sod(issued: tuple[PkiService, ChipImage, Path]) -> None:
    _, image, work = issued
    raw = bytearray(der.unwrap(image.files[File.SOD], 0x77))
    digest = parse_sod(image.files[File.SOD]).hashes[13]
    raw[bytes(raw).find(digest)] ^= 1
    (work / "bad.der").write_bytes(bytes(raw))
    result = openssl("cms", "-verify", "-inform", "DER", "-in", str(work / "bad.der"), "-CAfile",
                     str(work / "csca.pem"), "-purpose", "any", "-out", str(work / "x"))
    assert result.returncode != 0


def test_openssl_accepts_the_chain_crl_and_masterlist(issued: tuple[PkiService, ChipImage, Path]) -> None:
    service, _, work = issued
    result = openssl("verify", "-CAfile", str(work / "csca.pem"), "-purpose", "any", str(work / "ds.pem"))
    assert result.returncode == 0, result.stderr.decode() + result.stdout.decode()
    (work / "crl.der").write_bytes(service.crl().public_bytes(Encoding.DER))
    result = openssl("crl", "-inform", "DER", "-in", str(work / "crl.der"), "-CAfile", str(work / "csca.pem"),
                     "-noout")
    assert result.returncode == 0, result.stderr.decode()
    assert b"verify OK" in result.stderr + result.stdout
    (work / "ml.der").write_bytes(service.masterlist())
    result = openssl("cms", "-verify", "-inform", "DER", "-in", str(work / "ml.der"), "-CAfile",
                     str(work / "csca.pem"), "-purpose", "any", "-out", str(work / "ml-content.der"))
    assert result.returncode == 0, result.stderr.decode()


def test_openssl_parses_every_data_group(issued: tuple[PkiService, ChipImage, Path]) -> None:
    _, image, work = issued
    for file in (File.COM, File.DG1, File.DG2, File.DG13, File.DG14, File.DG15, File.CARD_ACCESS):
        path = work / f"{file.name}.der"
        path.write_bytes(image.files[file])
        result = openssl("asn1parse", "-inform", "DER", "-in", str(path))
        assert result.returncode == 0, (file, result.stderr.decode())
        assert b"Error" not in result.stdout
    assert "Số 1 đường Nguyễn Trãi".encode() in openssl(
        "asn1parse", "-inform", "DER", "-in", str(work / "DG13.der")).stdout
