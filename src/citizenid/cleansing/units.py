"""Indexes of administrative units by folded name, for reading addresses.

Built once from refdata on first use.  A key is the unit's name folded (no diacritics, đ → d), without
its kind word and with numbers stripped of leading zeros, so "Phường 01", "P.1" and "phuong 1" meet.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import cache
from typing import TypeVar

from citizenid.refdata import (
    Commune,
    District,
    Province,
    current_communes,
    current_provinces,
    legacy_communes,
    legacy_districts,
    legacy_provinces,
)
from citizenid.vntext import tone_key

Unit = TypeVar("Unit", Commune, District)
_DISTRICT_KIND_NAMES = ("Quận", "Huyện", "Thị xã", "Thành phố")
_DISTRICT_KINDS = ("quan ", "huyen ", "thi xa ", "thanh pho ")
_COMMUNE_KINDS = ("phuong ", "xa ", "thi tran ", "dac khu ")
_PROVINCE_ALIASES = {
    # GSO code of the legacy province each informal name means.
    "hcm": "79",
    "tphcm": "79",
    "sai gon": "79",
    "saigon": "79",
    "hn": "01",
    "thua thien hue": "46",
    "brvt": "77",
}
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def fold_char(ch: str) -> str:
    """One character folded for matching: lower-case, diacritics dropped, đ → d."""
    lower = ch.lower()
    if lower == "đ":
        return "d"
    return "".join(c for c in unicodedata.normalize("NFD", lower) if not unicodedata.combining(c))


class _FoldTable(dict[int, str]):
    """``str.translate`` table of :func:`fold_char`, filled on first sight of each character."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = fold_char(chr(code))
        return folded


_FOLD_TABLE = _FoldTable()


def fold_chars(text: str) -> str:
    """Every character of ``text`` through :func:`fold_char` (one ``translate``, not a call per character)."""
    return text.translate(_FOLD_TABLE)


def unit_key(text: str) -> str:
    """Folded words of a unit name, numbers without leading zeros: "Phường 01" and "phuong 1" meet."""
    words = _NOT_ALNUM.sub(" ", fold_chars(text)).split()
    return " ".join(w.lstrip("0") or "0" if w.isdigit() else w for w in words)


def _without_kind(key: str, kinds: Sequence[str]) -> str:
    for kind in kinds:
        if key.startswith(kind) and len(key) > len(kind):
            return key[len(kind) :]
    return key


# -- indexes -----------------------------------------------------------------------------------------


def _group_units(pairs: Iterable[tuple[str, str, Unit]]) -> dict[str, dict[str, list[Unit]]]:
    grouped: dict[str, dict[str, list[Unit]]] = defaultdict(lambda: defaultdict(list))
    for scope, key, unit in pairs:
        grouped[scope][key].append(unit)
    return grouped


@cache
def provinces_by_key() -> dict[str, tuple[Province, Province | None]]:
    """Folded name -> (legacy province, the current province of the same code if one exists)."""
    current = {p.code: p for p in current_provinces()}
    index: dict[str, tuple[Province, Province | None]] = {}
    for province in legacy_provinces():
        pair = (province, current.get(province.code))
        for spelling in (province.short_name, province.name):
            index[unit_key(spelling)] = pair
    by_code = {p.code: p for p in legacy_provinces()}
    for alias, code in _PROVINCE_ALIASES.items():
        index[alias] = (by_code[code], current.get(code))
    return index


@cache
def districts_by_key() -> dict[str, dict[str, list[District]]]:
    """Legacy province code -> district key -> districts ("" holds every province's)."""
    pairs: list[tuple[str, str, District]] = []
    for district in legacy_districts():
        key = _without_kind(unit_key(district.name), _DISTRICT_KINDS)
        pairs += [(district.province_code, key, district), ("", key, district)]
    return _group_units(pairs)


@cache
def legacy_communes_by_key() -> dict[str, dict[str, list[Commune]]]:
    """Legacy district code, or "p" + province code -> commune key -> communes."""
    pairs: list[tuple[str, str, Commune]] = []
    for commune in legacy_communes():
        key = _without_kind(unit_key(commune.name), _COMMUNE_KINDS)
        pairs += [(commune.district_code or "", key, commune), ("p" + commune.province_code, key, commune)]
    return _group_units(pairs)


@cache
def current_communes_by_key() -> dict[str, dict[str, list[Commune]]]:
    """Current province code -> commune key -> communes."""
    pairs: list[tuple[str, str, Commune]] = []
    for commune in current_communes():
        pairs.append((commune.province_code, _without_kind(unit_key(commune.name), _COMMUNE_KINDS), commune))
    return _group_units(pairs)


def folded_text(text: str) -> str:
    """Folded text that keeps dots and spaces, for reading the clerks' abbreviations."""
    return " ".join(fold_chars(text).split())


def unit_kind(unit: Commune | District) -> str | None:
    if isinstance(unit, Commune):
        return unit.kind
    return next((kind for kind in _DISTRICT_KIND_NAMES if unit.name.startswith(kind + " ")), None)


def bare_tone_key(unit: Commune | District) -> str:
    """The unit's name without its kind, as tone key: "Xã Đông Hội" -> "đông hội"."""
    kind = unit_kind(unit)
    if kind is not None and unit.name.startswith(kind + " "):
        return tone_key(unit.name[len(kind) + 1 :])
    return tone_key(unit.name)


def province_pair(code: str) -> tuple[Province | None, Province | None]:
    """The legacy province of a 2-digit code and the current province that kept its code, if any."""
    for legacy, current in provinces_by_key().values():
        if legacy.code == code:
            return legacy, current
    return None, None


@cache
def _current_province_codes() -> dict[str, str]:
    return {c.code: c.province_code for c in current_communes()}


def current_province_of(commune_code: str) -> str:
    return _current_province_codes()[commune_code]
