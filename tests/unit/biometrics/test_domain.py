from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from citizenid.biometrics.domain import (
    Box,
    FaceFinding,
    Landmarks,
    QualityThresholds,
    background_spread,
    decide,
    error_rates,
    face_quality,
    fingerprint_quality,
    shard_of,
    sharpness,
    threshold_at_fmr,
)


def marks(eye_distance: float = 80.0, roll: float = 0.0, nose_side: float = 0.0, nose_drop: float = 0.7,
          centre: tuple[float, float] = (150.0, 120.0)) -> Landmarks:
    """Five points as dlib gives them (right eye corners, left eye corners, nose), then rotated by ``roll``."""
    half = eye_distance / 2
    raw = [(half + 12, 0.0), (half - 12, 0.0), (-half - 12, 0.0), (-half + 12, 0.0),
           (nose_side * eye_distance, nose_drop * eye_distance)]
    c, s = math.cos(math.radians(roll)), math.sin(math.radians(roll))
    return Landmarks(tuple((centre[0] + x * c - y * s, centre[1] + x * s + y * c) for x, y in raw))


def test_landmark_geometry() -> None:
    level = marks()
    assert level.eye_distance == pytest.approx(80.0)
    assert level.roll == pytest.approx(0.0, abs=1e-9)
    assert level.yaw == pytest.approx(0.0, abs=1e-9)
    assert level.nose_drop == pytest.approx(0.7)
    tilted = marks(roll=12.0)
    assert tilted.roll == pytest.approx(12.0)
    assert tilted.nose_drop == pytest.approx(0.7)  # pitch is measured in the frame of the eyes
    turned = marks(nose_side=0.3)
    assert turned.yaw == pytest.approx(30.0)  # asin(0.3 / 0.6)
    assert marks(nose_side=-0.3).yaw == pytest.approx(-30.0)


def plain_photo(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    image = np.full((320, 300, 3), 200, dtype=np.uint8)
    face = rng.integers(60, 190, size=(140, 120, 3), dtype=np.uint8)  # a textured, well exposed "face"
    image[80:220, 90:210] = face
    return image


FACE_BOX = Box(90, 80, 210, 220)


def test_a_good_capture_has_no_issues() -> None:
    assert face_quality(plain_photo(), [FaceFinding(FACE_BOX, marks())], QualityThresholds()) == []


def test_every_reason_an_officer_can_act_on() -> None:
    limits = QualityThresholds()
    image = plain_photo()
    assert [i.code for i in face_quality(image, [], limits)] == ["face.none"]
    two = [FaceFinding(FACE_BOX, marks()), FaceFinding(FACE_BOX, marks())]
    assert [i.code for i in face_quality(image, two, limits)] == ["face.several"]
    codes = {i.code for i in face_quality(image, [FaceFinding(FACE_BOX, marks(eye_distance=40, roll=15,
                                                                                nose_side=0.25, nose_drop=1.5))],
                                          limits)}
    assert {"face.too_small", "face.tilted", "face.turned", "face.pitch"} <= codes
    flat = image.copy()
    flat[80:220, 90:210] = 120
    assert "face.blurred" in {i.code for i in face_quality(flat, [FaceFinding(FACE_BOX, marks())], limits)}
    dark = (image // 5).astype(np.uint8)
    assert "face.dark" in {i.code for i in face_quality(dark, [FaceFinding(FACE_BOX, marks())], limits)}
    busy = image.copy()
    busy[:, :40] = np.random.default_rng(1).integers(0, 255, size=(320, 40, 3), dtype=np.uint8)
    issues = face_quality(busy, [FaceFinding(FACE_BOX, marks())], limits)
    assert [i.code for i in issues] == ["background.busy"]
    assert "plain light background" in str(issues[0])


def test_thresholds_are_configurable_by_name() -> None:
    relaxed = QualityThresholds.with_overrides({"min_eye_distance": 30})
    assert relaxed.min_eye_distance == 30.0
    assert face_quality(plain_photo(), [FaceFinding(FACE_BOX, marks(eye_distance=40))], relaxed) == []
    with pytest.raises(ValueError, match="unknown biometric thresholds"):
        QualityThresholds.with_overrides({"min_eye_distanse": 30})


def test_fingerprint_quality_names_the_finger_and_says_not_certified() -> None:
    assert fingerprint_quality(2, 55, QualityThresholds()) == []
    (issue,) = fingerprint_quality(7, 12, QualityThresholds())
    assert issue.code == "finger7.quality"
    assert "not certified" in issue.message


def test_sharpness_and_background_measures() -> None:
    rng = np.random.default_rng(0)
    textured = rng.normal(128, 40, (100, 100))
    smooth = np.full((100, 100), 128.0)
    assert sharpness(textured) > 1000 > sharpness(smooth) == 0.0
    assert background_spread(smooth, Box(30, 30, 70, 70)) == 0.0


def test_decision_at_threshold() -> None:
    assert decide(0.96, 0.955).matched
    assert not decide(0.95, 0.955).matched
    assert decide(0.955, 0.955).matched  # at the threshold is a match


def test_error_rates_known_answer() -> None:
    rates = error_rates([0.99, 0.97, 0.90], [0.5, 0.96, 0.6, 0.7], 0.95)
    assert rates.false_non_match_rate == pytest.approx(1 / 3)
    assert rates.false_match_rate == pytest.approx(1 / 4)


@given(st.lists(st.floats(-1, 1), min_size=1, max_size=200), st.sampled_from([0.0, 0.01, 0.1, 0.5]))
def test_threshold_at_fmr_never_exceeds_the_target(impostor: list[float], target: float) -> None:
    threshold = threshold_at_fmr(impostor, target)
    assert error_rates([], impostor, threshold).false_match_rate <= target


def test_shards_are_stable_and_even() -> None:
    numbers = [f"{i:012d}" for i in range(4000)]
    counts = np.bincount([shard_of(n, 4) for n in numbers], minlength=4)
    assert counts.min() > 900
    assert shard_of("001099012345", 8) == shard_of("001099012345", 8)
