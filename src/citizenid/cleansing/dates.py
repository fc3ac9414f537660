"""Dates in the formats legacy sources use, read into :class:`PartialDate` with how they were read.

Sources write dd/mm/yyyy (the Vietnamese order), d/m/yy, yyyy-mm-dd, ddmmyyyy (the card's QR code),
mm/yyyy, yyyy alone, "ngày 5 tháng 3 năm 1990", and sometimes month before day.  Each reading says
which pattern matched, whether day and month were swapped, and whether another reading was possible:

- a day-first date whose day and month are both ≤ 12 and differ is read day-first (the national
  convention) and marked ambiguous, because a month-first source would mean the other date;
- a "month" above 12 with a "day" of 12 or less is a swapped date, read unambiguously;
- a two-digit year ``yy`` is 20yy when ``yy < pivot`` and 19yy otherwise (``TWO_DIGIT_YEAR_PIVOT``,
  docs/decisions/0040-cleansing-normalisation.md), always reported as an interpretation.

``PartialDate`` is the register's own value type (``citizenid.registry.domain``): cleansing hands its
dates to the register, so it builds them directly instead of defining a second date type.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from citizenid.registry.domain import PartialDate
from citizenid.vntext import fold, nfc

TWO_DIGIT_YEAR_PIVOT = 26
"""``yy`` < 26 is 20yy, else 19yy: legacy records were collected before 2026 and few people now
living were born before 1926, while many children were born after 2000."""

_SEP = r"[/.\-\s]"
_ISO = re.compile(rf"^([0-9]{{4}}){_SEP}([0-9]{{1,2}}){_SEP}([0-9]{{1,2}})$")
_DAY_FIRST = re.compile(rf"^([0-9]{{1,2}}){_SEP}([0-9]{{1,2}}){_SEP}([0-9]{{4}}|[0-9]{{2}})$")
_COMPACT = re.compile(r"^([0-9]{2})([0-9]{2})([0-9]{4})$")
_MONTH_YEAR = re.compile(rf"^([0-9]{{1,2}}){_SEP}([0-9]{{4}})$")
_YEAR_MONTH = re.compile(rf"^([0-9]{{4}}){_SEP}([0-9]{{1,2}})$")
_YEAR = re.compile(r"^([0-9]{4})$")
_WORDS = re.compile(r"\b(ngay|thang|nam)\b")


@dataclass(frozen=True, slots=True)
class DateReading:
    original: str | None
    value: PartialDate | None
    pattern: str | None
    """The pattern that matched, e.g. ``"dd/mm/yyyy"``; ``None`` if none did."""
    swapped: bool = False
    """Day and month stood the other way round from the pattern."""
    ambiguous: bool = False
    """Another calendar date fits the same text; ``value`` is the conventional reading."""
    interpretations: tuple[str, ...] = ()
    """Each guess made beyond the pattern itself (a two-digit year, a swap), in words."""
    unresolved: tuple[str, ...] = ()


def _calendar(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _full_year(text: str, pivot: int, notes: list[str]) -> int:
    if len(text) == 4:
        return int(text)
    yy = int(text)
    year = 2000 + yy if yy < pivot else 1900 + yy
    notes.append(f"two-digit year {text} read as {year}")
    return year


def read_date(text: str | None, *, pivot: int = TWO_DIGIT_YEAR_PIVOT) -> DateReading:
    """Read a date as a source wrote it; never raises on messy text."""
    if text is None or not nfc(text):
        return DateReading(text, None, None)
    folded = fold(text)
    value = " ".join(_WORDS.sub(" ", folded).split())
    # "ngày 5 tháng 3" names the day and the month: no order to doubt.
    labelled = _WORDS.search(folded) is not None
    notes: list[str] = []
    if match := _ISO.match(value):
        year, first, second = int(match[1]), int(match[2]), int(match[3])
        return _day_month(text, "yyyy-mm-dd", year, day=second, month=first, notes=notes, order_is_convention=True)
    if match := _DAY_FIRST.match(value):
        year = _full_year(match[3], pivot, notes)
        pattern = "dd/mm/yyyy" if len(match[3]) == 4 else "dd/mm/yy"
        return _day_month(
            text, pattern, year, day=int(match[1]), month=int(match[2]), notes=notes, order_is_convention=labelled
        )
    if match := _COMPACT.match(value):
        return _compact(text, match, notes)
    if match := _MONTH_YEAR.match(value):
        return _month_year(text, "mm/yyyy", int(match[2]), int(match[1]))
    if match := _YEAR_MONTH.match(value):
        return _month_year(text, "yyyy-mm", int(match[1]), int(match[2]))
    if match := _YEAR.match(value):
        year = int(match[1])
        if year < 1:
            return DateReading(text, None, "yyyy", unresolved=(f"{text!r} has no year {year}",))
        return DateReading(text, PartialDate(year), "yyyy")
    return DateReading(text, None, None, unresolved=(f"{text!r} is in no known date format",))


def _day_month(
    text: str,
    pattern: str,
    year: int,
    *,
    day: int,
    month: int,
    notes: list[str],
    order_is_convention: bool = False,
) -> DateReading:
    as_written = year >= 1 and _calendar(year, month, day)
    as_swapped = year >= 1 and day != month and _calendar(year, day, month)
    if as_written:
        # ISO order is never written month-last on purpose, so only day-first text is in doubt.
        ambiguous = as_swapped and not order_is_convention
        if ambiguous:
            first, other = f"{year:04d}-{month:02d}-{day:02d}", f"{year:04d}-{day:02d}-{month:02d}"
            notes.append(f"read day first as {first}; month first it is {other}")
        return DateReading(text, PartialDate(year, month, day), pattern, False, ambiguous, tuple(notes))
    if as_swapped:
        notes.append(f"day and month swapped: {month} cannot be a month")
        return DateReading(text, PartialDate(year, day, month), pattern, True, False, tuple(notes))
    return DateReading(text, None, pattern, interpretations=tuple(notes), unresolved=(f"{text!r} is no calendar date",))


def _compact(text: str, match: re.Match[str], notes: list[str]) -> DateReading:
    """ddmmyyyy as the QR code writes it; yyyymmdd when only that reading is a date."""
    day, month, year = int(match[1]), int(match[2]), int(match[3])
    digits = match[0]
    iso_year, iso_month, iso_day = int(digits[:4]), int(digits[4:6]), int(digits[6:])
    as_qr = year >= 1 and _calendar(year, month, day)
    as_iso = iso_year >= 1 and _calendar(iso_year, iso_month, iso_day)
    if as_qr:
        if as_iso:
            notes.append(f"read as ddmmyyyy; yyyymmdd would be {iso_year:04d}-{iso_month:02d}-{iso_day:02d}")
        return DateReading(text, PartialDate(year, month, day), "ddmmyyyy", False, as_iso, tuple(notes))
    if as_iso:
        return DateReading(text, PartialDate(iso_year, iso_month, iso_day), "yyyymmdd")
    return DateReading(text, None, "ddmmyyyy", unresolved=(f"{text!r} is no calendar date",))


def _month_year(text: str, pattern: str, year: int, month: int) -> DateReading:
    if year < 1 or not 1 <= month <= 12:
        return DateReading(text, None, pattern, unresolved=(f"{text!r} has no month {month} of year {year}",))
    return DateReading(text, PartialDate(year, month), pattern)
