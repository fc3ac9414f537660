"""What the card pipeline asks of biometrics, and nothing more.

``citizenid.cards`` depends on this protocol only; ``citizenid.biometrics`` implements it and the
composition root (``bootstrap.py``) plugs the implementation in.  A deployment without biometrics gets
:class:`FormatOnlyGate`, which checks that the captures are images of a usable size and nothing else.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from PIL import Image, UnidentifiedImageError

# Fingers are numbered as in ISO/IEC 19794-4 / ANSI-NIST: 1 right thumb ... 5 right little, 6 left thumb ... 10.
FINGER_POSITIONS = range(1, 11)


@dataclass(frozen=True)
class CaptureCheck:
    """The verdict on a capture at the counter, with reasons an officer can act on (empty when ok)."""

    ok: bool
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Candidate:
    """An enrolled person whose biometrics resemble the applicant's."""

    personal_number: str
    score: float


@dataclass(frozen=True)
class ScreenResult:
    """The 1:N search of one application: candidates above threshold wait for a supervisor."""

    candidates: tuple[Candidate, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class FaceMatch:
    """A 1:1 comparison and its decision at the stated threshold."""

    score: float
    threshold: float
    matched: bool


class BiometricGate(Protocol):
    def check_capture(self, photo: bytes, fingerprints: Mapping[int, bytes]) -> CaptureCheck:
        """Quality at capture: refuse a poor photo or fingerprint before the application is taken."""
        ...

    def screen_application(
        self, application_id: str, personal_number: str, photo: bytes, fingerprints: Mapping[int, bytes]
    ) -> ScreenResult:
        """Enrol the application's templates and search them against everyone enrolled (1:N)."""
        ...

    def application_cleared(self, application_id: str) -> bool:
        """False while duplicate candidates await adjudication, or once a duplicate is confirmed."""
        ...

    def verify_holder(self, application_id: str, live_photo: bytes) -> FaceMatch | None:
        """1:1 at issuance: the live capture against the application photo; None when not available."""
        ...


# A photo smaller than this cannot fill the chip's 480x640 portrait without visible upscaling.
MIN_PHOTO_WIDTH = 240
MIN_PHOTO_HEIGHT = 320
MIN_FINGERPRINT_SIDE = 150
PHOTO_FORMATS = frozenset({"JPEG", "PNG"})
# Both index fingers: the minimum a person with hands can give; the other eight when present.
REQUIRED_FINGERS = (2, 7)


class FormatOnlyGate:
    """The gate without biometrics: captures must be decodable images of a usable size, and at least the
    required fingers must be there.  It screens nobody, clears every application and cannot match a face,
    so issuance falls back on the officer's confirmation."""

    def __init__(self, required_fingers: tuple[int, ...] = REQUIRED_FINGERS) -> None:
        self._required = required_fingers

    def check_capture(self, photo: bytes, fingerprints: Mapping[int, bytes]) -> CaptureCheck:
        reasons: list[str] = []
        photo_format, size = _image_info(photo)
        if photo_format not in PHOTO_FORMATS:
            reasons.append("the photo is not a JPEG or PNG image")
        elif size[0] < MIN_PHOTO_WIDTH or size[1] < MIN_PHOTO_HEIGHT:
            reasons.append(f"the photo is {size[0]}x{size[1]}; at least {MIN_PHOTO_WIDTH}x{MIN_PHOTO_HEIGHT} is needed")
        for position in sorted(fingerprints):
            if position not in FINGER_POSITIONS:
                reasons.append(f"finger position {position} is not 1-10")
                continue
            kind, (width, height) = _image_info(fingerprints[position])
            if kind is None:
                reasons.append(f"fingerprint {position} is not an image")
            elif min(width, height) < MIN_FINGERPRINT_SIDE:
                reasons.append(f"fingerprint {position} is {width}x{height}; at least "
                               f"{MIN_FINGERPRINT_SIDE} pixels a side is needed")
        missing = [p for p in self._required if p not in fingerprints]
        if missing:
            reasons.append(f"missing fingerprints: {', '.join(str(p) for p in missing)}")
        return CaptureCheck(not reasons, tuple(reasons))

    def screen_application(
        self, application_id: str, personal_number: str, photo: bytes, fingerprints: Mapping[int, bytes],  # noqa: ARG002
    ) -> ScreenResult:
        return ScreenResult()

    def application_cleared(self, application_id: str) -> bool:  # noqa: ARG002
        return True

    def verify_holder(self, application_id: str, live_photo: bytes) -> FaceMatch | None:  # noqa: ARG002
        return None


def _image_info(data: bytes) -> tuple[str | None, tuple[int, int]]:
    """The format and size of an image, without decoding its pixels; (None, (0, 0)) when it is none."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            return image.format, image.size
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None, (0, 0)
