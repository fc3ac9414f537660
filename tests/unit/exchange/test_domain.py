"""Matching, grants, aliases, rate limits and enumeration detection: the exchange's pure rules."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citizenid.exchange.domain import (
    EnumerationDetector,
    Limits,
    Operation,
    PartnerPrincipal,
    RateLimiter,
    alias_for,
    is_alias,
    match_attributes,
    name_exact,
    scope_values,
)
from citizenid.exchange.errors import EnumerationSuspected, ExchangeInvalid, OutsideGrant, RateLimited

HELD = {"full_name": "Nguyễn Thị Thủy", "birth_date": "1990-04-02", "sex": "F", "residence_commune": "00004",
        "residence_detail": "Số 5 phố Hòa Mã", "nationality": "VNM"}


def test_names_match_without_diacritics_or_with_the_tone_elsewhere() -> None:
    for written in ("Nguyễn Thị Thủy", "NGUYEN THI THUY", "nguyen  thi thuy", "Nguyễn Thị Thuỷ"):
        assert match_attributes(HELD, {"full_name": written}) == {"full_name": True}
    assert name_exact(HELD, "Nguyễn Thị Thuỷ") is True  # tone on the other vowel: the same name
    assert name_exact(HELD, "Nguyen Thi Thuy") is False
    assert match_attributes(HELD, {"full_name": "Nguyễn Thị Thu"}) == {"full_name": False}


def test_codes_and_dates_match_exactly_and_an_unknown_person_matches_nothing() -> None:
    claims = {"birth_date": "1990-04-02", "sex": "f", "residence_commune": "00004", "nationality": "vnm",
              "residence_detail": "so 5 pho hoa ma"}
    assert all(match_attributes(HELD, claims).values())
    assert match_attributes(HELD, {"birth_date": "1990-04"}) == {"birth_date": False}
    assert match_attributes(None, claims) == dict.fromkeys(claims, False)


def test_grants_bound_what_a_partner_may_ask() -> None:
    principal = PartnerPrincipal("c", "S", "M", {Operation.VERIFY: frozenset({"full_name", "sex"})})
    assert principal.require(Operation.VERIFY, {"sex"}) == {"full_name", "sex"}
    with pytest.raises(OutsideGrant):
        principal.require(Operation.VERIFY, {"birth_date"})
    with pytest.raises(OutsideGrant):
        principal.require(Operation.FETCH)
    with pytest.raises(ExchangeInvalid):
        scope_values(Operation.VERIFY, ["full_name", "salary"])
    with pytest.raises(ExchangeInvalid):
        scope_values(Operation.EVENTS, ["full_name"])
    assert scope_values(Operation.EVENTS, ["death"]) == {"death"}


@given(st.from_regex(r"\d{12}", fullmatch=True))
def test_aliases_are_stable_per_key_and_differ_between_keys(number: str) -> None:
    one, two = b"k" * 32, b"j" * 32
    assert alias_for(one, number) == alias_for(one, number)
    assert alias_for(one, number) != alias_for(two, number)
    assert is_alias(alias_for(one, number))
    assert number not in alias_for(one, number)


def test_the_token_bucket_refills_and_the_daily_quota_holds() -> None:
    clock = [0.0]
    limiter = RateLimiter(clock=lambda: clock[0], day=lambda: dt.date(2026, 11, 27))
    limits = Limits(rate=2.0, burst=4, daily_quota=7)
    states = [limiter.take("c", limits) for _ in range(4)]
    assert [s.remaining for s in states] == [3, 2, 1, 0]
    with pytest.raises(RateLimited) as refused:
        limiter.take("c", limits)
    assert refused.value.extra["retry_after"] == 1
    clock[0] = 1.0
    assert limiter.take("c", limits, 2).remaining == 0
    clock[0] = 100.0
    with pytest.raises(RateLimited, match="daily quota"):
        limiter.take("c", limits, 2)
    assert limiter.take("other", limits).remaining == 3


def test_many_different_failing_numbers_block_a_client_but_matches_do_not() -> None:
    clock = [0.0]
    detector = EnumerationDetector(threshold=3, window=60, block_seconds=300, clock=lambda: clock[0])
    for i in range(50):
        assert not detector.observe("bank", f"{i:012d}", True)
    detector.check("bank")
    assert [detector.observe("bank", f"{i:012d}", False) for i in range(4)] == [False, False, False, True]
    with pytest.raises(EnumerationSuspected) as blocked:
        detector.check("bank")
    assert blocked.value.extra["retry_after"] == 300
    clock[0] = 301
    detector.check("bank")
    # the same failing number again and again is a typo, not an enumeration
    for _ in range(10):
        detector.observe("other", "000000000001", False)
    detector.check("other")
