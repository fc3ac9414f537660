"""Noisy legacy sources drawn from a known synthetic population, with the truth and a log of every error.

:func:`generate_legacy` takes the people of :func:`~citizenid.synth.generate_population`, adds hard
negatives (twins, namesakes born the same day elsewhere), and writes each person into some of three
legacy systems, each with its own column names, date format, sex codes and address habits.  Every
change made to a true value is logged as an :class:`InjectedError` (source, record, field, kind,
before, after); the truth table maps each record to the person it describes.  Same seed, same
sources, bit for bit.

Kinds of error (``kind`` in the log): ``missing_diacritics``, ``decomposed_unicode``,
``tone_mark_variant``, ``western_order``, ``dropped_middle_name``, ``family_name_variant``
(Hoàng/Huỳnh, Vũ/Võ), ``typing``, ``ocr``, ``swapped_day_month``, ``year_only``,
``two_digit_year``, ``abbreviated_address``, ``legacy_address``, ``current_address``,
``address_without_diacritics``, ``moved``, ``missing_field``, ``number_typo``, ``duplicate_record``;
and, per person, ``twin`` and ``namesake`` (hard negatives, field ``person``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from citizenid import refdata
from citizenid.synth.population import DEFAULT_SEED, generate_population
from citizenid.vntext import fold

Format = Literal["csv", "parquet"]

DEFECT_KINDS = frozenset({"missing_field", "number_typo"})
"""Errors that make a record unclean by the quality rules (a missing mandatory field, a number that
contradicts the person); the other kinds are noise that normalisation and linkage must absorb."""

_MANDATORY_MISSING = frozenset({"full_name", "given_name", "birth_date", "sex", "residence"})


@dataclass(frozen=True, slots=True)
class LegacySource:
    """One legacy system: its name, file format and how its columns map onto the canonical names."""

    name: str
    format: Format
    columns: dict[str, str]
    """Source column -> canonical column (``record_id`` and the names of :mod:`citizenid.cleansing.normalise`)."""
    coverage: float
    """Share of the population this system holds a record for."""
    split_name: bool = False
    date_style: Literal["dmy", "iso", "compact"] = "dmy"
    sex_codes: tuple[str, str] = ("Nam", "Nữ")
    address_scheme: Literal["legacy", "current"] = "legacy"
    number_share: float = 0.0
    """Share of its records that carry the personal number."""
    upper_folded: float = 0.0
    """Share of names typed in capitals without diacritics (an old system's keyboard)."""

    def column(self, canonical: str) -> str:
        return next(src for src, can in self.columns.items() if can == canonical)

    @property
    def file_name(self) -> str:
        return f"{self.name}.{self.format}"


SOURCES: tuple[LegacySource, ...] = (
    LegacySource(
        "ho_khau", "csv",
        {"stt": "record_id", "ho_va_ten": "full_name", "ngay_sinh": "birth_date", "gioi_tinh": "sex",
         "dan_toc": "ethnicity", "ton_giao": "religion", "noi_thuong_tru": "residence",
         "so_dinh_danh": "personal_number"},
        coverage=0.8, number_share=0.3,
    ),
    LegacySource(
        "ho_tich", "csv",
        {"ma_ho_so": "record_id", "ho": "family_name", "ten_dem": "middle_name", "ten": "given_name",
         "ngay_sinh": "birth_date", "gioi_tinh": "sex", "dan_toc": "ethnicity", "dia_chi": "residence",
         "noi_dang_ky_khai_sinh": "birth_registration_province"},
        coverage=0.6, split_name=True, date_style="iso", sex_codes=("M", "F"),
    ),
    LegacySource(
        "cu_tru", "parquet",
        {"ID": "record_id", "HO_TEN": "full_name", "NGAY_SINH": "birth_date", "GT": "sex", "DIA_CHI": "residence",
         "SO_CCCD": "personal_number", "DAN_TOC": "ethnicity"},
        coverage=0.7, date_style="compact", sex_codes=("Nam", "Nu"), address_scheme="current", number_share=0.7,
        upper_folded=0.5,
    ),
)


@dataclass(frozen=True, slots=True)
class InjectedError:
    source: str
    record_id: str
    field: str
    kind: str
    before: str | None
    after: str | None


@dataclass
class LegacyData:
    """The sources (in their own column names), the truth and the error log."""

    sources: dict[str, pa.Table]
    truth: pa.Table
    """source, record_id, person_id (the true personal number)."""
    errors: list[InjectedError]
    specs: tuple[LegacySource, ...] = SOURCES
    people: int = 0

    def error_table(self) -> pa.Table:
        names = ("source", "record_id", "field", "kind", "before", "after")
        return pa.table({n: pa.array([getattr(e, n) for e in self.errors], pa.string()) for n in names})

    def write(self, directory: Path) -> list[Path]:
        """Each source in its own format, ``mapping.json``, ``truth.parquet`` and ``errors.parquet``."""
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        for spec in self.specs:
            path = directory / spec.file_name
            table = self.sources[spec.name]
            if spec.format == "csv":
                pacsv.write_csv(table, path)
            else:
                pq.write_table(table, path)
            written.append(path)
        mapping = {s.name: {"file": s.file_name, "columns": s.columns} for s in self.specs}
        (directory / "mapping.json").write_text(json.dumps(mapping, ensure_ascii=False, indent=1), encoding="utf-8")
        pq.write_table(self.truth, directory / "truth.parquet")
        pq.write_table(self.error_table(), directory / "errors.parquet")
        return [*written, directory / "mapping.json", directory / "truth.parquet", directory / "errors.parquet"]


# -- rates --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoiseRates:
    missing_diacritics: float = 0.2
    decomposed_unicode: float = 0.05
    tone_mark_variant: float = 0.5
    western_order: float = 0.03
    dropped_middle_name: float = 0.05
    family_name_variant: float = 0.3
    typing: float = 0.03
    ocr: float = 0.02
    swapped_day_month: float = 0.03
    year_only: float = 0.03
    two_digit_year: float = 0.03
    abbreviated_address: float = 0.4
    other_scheme_address: float = 0.1
    address_without_diacritics: float = 0.15
    moved: float = 0.03
    missing_field: float = 0.01
    number_typo: float = 0.01
    duplicate_record: float = 0.03
    twins: float = 0.01
    namesakes: float = 0.005


# -- text noise ---------------------------------------------------------------------------------------

_TONE_PAIRS = {}
for _tone in "\u0300\u0301\u0303\u0309\u0323":
    for _first, _second in (("o", "a"), ("o", "e"), ("u", "y")):
        _classic = unicodedata.normalize("NFC", _first + _tone + _second)
        _modern = unicodedata.normalize("NFC", _first + _second + _tone)
        _TONE_PAIRS[_classic], _TONE_PAIRS[_modern] = _modern, _classic
_TONE_PATTERN = re.compile("(" + "|".join(sorted(_TONE_PAIRS, key=len, reverse=True)) + r")(?![^\W\d_])")
_OCR = {"m": "rn", "h": "b", "l": "I", "e": "c", "n": "ri", "u": "ư", "o": "ơ", "a": "ă", "i": "í"}
_KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"
_FAMILY_VARIANTS = {"Hoàng": "Huỳnh", "Huỳnh": "Hoàng", "Vũ": "Võ", "Võ": "Vũ"}
_ABBREVIATIONS = (
    ("Thành phố ", "TP "), ("Thị trấn ", "TT "), ("Thị xã ", "TX "), ("Tỉnh ", "T. "), ("Quận ", "Q. "),
    ("Huyện ", "H. "), ("Phường ", "P. "), ("Xã ", "X. "),
)


def tone_variant(text: str) -> str:
    """The same words with the tone mark of "oa", "oe", "uy" at the end on the other letter."""
    return _TONE_PATTERN.sub(lambda m: _TONE_PAIRS[m.group(0)], unicodedata.normalize("NFC", text))


def _typing(rng: np.random.Generator, word: str) -> str:
    if len(word) < 3:
        return word + word[-1]
    i = int(rng.integers(1, len(word) - 1))
    action = int(rng.integers(0, 4))
    if action == 0:
        return word[:i] + word[i + 1 :]
    if action == 1:
        return word[:i] + word[i] + word[i:]
    if action == 2:
        if word[i] == word[i - 1]:
            return word[:i] + "h" + word[i:]
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    key = _KEYBOARD[int(rng.integers(0, len(_KEYBOARD)))]
    key = key if key != word[i].lower() else "x" if key != "x" else "z"
    return word[:i] + key + word[i + 1 :]


def _ocr(rng: np.random.Generator, word: str) -> str:
    spots = [i for i, ch in enumerate(word) if ch in _OCR]
    if not spots:
        return word + "."
    i = spots[int(rng.integers(0, len(spots)))]
    return word[:i] + _OCR[word[i]] + word[i + 1 :]


def _upper_folded(text: str) -> str:
    return fold(text).upper()


# -- addresses ----------------------------------------------------------------------------------------


def _address(commune_code: str, detail: str, scheme: Literal["legacy", "current"]) -> str:
    legacy = refdata.legacy_commune(commune_code)
    if scheme == "current":
        successors = refdata.current_communes_for_legacy(commune_code)
        if successors:
            current = successors[0]
            province = refdata.current_province(current.province_code)
            return f"{detail}, {current.name}, {province.name}"
    district = refdata.legacy_district(legacy.district_code or "")
    province = refdata.legacy_province(legacy.province_code)
    return f"{detail}, {legacy.name}, {district.name}, {province.name}"


def _abbreviate(address: str) -> str:
    for long, short in _ABBREVIATIONS:
        address = address.replace(long, short)
    return address


# -- dates --------------------------------------------------------------------------------------------


def _write_date(iso: str, style: str) -> str:
    parts = iso.split("-")
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        return f"{parts[1]}/{parts[0]}" if style != "iso" else iso
    year, month, day = parts
    if style == "iso":
        return iso
    if style == "compact":
        return f"{day}{month}{year}"
    return f"{day}/{month}/{year}"


# -- the generator ------------------------------------------------------------------------------------


@dataclass
class _Writer:
    rng: np.random.Generator
    rates: NoiseRates
    errors: list[InjectedError] = field(default_factory=list)

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def log(self, spec: LegacySource, record_id: str, column: str, kind: str, before: object, after: object) -> None:
        self.errors.append(InjectedError(
            spec.name, record_id, column, kind,
            None if before is None else str(before), None if after is None else str(after),
        ))

    def record(self, spec: LegacySource, record_id: str, person: dict[str, Any]) -> dict[str, str | None]:
        out: dict[str, str | None] = {"record_id": record_id}
        log = self._logger(spec, record_id)
        self._name(spec, person, out, log)
        self._birth_date(spec, person, out, log)
        male, female = spec.sex_codes
        out["sex"] = male if person["sex"] == "M" else female
        self._residence(spec, person, out, log)
        ethnicity = refdata.ethnic_group(person["ethnicity"])
        out["ethnicity"] = ethnicity.name if spec.name != "ho_tich" else ethnicity.code
        out["religion"] = refdata.religion(person["religion"]).name
        out["birth_registration_province"] = person["birth_registration_province"]
        number = person["personal_number"] if self.chance(spec.number_share) else None
        if number and self.chance(self.rates.number_typo):
            typo = number[:-1] + str((int(number[-1]) + 1 + int(self.rng.integers(0, 8))) % 10)
            log("personal_number", "number_typo", number, typo)
            number = typo
        out["personal_number"] = number
        name_field = "given_name" if spec.split_name else "full_name"
        for canonical in ("sex", "ethnicity", "birth_date", "residence", name_field):
            # Mandatory fields go missing less often than the others: clerks were told to fill them.
            rate = self.rates.missing_field / (4 if canonical in _MANDATORY_MISSING else 1)
            if out.get(canonical) and self.chance(rate):
                log(canonical, "missing_field", out[canonical], None)
                out[canonical] = None
        return {src: out.get(can) for src, can in spec.columns.items()}

    def _logger(self, spec: LegacySource, record_id: str) -> Callable[[str, str, object, object], None]:
        return lambda column, kind, before, after: self.log(spec, record_id, column, kind, before, after)

    def _name(self, spec: LegacySource, person: dict[str, Any], out: dict[str, str | None],
              log: Callable[[str, str, object, object], None]) -> None:
        family, middle, given = person["family_name"], person["middle_name"], person["given_name"]
        if family in _FAMILY_VARIANTS and self.chance(self.rates.family_name_variant):
            log("family_name", "family_name_variant", family, _FAMILY_VARIANTS[family])
            family = _FAMILY_VARIANTS[family]
        if middle and self.chance(self.rates.dropped_middle_name):
            log("middle_name", "dropped_middle_name", middle, None)
            middle = None
        for kind, rate, change in (("typing", self.rates.typing, _typing), ("ocr", self.rates.ocr, _ocr)):
            if self.chance(rate):
                after = change(self.rng, given)
                log("given_name", kind, given, after)
                given = after
        words = [family, middle, given]
        whole = " ".join(w for w in words if w)
        if self.chance(self.rates.tone_mark_variant) and tone_variant(whole) != whole:
            words = [tone_variant(w) if w else w for w in words]
            log("name", "tone_mark_variant", whole, " ".join(w for w in words if w))
        if self.chance(spec.upper_folded):
            words = [_upper_folded(w) if w else w for w in words]
            log("name", "missing_diacritics", whole, " ".join(w for w in words if w))
        elif self.chance(self.rates.missing_diacritics):
            words = [fold(w).title() if w else w for w in words]
            log("name", "missing_diacritics", whole, " ".join(w for w in words if w))
        if self.chance(self.rates.decomposed_unicode):
            words = [unicodedata.normalize("NFD", w) if w else w for w in words]
            log("name", "decomposed_unicode", None, "NFD")
        if spec.split_name:
            out["family_name"], out["middle_name"], out["given_name"] = words
            return
        fam, mid, giv = words
        if self.chance(self.rates.western_order):
            written = " ".join(w for w in (giv, mid, fam) if w)
            log("full_name", "western_order", " ".join(w for w in words if w), written)
        else:
            written = " ".join(w for w in words if w)
        out["full_name"] = written

    def _birth_date(self, spec: LegacySource, person: dict[str, Any], out: dict[str, str | None],
                    log: Callable[[str, str, object, object], None]) -> None:
        iso: str = person["birth_date"]
        written = _write_date(iso, spec.date_style)
        parts = iso.split("-")
        if len(parts) == 3:
            year, month, day = parts
            if self.chance(self.rates.year_only):
                log("birth_date", "year_only", written, year)
                written = year
            elif self.chance(self.rates.swapped_day_month) and month != day:
                after = f"{month}/{day}/{year}"
                log("birth_date", "swapped_day_month", written, after)
                written = after
            elif spec.date_style == "dmy" and self.chance(self.rates.two_digit_year):
                after = f"{day}/{month}/{year[2:]}"
                log("birth_date", "two_digit_year", written, after)
                written = after
        out["birth_date"] = written

    def _residence(self, spec: LegacySource, person: dict[str, Any], out: dict[str, str | None],
                   log: Callable[[str, str, object, object], None]) -> None:
        commune = person["residence_commune"]
        if self.chance(self.rates.moved) and person["origin_commune"] != commune:
            log("residence", "moved", commune, person["origin_commune"])
            commune = person["origin_commune"]
        scheme = spec.address_scheme
        if self.chance(self.rates.other_scheme_address):
            scheme = "legacy" if scheme == "current" else "current"
            log("residence", f"{scheme}_address", spec.address_scheme, scheme)
        address = _address(commune, person["residence_detail"], scheme)
        if self.chance(self.rates.abbreviated_address):
            after = _abbreviate(address)
            log("residence", "abbreviated_address", address, after)
            address = after
        if self.chance(self.rates.address_without_diacritics):
            after = fold(address).title()
            log("residence", "address_without_diacritics", address, after)
            address = after
        out["residence"] = address


def _hard_negatives(people: list[dict[str, Any]], rng: np.random.Generator, rates: NoiseRates,
                    taken: set[str]) -> list[tuple[dict[str, Any], str, str]]:
    """(new person, kind, the person they resemble): twins in the same household, namesakes elsewhere."""
    added: list[tuple[dict[str, Any], str, str]] = []
    given_names = sorted({p["given_name"] for p in people})
    communes = sorted({p["residence_commune"] for p in people})
    for person in people:
        kind = None
        if person["household_relationship"] == "child" and rng.random() < rates.twins:
            kind = "twin"
        elif rng.random() < rates.namesakes:
            kind = "namesake"
        if kind is None:
            continue
        other = dict(person)
        other["personal_number"] = _fresh_number(person["personal_number"], rng, taken)
        other["old_id_number"] = None
        if kind == "twin":
            choices = [g for g in given_names if g != person["given_name"]]
            other["given_name"] = choices[int(rng.integers(0, len(choices)))]
        else:
            other["residence_commune"] = communes[int(rng.integers(0, len(communes)))]
            other["origin_commune"] = other["residence_commune"]
            other["residence_detail"] = f"Số {int(rng.integers(1, 300))}"
        other["full_name"] = " ".join(w for w in (other["family_name"], other["middle_name"], other["given_name"]) if w)
        added.append((other, kind, person["personal_number"]))
    return added


def _fresh_number(like: str, rng: np.random.Generator, taken: set[str]) -> str:
    while True:
        number = like[:6] + f"{int(rng.integers(0, 1_000_000)):06d}"
        if number not in taken:
            taken.add(number)
            return number


def generate_legacy(
    count: int,
    *,
    seed: int = DEFAULT_SEED,
    as_of: dt.date = dt.date(2026, 1, 1),
    rates: NoiseRates | None = None,
    sources: Iterable[LegacySource] = SOURCES,
) -> LegacyData:
    """Noisy legacy sources for ``count`` people (plus the hard negatives added among them)."""
    rates = rates or NoiseRates()
    specs = tuple(sources)
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(7,))))
    people = generate_population(count, seed=seed, as_of=as_of).to_pylist()
    taken = {p["personal_number"] for p in people}
    writer = _Writer(rng, rates)
    truth: list[tuple[str, str, str]] = []
    rows: dict[str, list[dict[str, str | None]]] = {s.name: [] for s in specs}
    negatives = _hard_negatives(people, rng, rates, taken)
    everyone = people + [p for p, _, _ in negatives]
    hard = {p["personal_number"]: (kind, of) for p, kind, of in negatives}
    for person in everyone:
        present = [s for s in specs if rng.random() < s.coverage]
        if not present:
            present = [specs[int(rng.integers(0, len(specs)))]]
        for spec in present:
            copies = 2 if rng.random() < rates.duplicate_record else 1
            for copy in range(copies):
                record_id = f"{spec.name}-{len(rows[spec.name]) + 1:08d}"
                rows[spec.name].append(writer.record(spec, record_id, person))
                truth.append((spec.name, record_id, person["personal_number"]))
                if copy:
                    writer.log(spec, record_id, "record", "duplicate_record", None, None)
                if person["personal_number"] in hard:
                    kind, of = hard[person["personal_number"]]
                    writer.log(spec, record_id, "person", kind, of, person["personal_number"])
    tables = {}
    for spec in specs:
        order = rng.permutation(len(rows[spec.name]))
        records = [rows[spec.name][i] for i in order]
        tables[spec.name] = pa.table({col: pa.array([r[col] for r in records], pa.string()) for col in spec.columns})
    truth_table = pa.table({
        "source": pa.array([t[0] for t in truth], pa.string()),
        "record_id": pa.array([t[1] for t in truth], pa.string()),
        "person_id": pa.array([t[2] for t in truth], pa.string()),
    })
    return LegacyData(tables, truth_table, writer.errors, specs, len(everyone))
