"""The printed card: front and back as PNG (ID-1 size at 300 dpi), the batch's print sheet as PDF.

Text is set in DejaVu Sans (Debian ``fonts-dejavu-core``), which carries every Vietnamese glyph; the MRZ
in DejaVu Sans Mono, standing in for OCR-B.  The QR code holds the reference's seven-field payload.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont, ImageOps
from reportlab import rl_config  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]
from reportlab.pdfgen import canvas  # type: ignore[import-untyped]

from citizenid.cards.domain import SEX_TEXT
from citizenid.cards.errors import CardInvalid

# ID-1 (ISO/IEC 7810): 85.60 x 53.98 mm at 300 dpi.
CARD_SIZE = (1011, 638)
PHOTO_BOX = (250, 333)
CHIP_FACE_SIZE = (480, 640)
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
INK = (20, 30, 60)
RED = (170, 20, 30)


@dataclass(frozen=True, slots=True)
class PrintedCard:
    personal_number: str
    full_name: str
    birth_date: dt.date
    sex: str
    nationality: str
    place_of_origin: str
    place_of_residence: str
    issue_date: dt.date
    expiry_date: dt.date | None
    mrz_lines: tuple[str, str, str]
    qr_payload: str
    photo_jpeg: bytes | None


def font_path(name: str) -> Path:
    for directory in FONT_DIRS:
        if (directory / name).is_file():
            return directory / name
    raise CardInvalid(f"font {name} not found: install Debian's fonts-dejavu-core")


@functools.cache
def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(name)), size)


def chip_face(photo: bytes) -> bytes:
    """The application photo as the chip's portrait: 3:4, 480x640, JPEG."""
    with Image.open(io.BytesIO(photo)) as source:
        portrait = ImageOps.fit(source.convert("RGB"), CHIP_FACE_SIZE)
    out = io.BytesIO()
    portrait.save(out, "JPEG", quality=80)
    return out.getvalue()


def _canvas() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", CARD_SIZE, (236, 242, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, CARD_SIZE[0] - 1, CARD_SIZE[1] - 1), outline=(150, 170, 200), width=3)
    return image, draw


def _label(draw: ImageDraw.ImageDraw, xy: tuple[int, int], label: str, value: str, width: int = 36) -> int:
    x, y = xy
    draw.text((x, y), label, font=_font("DejaVuSans.ttf", 17), fill=(90, 100, 120))
    lines = _wrap(value, width) or [""]
    for i, line in enumerate(lines[:2]):
        draw.text((x, y + 21 + 30 * i), line, font=_font("DejaVuSans-Bold.ttf", 25), fill=INK)
    return y + 21 + 30 * min(len(lines), 2) + 8


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return lines


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()


def render_front(card: PrintedCard) -> bytes:
    return _png(front_image(card))


def render_back(card: PrintedCard) -> bytes:
    return _png(back_image(card))


def print_copy(image: Image.Image) -> bytes:
    """The JPEG the print sheet embeds as it is (a PNG would be decoded and deflated again: 20x slower)."""
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def png(image: Image.Image) -> bytes:
    return _png(image)


def front_image(card: PrintedCard) -> Image.Image:
    image, draw = _canvas()
    header = _font("DejaVuSans-Bold.ttf", 24)
    draw.text((505, 22), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=header, fill=INK, anchor="ma")
    draw.text((505, 54), "Độc lập - Tự do - Hạnh phúc", font=_font("DejaVuSans.ttf", 20), fill=INK, anchor="ma")
    draw.text((505, 86), "CĂN CƯỚC", font=_font("DejaVuSans-Bold.ttf", 40), fill=RED, anchor="ma")
    draw.text((505, 132), "IDENTITY CARD", font=_font("DejaVuSans.ttf", 18), fill=INK, anchor="ma")
    if card.photo_jpeg:
        with Image.open(io.BytesIO(card.photo_jpeg)) as photo:
            image.paste(ImageOps.fit(photo.convert("RGB"), PHOTO_BOX), (40, 190))
    else:
        draw.rectangle((40, 190, 40 + PHOTO_BOX[0], 190 + PHOTO_BOX[1]), outline=INK, width=2)
    x = 320
    y = _label(draw, (x, 170), "Số định danh cá nhân / Personal identification number", card.personal_number)
    y = _label(draw, (x, y), "Họ, chữ đệm và tên khai sinh / Full name", card.full_name.upper())
    y = _label(draw, (x, y), "Ngày, tháng, năm sinh / Date of birth", f"{card.birth_date:%d/%m/%Y}")
    draw.text((x, y), "Giới tính / Sex", font=_font("DejaVuSans.ttf", 17), fill=(90, 100, 120))
    draw.text((x, y + 21), SEX_TEXT[card.sex], font=_font("DejaVuSans-Bold.ttf", 25), fill=INK)
    draw.text((x + 260, y), "Quốc tịch / Nationality", font=_font("DejaVuSans.ttf", 17), fill=(90, 100, 120))
    draw.text((x + 260, y + 21), card.nationality, font=_font("DejaVuSans-Bold.ttf", 25), fill=INK)
    return image


