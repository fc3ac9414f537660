"""Loaders for the reference tables shipped in ``citizenid/refdata/data``.

Each table is read once, on first use, and kept for the life of the process: the files are package
data and never change while it runs.  Every lookup by code is a dict access.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from importlib.resources import files

from citizenid.refdata.domain import CodeEntry, Commune, District, Province, Scheme
from citizenid.refdata.errors import UnknownCode
from citizenid.vntext import fold

_PACKAGE = "citizenid.refdata"
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def _rows(name: str) -> list[dict[str, str]]:
    raw = (files(_PACKAGE) / "data" / name).read_bytes()
    if name.endswith(".gz"):
        raw = gzip.decompress(raw)
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))


def _province_code(code: str) -> str:
    """The 2-digit code behind either a GSO code ("01") or a personal-number prefix ("001")."""
    code = code.strip()
    return code[1:] if len(code) == 3 and code.startswith("0") else code


# -- provinces ---------------------------------------------------------------------------------------


def _provinces(name: str, scheme: Scheme) -> dict[str, Province]:
    return {row["code"]: Province(row["code"], row["name"], row["short_name"], scheme) for row in _rows(name)}


@cache
def _legacy_provinces() -> dict[str, Province]:
    return _provinces("legacy_provinces.csv", "legacy")


@cache
def _current_provinces() -> dict[str, Province]:
    return _provinces("current_provinces.csv", "current")


def legacy_provinces() -> tuple[Province, ...]:
    """The 63 provinces in force until 30 June 2025, by code."""
    return tuple(_legacy_provinces().values())


def current_provinces() -> tuple[Province, ...]:
    """The 34 provinces in force since 1 July 2025, by code."""
    return tuple(_current_provinces().values())


def legacy_province(code: str) -> Province:
    """A legacy province by its GSO code ("01") or personal-number prefix ("001")."""
    try:
        return _legacy_provinces()[_province_code(code)]
    except KeyError:
        raise UnknownCode("legacy province", code) from None


def current_province(code: str) -> Province:
    """A current province by its GSO code ("01") or 3-digit form ("001")."""
    try:
        return _current_provinces()[_province_code(code)]
    except KeyError:
        raise UnknownCode("current province", code) from None


def province_by_number_code(code3: str) -> Province:
    """The legacy province whose code a personal identification number starts with.

    Numbers are never reissued, so every number issued so far names a legacy province, even when
    that province has since merged.  The current provinces kept legacy codes, so a number whose
    prefix is a current province's code still resolves here, to the legacy province of that code.
    """
    if len(code3) != 3 or not code3.isdigit() or not code3.startswith("0"):
        raise UnknownCode("personal-number province prefix", code3)
    try:
        return _legacy_provinces()[code3[1:]]
    except KeyError:
        raise UnknownCode("personal-number province prefix", code3) from None


@cache
def _province_mapping() -> dict[str, str]:
    return {row["legacy_code"]: row["current_code"] for row in _rows("province_mapping.csv")}


def current_province_for_legacy(code: str) -> Province:
    """The current province that a legacy province (code "74" or "074") merged into."""
    legacy = legacy_province(code)
    return _current_provinces()[_province_mapping()[legacy.code]]


@cache
def _province_population() -> dict[str, int]:
    return {row["code"]: int(row["people"]) for row in _rows("province_population.csv")}


def province_population() -> dict[str, int]:
    """Approximate population (2019 census) of each legacy province, by code; a fresh copy."""
    return dict(_province_population())


# -- districts and communes --------------------------------------------------------------------------


@cache
def _legacy_districts() -> dict[str, District]:
    return {
        row["code"]: District(row["code"], row["name"], row["province_code"]) for row in _rows("legacy_districts.csv")
    }


def legacy_districts() -> tuple[District, ...]:
    """The legacy districts (Quận, Huyện, Thị xã, Thành phố thuộc tỉnh), by code."""
    return tuple(_legacy_districts().values())


def legacy_district(code: str) -> District:
    try:
        return _legacy_districts()[code.strip()]
    except KeyError:
        raise UnknownCode("legacy district", code) from None


@cache
def _legacy_communes() -> dict[str, Commune]:
    return {
        row["code"]: Commune(
            row["code"], row["name"], row["type"], row["province_code"], row["district_code"], "legacy"
        )
        for row in _rows("legacy_communes.csv.gz")
    }


@cache
def _current_communes() -> dict[str, Commune]:
    return {
        row["code"]: Commune(row["code"], row["name"], row["type"], row["province_code"], None, "current")
        for row in _rows("current_communes.csv.gz")
    }


def legacy_communes() -> tuple[Commune, ...]:
    """The legacy communes, by code."""
    return tuple(_legacy_communes().values())


def current_communes() -> tuple[Commune, ...]:
    """The current communes, by code."""
    return tuple(_current_communes().values())


def legacy_commune(code: str) -> Commune:
    try:
        return _legacy_communes()[code.strip()]
    except KeyError:
        raise UnknownCode("legacy commune", code) from None


def current_commune(code: str) -> Commune:
    try:
        return _current_communes()[code.strip()]
    except KeyError:
        raise UnknownCode("current commune", code) from None


@cache
def _current_communes_by_province() -> dict[str, tuple[Commune, ...]]:
    grouped: dict[str, list[Commune]] = defaultdict(list)
    for commune in _current_communes().values():
        grouped[commune.province_code].append(commune)
    return {code: tuple(communes) for code, communes in grouped.items()}


def current_communes_in(province_code: str) -> tuple[Commune, ...]:
    """The communes of a current province, by code."""
    return _current_communes_by_province()[current_province(province_code).code]


def _successors(file: str) -> dict[str, tuple[Commune, ...]]:
    """Legacy code -> current communes, the default successor first, then the others by code."""
    by_legacy: dict[str, list[tuple[bool, str]]] = defaultdict(list)
    for row in _rows(file):
        by_legacy[row["legacy_code"]].append((row["is_default"] != "1", row["current_code"]))
    current = _current_communes()
    return {legacy: tuple(current[code] for _, code in sorted(links)) for legacy, links in by_legacy.items()}


@cache
def _commune_successors() -> dict[str, tuple[Commune, ...]]:
    return _successors("commune_mapping.csv.gz")


@cache
def _communeless_district_successors() -> dict[str, tuple[Commune, ...]]:
    return _successors("district_mapping.csv")


def current_communes_for_legacy(legacy_code: str) -> tuple[Commune, ...]:
    """The current communes a legacy commune became, the default one first.

    Most legacy communes went whole into one current commune.  A few hundred were split; for those
    the first entry is the one the conversion marks as default and the others are candidates
    that a street address may select instead.
    """
    code = legacy_commune(legacy_code).code
    return _commune_successors()[code]


@cache
def _legacy_communes_by_district() -> dict[str, tuple[Commune, ...]]:
    grouped: dict[str, list[Commune]] = defaultdict(list)
    for commune in _legacy_communes().values():
        if commune.district_code is not None:
            grouped[commune.district_code].append(commune)
    return {code: tuple(communes) for code, communes in grouped.items()}


def current_communes_for_legacy_district(district_code: str) -> tuple[Commune, ...]:
    """The current communes that cover a legacy district, default successors first.

    The few island districts that had no communes (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo)
    each became one Đặc khu; a record that names only such a district still converts.
    """
    district = legacy_district(district_code)
    island = _communeless_district_successors().get(district.code)
    if island is not None:
        return island
    successors = _commune_successors()
    chains = [successors[c.code] for c in _legacy_communes_by_district().get(district.code, ())]
    defaults = _unique(chain[0] for chain in chains)
    others = _unique(c for chain in chains for c in chain[1:] if c not in defaults)
    return tuple(sorted(defaults, key=_code)) + tuple(sorted(others, key=_code))


def _unique(communes: Iterable[Commune]) -> list[Commune]:
    return list(dict.fromkeys(communes))


def _code(commune: Commune) -> str:
    return commune.code


# -- coded lists -------------------------------------------------------------------------------------


def _lookup_key(text: str, prefixes: tuple[str, ...]) -> str:
    """Folded, without spaces, hyphens or apostrophes: "H'Mông", "Hmông" and "hmong" meet."""
    key = _NOT_ALNUM.sub("", fold(text))
    for prefix in prefixes:
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix) :]
    return key


class _CodedList:
    def __init__(self, file: str, table: str, prefixes: tuple[str, ...]) -> None:
        self.table = table
        self.prefixes = prefixes
        self.entries = tuple(
            CodeEntry(
                row["code"],
                row["name"],
                tuple(v for v in row["variants"].split("|") if v),
                float(row["share"]),
            )
            for row in _rows(file)
        )
        self.by_code = {entry.code: entry for entry in self.entries}
        self.by_key: dict[str, CodeEntry] = {}
        for entry in self.entries:
            for spelling in (entry.name, *entry.variants):
                key = _lookup_key(spelling, prefixes)
                holder = self.by_key.setdefault(key, entry)
                if holder is not entry:
                    raise ValueError(f"{table}: {spelling!r} names both {holder.code} and {entry.code}")

    def find(self, code_or_name: str) -> CodeEntry:
        value = code_or_name.strip()
        entry = (
            self.by_code.get(value.zfill(2)) if value.isdigit() else self.by_key.get(_lookup_key(value, self.prefixes))
        )
        if entry is None:
            raise UnknownCode(self.table, code_or_name)
        return entry


@cache
def _ethnic_groups() -> _CodedList:
    # Records often write "Dân tộc Kinh" or "Người Hoa" for the group's bare name.
    return _CodedList("ethnic_groups.csv", "ethnic group", ("dantoc", "nguoi"))


@cache
def _religions() -> _CodedList:
    return _CodedList("religions.csv", "religion", ("tongiao",))


def ethnic_groups() -> tuple[CodeEntry, ...]:
    """The 54 recognised ethnic groups with their GSO codes (Decision 121-TCTK/PPC, 1979)."""
    return _ethnic_groups().entries


def ethnic_group(code_or_name: str) -> CodeEntry:
    """An ethnic group by code ("08") or any name or variant, ignoring case, diacritics and hyphens."""
    return _ethnic_groups().find(code_or_name)


def religions() -> tuple[CodeEntry, ...]:
    """The religions recognised in Vietnam, with "00 Không" (none) and "99 Khác" (other)."""
    return _religions().entries


def religion(code_or_name: str) -> CodeEntry:
    """A religion by code or any name or variant, ignoring case, diacritics and hyphens."""
    return _religions().find(code_or_name)
