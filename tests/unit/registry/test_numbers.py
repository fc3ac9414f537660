from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citizenid.registry.errors import InvalidPersonalNumber, NumberSpaceExhausted, RegistryInvalid
from citizenid.registry.numbers import (
    allocate,
    compose,
    explain,
    mismatches,
    parse_number,
    registration_code,
)


def test_reference_example_dong_thap_male_2004() -> None:
    number = parse_number("087204000897")
    assert (number.province_code, number.sex, number.century, number.birth_year) == ("087", "M", 2000, 2004)
    assert explain("087204000897").province_name == "Tỉnh Đồng Tháp"


@pytest.mark.parametrize(
    ("number", "sex", "year"),
    [("001090123456", "M", 1990), ("001190123456", "F", 1990), ("079305000001", "F", 2005),
     ("079499000001", "M", 2199)],
)
def test_century_and_sex_digit(number: str, sex: str, year: int) -> None:
    parsed = parse_number(number)
    assert (parsed.sex, parsed.birth_year) == (sex, year)


@pytest.mark.parametrize(
    ("text", "reason"),
    [("12345", "not 12 digits"), ("00109012345a", "not 12 digits"), ("003090123456", "no province code"),
     ("", "not 12 digits")],
)
def test_bad_numbers_say_why(text: str, reason: str) -> None:
    with pytest.raises(InvalidPersonalNumber, match=reason):
        parse_number(text)
    assert explain(text).valid is False
    assert reason in (explain(text).reason or "")


@given(
    st.sampled_from(["001", "079", "087", "096"]),
    st.sampled_from(["M", "F"]),
    st.integers(1900, 2399),
    st.integers(0, 999_999),
)
def test_compose_then_parse_round_trips(ppp: str, sex: str, year: int, random_part: int) -> None:
    number = parse_number(compose(ppp, sex, year, random_part).value)
    assert (number.province_code, number.sex, number.birth_year) == (ppp, sex, year)
    assert number.value.endswith(f"{random_part:06d}")


def test_mismatches_name_each_disagreement() -> None:
    found = mismatches(parse_number("087204000897"), sex="F", birth_year=2005, birth_registration_province="001")
    assert len(found) == 3
    assert "sex M" in found[0]


def test_allocate_skips_taken_numbers_and_gives_up_eventually() -> None:
    draws = iter([5, 5, 7])
    taken = {"001090000005"}
    number = allocate("001", "M", 1990, is_taken=taken.__contains__, draw=lambda _n: next(draws))
    assert number.value == "001090000007"
    with pytest.raises(NumberSpaceExhausted):
        allocate("001", "M", 1990, is_taken=lambda _n: True, attempts=3)


def test_allocate_draws_from_the_whole_six_digit_space() -> None:
    seen = {allocate("001", "F", 2020, is_taken=lambda _n: False).value[6:] for _ in range(50)}
    assert len(seen) > 45


def test_registration_code_before_and_after_the_merger() -> None:
    assert registration_code("74", dt.date(2020, 1, 1)) == "074"  # Bình Dương, a legacy province
    assert registration_code("79", dt.date(2025, 8, 1)) == "079"
    with pytest.raises(RegistryInvalid, match="34 provinces"):
        registration_code("74", dt.date(2025, 8, 1))  # merged into TP. Hồ Chí Minh


def test_invalid_sex_or_year_cannot_be_composed() -> None:
    with pytest.raises(RegistryInvalid):
        compose("001", "X", 1990, 1)
    with pytest.raises(RegistryInvalid):
        compose("001", "M", 1800, 1)
