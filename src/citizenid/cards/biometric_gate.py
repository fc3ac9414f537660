"""What the card pipeline asks of biometrics, and nothing more.

``citizenid.cards`` depends on this protocol only; ``citizenid.biometrics`` implements it and the
composition root (``bootstrap.py``) plugs the implementation in.  A deployment without biometrics gets
:class:`FormatOnlyGate`, which checks that the captures are images of a usable size and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

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
