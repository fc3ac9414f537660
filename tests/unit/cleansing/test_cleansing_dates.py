"""Dates in every format the sources use, with how each was read."""

from __future__ import annotations

import pytest

from citizenid.cleansing import TWO_DIGIT_YEAR_PIVOT, read_date
from citizenid.registry.domain import PartialDate


@pytest.mark.parametrize(
    ("text", "iso", "pattern"),
    [
        ("25/03/1990", "1990-03-25", "dd/mm/yyyy"),
        ("25-03-1990", "1990-03-25", "dd/mm/yyyy"),
        ("25.3.1990", "1990-03-25", "dd/mm/yyyy"),
        ("1990-03-25", "1990-03-25", "yyyy-mm-dd"),
        ("1990/3/25", "1990-03-25", "yyyy-mm-dd"),
        ("25031990", "1990-03-25", "ddmmyyyy"),
        ("19900325", "1990-03-25", "yyyymmdd"),
        ("03/1990", "1990-03", "mm/yyyy"),
        ("1990-03", "1990-03", "yyyy-mm"),
        ("1990", "1990", "yyyy"),
        (" năm 1990 ", "1990", "yyyy"),
        ("ngày 25 tháng 3 năm 1990", "1990-03-25", "dd/mm/yyyy"),
    ],
)
def test_formats(text: str, iso: str, pattern: str) -> None:
    reading = read_date(text)
    assert reading.value is not None
    assert reading.value.iso() == iso
    assert reading.pattern == pattern
    assert not reading.swapped
    assert not reading.ambiguous
    assert reading.unresolved == ()
    assert reading.original == text


def test_two_digit_years_follow_the_pivot_and_say_so() -> None:
    assert TWO_DIGIT_YEAR_PIVOT == 26
    recent = read_date("1/2/05")
    assert recent.value == PartialDate(2005, 2, 1)
    assert recent.pattern == "dd/mm/yy"
    assert "two-digit year 05 read as 2005" in recent.interpretations
    old = read_date("28/2/26")
    assert old.value == PartialDate(1926, 2, 28)
    assert read_date("28/2/26", pivot=30).value == PartialDate(2026, 2, 28)


def test_swapped_day_and_month_is_read_when_unambiguous() -> None:
    reading = read_date("03/25/1990")
    assert reading.value == PartialDate(1990, 3, 25)
    assert reading.swapped
    assert not reading.ambiguous
    assert any("swapped" in note for note in reading.interpretations)
    assert read_date("1990-25-03").value == PartialDate(1990, 3, 25)


def test_day_and_month_both_twelve_or_less_is_ambiguous() -> None:
    reading = read_date("05/03/1990")
    assert reading.value == PartialDate(1990, 3, 5)
    assert reading.ambiguous
    assert "1990-05-03" in reading.interpretations[0]
    assert not read_date("07/07/1990").ambiguous
    assert not read_date("1990-05-03").ambiguous
    assert not read_date("ngày 5 tháng 3 năm 1990").ambiguous


def test_compact_dates_readable_both_ways_are_ambiguous() -> None:
    # 12/11/1210 as the QR code writes it, or 1211-12-10 as yyyymmdd: the QR order wins, flagged.
    reading = read_date("12111210")
    assert reading.value == PartialDate(1210, 11, 12)
    assert reading.ambiguous


@pytest.mark.parametrize("text", ["31/02/1990", "13/25/1990", "0000", "00/1990", "abc", "12.3", "1990-13"])
def test_unreadable_dates_are_reported_not_raised(text: str) -> None:
    reading = read_date(text)
    assert reading.value is None
    assert reading.unresolved


@pytest.mark.parametrize("text", [None, "", "   "])
def test_missing_dates_are_no_error(text: str | None) -> None:
    reading = read_date(text)
    assert reading.value is None
    assert reading.unresolved == ()
