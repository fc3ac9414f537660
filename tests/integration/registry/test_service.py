"""The register's use cases on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from citizenid.auth.domain import Principal, Role
from citizenid.bootstrap import Container
from citizenid.registry.domain import EventKind, LifeEvent
from citizenid.registry.errors import HouseholdNotFound, PersonNotFound, RegistryInvalid, StaleVersion
from citizenid.registry.repository import SearchCriteria
from tests.factories import HCMC_COMMUNE, person_record

SUPERVISOR = Principal("giamsat", Role.SUPERVISOR)
HANOI_REGISTRAR = Principal("canbo.hn", Role.REGISTRAR, province_code="01")
HCMC_REGISTRAR = Principal("canbo.hcm", Role.REGISTRAR, province_code="79")


def born(container: Container, **overrides: str | None) -> str:
    record = person_record(**overrides)
    record.pop("personal_number")
    province = record.pop("birth_registration_province")
    person = container.registry.register_birth(
        SUPERVISOR, record, registration_province=province, registered_on=dt.date(2020, 1, 1),
        reason="đăng ký khai sinh", legal_basis="Luật Hộ tịch 2014, điều 16",
    )
    return person.personal_number


def move(container: Container, number: str, commune: str, *, by: Principal = SUPERVISOR) -> None:
    container.registry.record_event(by, number, LifeEvent(
        EventKind.CHANGE_OF_RESIDENCE, dt.date(2026, 3, 1), "chuyển hộ khẩu", "Luật Cư trú 2020, điều 20",
        {"residence_commune": commune, "residence_detail": "12 Lê Lợi"},
    ))


def test_birth_allocates_a_consistent_number(any_container: Container) -> None:
    number = born(any_container, sex="F", birth_date="2019-12-30", province3="079", commune=HCMC_COMMUNE)
    assert number[:6] == "079319"
    person = any_container.registry.get_person(SUPERVISOR, number)
    assert person.full_name == "Nguyễn Văn An"
    check = any_container.registry.check_number(SUPERVISOR, number)
    assert check.registered is True
    assert check.mismatches == []


def test_history_and_as_of(any_container: Container) -> None:
    number = born(any_container)
    before_move = dt.datetime.now(dt.UTC)
    move(any_container, number, HCMC_COMMUNE)
    history = any_container.registry.history(SUPERVISOR, number)
    assert [v.version for v in history.versions] == [1, 2]
    assert set(history.versions[1].changes) == {"residence_commune", "residence_detail"}
    assert [e.kind for e in history.events] == ["birth", "change_of_residence"]
    assert history.events[1].legal_basis == "Luật Cư trú 2020, điều 20"
    then = any_container.registry.as_of(SUPERVISOR, number, before_move)
    now = any_container.registry.as_of(SUPERVISOR, number, dt.datetime.now(dt.UTC))
    assert then.residence_commune != HCMC_COMMUNE
    assert now.residence_commune == HCMC_COMMUNE
    with pytest.raises(PersonNotFound):
        any_container.registry.as_of(SUPERVISOR, number, dt.datetime(2000, 1, 1, tzinfo=dt.UTC))


def test_search_tolerates_missing_diacritics_and_tone_placement(any_container: Container) -> None:
    number = born(any_container, family="Đặng", middle="Thị", given="Hoà", sex="F", birth_date="1985-03-04")
    born(any_container, family="Đặng", middle="Thị", given="Hoa", sex="F", birth_date="1985-03-04")
    registry = any_container.registry
    for query in ("dang thi hoa", "Đặng Thị Hòa", "DANG THI HOA", "Đặng Thị"):
        found = registry.search(SUPERVISOR, SearchCriteria(name=query, birth_date="1985-03-04"))
        assert number in [p.personal_number for p in found.items], query
    exact = registry.search(SUPERVISOR, SearchCriteria(name="Đặng Thị Hòa", birth_year=1985))
    flags = {p.given_name: e for p, e in zip(exact.items, exact.exact, strict=True)}
    assert flags == {"Hoà": True, "Hoa": False}
    assert registry.search(SUPERVISOR, SearchCriteria(name="dang thi hoa", birth_year=1986)).items == []


def test_search_pages(any_container: Container) -> None:
    for _ in range(5):
        born(any_container, given="Lan", sex="F", birth_date="2001-01-01")
    first = any_container.registry.search(SUPERVISOR, SearchCriteria(name="lan", birth_year=2001), page_size=3)
    second = any_container.registry.search(SUPERVISOR, SearchCriteria(name="lan", birth_year=2001), page=2,
                                           page_size=3)
    assert (len(first.items), first.has_more, len(second.items), second.has_more) == (3, True, 2, False)
    assert not {p.personal_number for p in first.items} & {p.personal_number for p in second.items}


def test_registrars_see_only_their_province(any_container: Container) -> None:
    number = born(any_container)  # lives in Hà Nội
    assert any_container.registry.get_person(HANOI_REGISTRAR, number).personal_number == number
    with pytest.raises(PersonNotFound):
        any_container.registry.get_person(HCMC_REGISTRAR, number)
    assert any_container.registry.search(HCMC_REGISTRAR, SearchCriteria(name="nguyen van an")).items == []


def test_every_read_and_write_is_in_the_access_log(any_container: Container) -> None:
    number = born(any_container)
    any_container.registry.get_person(HANOI_REGISTRAR, number, purpose="cấp căn cước")
    move(any_container, number, "00004")
    actions = [(r.actor, r.action, r.purpose) for r in any_container.audit.for_subject(number)]
    assert ("officer:canbo.hn", "registry:person:read", "cấp căn cước") in actions
    assert ("officer:giamsat", "registry:person:create", "đăng ký khai sinh") in actions
    assert ("officer:giamsat", "registry:event:change_of_residence", "chuyển hộ khẩu") in actions


def test_stale_version_is_refused(any_container: Container) -> None:
    number = born(any_container)
    with pytest.raises(StaleVersion):
        any_container.registry.record_event(SUPERVISOR, number, LifeEvent(
            EventKind.DEATH, dt.date(2026, 1, 1), "báo tử", "Luật Hộ tịch", {}), expected_version=7)


def test_household_move_founds_and_joins(any_container: Container) -> None:
    head = born(any_container)
    member = born(any_container, given="Bình", commune=HCMC_COMMUNE)
    registry = any_container.registry
    registry.record_event(SUPERVISOR, head, LifeEvent(
        EventKind.HOUSEHOLD_MOVE, dt.date(2026, 1, 1), "lập hộ mới", "Luật Cư trú 2020",
        {"household_id": "HK-TEST-1", "household_relationship": "head"}))
    registry.record_event(SUPERVISOR, member, LifeEvent(
        EventKind.HOUSEHOLD_MOVE, dt.date(2026, 1, 2), "nhập hộ", "Luật Cư trú 2020",
        {"household_id": "HK-TEST-1", "household_relationship": "child"}))
    household = registry.household(SUPERVISOR, "HK-TEST-1")
    assert household.head_number == head
    assert {m.personal_number for m in household.members} == {head, member}
    assert registry.get_person(SUPERVISOR, member).residence_commune == household.residence_commune
    with pytest.raises(HouseholdNotFound):
        registry.record_event(SUPERVISOR, member, LifeEvent(
            EventKind.HOUSEHOLD_MOVE, dt.date(2026, 1, 2), "nhập hộ", "Luật Cư trú 2020",
            {"household_id": "HK-NOPE", "household_relationship": "child"}))


def test_nothing_half_written_when_an_event_fails(any_container: Container) -> None:
    number = born(any_container)
    with pytest.raises(RegistryInvalid):
        move(any_container, number, "99999")
    history = any_container.registry.history(SUPERVISOR, number)
    assert len(history.versions) == 1
    assert [e.kind for e in history.events] == ["birth"]


def test_a_withdrawn_number_is_never_allocated_again(any_container: Container) -> None:
    """An un-merge withdraws a person the merge created; their number stays used for ever."""
    from citizenid.registry import repository as repo  # noqa: PLC0415

    number = born(any_container)
    with any_container.uow() as uow:
        any_container.registry.withdraw_in(uow.session, SUPERVISOR, number)
        uow.commit()
    with pytest.raises(PersonNotFound):
        any_container.registry.get_person(SUPERVISOR, number)
    with any_container.uow() as uow:
        assert repo.number_taken(uow.session, number)
        assert not repo.number_taken(uow.session, "001099999999")
