"""The printed card: ID-1 images with the Vietnamese text, the QR payload of the reference, the print sheet."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import segno
from PIL import Image, ImageChops

from citizenid.cards.domain import qr_payload
from citizenid.cards.printing import (
    CARD_SIZE,
    PrintedCard,
    SheetEntry,
    back_image,
    chip_face,
    front_image,
    print_copy,
    print_sheet,
    render_back,
    render_front,
)
from citizenid.chip.service import vietnamese_td1


def _card(photo: bytes | None = None) -> PrintedCard:
    birth, issued = dt.date(1993, 1, 5), dt.date(2023, 1, 5)
    residence = "Số 12 ngõ 34 phố Đội Cấn, Phường Ba Đình, Thành phố Hà Nội"
    mrz = vietnamese_td1("001093047064", "Ưng Hoàng Hiệp", birth, "M", dt.date(2033, 1, 5))
    return PrintedCard("001093047064", "Ưng Hoàng Hiệp", birth, "M", "Việt Nam", "Đông Anh, Hà Nội", residence,
                       issued, dt.date(2033, 1, 5), mrz.lines(),
                       qr_payload("001093047064", None, "Ưng Hoàng Hiệp", birth, "M", residence, issued), photo)


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 400), (200, 180, 160)).save(out, "JPEG")
    return out.getvalue()


def test_front_and_back_are_id1_pngs() -> None:
    for render in (render_front, render_back):
        data = render(_card(chip_face(_photo())))
        with Image.open(io.BytesIO(data)) as image:
            assert (image.format, image.size) == ("PNG", CARD_SIZE)


def test_the_back_carries_the_reference_qr_payload() -> None:
    card = _card()
    assert card.qr_payload == ("001093047064||Ưng Hoàng Hiệp|05011993|Nam|Số 12 ngõ 34 phố Đội Cấn, Phường Ba Đình, "
                               "Thành phố Hà Nội|05012023")
    out = io.BytesIO()
    segno.make(card.qr_payload, error="m", micro=False).save(out, kind="png", scale=4, border=2)
    with Image.open(io.BytesIO(out.getvalue())) as code:
        expected = code.convert("RGB").resize((220, 220), Image.Resampling.NEAREST)
    printed = back_image(card).crop((760, 30, 980, 250))
    assert ImageChops.difference(printed, expected).getbbox() is None


def test_the_front_is_deterministic_and_shows_the_photo() -> None:
    a, b = front_image(_card()), front_image(_card())
    assert ImageChops.difference(a, b).getbbox() is None
    chip = chip_face(_photo())
    with Image.open(io.BytesIO(chip)) as face:
        assert (face.format, face.size) == ("JPEG", (480, 640))
    assert ImageChops.difference(a, front_image(_card(chip))).getbbox() is not None


def test_the_print_sheet_has_four_cards_a_page(tmp_path: Path) -> None:
    card = _card()
    front, back = tmp_path / "f.jpg", tmp_path / "b.jpg"
    front.write_bytes(print_copy(front_image(card)))
    back.write_bytes(print_copy(back_image(card)))
    out = tmp_path / "sheet.pdf"
    assert print_sheet([SheetEntry(f"{n:010d}", "HS1", front, back) for n in range(1, 10)], out, "Lô 1") == 9
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page\b(?!s)", pdf)) == 3
