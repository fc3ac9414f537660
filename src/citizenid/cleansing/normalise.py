"""Normalise a legacy record: keep every value as the source gave it, add comparison keys beside it.

A source record is a mapping of strings under the canonical column names below (ingest maps each
source's own columns onto them; unknown columns are kept in ``original`` and otherwise ignored):

==============================  ==========================================================
``full_name``                   or ``family_name`` / ``middle_name`` / ``given_name``
``birth_date``                  any format of :mod:`citizenid.cleansing.dates`
``sex``                         Nam / Nữ / M / F / male / female, with or without diacritics
``personal_number``             12 digits, spaces and dots tolerated
``birth_registration_province`` name or code of the province where the birth was registered
``residence``                   free-text address (:mod:`citizenid.cleansing.addresses`)
``ethnicity``, ``religion``     code or any spelling refdata knows
``father_birth_date``           (or ``father_birth_year``) and the same for ``mother_``
==============================  ==========================================================

Every reading returns its result and what it could not resolve.  Nothing here raises on messy data:
only a record that is no mapping at all (a caller's mistake) raises :class:`CleansingInvalid`.

``parse_number`` comes from ``citizenid.registry.numbers`` rather than the registry's service: it is
a pure function of the number's format, and cleansing must judge numbers exactly as the register does.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Literal

from citizenid.cleansing.addresses import AddressReading, read_address, read_province
from citizenid.cleansing.dates import DateReading, read_date
from citizenid.cleansing.errors import CleansingInvalid
from citizenid.cleansing.names import EQUIVALENT_FAMILY_NAMES, FAMILY_NAMES
from citizenid.errors import CitizenIdError, NotFound
from citizenid.refdata import ethnic_group, religion
from citizenid.registry.numbers import parse_number
from citizenid.vntext import fold, nfc, split_full_name, tone_key

NameOrder = Literal["vietnamese", "western", "fields", "single"]
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_MIDDLE_MARKERS = {"van", "thi"}
# No digit codes: sources disagree (GSO writes 1/2, the number's century digit 0/1), and a wrong
# sex is worse than an unresolved one.
_MALE = {"nam", "m", "male", "trai"}
_FEMALE = {"nu", "f", "female", "gai"}


@dataclass(frozen=True, slots=True)
class NameReading:
    original: str | None
    written: str | None
    """The name in Vietnamese order (family, middle, given), NFC, with each word as the source wrote it."""
    family: str | None
    middle: str | None
    given: str | None
    order: NameOrder | None
    """How the source ordered it: Vietnamese, Western (given name first), separate fields, one word."""
    unresolved: tuple[str, ...] = ()

    @property
    def tone_key(self) -> str | None:
        """Lower-case, every tone mark placed by one rule: "Hoà" and "Hòa" meet."""
        return tone_key(self.written) if self.written else None

    @property
    def folded(self) -> str | None:
        return fold(self.written) if self.written else None

    @property
    def family_key(self) -> str | None:
        """Folded family name with regional spellings merged: Hoàng and Huỳnh, Vũ and Võ give one key."""
        return family_key(self.family) if self.family else None

    @property
    def given_key(self) -> str | None:
        return fold(self.given) if self.given else None

    @property
    def middle_key(self) -> str | None:
        return fold(self.middle) if self.middle else None


@dataclass(frozen=True, slots=True)
class NumberReading:
    original: str | None
    value: str | None
    """The 12-digit number when it is well-formed."""
    unresolved: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CodeReading:
    """An ethnic group or religion read through refdata's variant-aware lookup."""

    original: str | None
    code: str | None
    name: str | None
    unresolved: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NormalisedRecord:
    original: Mapping[str, object]
    """The source values exactly as given (a read-only shallow copy): nothing is ever rewritten in place."""
    name: NameReading
    birth_date: DateReading
    sex: Literal["M", "F"] | None
    personal_number: NumberReading
    birth_registration_province: str | None
    """3-digit number prefix of the province named as the place of birth registration."""
    residence: AddressReading
    ethnicity: CodeReading
    religion: CodeReading
    father_birth: DateReading
    mother_birth: DateReading
    unresolved: tuple[tuple[str, str], ...]
    """Every (field, reason) that some reading could not resolve."""


# -- names -------------------------------------------------------------------------------------------


@cache
def _family_tone_keys() -> frozenset[str]:
    return frozenset(tone_key(name) for name in FAMILY_NAMES)


@cache
def _family_folded() -> frozenset[str]:
    return frozenset(fold(name) for name in FAMILY_NAMES)


def family_key(family: str) -> str:
    folded = fold(family)
    return EQUIVALENT_FAMILY_NAMES.get(folded, folded)


def is_family_name(word: str) -> bool:
    """A known family name as written: "Nguyễn", or "Nguyen" typed without diacritics, but not "Hạ"."""
    key = tone_key(word)
    if key in _family_tone_keys():
        return True
    return key == fold(word) and key in _family_folded()


def read_name(
    full_name: str | None = None,
    *,
    family: str | None = None,
    middle: str | None = None,
    given: str | None = None,
) -> NameReading:
    """Read a name given whole or in fields; detects Western order (given name first)."""
    if (family and nfc(family)) or (given and nfc(given)):
        return _from_fields(family, middle, given)
    if full_name is None or not nfc(full_name):
        return NameReading(full_name, None, None, None, None, None)
    text = nfc(full_name)
    unresolved: list[str] = []
    if "," in text:
        # "NGUYEN, Van An": a Western form's family field first, then the rest in Vietnamese order.
        head, _, tail = text.partition(",")
        text = f"{head} {tail}"
    words = _WORD.findall(text)
    if _WORD.sub("", text).replace(",", "").strip():
        unresolved.append(f"name: dropped characters that are no letters in {full_name!r}")
    if not words:
        return NameReading(full_name, None, None, None, None, None, (*unresolved, "name: no letters"))
    if len(words) == 1:
        return NameReading(full_name, words[0], None, None, words[0], "single", tuple(unresolved))
    if not is_family_name(words[0]) and is_family_name(words[-1]):
        return _western(full_name, words, unresolved)
    fam, mid, giv = split_full_name(" ".join(words))
    return NameReading(full_name, " ".join(words), fam, mid, giv, "vietnamese", tuple(unresolved))


