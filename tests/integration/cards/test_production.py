"""Production batches for real: processes killed mid-batch and rerun, workers sharing the queue, quality control,
then issuance, revocation, the revocation list, renewal, updates after issuance and the campaign."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from citizenid.bootstrap import Container
from citizenid.cards.domain import ApplicationState, Reason, RevocationReason
from citizenid.cards.errors import CardInvalid, CardNotFound, HolderNotConfirmed, IllegalTransition
from citizenid.cards.models import ApplicationRow, BatchItemRow, CardRow
from citizenid.chip.service import ChipService, Command, File, InProcessTransport, Reader, TrustStore, VirtualChip
from citizenid.registry.domain import EventKind, LifeEvent
from tests.integration.cards.conftest import (
    FACTORY,
    REGISTRAR,
    REGISTRAR_HCM,
    SUPERVISOR,
    add_people,
    apply,
    approved,
    person,
)

WORKER = Path(__file__).with_name("crash_worker.py")
ROOT = Path(__file__).resolve().parents[3]


def _people(container: Container, count: int) -> list[str]:
    return add_people(container, *(person(given=f"Người{i}", birth_date=f"{1960 + i}-0{1 + i % 9}-1{i % 9}")
                                   for i in range(count)))


def _spawn(container: Container, batch_id: str) -> subprocess.Popen[bytes]:
    url = container.engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    return subprocess.Popen([sys.executable, str(WORKER), url, str(container.settings.data_dir), batch_id],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _produced(container: Container, batch_id: str) -> int:
    with container.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(BatchItemRow).where(
            BatchItemRow.batch_id == batch_id, BatchItemRow.status == "produced")) or 0)


def _assert_batch_complete(container: Container, batch_id: str, size: int) -> None:
    with container.uow() as uow:
        items = uow.session.execute(select(BatchItemRow.status, BatchItemRow.card_number).where(
            BatchItemRow.batch_id == batch_id)).all()
        cards = uow.session.execute(select(CardRow.card_number, CardRow.application_id)).all()
        states = set(uow.session.scalars(select(ApplicationRow.state)))
    assert len(items) == size
    assert {status for status, _ in items} == {"produced"}, "no application skipped"
    assert len(cards) == size, "no second card"
    assert len({application for _, application in cards}) == size
    numbers = sorted(int(number) for number, _ in cards)
    assert numbers == list(range(1, size + 1)), "no gap and no duplicate card number"
    assert {number for _, number in items} == {number for number, _ in cards}
    assert states == {"produced"}


@pytest.mark.slow
def test_a_batch_killed_at_random_points_completes_on_rerun(any_cards: Container) -> None:
    numbers = _people(any_cards, 10)
    for n in numbers:
        approved(any_cards, n)
    batch = any_cards.cards.create_batch(FACTORY)
    rng = random.Random(5)
    kills = 0
    for target in (2, 5):
        worker = _spawn(any_cards, batch.batch_id)
        deadline = time.monotonic() + 60
        while _produced(any_cards, batch.batch_id) < target and worker.poll() is None:
            assert time.monotonic() < deadline, "worker made no progress"
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.06))  # somewhere inside the next card's transaction, or between two
        if worker.poll() is None:
            worker.send_signal(signal.SIGKILL)
            kills += 1
        _, errors = worker.communicate()
        assert worker.returncode in (0, -signal.SIGKILL), errors.decode()
    assert kills >= 1
    assert _produced(any_cards, batch.batch_id) < 10
    any_cards.cards.run_batch(FACTORY, batch.batch_id)
    _assert_batch_complete(any_cards, batch.batch_id, 10)


@pytest.mark.slow
def test_two_worker_processes_share_one_batch(any_cards: Container) -> None:
    for n in _people(any_cards, 8):
        approved(any_cards, n)
    batch = any_cards.cards.create_batch(FACTORY)
    workers = [_spawn(any_cards, batch.batch_id) for _ in range(2)]
    for worker in workers:
        _, errors = worker.communicate(timeout=120)
        assert worker.returncode == 0, errors.decode()
    _assert_batch_complete(any_cards, batch.batch_id, 8)


class _FaultyChip(ChipService):
    """Spoils the chip of one named holder: its DG13 no longer matches the SOD."""

    def __init__(self, inner: ChipService, spoil: str) -> None:
        self.__dict__.update(inner.__dict__)
        self._spoil = spoil

    def personalise(self, holder, face_jpeg, **kwargs):  # type: ignore[no-untyped-def]
        image = super().personalise(holder, face_jpeg, **kwargs)
        if holder.personal_number == self._spoil:
            image.files[File.DG13] = image.files[File.DG13][:-1] + b"X"
        return image


def test_quality_control_stops_the_failing_card_not_the_batch(cards: Container) -> None:
    good, bad, other = _people(cards, 3)
    for n in (good, bad, other):
        approved(cards, n)
    cards.cards._chip = _FaultyChip(cards.chip, bad)
    batch = cards.cards.run_batch(FACTORY, cards.cards.create_batch(FACTORY).batch_id)
    assert (batch.produced, batch.spoiled, batch.pending) == (2, 1, 0)
    with cards.uow() as uow:
        states = dict(uow.session.execute(select(ApplicationRow.personal_number, ApplicationRow.state)).all())
        numbers = sorted(uow.session.scalars(select(CardRow.card_number)))
    assert states == {good: "produced", bad: "approved", other: "produced"}
    assert numbers == ["0000000001", "0000000002"]
    cards.cards._chip = cards.chip
    again = cards.cards.run_batch(FACTORY, cards.cards.create_batch(FACTORY).batch_id)
    assert again.produced == 1


def _issued(container: Container, number: str) -> str:
    application_id = approved(container, number)
    batch = container.cards.create_batch(FACTORY)
    container.cards.run_batch(FACTORY, batch.batch_id)
    assert container.cards.dispatch_batch(FACTORY, batch.batch_id) == 1
    card = container.cards.issue(REGISTRAR, application_id, officer_confirmed=True)
    assert card.state == "active"
    return card.card_number


def _trust(container: Container) -> TrustStore:
    cscas = container.pki.csca_certificates()
    return TrustStore.from_masterlist(container.pki.masterlist(), cscas[0], container.pki.published_crls(),
                                      revocation_list=container.cards.revocation_list())


def test_issuance_needs_the_holder_checked_and_replaces_the_old_card(cards: Container) -> None:
    [number] = add_people(cards, person())
    first = _issued(cards, number)
    receipt = apply(cards, number, reason=Reason.LOSS)
    cards.cards.revoke(REGISTRAR, first, RevocationReason.LOST, "mất ví")
    app_id = receipt.application.application_id
    cards.cards.verify(REGISTRAR, app_id)
    cards.cards.approve(SUPERVISOR, app_id)
    batch = cards.cards.create_batch(FACTORY)
    cards.cards.run_batch(FACTORY, batch.batch_id)
    cards.cards.dispatch_batch(FACTORY, batch.batch_id)
    with pytest.raises(HolderNotConfirmed):
        cards.cards.issue(REGISTRAR, app_id)
    second = cards.cards.issue(REGISTRAR, app_id, officer_confirmed=True, idempotency_key="issue-1")
    assert cards.cards.issue(REGISTRAR, app_id, officer_confirmed=True, idempotency_key="issue-1") == second
    assert cards.cards.get_card(REGISTRAR, first).state == "revoked"
    # Same person, same day: the list keys differ only when issue dates do; the card number still tells.
    assert cards.cards.is_revoked(first)
    assert not cards.cards.is_revoked(second.card_number)
    assert not cards.cards.is_revoked(number)  # the holder's latest card is the good one
    assert not cards.cards.is_revoked("999999999999")
    events = [e.event for e in cards.cards.card_history(REGISTRAR, first)]
    assert events == ["produced", "dispatched", "issued", "revoked"]


def test_revocation_reaches_the_signed_list_and_the_reader(cards: Container) -> None:
    [number] = add_people(cards, person())
    card = _issued(cards, number)
    image = cards.cards.chip_image(FACTORY, card)
    before = ChipService.read(InProcessTransport(VirtualChip(image)), image.mrz_information, _trust(cards))
    assert before.check("document.revocation").passed is True
    cards.cards.revoke(REGISTRAR, card, RevocationReason.STOLEN)
    assert cards.cards.is_revoked(card)
    assert cards.cards.is_revoked(number)
    assert cards.cards.is_revoked(number[3:])  # the MRZ's 9-digit document number
    after = ChipService.read(InProcessTransport(VirtualChip(image)), image.mrz_information, _trust(cards))
    assert after.check("document.revocation").passed is False
    assert not after.valid
    with pytest.raises(IllegalTransition):
        cards.cards.revoke(REGISTRAR, card, RevocationReason.LOST)
    with pytest.raises(CardNotFound):
        cards.cards.revoke(REGISTRAR_HCM, card, RevocationReason.LOST)


def test_a_death_revokes_the_card(cards: Container) -> None:
    [number] = add_people(cards, person())
    card = _issued(cards, number)
    cards.registry.record_event(SUPERVISOR, number, LifeEvent(EventKind.DEATH, dt.date(2026, 1, 2), "death",
                                                              "Luật Hộ tịch", {}))
    [revoked] = cards.cards.record_death(SUPERVISOR, number)
    assert (revoked.card_number, revoked.state, revoked.revoked_reason) == (card, "revoked", "deceased")


def test_update_after_issuance_rewrites_dg13_and_sod_and_keeps_the_old_chip(cards: Container) -> None:
    [number] = add_people(cards, person())
    card = _issued(cards, number)
    cards.registry.record_event(SUPERVISOR, number, LifeEvent(
        EventKind.CHANGE_OF_RESIDENCE, dt.date(2026, 2, 1), "chuyển nhà", "Luật Cư trú",
        {"residence_commune": "00004", "residence_detail": "Số 99 phố Kim Mã"}))
    updated = cards.cards.update_card(REGISTRAR, card)
    assert updated.chip_version == 2
    new = cards.cards.chip_image(FACTORY, card)
    old = cards.cards.chip_image(FACTORY, card, version=1)
    assert new.files[File.SOD] != old.files[File.SOD]
    assert new.files[File.DG2] == old.files[File.DG2]
    result = ChipService.read(InProcessTransport(VirtualChip(new)), new.mrz_information, _trust(cards))
    assert result.valid, result.failures
    assert result.holder is not None
    assert "Số 99 phố Kim Mã" in result.holder.place_of_residence
    assert cards.cards.verify_card(REGISTRAR, card)["valid"] is True
    assert [e.event for e in cards.cards.card_history(REGISTRAR, card)][-1] == "updated"
    with pytest.raises(CardInvalid, match="already carries"):
        cards.cards.update_card(REGISTRAR, card)


def test_the_chip_refuses_an_update_without_the_issuers_key(cards: Container) -> None:
    [number] = add_people(cards, person())
    image = cards.cards.chip_image(FACTORY, _issued(cards, number))
    original = dict(image.files)
    reader = Reader(InProcessTransport(VirtualChip(image)))
    reader.open(image.mrz_information)
    reader.exchange(Command(0x00, 0xA4, 0x02, 0x0C, File.DG13.value.to_bytes(2, "big")))
    _, sw = reader.exchange(Command(0x00, 0xD6, 0x00, 0x00, b"\x6d\x00"))
    assert sw == 0x6982
    challenge, _ = reader.exchange(Command(0x00, 0x84, 0x00, 0x00, le=8))
    _, sw = reader.exchange(Command(0x00, 0x82, 0x00, 0x00, bytes(16)))
    assert sw == 0x6300
    assert image.files == original
    assert len(challenge) == 8


def test_renewals_due_by_age_rule_and_province(cards: Container) -> None:
    today = dt.datetime.now(dt.UTC).date()
    # Turns 40 in about two months: the card issued today expires at 60 (more than two years ahead)...
    soon = person(given="Sắp", birth_date=f"{today.year - 40}-{today.month:02d}-{min(today.day, 28):02d}")
    [number] = add_people(cards, soon)
    card = _issued(cards, number)
    # ...so make a card that expires in two months by hand: issued as if 14 years ago.
    with cards.uow() as uow:
        row = uow.session.scalar(select(CardRow).where(CardRow.card_number == card))
        assert row is not None
        row.expiry_date = today + dt.timedelta(days=60)
        uow.commit()
    due = cards.cards.renewals(SUPERVISOR, months=3)
    assert [(d.card_number, d.province) for d in due] == [(card, "01")]
    assert cards.cards.renewals(SUPERVISOR, months=1) == []
    assert cards.cards.renewals(REGISTRAR_HCM, months=3) == []


def test_campaign_counts_against_targets_and_forecasts(cards: Container) -> None:
    numbers = _people(cards, 3)
    for n in numbers:
        approved(cards, n)
    today = dt.datetime.now(dt.UTC).date()
    cards.cards.set_target(SUPERVISOR, milestone=ApplicationState.RECEIVED, target=3, due=today)
    cards.cards.set_target(SUPERVISOR, milestone=ApplicationState.APPROVED, target=10, due=today, province="01")
    cards.cards.set_target(SUPERVISOR, milestone=ApplicationState.ISSUED, target=5, due=today, province="79")
    received, approved_, issued = cards.cards.campaign(SUPERVISOR)
    assert (received.done, received.on_track, received.forecast) == (3, True, today)
    assert (approved_.done, approved_.daily_rate) == (3, round(3 / 7, 2))
    assert approved_.forecast == today + dt.timedelta(days=17)
    assert (issued.done, issued.forecast, issued.on_track) == (0, None, False)
