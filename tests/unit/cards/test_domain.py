"""The card's pure rules: validity by renewal age at every boundary, transitions, QR, comparisons."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citizenid.cards.domain import (
    OPEN_STATES,
    RENEWAL_AGES,
    TRANSITIONS,
    ApplicationState,
    anniversary,
    check_transition,
    compare_details,
    expiry_date,
    forecast,
    format_card_number,
    parse_qr_payload,
    qr_payload,
    required_captures,
    revocation_key,
)
from citizenid.cards.errors import CardInvalid, IllegalTransition

BIRTH = dt.date(2000, 6, 15)
D = dt.date


@pytest.mark.parametrize(
    ("issued", "expected"),
    [
        # Far from 14: expires at 14.
        (D(2006, 6, 15), D(2014, 6, 15)),
        (D(2012, 6, 14), D(2014, 6, 15)),  # one day more than two years before 14
        (D(2012, 6, 15), D(2025, 6, 15)),  # exactly two years before 14: valid until 25
        (D(2012, 6, 16), D(2025, 6, 15)),
        (D(2014, 6, 15), D(2025, 6, 15)),
        (D(2023, 6, 14), D(2025, 6, 15)),  # the last day that still leads to 25
        (D(2023, 6, 15), D(2040, 6, 15)),  # two years before 25
        (D(2038, 6, 14), D(2040, 6, 15)),
        (D(2038, 6, 15), D(2060, 6, 15)),  # two years before 40
        (D(2058, 6, 14), D(2060, 6, 15)),  # issued at 57: renew at 60
        (D(2058, 6, 15), None),  # issued at 58: never expires
        (D(2060, 6, 15), None),
        (D(2090, 1, 1), None),
    ],
)
def test_expiry_at_every_renewal_boundary(issued: dt.date, expected: dt.date | None) -> None:
    assert expiry_date(BIRTH, issued) == expected


def test_expiry_for_a_newborn_and_on_the_birthday_itself() -> None:
    assert expiry_date(BIRTH, BIRTH) == D(2014, 6, 15)


def test_29_february_birthdays_expire_on_28_february_in_common_years() -> None:
    leap = D(2004, 2, 29)
    assert expiry_date(leap, D(2010, 1, 1)) == D(2018, 2, 28)
    assert anniversary(leap, 4) == D(2008, 2, 29)
    assert anniversary(leap, 1) == D(2005, 2, 28)


def test_a_card_cannot_predate_its_holder() -> None:
    with pytest.raises(CardInvalid):
        expiry_date(BIRTH, D(1999, 1, 1))


@given(st.dates(D(1930, 1, 1), D(2030, 12, 31)), st.integers(0, 100 * 366))
def test_expiry_is_a_birthday_at_a_renewal_age_more_than_two_years_ahead(birth: dt.date, days: int) -> None:
    issued = birth + dt.timedelta(days=days)
    expiry = expiry_date(birth, issued)
    if expiry is None:
        assert anniversary(birth, 60) <= anniversary(issued, 2)
        return
    assert expiry > anniversary(issued, 2)
    assert any(expiry == anniversary(birth, age) for age in RENEWAL_AGES)
    earlier = [anniversary(birth, a) for a in RENEWAL_AGES if anniversary(birth, a) < expiry]
    assert all(e <= anniversary(issued, 2) for e in earlier)


def test_transitions_follow_the_lifecycle() -> None:
    path = [ApplicationState.RECEIVED, ApplicationState.VERIFIED, ApplicationState.APPROVED,
            ApplicationState.IN_PRODUCTION, ApplicationState.PRODUCED, ApplicationState.DISPATCHED,
            ApplicationState.ISSUED]
    for current, target in itertools.pairwise(path):
        check_transition(current, target)
    with pytest.raises(IllegalTransition, match="cannot become approved"):
        check_transition(ApplicationState.RECEIVED, ApplicationState.APPROVED)
    with pytest.raises(IllegalTransition, match="closed"):
        check_transition(ApplicationState.ISSUED, ApplicationState.CANCELLED)
    assert ApplicationState.ISSUED not in OPEN_STATES
    assert ApplicationState.REJECTED in TRANSITIONS[ApplicationState.VERIFIED]


def test_qr_payload_matches_the_reference_format() -> None:
    text = qr_payload("001093047064", None, "Ưng Hoàng Hiệp", D(1993, 1, 5), "M",
                      "Số 12, Phường Ba Đình, Hà Nội", D(2023, 1, 5))
    assert text == "001093047064||Ưng Hoàng Hiệp|05011993|Nam|Số 12, Phường Ba Đình, Hà Nội|05012023"
    assert parse_qr_payload(text)["sex"] == "Nam"
    with pytest.raises(CardInvalid):
        qr_payload("001093047064", None, "A|B", D(1993, 1, 5), "F", "x", D(2023, 1, 5))


def test_comparison_names_each_differing_field() -> None:
    registered = {"family_name": "Nguyễn", "given_name": "An", "birth_date": "1990-05-17", "middle_name": None}
    found = compare_details({"family_name": "Nguyễn", "given_name": "Ân", "birth_date": "1990-05-17",
                             "middle_name": ""}, registered)
    assert [(m.field, m.declared, m.registered) for m in found] == [("given_name", "Ân", "An")]
    decomposed = "Nguye\u0302\u0303n"  # NFD spelling of Nguyễn: the same name
    assert compare_details({"family_name": decomposed}, registered) == []
    with pytest.raises(CardInvalid, match="unknown"):
        compare_details({"shoe_size": "42"}, registered)


def test_numbers_keys_and_captures() -> None:
    assert format_card_number(42) == "0000000042"
    with pytest.raises(CardInvalid):
        format_card_number(0)
    assert revocation_key("001093047064", D(2023, 1, 5)) == "00109304706420230105"
    assert not required_captures(D(2020, 1, 2), D(2026, 1, 1))
    assert required_captures(D(2020, 1, 1), D(2026, 1, 1))


def test_forecast_from_the_recent_rate() -> None:
    p = forecast(1000, 400, 70, 7, D(2026, 1, 1), D(2026, 3, 1))
    assert p.daily_rate == 10
    assert p.forecast == D(2026, 3, 2)
    assert not p.on_track
    assert forecast(1000, 1000, 0, 7, D(2026, 1, 1), D(2026, 3, 1)).met
    assert forecast(1000, 10, 0, 7, D(2026, 1, 1), D(2026, 3, 1)).forecast is None