def back_image(card: PrintedCard) -> Image.Image:
    image, draw = _canvas()
    qr = segno.make(card.qr_payload, error="m", micro=False)
    qr_out = io.BytesIO()
    qr.save(qr_out, kind="png", scale=4, border=2)
    with Image.open(io.BytesIO(qr_out.getvalue())) as code:
        image.paste(code.convert("RGB").resize((220, 220), Image.Resampling.NEAREST), (760, 30))
    expiry = "Không thời hạn" if card.expiry_date is None else f"{card.expiry_date:%d/%m/%Y}"
    y = _label(draw, (40, 30), "Nơi cư trú / Place of residence", card.place_of_residence, width=48)
    y = _label(draw, (40, y), "Quê quán / Place of origin", card.place_of_origin, width=48)
    y = _label(draw, (40, y), "Ngày cấp / Date of issue", f"{card.issue_date:%d/%m/%Y}")
    _label(draw, (40, y), "Có giá trị đến / Date of expiry", expiry)
    draw.text((760, 262), "BỘ CÔNG AN", font=_font("DejaVuSans-Bold.ttf", 20), fill=RED)
    mono = _font("DejaVuSansMono.ttf", 38)
    draw.rectangle((0, 470, CARD_SIZE[0], CARD_SIZE[1]), fill=(250, 250, 250))
    for i, line in enumerate(card.mrz_lines):
        draw.text((40, 482 + 48 * i), line, font=mono, fill=(0, 0, 0))
    return image


@dataclass(frozen=True, slots=True)
class SheetEntry:
    card_number: str
    application_id: str
    front: Path
    back: Path


@functools.cache
def _pdf_font() -> str:
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(font_path("DejaVuSans.ttf"))))
    return "DejaVuSans"


def print_sheet(entries: Iterable[SheetEntry], out: Path, title: str) -> int:
    """A4 pages of four cards, front beside back, each captioned with its card and application numbers."""
    font = _pdf_font()
    # Binary image streams: reportlab's pure-Python ASCII85 encoding would cost ~100 ms an image.
    rl_config.useA85 = 0
    pdf = canvas.Canvas(str(out), pagesize=A4)
    pdf.setTitle(title)
    width, height = A4
    card_w, card_h = 85.6 * mm, 53.98 * mm
    count = 0
    for count, entry in enumerate(entries, start=1):
        slot = (count - 1) % 4
        if slot == 0:
            if count > 1:
                pdf.showPage()
            pdf.setFont(font, 10)
            pdf.drawString(15 * mm, height - 12 * mm, title)
        top = height - 20 * mm - slot * (card_h + 12 * mm)
        pdf.setFont(font, 8)
        caption = f"Số thẻ / Card {entry.card_number} · Hồ sơ / Application {entry.application_id}"
        pdf.drawString(15 * mm, top - 4 * mm, caption)
        # A JPEG named by its path goes into the PDF as it is, without decoding.
        pdf.drawImage(str(entry.front), 15 * mm, top - 6 * mm - card_h, card_w, card_h)
        pdf.drawImage(str(entry.back), width - 15 * mm - card_w, top - 6 * mm - card_h, card_w, card_h)
    pdf.showPage()
    pdf.save()
    return count
