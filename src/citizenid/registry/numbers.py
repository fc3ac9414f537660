"""Personal identification numbers (số định danh cá nhân): ``PPP G YY RRRRRR``.

PPP is the code of the province where the birth was registered, G encodes century and sex, YY the
last two digits of the birth year, and RRRRRR is random: there is no check digit.  A number is for
life and is never reused.  The rule that picks PPP for a registration is :func:`registration_code`,
kept here alone because the codes for births registered after the 2025 merger and abroad are not
yet confirmed (docs/decisions/0004-personal-numbers.md).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from citizenid.errors import NotFound
from citizenid.refdata import current_province, province_by_number_code
from citizenid.registry.errors import InvalidPersonalNumber, NumberSpaceExhausted, RegistryInvalid

_NUMBER = re.compile(r"^\d{12}$")
MERGER_DATE = dt.date(2025, 7, 1)
# Births registered abroad: the reference leaves the code open; we reserve the one place for it.
ABROAD_CODE = "999"
_FIRST_CENTURY = 1900
_LAST_CENTURY = 2300


@dataclass(frozen=True, slots=True)
class PersonalNumber:
    value: str

    @property
    def province_code(self) -> str:
        return self.value[:3]

    @property
    def sex(self) -> str:
        return "M" if int(self.value[3]) % 2 == 0 else "F"

    @property
    def century(self) -> int:
        return _FIRST_CENTURY + 100 * (int(self.value[3]) // 2)

    @property
    def birth_year(self) -> int:
        return self.century + int(self.value[4:6])

    def __str__(self) -> str:
        return self.value


def parse_number(text: str) -> PersonalNumber:
    """Parse a personal number, saying exactly what is wrong with a bad one."""
    value = text.strip()
    if not _NUMBER.match(value):
        raise InvalidPersonalNumber(f"'{text}' is not 12 digits")
    code = value[:3]
    if code != ABROAD_CODE:
        try:
            province_by_number_code(code)
        except NotFound:
            raise InvalidPersonalNumber(f"'{value}' starts with {code}, which is no province code") from None
    return PersonalNumber(value)


def century_sex_digit(sex: str, birth_year: int) -> str:
    if sex not in ("M", "F"):
        raise RegistryInvalid(f"sex must be M or F, not '{sex}'")
    if not _FIRST_CENTURY <= birth_year < _LAST_CENTURY + 100:
        raise RegistryInvalid(f"birth year {birth_year} is outside 1900-2399")
    return str(2 * ((birth_year - _FIRST_CENTURY) // 100) + (0 if sex == "M" else 1))


def registration_code(province_code: str, registered_on: dt.date) -> str:
    """The PPP of a birth registered in ``province_code`` (2- or 3-digit, legacy or current unit).

    Before the merger the legacy province's code is used.  After it, the *unconfirmed* rule we apply
    is the code of the current province, which is the code of the legacy province it kept.
    """
    code = province_code.strip()
    if code == ABROAD_CODE:
        return ABROAD_CODE
    if registered_on >= MERGER_DATE:
        try:
            return current_province(code).number_code
        except NotFound:
            raise RegistryInvalid(
                f"{code} is not one of the 34 provinces in force since {MERGER_DATE.isoformat()}"
            ) from None
    try:
        return province_by_number_code(code.zfill(3)).number_code
    except NotFound:
        raise RegistryInvalid(f"{code} is not a province code") from None


def compose(ppp: str, sex: str, birth_year: int, random_part: int) -> PersonalNumber:
    if not 0 <= random_part < 1_000_000:
        raise ValueError("random part must be six digits")
    return PersonalNumber(f"{ppp}{century_sex_digit(sex, birth_year)}{birth_year % 100:02d}{random_part:06d}")


def allocate(
    ppp: str,
    sex: str,
    birth_year: int,
    *,
    is_taken: Callable[[str], bool],
    draw: Callable[[int], int] = secrets.randbelow,
    attempts: int = 64,
) -> PersonalNumber:
    """A fresh number drawn from a cryptographic source; ``is_taken`` checks the register."""
    for _ in range(attempts):
        candidate = compose(ppp, sex, birth_year, draw(1_000_000))
        if not is_taken(candidate.value):
            return candidate
    raise NumberSpaceExhausted(f"no free number found in block {ppp}{century_sex_digit(sex, birth_year)}")


@dataclass(frozen=True, slots=True)
class NumberExplanation:
    number: str
    valid: bool
    reason: str | None
    province_code: str | None
    province_name: str | None
    sex: str | None
    century: int | None
    birth_year: int | None
    mismatches: tuple[str, ...] = ()


def explain(text: str) -> NumberExplanation:
    try:
        number = parse_number(text)
    except InvalidPersonalNumber as exc:
        return NumberExplanation(text, False, exc.detail, None, None, None, None, None)
    name = "registered abroad" if number.province_code == ABROAD_CODE else (
        province_by_number_code(number.province_code).name
    )
    return NumberExplanation(
        number=number.value,
        valid=True,
        reason=None,
        province_code=number.province_code,
        province_name=name,
        sex=number.sex,
        century=number.century,
        birth_year=number.birth_year,
    )


def mismatches(number: PersonalNumber, *, sex: str, birth_year: int, birth_registration_province: str) -> list[str]:
    """What a record says that its number contradicts."""
    found: list[str] = []
    if number.sex != sex:
        found.append(f"the number encodes sex {number.sex}, the record says {sex}")
    if number.birth_year != birth_year:
        found.append(f"the number encodes birth year {number.birth_year}, the record says {birth_year}")
    if number.province_code != birth_registration_province:
        found.append(
            f"the number encodes birth registration province {number.province_code}, "
            f"the record says {birth_registration_province}"
        )
    return found
