from __future__ import annotations

from pathlib import Path

import pytest

from citizenid.chip.image import ChipImage, personalise
from citizenid.pki.service import MemoryKeyStore, PkiService
from citizenid.signing.service import SigningService
from tests.unit.chip.conftest import FACE, make_holder

PIN = "123456"
PUK = "87654321"


def make_pdf(text: str = "Don xin xac nhan cu tru") -> bytes:
    """A one-page PDF with a correct cross-reference table, built by hand so tests need no PDF library."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiService:
    service = PkiService(MemoryKeyStore(), tmp_path_factory.mktemp("signing-pki"))
    service.init()
    return service


@pytest.fixture(scope="session")
def signing(pki: PkiService) -> SigningService:
    return SigningService(pki)


@pytest.fixture
def card_image(pki: PkiService, signing: SigningService) -> ChipImage:
    holder = make_holder()
    image = personalise(holder, FACE, pki.document_signer())
    signing.personalise(image, full_name=holder.full_name, personal_number=holder.personal_number, pin=PIN, puk=PUK)
    return image


@pytest.fixture(scope="session")
def pdf() -> bytes:
    return make_pdf()


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path
