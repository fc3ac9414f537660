"""The card pipeline with the reference gate: a face seen under another number waits for a supervisor,
and a confirmed duplicate cannot be approved."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from citizenid.bootstrap import Container, bootstrap
from citizenid.cards.domain import Reason
from citizenid.cards.errors import CaptureRejected, NotCleared
from citizenid.config import Settings
from tests.conftest import FAST_ARGON2
from tests.integration.cards.conftest import REGISTRAR, SUPERVISOR, add_people, person
from tests.unit.biometrics import samples

FINGERS = {2: samples.fingerprint_bytes(1), 7: samples.fingerprint_bytes(51)}


@pytest.fixture
def pipeline(sqlite_engine: Engine, tmp_path: Path) -> Container:
    settings = Settings(data_dir=tmp_path, database_url=str(sqlite_engine.url), keystore_passphrase="bio-cards",
                        biometrics="reference", **FAST_ARGON2)
    return bootstrap(settings, engine=sqlite_engine)


def take(container: Container, number: str, photo: bytes) -> str:
    receipt = container.cards.take_application(REGISTRAR, number, reason=Reason.FIRST_CARD, site="CA-P.BaDinh",
                                               declared={}, photo=photo, fingerprints=FINGERS)
    application_id = receipt.application.application_id
    container.cards.verify(REGISTRAR, application_id)
    return application_id


def test_a_duplicate_face_is_held_for_a_supervisor_and_blocked(pipeline: Container) -> None:
    first, second = add_people(pipeline, person(given="An"), person(given="Bình", birth_date="1985-02-03"))
    original = take(pipeline, first, samples.portrait_bytes())
    pipeline.cards.approve(SUPERVISOR, original)  # nobody enrolled before: cleared at once
    again = take(pipeline, second, samples.to_bytes(samples.augment(samples.portrait(), angle=5, noise=5)))
    with pytest.raises(NotCleared):
        pipeline.cards.approve(SUPERVISOR, again)
    (line,) = pipeline.biometrics.queue(actor="officer:giamsat")
    assert (line.application_id, line.candidate_personal_number) == (again, first)
    pipeline.biometrics.decide(again, first, duplicate=True, actor="officer:giamsat")
    with pytest.raises(NotCleared):
        pipeline.cards.approve(SUPERVISOR, again)


def test_a_poor_photo_is_refused_at_the_counter_with_its_reasons(pipeline: Container) -> None:
    (number,) = add_people(pipeline, person(given="Châu"))
    dark = samples.to_bytes(samples.augment(samples.portrait(), exposure=0.3))
    with pytest.raises(CaptureRejected, match=r"face\.dark"):
        pipeline.cards.take_application(REGISTRAR, number, reason=Reason.FIRST_CARD, site="CA-P.BaDinh",
                                        declared={}, photo=dark, fingerprints=FINGERS)
