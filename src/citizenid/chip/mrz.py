"""TD1 machine readable zone (ICAO 9303 part 5), with the Vietnamese layout as a builder.

A TD1 MRZ is three lines of 30 characters.  ICAO fixes the positions; Vietnam uses the first
optional-data field for the full 12-digit personal number and its own check digit (position 30),
and the document-number field for the number's last 9 digits.

``parse_td1`` raises :class:`MrzError` for text that is not a TD1 MRZ at all and
:class:`MrzCheckDigitError` (naming each failed check) for one whose check digits disagree;
``inspect_td1`` returns the parsed MRZ and the failed checks without raising for the latter.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from citizenid.chip.errors import MrzCheckDigitError, MrzError

LINE = 30
NEVER_EXPIRES = "991231"  # "Không thời hạn": the date Vietnam prints for cards that never expire
_ALPHABET = re.compile(r"[0-9A-Z<]*")
_YYMMDD = re.compile(r"[0-9]{6}")
_TEXT_FIELDS = ("document_code", "issuing_state", "document_number", "optional_data_1", "nationality",
                "optional_data_2", "primary_identifier", "secondary_identifier")
_NOT_MRZ = re.compile(r"[^0-9A-Z]+")


def _fold_table() -> dict[int, str]:
    """Precomposed Latin letters (Vietnamese ones included) → their base letter; Đ/đ → D/d."""
    table = {ord("Đ"): "D", ord("đ"): "d"}
    for code in range(0xC0, 0x1F00):
        base = unicodedata.normalize("NFD", chr(code))[0]
        if base != chr(code) and base.isascii() and base.isalpha():
            table[code] = base
    return table


_FOLD = _fold_table()
_TWELVE_DIGITS = re.compile(r"[0-9]{12}")
_SEXES = {"M": "M", "F": "F", "NAM": "M", "NỮ": "F", "NU": "F"}


# Byte → check-digit value; 0xFF marks a character an MRZ may not hold.
_VALUES = bytes(
    b - 48 if 48 <= b <= 57 else b - 55 if 65 <= b <= 90 else 0 if b == 60 else 0xFF for b in range(256)
)


def check_digit(field: str) -> str:
    """The ICAO 9303 check digit of ``field``: weights 7, 3, 1; A-Z count 10-35, '<' counts 0."""
    values = field.encode("utf-8").translate(_VALUES)
    if 0xFF in values or not field.isascii():
        bad = next((ch for ch in field if not ("0" <= ch <= "9" or "A" <= ch <= "Z" or ch == "<")), field[:1])
        raise MrzError(f"character {bad!r} is not allowed in an MRZ")
    return str((7 * sum(values[0::3]) + 3 * sum(values[1::3]) + sum(values[2::3])) % 10)


def transliterate(text: str) -> str:
    """Upper-case MRZ characters: diacritics dropped (Đ → D), anything else becomes '<'."""
    folded = unicodedata.normalize("NFC", text).translate(_FOLD)
    if not folded.isascii():
        decomposed = unicodedata.normalize("NFD", folded)
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_MRZ.sub("<", folded.upper()).strip("<")


@dataclass(frozen=True)
class TD1:
    """The fields of a TD1 MRZ.  Dates are ``YYMMDD`` strings exactly as printed."""

    document_code: str
    issuing_state: str
    document_number: str
    optional_data_1: str
    birth_date: str
    sex: str
    expiry_date: str
    nationality: str
    optional_data_2: str
    primary_identifier: str
    secondary_identifier: str

    def __post_init__(self) -> None:
        text = (self.document_code, self.issuing_state, self.document_number, self.optional_data_1,
                self.nationality, self.optional_data_2, self.primary_identifier, self.secondary_identifier)
        if not _ALPHABET.fullmatch("".join(text)):
            for name, value in zip(_TEXT_FIELDS, text, strict=True):
                if not _ALPHABET.fullmatch(value):
                    raise MrzError(f"{name} {value!r} holds characters outside 0-9, A-Z and '<'")
        if len(self.birth_date) != 6 or not _TWELVE_DIGITS.fullmatch(self.birth_date + self.expiry_date):
            raise MrzError("birth_date and expiry_date must be YYMMDD")
        if self.sex not in ("M", "F", "<"):
            raise MrzError("sex must be M, F or <")
        if not 1 <= len(self.document_code) <= 2 or len(self.issuing_state) > 3 or len(self.nationality) > 3:
            raise MrzError("document code, issuing state or nationality too long")
        if not self.document_number:
            raise MrzError("document number is empty")
        extra = max(0, len(self.document_number) - 9)
        if extra and extra + 1 + (len(self.optional_data_1) + 1 if self.optional_data_1 else 0) > 15:
            raise MrzError("document number too long for a TD1")
        if not extra and len(self.optional_data_1) > 15:
            raise MrzError("optional data 1 longer than 15 characters")
        if len(self.optional_data_2) > 11:
            raise MrzError("optional data 2 longer than 11 characters")

    # -- rendering -----------------------------------------------------------------------------

    def lines(self) -> tuple[str, str, str]:
        return self._lines

    @functools.cached_property
    def _lines(self) -> tuple[str, str, str]:
        number = self.document_number
        if len(number) <= 9:
            number_field = number.ljust(9, "<") + check_digit(number.ljust(9, "<"))
            optional = self.optional_data_1.ljust(15, "<")
        else:
            # ICAO 9303-5 4.2.4: the rest of a long number and its check digit open the optional data.
            number_field = number[:9] + "<"
            rest = "<" + self.optional_data_1 if self.optional_data_1 else ""
            optional = (number[9:] + check_digit(number) + rest).ljust(15, "<")
        line1 = self.document_code.ljust(2, "<") + self.issuing_state.ljust(3, "<") + number_field + optional
        birth = self.birth_date + check_digit(self.birth_date)
        expiry = self.expiry_date + check_digit(self.expiry_date)
        tail = self.nationality.ljust(3, "<") + self.optional_data_2.ljust(11, "<")
        middle = birth + self.sex + expiry + tail
        composite = check_digit(line1[5:30] + middle[0:7] + middle[8:15] + middle[18:29])
        line2 = middle + composite
        name = self.primary_identifier + "<<" + self.secondary_identifier
        line3 = name[:LINE].ljust(LINE, "<")
        return line1, line2, line3

    def text(self) -> str:
        return "\n".join(self.lines())

    def mrz_information(self) -> str:
        """Document number, birth date and expiry with their check digits: the BAC / PACE key seed."""
        if len(self.document_number) <= 9:
            line1, line2, _ = self._lines
            return line1[5:15] + line2[0:7] + line2[8:15]
        number = self.document_number
        return (number + check_digit(number) + self.birth_date + check_digit(self.birth_date)
                + self.expiry_date + check_digit(self.expiry_date))

    @property
    def vietnamese_personal_number(self) -> str | None:
        """The 12-digit number a Vietnamese card carries in optional data 1, if it is there."""
        if self.issuing_state == "VNM" and re.fullmatch(r"[0-9]{12}", self.optional_data_1[:12]):
            return self.optional_data_1[:12]
        return None


def vietnamese_td1(
    personal_number: str,
    full_name: str,
    birth_date: date,
    sex: str,
    expiry_date: date | None,
) -> TD1:
    """The MRZ of a Vietnamese card.  ``expiry_date`` None means the card never expires."""
    if not _TWELVE_DIGITS.fullmatch(personal_number):
        raise MrzError("a Vietnamese personal number has exactly 12 digits")
    parts = transliterate(full_name).split("<")
    if not parts or not parts[0]:
        raise MrzError("the full name has no letters")
    mrz_sex = _SEXES.get(sex) or _SEXES.get(sex.upper())
    if mrz_sex is None:
        raise MrzError(f"sex {sex!r} is not M/F/Nam/Nữ")
    return TD1(
        document_code="ID",
        issuing_state="VNM",
        document_number=personal_number[3:],
        optional_data_1=personal_number + "<<" + check_digit(personal_number),
        birth_date=f"{birth_date.year % 100:02d}{birth_date.month:02d}{birth_date.day:02d}",
        sex=mrz_sex,
        expiry_date=NEVER_EXPIRES if expiry_date is None else
        f"{expiry_date.year % 100:02d}{expiry_date.month:02d}{expiry_date.day:02d}",
        nationality="VNM",
        optional_data_2="",
        primary_identifier=parts[0],
        secondary_identifier="<".join(parts[1:]),
    )


# -- parsing ------------------------------------------------------------------------------------


def _split_lines(text: str) -> tuple[str, str, str]:
    if not isinstance(text, str):
        raise MrzError("an MRZ is text")
    raw = text.strip().replace("\r", "")
    lines = raw.split("\n") if "\n" in raw else [raw[i : i + LINE] for i in range(0, len(raw), LINE)]
    lines = [line.strip() for line in lines]
    if len(lines) != 3 or any(len(line) != LINE for line in lines):
        raise MrzError("a TD1 MRZ is three lines of 30 characters")
    for number, line in enumerate(lines, start=1):
        if not _ALPHABET.fullmatch(line):
            raise MrzError(f"line {number} holds characters outside 0-9, A-Z and '<'")
    return lines[0], lines[1], lines[2]


def inspect_td1(text: str) -> tuple[TD1, tuple[str, ...]]:
    """Parse a TD1 MRZ; return it with the names of the check digits that fail (empty if none)."""
    line1, line2, line3 = _split_lines(text)
    failed: list[str] = []
    number_field, number_cd, optional = line1[5:14], line1[14], line1[15:30]
    if number_cd == "<" and number_field[-1] != "<":
        # Long document number: its tail and check digit run into the optional data.
        tail = optional.split("<", 1)[0]
        if len(tail) < 2:
            raise MrzError("document number check digit missing")
        number = number_field + tail[:-1]
        if check_digit(number) != tail[-1]:
            failed.append("document_number")
        optional = optional[len(tail) + 1 :]
    else:
        number = number_field.rstrip("<")
        if check_digit(number_field) != number_cd:
            failed.append("document_number")
    for name, field, digit in (("birth_date", line2[0:6], line2[6]), ("expiry_date", line2[8:14], line2[14])):
        if not _YYMMDD.fullmatch(field):
            raise MrzError(f"{name} is not YYMMDD")
        if check_digit(field) != digit:
            failed.append(name)
    vietnamese = line1[2:5] == "VNM" and re.fullmatch(r"[0-9]{12}<<[0-9]", optional.rstrip("<"))
    if vietnamese and check_digit(optional[:12]) != optional[14]:
        failed.append("personal_number")
    if check_digit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]) != line2[29]:
        failed.append("composite")
    if line2[7] not in "MF<":
        raise MrzError("sex must be M, F or <")
    primary, _, secondary = line3.rstrip("<").partition("<<")
    mrz = TD1(
        document_code=line1[0:2].rstrip("<"),
        issuing_state=line1[2:5].rstrip("<"),
        document_number=number,
        optional_data_1=optional.rstrip("<"),
        birth_date=line2[0:6],
        sex=line2[7],
        expiry_date=line2[8:14],
        nationality=line2[15:18].rstrip("<"),
        optional_data_2=line2[18:29].rstrip("<"),
        primary_identifier=primary,
        secondary_identifier=secondary.strip("<"),
    )
    return mrz, tuple(failed)


def parse_td1(text: str) -> TD1:
    """Parse a TD1 MRZ; raise :class:`MrzCheckDigitError` naming every failed check digit."""
    mrz, failed = inspect_td1(text)
    if failed:
        raise MrzCheckDigitError(failed)
    return mrz