def _western(original: str, words: list[str], unresolved: list[str]) -> NameReading:
    fam = words[-1]
    if fold(words[0]) in _MIDDLE_MARKERS and len(words) > 2:
        # "Văn An Nguyễn": the middle name stayed in front of the given name.
        mid, giv = " ".join(words[:-2]), words[-2]
    else:
        giv, mid = words[0], " ".join(words[1:-1])
    written = " ".join(w for w in (fam, mid, giv) if w)
    return NameReading(original, written, fam, mid or None, giv, "western", tuple(unresolved))


def _from_fields(family: str | None, middle: str | None, given: str | None) -> NameReading:
    parts = [nfc(p) if p else "" for p in (family, middle, given)]
    fam, mid, giv = (p or None for p in parts)
    written = " ".join(p for p in parts if p)
    original = " ".join(p for p in (family, middle, given) if p)
    unresolved = () if fam and giv else ("name: family or given name field is empty",)
    return NameReading(original, written, fam, mid, giv, "fields", unresolved)


# -- the other fields --------------------------------------------------------------------------------


def read_sex(text: str | None) -> Literal["M", "F"] | None:
    if text is None:
        return None
    key = fold(text).strip(". ")
    if key in _MALE:
        return "M"
    if key in _FEMALE:
        return "F"
    return None


def read_number(text: str | None) -> NumberReading:
    if text is None or not nfc(text):
        return NumberReading(text, None)
    digits = re.sub(r"[\s.\-]", "", nfc(text))
    if re.fullmatch(r"[0-9]{9}", digits):
        return NumberReading(text, None, (f"{text!r} is a 9-digit identity card (CMND) number",))
    if not re.fullmatch(r"[0-9]{12}", digits):
        return NumberReading(text, None, (f"{text!r} is not 12 digits",))
    try:
        return NumberReading(text, parse_number(digits).value)
    except CitizenIdError as exc:
        return NumberReading(text, None, (exc.detail,))


def read_ethnicity(text: str | None) -> CodeReading:
    return _coded(text, "ethnicity")


def read_religion(text: str | None) -> CodeReading:
    return _coded(text, "religion")


def _coded(text: str | None, table: Literal["ethnicity", "religion"]) -> CodeReading:
    if text is None or not nfc(text):
        return CodeReading(text, None, None)
    lookup = ethnic_group if table == "ethnicity" else religion
    try:
        entry = lookup(nfc(text))
    except NotFound:
        return CodeReading(text, None, None, (f"{table}: {text!r} is no known {table}",))
    return CodeReading(text, entry.code, entry.name)


# -- the record --------------------------------------------------------------------------------------


def _text(value: object) -> str | None:
    """A source cell as text; blank cells and the NaN that data frames put in them are missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = value if isinstance(value, str) else str(value)
    return text if text.strip() else None


def _parent_birth(fields: Mapping[str, str | None], parent: str) -> DateReading:
    return read_date(fields.get(f"{parent}_birth_date") or fields.get(f"{parent}_birth_year"))


@lru_cache(maxsize=100_000)
def _read_address(text: str | None) -> AddressReading:
    # Household members and a person's records in several sources share an address text; the
    # reading is a pure function of it (a frozen value), so it is parsed once.
    return read_address(text)


def normalise(record: Mapping[str, object]) -> NormalisedRecord:
    """The record with its comparison keys; the values in ``original`` are the ones given."""
    if not isinstance(record, Mapping):
        raise CleansingInvalid(f"a source record is a mapping of column to value, not {type(record).__name__}")
    original = MappingProxyType(dict(record))
    fields = {key: _text(value) for key, value in record.items() if isinstance(key, str)}
    name = read_name(
        fields.get("full_name"),
        family=fields.get("family_name"),
        middle=fields.get("middle_name"),
        given=fields.get("given_name"),
    )
    birth_date = read_date(fields.get("birth_date"))
    number = read_number(fields.get("personal_number"))
    province = read_province(fields.get("birth_registration_province"))
    residence = _read_address(fields.get("residence"))
    ethnicity = read_ethnicity(fields.get("ethnicity"))
    faith = read_religion(fields.get("religion"))
    father, mother = _parent_birth(fields, "father"), _parent_birth(fields, "mother")
    sex_text = fields.get("sex")
    sex = read_sex(sex_text)
    unresolved: list[tuple[str, str]] = [("sex", f"{sex_text!r} is no sex")] if sex_text and not sex else []
    if fields.get("birth_registration_province") and province is None:
        unresolved.append(("birth_registration_province", "no province has this name or code"))
    for field, reading in (
        ("name", name),
        ("birth_date", birth_date),
        ("personal_number", number),
        ("residence", residence),
        ("ethnicity", ethnicity),
        ("religion", faith),
        ("father_birth", father),
        ("mother_birth", mother),
    ):
        unresolved += [(field, reason) for reason in reading.unresolved]
    return NormalisedRecord(
        original=original,
        name=name,
        birth_date=birth_date,
        sex=sex,
        personal_number=number,
        birth_registration_province=province.number_code if province else None,
        residence=residence,
        ethnicity=ethnicity,
        religion=faith,
        father_birth=father,
        mother_birth=mother,
        unresolved=tuple(unresolved),
    )
