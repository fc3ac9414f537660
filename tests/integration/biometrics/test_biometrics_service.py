"""Screening, adjudication, 1:1 and storage through the service, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from citizenid.biometrics.errors import BiometricsError, CaseAlreadyDecided, CaseNotFound, InvalidCapture
from citizenid.biometrics.models import BiometricTemplateRow
from citizenid.bootstrap import Container
from citizenid.chip.lds import encode_dg2
from tests.conftest import make_container
from tests.unit.biometrics import samples

ALICE, BOB, CAROL = "001190000001", "001190000002", "079195000003"


def fingers(seed: int) -> dict[int, bytes]:
    return {2: samples.fingerprint_bytes(seed), 7: samples.fingerprint_bytes(seed + 50)}


def photo(variant: int = 0) -> bytes:
    return samples.to_bytes(samples.augment(samples.portrait(), **samples.GENUINE_VARIANTS[variant]))


def lfw(i: int) -> bytes:
    return samples.to_bytes(samples.lfw_portrait(i))


def actions(container: Container, subject: str) -> list[str]:
    return [r.action for r in container.audit.for_subject(subject)]


def test_capture_quality_gives_reasons(bio_container: Container) -> None:
    bio = bio_container.biometrics
    assert bio.check_capture(samples.portrait_bytes(), fingers(1)).ok
    busy = samples.to_bytes(samples.augment(samples.portrait(), angle=-14, exposure=0.3))
    verdict = bio.check_capture(busy, fingers(1))
    assert not verdict.ok
    assert any(r.startswith("face.tilted") for r in verdict.reasons)
    assert any(r.startswith("face.dark") for r in verdict.reasons)
    # The format checks come first: a missing index finger is said before any model runs.
    assert bio.check_capture(samples.portrait_bytes(), {2: fingers(1)[2]}).reasons == ("missing fingerprints: 7",)


def test_duplicate_is_queued_shown_with_both_images_and_blocks(any_bio_container: Container) -> None:
    bio = any_bio_container.biometrics
    assert bio.screen_application("APP-A", ALICE, samples.portrait_bytes(), fingers(1)).candidates == ()
    assert bio.application_cleared("APP-A")
    assert bio.screen_application("APP-B", BOB, lfw(3), {}).candidates == ()
    # The same face again under another personal number: a candidate, not cleared.
    found = bio.screen_application("APP-C", CAROL, photo(5), fingers(1)).candidates
    assert [c.personal_number for c in found] == [ALICE]
    assert found[0].score >= bio.duplicate_threshold
    assert not bio.application_cleared("APP-C")
    (line,) = bio.queue(actor="officer:sup")
    assert (line.application_id, line.candidate_personal_number, line.status) == ("APP-C", ALICE, "pending")
    assert line.finger_score is not None  # the same finger 2 was given: compared 1:1 beside the face
    case = bio.case("APP-C", actor="officer:sup")
    assert case.photo == photo(5)
    assert case.candidates[0].photo == samples.portrait_bytes()
    assert "biometrics:case:read" in actions(any_bio_container, ALICE)  # the candidate's photo was shown
    assert bio.decide("APP-C", ALICE, duplicate=True, actor="officer:sup") == "duplicate"
    assert not bio.application_cleared("APP-C")
    assert bio.queue(actor="officer:sup") == []
    with pytest.raises(CaseAlreadyDecided):
        bio.decide("APP-C", ALICE, duplicate=False, actor="officer:sup")
    with pytest.raises(CaseNotFound):
        bio.case("APP-A", actor="officer:sup")


def test_a_candidate_ruled_distinct_clears_and_a_renewal_is_not_a_duplicate(bio_container: Container) -> None:
    bio = bio_container.biometrics
    bio.screen_application("APP-A", ALICE, samples.portrait_bytes(), fingers(1))
    assert bio.screen_application("APP-D", ALICE, photo(2), fingers(1)).candidates == ()  # same person, renewal
    bio.screen_application("APP-E", CAROL, photo(3), {})
    assert bio.screening_status("APP-E") == "pending"
    assert bio.decide("APP-E", ALICE, duplicate=False, actor="officer:sup") == "clear"
    assert bio.application_cleared("APP-E")
    assert not bio.application_cleared("APP-NEVER-SCREENED")
    # A child under the capture age brings no photo: nothing to search, cleared.
    assert bio.screen_application("APP-CHILD", BOB, b"", {}).candidates == ()
    assert bio.application_cleared("APP-CHILD")


def test_one_to_one_at_issuance_and_from_the_chip(bio_container: Container) -> None:
    bio = bio_container.biometrics
    bio.screen_application("APP-A", ALICE, samples.portrait_bytes(), fingers(1))
    live = photo(9)
    match = bio.verify_holder("APP-A", live)
    assert match is not None
    assert match.matched
    assert match.threshold == bio.face_threshold
    impostor = bio.verify_holder("APP-A", lfw(10))
    assert impostor is not None
    assert not impostor.matched
    assert bio.verify_holder("APP-UNKNOWN", live) is None
    assert "biometrics:holder:verify" in actions(bio_container, ALICE)
    dg2 = encode_dg2(samples.portrait_bytes(), 288, 368)
    assert bio.verify_card_holder(dg2, live).matched
    assert not bio.verify_card_holder(dg2, lfw(10)).matched
    with pytest.raises(InvalidCapture, match="faces"):
        bio.verify_holder("APP-A", samples.to_bytes(samples.augment(samples.portrait(), angle=180)))


def test_templates_are_sealed_and_bound_to_their_person(bio_container: Container) -> None:
    bio = bio_container.biometrics
    bio.screen_application("APP-A", ALICE, samples.portrait_bytes(), fingers(1))
    with bio_container.uow() as uow:
        rows = list(uow.session.scalars(select(BiometricTemplateRow)))
        assert {r.modality for r in rows} == {"face", "finger2", "finger7"}
        face = next(r for r in rows if r.modality == "face")
        assert face.sample is not None
        assert b"\xff\xd8" not in face.sample[:40]  # not the JPEG
        assert len(face.template) == 12 + 128 * 4 + 16  # nonce, 128 float32, tag
        # A sealed row moved to another person does not open.
        face.personal_number = BOB
        with pytest.raises(BiometricsError, match="does not open"):
            bio._vector(face)
        uow.session.rollback()


def test_another_process_sees_enrolments_and_rebuilds(bio_container: Container) -> None:
    first = bio_container.biometrics
    first.screen_application("APP-A", ALICE, samples.portrait_bytes(), {})
    # A second container on the same database and key, as another worker process would be.
    second = make_container(bio_container.engine, bio_container.settings.data_dir, biometrics="reference").biometrics
    assert [c.personal_number for c in second.screen_application("APP-C", CAROL, photo(1), {}).candidates] == [ALICE]
    # The first process learns of the second's enrolment from the database before it searches.
    found = first.screen_application("APP-F", BOB, photo(4), {}).candidates
    assert sorted(c.personal_number for c in found) == [ALICE, CAROL]
    assert first.rebuild_index() == 3


def test_bad_input_writes_nothing(bio_container: Container) -> None:
    bio = bio_container.biometrics
    with pytest.raises(InvalidCapture):
        bio.screen_application("APP-X", ALICE, b"not an image", {})
    with pytest.raises(InvalidCapture, match="faces"):
        bio.screen_application("APP-X", ALICE, samples.to_bytes(samples.augment(samples.portrait(), angle=180)), {})
    with pytest.raises(InvalidCapture, match="12-digit"):
        bio.screen_application("APP-X", "123", samples.portrait_bytes(), {})
    with pytest.raises(InvalidCapture, match="positions"):
        bio.screen_application("APP-X", ALICE, samples.portrait_bytes(), {11: fingers(1)[2]})
    assert bio.screening_status("APP-X") is None


def test_format_only_clears_everyone_and_matches_nothing(container: Container) -> None:
    bio = container.biometrics
    assert not bio.enabled
    assert bio.screen_application("APP-A", ALICE, samples.portrait_bytes(), fingers(1)).candidates == ()
    assert bio.application_cleared("APP-A")
    assert bio.verify_holder("APP-A", samples.portrait_bytes()) is None
    assert bio.check_capture(samples.portrait_bytes(), fingers(1)).ok
    with pytest.raises(BiometricsError, match="format-only"):
        bio.compare_faces(samples.portrait_bytes(), samples.portrait_bytes())
