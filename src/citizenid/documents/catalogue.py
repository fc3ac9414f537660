"""The document type catalogue: who issues each type, how its number is written and checked, how long it
is valid, and which attributes may be shared.  Pure data and rules; decision 0070 gives the sources.

Number formats (as printed on the documents):

- health insurance card (thẻ BHYT, Vietnam Social Security): the 10-digit social insurance number, or the
  15-character card code it is embedded in since 2015 -- two letters (beneficiary group), one digit
  (benefit level 1-5), two digits (province), then the 10-digit number.
- driving licence (giấy phép lái xe, since 1 March 2025 issued by the Ministry of Public Security): 12 digits;
  classes from the 2024 Law on Road Traffic Order and Safety (A1, A, B1, B, C1, C, D1, D2, D, BE, C1E, CE,
  D1E, D2E, DE).  A1/A/B1 do not expire; B and C1 last 10 years; the others 5.
- social insurance book (sổ BHXH): the 10-digit social insurance number; it does not expire.
- personal tax code (mã số thuế): 10 digits whose last is a check digit (weights 31 29 23 19 17 13 7 5 3,
  check = 10 - sum mod 11; a result of 10 means the prefix is never issued); since 1 July 2025 the
  12-digit personal number serves as the tax code, and then it must be the holder's own number.
- vehicle registration (đăng ký xe): the plate, e.g. ``30A-123.45`` (car) or ``29B1-234.56`` (motorbike);
  the two leading digits are a province code 11-99.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from citizenid.documents.errors import DocumentInvalid

LICENCE_CLASSES = ("A1", "A", "B1", "B", "C1", "C", "D1", "D2", "D", "BE", "C1E", "CE", "D1E", "D2E", "DE")
_LICENCE_NO_EXPIRY = frozenset({"A1", "A", "B1"})
_LICENCE_TEN_YEARS = frozenset({"B", "C1"})
_TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


@dataclass(frozen=True)
class DocumentType:
    code: str
    name_vi: str
    name_en: str
    agency: str  # the issuing agency's member code on the exchange platform
    number_rule: Callable[[str, str], str]  # (number, holder's personal number) -> normalised number
    attributes: tuple[str, ...]  # what an agency may record
    shareable: tuple[str, ...]  # what a service may receive under grant and consent
    expires: bool

    def normalise_number(self, number: str, holder: str) -> str:
        return self.number_rule(number, holder)


def _strip(number: str) -> str:
    return re.sub(r"\s+", "", number).upper()


def health_insurance_number(number: str, holder: str) -> str:  # noqa: ARG001 - one signature for all rules
    value = _strip(number)
    if re.fullmatch(r"\d{10}", value):
        return value
    match = re.fullmatch(r"([A-Z]{2})([1-5])(\d{2})(\d{10})", value)
    if not match:
        raise DocumentInvalid(f"'{number}' is not a health insurance card code (10 digits, or e.g. DN4010123456789)")
    return value


def driving_licence_number(number: str, holder: str) -> str:  # noqa: ARG001
    value = _strip(number)
    if not re.fullmatch(r"\d{12}", value):
        raise DocumentInvalid(f"'{number}' is not a driving licence number (12 digits)")
    return value


def social_insurance_number(number: str, holder: str) -> str:  # noqa: ARG001
    value = _strip(number)
    if not re.fullmatch(r"\d{10}", value):
        raise DocumentInvalid(f"'{number}' is not a social insurance number (10 digits)")
    return value


def tax_check_digit(first_nine: str) -> int | None:
    """The tax code's check digit, or None where the prefix can never carry one."""
    check = 10 - sum(int(d) * w for d, w in zip(first_nine, _TAX_WEIGHTS, strict=True)) % 11
    return None if check == 10 else check


