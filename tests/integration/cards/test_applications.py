"""Applications against a real database: intake, idempotency, one open application, transitions, bad input."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from citizenid.bootstrap import Container
from citizenid.cards.domain import ApplicationState, Reason
from citizenid.cards.errors import (
    ApplicantIneligible,
    ApplicationNotFound,
    CaptureRejected,
    IdempotencyKeyReused,
    IllegalTransition,
    OpenApplicationExists,
    RegisterMismatch,
)
from citizenid.cards.models import ApplicationRow, CardRow
from citizenid.cards.repository import Worklist
from citizenid.registry.domain import EventKind, LifeEvent
from citizenid.registry.errors import PersonNotFound
from tests.factories import HCMC_COMMUNE
from tests.integration.cards.conftest import (
    FACTORY,
    REGISTRAR,
    REGISTRAR_HCM,
    SUPERVISOR,
    add_people,
    apply,
    approved,
    fingerprint_png,
    fingerprints,
    person,
    photo_jpeg,
)


def test_intake_checks_the_register_field_by_field_and_gives_a_receipt(cards: Container) -> None:
    [number] = add_people(cards, person())
    receipt = apply(cards, number, declared={"family_name": "Nguyễn", "given_name": "Ân", "birth_date": "1990-05-17"})
    view = receipt.application
    assert view.state == "received"
    assert view.application_id.startswith("HS")
    assert view.appointment == view.received_at.date() + dt.timedelta(days=14)
    assert view.mismatches == [{"field": "given_name", "declared": "Ân", "registered": "An"}]
    with pytest.raises(RegisterMismatch, match="given_name") as caught:
        cards.cards.verify(REGISTRAR, view.application_id)
    assert caught.value.extra["mismatches"][0]["registered"] == "An"
    assert cards.cards.get_application(REGISTRAR, view.application_id).state == "received"


def test_captures_are_stored_encrypted_and_never_listed(cards: Container) -> None:
    [number] = add_people(cards, person())
    receipt = apply(cards, number)
    with cards.uow() as uow:
        row = uow.session.scalar(select(ApplicationRow))
        assert row is not None
        assert row.photo is not None
        assert row.fingerprints is not None
        assert photo_jpeg()[:64] not in row.photo
        assert b"JFIF" not in row.photo
        assert fingerprint_png(1)[:32] not in row.fingerprints
    listed = cards.cards.worklist(SUPERVISOR, Worklist(state=ApplicationState.RECEIVED))
    assert [a.application_id for a in listed] == [receipt.application.application_id]
    assert not any(hasattr(a, "photo") for a in listed)
    photo, prints = cards.cards.captures(FACTORY, receipt.application.application_id)
    assert photo == photo_jpeg()
    assert prints[7] == fingerprint_png(7)


def test_the_same_key_and_request_make_one_application(cards: Container) -> None:
    [number] = add_people(cards, person())
    first = apply(cards, number, key="k-1")
    again = apply(cards, number, key="k-1")
    assert again.application.application_id == first.application.application_id
    with pytest.raises(IdempotencyKeyReused):
        apply(cards, number, key="k-1", declared={"given_name": "An"})
    with cards.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(ApplicationRow)) == 1


def test_one_open_application_per_person(cards: Container) -> None:
    [number] = add_people(cards, person())
    first = apply(cards, number)
    with pytest.raises(OpenApplicationExists) as caught:
        apply(cards, number)
    assert caught.value.extra["application_id"] == first.application.application_id
    cards.cards.cancel(REGISTRAR, first.application.application_id, "applicant withdrew")
    assert apply(cards, number).application.application_id != first.application.application_id


@pytest.mark.parametrize(
    ("photo", "prints", "message"),
    [
        (b"GIF89a not a photo", fingerprints(), "not a JPEG or PNG"),
        ("small", fingerprints(), "at least 240x320"),
        ("ok", fingerprints(1, 3, 4), "missing fingerprints: 2, 7"),
        ("ok", {2: b"nope", 7: fingerprint_png(7)}, "fingerprint 2 is not an image"),
        (None, fingerprints(), "photo is required"),
    ],
)
def test_unusable_captures_are_refused_and_nothing_is_stored(cards: Container, photo: object,
                                                             prints: dict[int, bytes], message: str) -> None:
    [number] = add_people(cards, person())
    data = {"small": photo_jpeg((120, 160)), "ok": photo_jpeg()}.get(photo, photo) if isinstance(photo, str) else photo
    with pytest.raises(CaptureRejected, match=message):
        cards.cards.take_application(REGISTRAR, number, reason=Reason.FIRST_CARD, site="x", declared={},
                                     photo=data, fingerprints=prints)  # type: ignore[arg-type]
    with cards.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(ApplicationRow)) == 0


def test_a_young_child_gives_no_captures(cards: Container) -> None:
    today = dt.datetime.now(dt.UTC).date()
    [number] = add_people(cards, person(birth_date=f"{today.year - 3}-01-01"))
    receipt = cards.cards.take_application(REGISTRAR, number, reason=Reason.FIRST_CARD, site="x", declared={},
                                           photo=None, fingerprints={})
    assert receipt.application.state == "received"


def test_unknown_deceased_other_province_and_wrong_reason_are_refused(cards: Container) -> None:
    living, dead, southern = add_people(cards, person(), person(given="Bảo"), person(given="Cúc", commune=HCMC_COMMUNE))
    with pytest.raises(PersonNotFound):
        apply(cards, "001090999999")
    cards.registry.record_event(SUPERVISOR, dead, LifeEvent(EventKind.DEATH, dt.date(2026, 1, 2), "death", "law", {}))
    with pytest.raises(ApplicantIneligible, match="deceased"):
        apply(cards, dead)
    with pytest.raises(PersonNotFound):
        apply(cards, southern)  # a Hà Nội registrar cannot see a Hồ Chí Minh City resident
    assert apply(cards, southern, principal=REGISTRAR_HCM).application.province == "79"
    with pytest.raises(ApplicantIneligible, match="never held a card"):
        apply(cards, living, reason=Reason.RENEWAL)


def test_illegal_transitions_change_nothing_and_history_records_who(cards: Container) -> None:
    [number] = add_people(cards, person())
    application_id = apply(cards, number).application.application_id
    with pytest.raises(IllegalTransition):
        cards.cards.approve(SUPERVISOR, application_id)
    cards.cards.verify(REGISTRAR, application_id)
    cards.cards.reject(SUPERVISOR, application_id, "ảnh không rõ mặt")
    view = cards.cards.get_application(REGISTRAR, application_id)
    assert (view.state, view.rejection_reason) == ("rejected", "ảnh không rõ mặt")
    with pytest.raises(IllegalTransition):
        cards.cards.cancel(REGISTRAR, application_id)
    history = cards.cards.application_history(SUPERVISOR, application_id)
    assert [(h.to_state, h.actor) for h in history] == [
        ("received", "officer:canbo.hn"), ("verified", "officer:canbo.hn"), ("rejected", "officer:giamsat")]
    with pytest.raises(ApplicationNotFound):
        cards.cards.get_application(REGISTRAR_HCM, application_id)


def test_worklists_by_province_state_and_age_in_state(cards: Container) -> None:
    hanoi, saigon = add_people(cards, person(), person(given="Dũng", commune=HCMC_COMMUNE))
    a = apply(cards, hanoi).application.application_id
    apply(cards, saigon, principal=REGISTRAR_HCM)
    assert [x.application_id for x in cards.cards.worklist(REGISTRAR, Worklist())] == [a]
    assert len(cards.cards.worklist(SUPERVISOR, Worklist())) == 2
    assert cards.cards.worklist(REGISTRAR, Worklist(province="79")) == []
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    assert len(cards.cards.worklist(SUPERVISOR, Worklist(in_state_since_before=later))) == 2
    assert cards.cards.worklist(SUPERVISOR, Worklist(in_state_since_before=later - dt.timedelta(days=1))) == []
    assert len(cards.cards.worklist(SUPERVISOR, Worklist(site="CA-P.BaDinh", state=ApplicationState.RECEIVED))) == 2


def test_concurrent_approvals_give_one_approval_and_one_card(any_cards: Container) -> None:
    [number] = add_people(any_cards, person())
    receipt = apply(any_cards, number)
    application_id = receipt.application.application_id
    any_cards.cards.verify(REGISTRAR, application_id)
    outcomes: list[str] = []
    barrier = threading.Barrier(6)

    def approve() -> None:
        barrier.wait()
        try:
            any_cards.cards.approve(SUPERVISOR, application_id)
            outcomes.append("ok")
        except IllegalTransition:
            outcomes.append("refused")

    threads = [threading.Thread(target=approve) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] + ["refused"] * 5
    batch = any_cards.cards.create_batch(FACTORY)
    any_cards.cards.run_batch(FACTORY, batch.batch_id)
    with any_cards.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(CardRow)) == 1
    history = any_cards.cards.application_history(SUPERVISOR, application_id)
    assert [h.to_state for h in history].count("approved") == 1


def test_a_second_first_card_is_refused(cards: Container) -> None:
    [number] = add_people(cards, person())
    application_id = approved(cards, number)
    batch = cards.cards.create_batch(FACTORY)
    cards.cards.run_batch(FACTORY, batch.batch_id)
    cards.cards.dispatch_batch(FACTORY, batch.batch_id)
    cards.cards.issue(REGISTRAR, application_id, officer_confirmed=True)
    with pytest.raises(ApplicantIneligible, match="already holds card"):
        apply(cards, number)


def test_concurrent_intakes_make_one_application(any_cards: Container) -> None:
    [number] = add_people(any_cards, person())
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def take(key: str | None) -> None:
        barrier.wait()
        try:
            outcomes.append(apply(any_cards, number, key=key).application.application_id)
        except OpenApplicationExists as refused:
            outcomes.append(f"refused {refused.extra['application_id']}")

    threads = [threading.Thread(target=take, args=(k,)) for k in ("same", "same", None, None)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with any_cards.uow() as uow:
        [only] = uow.session.scalars(select(ApplicationRow.application_id))
    assert len(outcomes) == 4
    assert all(o in (only, f"refused {only}") for o in outcomes), outcomes
