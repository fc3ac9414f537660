from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citizenid.registry.domain import (
    EventKind,
    LifeEvent,
    PartialDate,
    Person,
    Status,
    apply_event,
    build_person,
    diff,
)
from citizenid.registry.errors import RegistryInvalid
from tests.factories import HCMC_COMMUNE, person_record

TODAY = dt.date(2026, 11, 27)


def event(kind: EventKind, **data: str | None) -> LifeEvent:
    return LifeEvent(kind, dt.date(2026, 1, 2), "thủ tục tại UBND", "Luật Cư trú 2020", dict(data))


def test_build_person_normalises_and_derives_keys() -> None:
    person = build_person(person_record(family=" Nguyễn ", given="Hoà", middle="Thị  Minh", sex="F"), today=TODAY)
    assert person.full_name == "Nguyễn Thị Minh Hoà"
    assert person.name_key == "nguyen thi minh hoa"
    assert person.residence_province == "01"


def test_build_person_splits_a_full_name() -> None:
    record = person_record()
    for key in ("family_name", "middle_name", "given_name"):
        record.pop(key)
    person = build_person({**record, "full_name": "Trần Quốc Toản"}, today=TODAY)
    assert (person.family_name, person.middle_name, person.given_name) == ("Trần", "Quốc", "Toản")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sex": "F"}, "encodes sex M"),
        ({"birth_date": "1991-05-17"}, "birth year 1990"),
        ({"birth_registration_province": "079"}, "province 001"),
        ({"birth_date": "1990-02-30"}, "not a calendar date"),
        ({"residence_commune": "99999"}, "not a commune"),
        ({"ethnicity": "Klingon"}, "ethnicity"),
        ({"old_id_number": "12"}, "old ID"),
        ({"sex": None}, "sex is required"),
        ({"household_relationship": "cousin"}, "household_relationship"),
    ],
)
def test_build_person_rejects_with_a_reason(overrides: dict[str, str | None], message: str) -> None:
    with pytest.raises(RegistryInvalid, match=message):
        build_person({**person_record(), **overrides}, today=TODAY)


def test_future_birth_is_rejected() -> None:
    with pytest.raises(RegistryInvalid, match="future"):
        build_person(person_record(birth_date="2026-12-01"), today=TODAY)


def test_ethnicity_by_name_is_coded() -> None:
    assert build_person(person_record(ethnicity="Tày"), today=TODAY).ethnicity == "02"


@given(st.integers(1880, 2100), st.one_of(st.none(), st.integers(1, 12)), st.integers(1, 28))
def test_partial_date_round_trips(year: int, month: int | None, day: int) -> None:
    date = PartialDate(year, month, day if month else None)
    assert PartialDate.parse(date.iso()) == date


def test_partial_dates_for_legacy_records() -> None:
    assert PartialDate.parse("1950").earliest() == dt.date(1950, 1, 1)
    assert not PartialDate.parse("1950-03").complete
    with pytest.raises(RegistryInvalid):
        PartialDate.parse("1950-13")


def person() -> Person:
    return build_person(person_record(), today=TODAY)


def test_change_of_residence() -> None:
    before = person()
    after = apply_event(before, event(EventKind.CHANGE_OF_RESIDENCE, residence_commune=HCMC_COMMUNE,
                                      residence_detail="12 Lê Lợi"))
    assert after.residence_province == "79"
    assert set(diff(before, after)) == {"residence_commune", "residence_detail"}


def test_death_then_only_corrections() -> None:
    dead = apply_event(person(), event(EventKind.DEATH))
    assert dead.status is Status.DECEASED
    assert dead.death_date == PartialDate(2026, 1, 2)
    with pytest.raises(RegistryInvalid, match="deceased"):
        apply_event(dead, event(EventKind.CHANGE_OF_RESIDENCE, residence_commune=HCMC_COMMUNE))
    corrected = apply_event(dead, event(EventKind.CORRECTION, given_name="Ân"))
    assert corrected.given_name == "Ân"
    assert corrected.status is Status.DECEASED


def test_marriage_and_divorce() -> None:
    married = apply_event(person(), event(EventKind.MARRIAGE, spouse_name="Lê Thị Hoa"))
    assert married.spouse_name == "Lê Thị Hoa"
    with pytest.raises(RegistryInvalid, match="already records a spouse"):
        apply_event(married, event(EventKind.MARRIAGE, spouse_name="Someone"))
    assert apply_event(married, event(EventKind.DIVORCE)).spouse_name is None
    with pytest.raises(RegistryInvalid, match="no spouse"):
        apply_event(person(), event(EventKind.DIVORCE))


def test_change_of_name_must_change_something() -> None:
    renamed = apply_event(person(), event(EventKind.CHANGE_OF_NAME, given_name="Bình"))
    assert renamed.full_name == "Nguyễn Văn Bình"
    with pytest.raises(RegistryInvalid, match="same"):
        apply_event(person(), event(EventKind.CHANGE_OF_NAME, given_name="An"))


def test_correction_cannot_contradict_the_number_or_touch_it() -> None:
    with pytest.raises(RegistryInvalid, match="encodes sex"):
        apply_event(person(), event(EventKind.CORRECTION, sex="F"))
    with pytest.raises(RegistryInvalid, match="cannot be corrected"):
        apply_event(person(), event(EventKind.CORRECTION, personal_number="001090999999"))


def test_events_need_reason_and_legal_basis() -> None:
    with pytest.raises(RegistryInvalid, match="reason"):
        apply_event(person(), replace(event(EventKind.DEATH), reason=" "))
    with pytest.raises(RegistryInvalid, match="legal basis"):
        apply_event(person(), replace(event(EventKind.DEATH), legal_basis=""))


def test_snapshot_round_trips() -> None:
    p = apply_event(person(), event(EventKind.DEATH))
    assert Person.from_dict(p.to_dict()) == p


_FIELDS = ["personal_number", "family_name", "middle_name", "given_name", "full_name", "sex", "birth_date",
           "birth_registration_province", "residence_commune", "origin_commune", "ethnicity", "religion",
           "old_id_number", "father_number", "household_relationship", "status", "death_date"]


@given(st.dictionaries(st.sampled_from(_FIELDS), st.one_of(st.none(), st.text(max_size=20)), max_size=len(_FIELDS)))
def test_any_record_is_either_a_person_or_a_clear_refusal(record: dict[str, str | None]) -> None:
    try:
        person = build_person({**person_record(), **record}, today=TODAY)
    except RegistryInvalid as exc:
        refusal = exc.detail
        assert refusal
        return
    assert Person.from_dict(person.to_dict()) == person