def tax_code(number: str, holder: str) -> str:
    value = _strip(number).replace("-", "")
    if re.fullmatch(r"\d{12}", value):
        if value != holder:
            raise DocumentInvalid("a 12-digit tax code is the holder's own personal number")
        return value
    if not re.fullmatch(r"\d{10}", value):
        raise DocumentInvalid(f"'{number}' is not a personal tax code (10 digits, or the 12-digit personal number)")
    if tax_check_digit(value[:9]) != int(value[9]):
        raise DocumentInvalid(f"'{number}' fails the tax code's check digit")
    return value


def vehicle_plate(number: str, holder: str) -> str:  # noqa: ARG001
    value = _strip(number).replace(" ", "")
    match = re.fullmatch(r"(\d{2})([A-Z]{1,2}\d?)-?(\d{3})\.?(\d{2})|(\d{2})([A-Z]{1,2}\d?)-?(\d{4})", value)
    if not match:
        raise DocumentInvalid(f"'{number}' is not a vehicle plate (e.g. 30A-123.45 or 29B1-234.56)")
    province = int(match.group(1) or match.group(5))
    if not 11 <= province <= 99:
        raise DocumentInvalid(f"'{number}' has no province code {province:02d}")
    if match.group(1):
        return f"{match.group(1)}{match.group(2)}-{match.group(3)}.{match.group(4)}"
    return f"{match.group(5)}{match.group(6)}-{match.group(7)}"


CATALOGUE: dict[str, DocumentType] = {
    t.code: t
    for t in (
        DocumentType("health_insurance", "Thẻ bảo hiểm y tế", "Health insurance card", "BHXH",
                     health_insurance_number, ("benefit_level", "registered_facility", "valid_from", "valid_until"),
                     ("benefit_level", "registered_facility", "valid_from", "valid_until"), expires=True),
        DocumentType("driving_licence", "Giấy phép lái xe", "Driving licence", "BCA",
                     driving_licence_number, ("classes", "issued_on", "valid_until", "issued_by"),
                     ("classes", "issued_on", "valid_until"), expires=True),
        DocumentType("social_insurance", "Sổ bảo hiểm xã hội", "Social insurance book", "BHXH",
                     social_insurance_number, ("issued_on", "issued_by"), ("issued_on",), expires=False),
        DocumentType("tax_code", "Mã số thuế cá nhân", "Personal tax code", "BTC", tax_code,
                     ("registered_on", "tax_office"), ("tax_office",), expires=False),
        DocumentType("vehicle_registration", "Giấy đăng ký xe", "Vehicle registration", "BCA", vehicle_plate,
                     ("vehicle_type", "brand", "registered_on", "valid_until"),
                     ("vehicle_type", "brand", "registered_on"), expires=False),
    )
}


def document_type(code: str) -> DocumentType:
    try:
        return CATALOGUE[code]
    except KeyError:
        raise DocumentInvalid(f"unknown document type '{code}'; known: {', '.join(sorted(CATALOGUE))}") from None


def licence_classes(raw: str) -> tuple[str, ...]:
    """Parse "B, A1" into ("A1", "B"): known classes, each once, in the law's order."""
    given = {c.upper() for c in re.split(r"[,;\s]+", raw) if c}
    if not given or not given <= set(LICENCE_CLASSES):
        raise DocumentInvalid(f"driving licence classes must be among {', '.join(LICENCE_CLASSES)}")
    return tuple(c for c in LICENCE_CLASSES if c in given)


def licence_expiry(classes: tuple[str, ...], issued_on: dt.date) -> dt.date | None:
    """The latest a licence of these classes may run: None (no expiry) only when every class is permanent."""
    if all(c in _LICENCE_NO_EXPIRY for c in classes):
        return None
    years = 10 if all(c in _LICENCE_NO_EXPIRY | _LICENCE_TEN_YEARS for c in classes) else 5
    try:
        return issued_on.replace(year=issued_on.year + years)
    except ValueError:  # 29 February
        return issued_on.replace(year=issued_on.year + years, day=28)
