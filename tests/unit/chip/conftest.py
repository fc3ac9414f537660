from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from citizenid.chip.image import ChipImage, personalise
from citizenid.chip.lds import CardHolder
from citizenid.pki.service import DocumentSigner, MemoryKeyStore, PkiService

# Opaque stand-in for a JPEG: the chip never decodes the image.
FACE = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 12 + b"\xff\xd9"


def make_holder(**overrides: object) -> CardHolder:
    fields: dict[str, object] = {
        "personal_number": "001093047064",
        "full_name": "Ưng Hoàng Hiệp",
        "birth_date": date(1993, 1, 5),
        "sex": "M",
        "place_of_origin": "Xã Đông Hội, Huyện Đông Anh, Hà Nội",
        "place_of_residence": "Số 12 ngõ 34 phố Đội Cấn, Phường Ba Đình, Thành phố Hà Nội",
        "issue_date": date(2023, 1, 5),
        "expiry_date": date(2033, 1, 5),
        "identifying_features": "Nốt ruồi C:2cm trên sau đầu lông mày trái",
        "father": "Ưng Văn Bình",
        "mother": "Nguyễn Thị Lan",
    }
    fields.update(overrides)
    return CardHolder(**fields)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiService:
    service = PkiService(MemoryKeyStore(), tmp_path_factory.mktemp("pki"))
    service.init()
    return service


@pytest.fixture(scope="session")
def signer(pki: PkiService) -> DocumentSigner:
    return pki.document_signer()


@pytest.fixture
def holder() -> CardHolder:
    return make_holder()


@pytest.fixture
def image(holder: CardHolder, signer: DocumentSigner) -> ChipImage:
    return personalise(holder, FACE, signer)


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("chip")


@pytest.fixture(scope="session")
def session_image(signer: DocumentSigner) -> ChipImage:
    return personalise(make_holder(), FACE, signer)
