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

from collections.abc import Iterable, Mapping
from typing import Any

from citizenid.cleansing.normalise import NormalisedRecord, normalise
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


def features(source: str, record_id: str, record: NormalisedRecord) -> dict[str, str | None]:
    name = record.name
    birth = record.birth_date.value
    dob = dob_swapped = None
    if birth is not None and birth.day is not None and birth.month is not None:
        dob = birth.iso()
        if birth.day <= 12 and birth.day != birth.month:
            dob_swapped = f"{birth.year:04d}-{birth.day:02d}-{birth.month:02d}"
    address = record.residence
    detail = fold(address.detail) if address.detail else None
    fam = name.family_key
    giv = name.given_key
    mid = name.middle_key
    return {
        "unique_id": unique_id(source, record_id),
        "source": source,
        "record_id": record_id,
        "fam": fam,
        "mid": mid,
        "giv": giv,
        "giv_ocr": ocr_key(giv) if giv else None,
        "name": " ".join(w for w in (fam, mid, giv) if w) or None,
        "dob": dob,
        "dob_swapped": dob_swapped,
        "dob_year": f"{birth.year:04d}" if birth is not None else None,
        "sex": record.sex,
        "commune": address.current_commune,
        "province": address.current_province,
        "detail": detail or None,
        "number": record.personal_number.value,
    }


def feature_columns(records: Iterable[tuple[str, str, Mapping[str, Any]]]) -> dict[str, list[str | None]]:
    """The same features column by column: a third of the memory of row dicts at millions of records."""
    columns: dict[str, list[str | None]] = {name: [] for name in FEATURE_COLUMNS}
    appenders = [(name, columns[name].append) for name in FEATURE_COLUMNS]
    for source, record_id, record in records:
        row = features(source, record_id, normalise(record))
        for name, append in appenders:
            append(row[name])
    return columns


def feature_rows(records: Iterable[tuple[str, str, Mapping[str, Any]]]) -> list[dict[str, str | None]]:
    """Features of (source, record id, canonical record) triples."""
    return [features(source, record_id, normalise(record)) for source, record_id, record in records]
