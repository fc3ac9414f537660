"""Comparison features of a normalised record: the columns linkage blocks and compares on.

One flat row of strings per source record, derived from :class:`NormalisedRecord` and never stored
instead of it.  Names are compared folded (no diacritics, đ → d, tone marks irrelevant) and in
Vietnamese order whatever order the source used; the family name goes through
:func:`~citizenid.cleansing.normalise.family_key` so Hoàng/Huỳnh and Vũ/Võ meet.  A date gives its full
ISO form only when the day is known, its day/month-swapped form when that is also a calendar date,
and its year alone (what a year-only source still agrees on).  Addresses compare on the *current*
commune and province, after mapping legacy units, plus the folded street detail.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from citizenid.cleansing.addresses import AddressReading, read_address
from citizenid.cleansing.dates import read_date
from citizenid.cleansing.errors import CleansingInvalid
from citizenid.cleansing.normalise import (
    NameReading,
    NormalisedRecord,
    _text,
    normalise,
    read_name,
    read_number,
    read_sex,
)
from citizenid.registry.domain import PartialDate
from citizenid.vntext import fold

FEATURE_COLUMNS: tuple[str, ...] = (
    "unique_id", "source", "record_id", "fam", "mid", "giv", "giv_ocr", "name", "dob", "dob_swapped", "dob_year",
    "sex", "commune", "province", "detail", "number",
)
"""Every feature column, in order; ``unique_id`` is ``source/record_id``."""


# Letters a scanner reads for others, collapsed on both sides: "rn" for "m", "ri" for "n", "b" for "h".
_OCR_FOLDS = (("rn", "m"), ("ri", "n"), ("cl", "d"), ("i", "l"), ("b", "h"))


def ocr_key(word: str) -> str:
    """A folded word with the usual OCR confusions collapsed: "horig" and "hong" meet, "narn" and "nam"."""
    for seen, meant in _OCR_FOLDS:
        word = word.replace(seen, meant)
    return word


def unique_id(source: str, record_id: str) -> str:
    return f"{source}/{record_id}"


def _name_keys(name: NameReading) -> tuple[str | None, ...]:
    """(fam, mid, giv, giv_ocr, name) of a name reading."""
    fam = name.family_key
    giv = name.given_key
    mid = name.middle_key
    return fam, mid, giv, ocr_key(giv) if giv else None, " ".join(w for w in (fam, mid, giv) if w) or None


def _date_keys(birth: PartialDate | None) -> tuple[str | None, ...]:
    """(dob, dob_swapped, dob_year) of a birth date."""
    dob = dob_swapped = None
    if birth is not None and birth.day is not None and birth.month is not None:
        dob = birth.iso()
        if birth.day <= 12 and birth.day != birth.month:
            dob_swapped = f"{birth.year:04d}-{birth.day:02d}-{birth.month:02d}"
    return dob, dob_swapped, f"{birth.year:04d}" if birth is not None else None


def _address_keys(address: AddressReading) -> tuple[str | None, ...]:
    """(commune, province, detail) of an address reading."""
    detail = fold(address.detail) if address.detail else None
    return address.current_commune, address.current_province, detail or None


def features(source: str, record_id: str, record: NormalisedRecord) -> dict[str, str | None]:
    fam, mid, giv, giv_ocr, name = _name_keys(record.name)
    dob, dob_swapped, dob_year = _date_keys(record.birth_date.value)
    commune, province, detail = _address_keys(record.residence)
    return {
        "unique_id": unique_id(source, record_id),
        "source": source,
        "record_id": record_id,
        "fam": fam,
        "mid": mid,
        "giv": giv,
        "giv_ocr": giv_ocr,
        "name": name,
        "dob": dob,
        "dob_swapped": dob_swapped,
        "dob_year": dob_year,
        "sex": record.sex,
        "commune": commune,
        "province": province,
        "detail": detail,
        "number": record.personal_number.value,
    }


PARALLEL_FROM = 200_000
"""Records from which :func:`feature_columns` splits the work between processes (below, starting them
costs more than it saves)."""


def feature_columns(
    records: Iterable[tuple[str, str, Mapping[str, Any]]], *, workers: int | None = None
) -> dict[str, list[str | None]]:
    """The features of :func:`feature_rows`, column by column (a third of the memory of row dicts at
    millions of records), computed once per distinct name, date, address, sex and number text.

    ``workers`` processes (default: one per CPU, at most 2) share the work from ``PARALLEL_FROM``
    records on; the result is the same, in the same order, whatever the number of workers.
    """
    rows = records if isinstance(records, Sequence) else list(records)
    count = workers if workers is not None else min(2, os.cpu_count() or 1)
    if count < 2 or len(rows) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return _columns(rows)
    # Forked workers read the records from the parent's memory (nothing to pickle on the way in); each
    # takes contiguous slices, so the columns come back in the records' order.
    global _SHARED  # noqa: PLW0603 - handed to forked workers, reset below
    _SHARED = rows
    try:
        # Load the reference data and build the unit indexes here, once, rather than in every worker.
        head = _columns(rows[:_WARM_UP])
        rows = rows[_WARM_UP:]
        _SHARED = rows
        size = -(-len(rows) // (count * 2))
        bounds = [(start, min(start + size, len(rows))) for start in range(0, len(rows), size)]
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
            parts = list(pool.map(_columns_of_slice, bounds))
    finally:
        _SHARED = ()
    columns = head
    for part in parts:
        for name in FEATURE_COLUMNS:
            columns[name] += part[name]
    return columns


_WARM_UP = 1_000
_SHARED: Sequence[tuple[str, str, Mapping[str, Any]]] = ()


def _columns_of_slice(bounds: tuple[int, int]) -> dict[str, list[str | None]]:
    return _columns(_SHARED[bounds[0] : bounds[1]])


def _columns(records: Iterable[tuple[str, str, Mapping[str, Any]]]) -> dict[str, list[str | None]]:
    """One process's share: :func:`features` of :func:`normalise`, reading only what features use and
    each distinct value once (names, dates and addresses repeat across a person's records and a household)."""
    columns: dict[str, list[str | None]] = {name: [] for name in FEATURE_COLUMNS}
    add = [columns[name].append for name in FEATURE_COLUMNS]
    names: dict[tuple[str | None, ...], tuple[str | None, ...]] = {}
    dates: dict[str | None, tuple[str | None, ...]] = {}
    addresses: dict[str | None, tuple[str | None, ...]] = {}
    sexes: dict[str | None, str | None] = {}
    numbers: dict[str | None, str | None] = {}
    for source, record_id, record in records:
        _require_mapping(record)
        name_text = (_field(record, "full_name"), _field(record, "family_name"), _field(record, "middle_name"),
                     _field(record, "given_name"))
        name = names.get(name_text)
        if name is None:
            full, family, middle, given = name_text
            name = names[name_text] = _name_keys(read_name(full, family=family, middle=middle, given=given))
        date_text = _field(record, "birth_date")
        date = dates.get(date_text)
        if date is None:
            date = dates[date_text] = _date_keys(read_date(date_text).value)
        address_text = _field(record, "residence")
        address = addresses.get(address_text)
        if address is None:
            address = addresses[address_text] = _address_keys(read_address(address_text))
        sex_text = _field(record, "sex")
        if sex_text not in sexes:
            sexes[sex_text] = read_sex(sex_text)
        number_text = _field(record, "personal_number")
        if number_text not in numbers:
            numbers[number_text] = read_number(number_text).value
        row = (unique_id(source, record_id), source, record_id, *name, *date, sexes[sex_text], *address,
               numbers[number_text])
        for append, value in zip(add, row, strict=True):
            append(value)
    return columns


def _require_mapping(record: object) -> None:
    if not isinstance(record, Mapping):  # as normalise() refuses it
        raise CleansingInvalid(f"a source record is a mapping of column to value, not {type(record).__name__}")


def _field(record: Mapping[str, Any], key: str) -> str | None:
    """The field as :func:`normalise` reads it."""
    return _text(record.get(key))


def feature_rows(records: Iterable[tuple[str, str, Mapping[str, Any]]]) -> list[dict[str, str | None]]:
    """Features of (source, record id, canonical record) triples, one record at a time."""
    return [features(source, record_id, normalise(record)) for source, record_id, record in records]
