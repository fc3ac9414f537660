"""The biometrics area's use cases: quality at capture, 1:N screening with a supervisor's adjudication,
1:1 matching at issuance and for offline verifiers.  :class:`BiometricsService` is the card pipeline's
:class:`~citizenid.cards.biometric_gate.BiometricGate` (structurally).

Templates and captured images are sealed with AES-256-GCM under the biometrics key before they reach the
database (associated data: person, application, modality, so a row cannot be moved to another person),
in tables apart from the demographic record.  The 1:N index lives in each process's memory, built from
the database on first use and kept current incrementally (decision 0062).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from citizenid.audit.domain import AccessRecord
from citizenid.audit.service import AuditService
from citizenid.biometrics import repository as repo
from citizenid.biometrics.domain import (
    FACE,
    CaseStatus,
    ErrorRates,
    QualityIssue,
    QualityThresholds,
    ScreeningStatus,
    decide,
    error_rates,
    finger_modality,
)
from citizenid.biometrics.engines import Engines, FingerprintSample, PinnedModel, decode_image, reference_engines
from citizenid.biometrics.errors import (
    BiometricsDisabled,
    BiometricsError,
    CaseAlreadyDecided,
    CaseNotFound,
    InvalidBiometricsSettings,
    InvalidCapture,
    NotEnrolled,
)
from citizenid.biometrics.index import INDEX_KINDS, EnrolmentKey, IndexParameters, ShardedIndex
from citizenid.biometrics.models import BiometricCandidateRow, BiometricScreeningRow, BiometricTemplateRow
from citizenid.cards.biometric_gate import (
    FINGER_POSITIONS,
    Candidate,
    CaptureCheck,
    FaceMatch,
    FormatOnlyGate,
    ScreenResult,
)
from citizenid.chip.lds import decode_dg2
from citizenid.db.base import utcnow
from citizenid.db.uow import UnitOfWork
from citizenid.keyfiles import FileKey, MemoryKey

__all__ = [
    "AdjudicationCase",
    "BiometricsService",
    "CaseSummary",
    "ErrorRates",
    "FileTemplateKey",
    "IndexParameters",
    "MemoryTemplateKey",
    "QualityThresholds",
    "error_rates",
]

SYSTEM = "system"
SCREEN_PURPOSE = "1:N deduplication of a card application"
# How far back a process looks for templates other processes enrolled: longer than any enrolment transaction.
SYNC_SLACK = dt.timedelta(seconds=60)


class TemplateKey(Protocol):
    """The AES-256 key that seals templates; in production an HSM-wrapped secret."""

    def value(self) -> bytes: ...


# Templates are sealed under a key file like the other areas' (citizenid.keyfiles).
MemoryTemplateKey = MemoryKey
FileTemplateKey = FileKey


class _Sealer:
    def __init__(self, key: TemplateKey) -> None:
        self._key = key

    def key_id(self) -> str:
        return hashlib.sha256(self._key.value()).hexdigest()[:16]

    def seal(self, data: bytes, *context: str) -> bytes:
        nonce = secrets.token_bytes(12)
        return nonce + AESGCM(self._key.value()).encrypt(nonce, data, "|".join(context).encode())

    def open(self, blob: bytes, *context: str) -> bytes:
        try:
            return AESGCM(self._key.value()).decrypt(blob[:12], blob[12:], "|".join(context).encode())
        except InvalidTag:
            raise BiometricsError("a stored template does not open with the biometrics key") from None


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """A line of the adjudication queue: who resembles whom and how much.  No images, no templates."""

    application_id: str
    personal_number: str
    candidate_personal_number: str
    candidate_application_id: str
    face_score: float
    finger_score: float | None
    status: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class CandidateView:
    summary: CaseSummary
    photo: bytes | None


@dataclass(frozen=True, slots=True)
class AdjudicationCase:
    """What a supervisor sees to decide: the applicant's photo beside each candidate's."""

    application_id: str
    personal_number: str
    status: str
    photo: bytes | None
    candidates: tuple[CandidateView, ...]


class BiometricsService:
    """Quality, 1:1 and 1:N.  With ``enabled=False`` (``CITIZENID_BIOMETRICS=format-only``) the gate only
    checks that captures are images, clears every application and matches nothing."""

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        *,
        key: TemplateKey,
        engines: Callable[[], Engines] | None = None,
        thresholds: QualityThresholds | None = None,
        face_threshold: float = 0.96,
        duplicate_threshold: float = 0.955,
        index: IndexParameters | None = None,
        shards: int = 1,
        enabled: bool = True,
        candidates: int = 10,
    ) -> None:
        self._uow = uow_factory
        self._sealer = _Sealer(key)
        self.thresholds = thresholds or QualityThresholds()
        self._engines_factory = engines or (lambda: reference_engines(self.thresholds))
        self._engines: Engines | None = None
        self.face_threshold = face_threshold
        self.duplicate_threshold = duplicate_threshold
        self.enabled = enabled
        self._format = FormatOnlyGate()
        self._index_parameters = index or IndexParameters()
        self._shards = shards
        self._index: ShardedIndex | None = None
        self._k = candidates
        self._lock = threading.RLock()
        self._loaded: dict[EnrolmentKey, dt.datetime] = {}
        self._watermark: dt.datetime | None = None
        self._synced = False

    @property
    def engines(self) -> Engines:
        if self._engines is None:
            self._engines = self._engines_factory()
        return self._engines

    # -- quality at capture ------------------------------------------------------------------------------

    def check_capture(self, photo: bytes, fingerprints: Mapping[int, bytes]) -> CaptureCheck:
        """Format first (a JPEG or PNG of a usable size, the required fingers), then each quality measure."""
        verdict = self._format.check_capture(photo, fingerprints)
        if not verdict.ok or not self.enabled:
            return verdict
        issues = self.face_issues(photo)
        for position in sorted(fingerprints):
            issues.extend(self.finger_issues(position, fingerprints[position]))
        return CaptureCheck(not issues, tuple(str(i) for i in issues))

    def face_issues(self, photo: bytes) -> list[QualityIssue]:
        image = decode_image(photo)
        engines = self.engines
        return engines.quality.assess_face(image, engines.detector.detect(image))

    def finger_issues(self, position: int, image_bytes: bytes) -> list[QualityIssue]:
        engines = self.engines
        image = decode_image(image_bytes, mode="L", what=f"fingerprint {position}")
        return engines.quality.assess_finger(position, engines.fingerprints.quality(image))

    # -- 1:1 ---------------------------------------------------------------------------------------------

    def _embed(self, photo: bytes, what: str = "photo") -> np.ndarray:
        image = decode_image(photo, what=what)
        faces = self.engines.detector.detect(image)
        if len(faces) != 1:
            raise InvalidCapture(f"the {what} shows {len(faces)} faces; exactly one is needed")
        return self.engines.embedder.embed(image, faces[0])

    def compare_faces(self, first: bytes, second: bytes) -> FaceMatch:
        """Two photos of one person?  Score, the operating threshold and the decision at it."""
        self._require_enabled()
        first_vector, second_vector = self._embed(first, "first photo"), self._embed(second, "second photo")
        score = self.engines.face_matcher.compare(first_vector, second_vector)
        d = decide(score, self.face_threshold)
        return FaceMatch(d.score, d.threshold, d.matched)

    def verify_card_holder(self, dg2: bytes, live_photo: bytes) -> FaceMatch:
        """The offline verifier's 1:1: the portrait in the chip's DG2 against the person in front of it."""
        return self.compare_faces(decode_dg2(dg2).jpeg, live_photo)

    def verify_holder(self, application_id: str, live_photo: bytes) -> FaceMatch | None:
        """1:1 at issuance: the live capture against the application's enrolled face; None when not enrolled."""
        if not self.enabled:
            return None
        with self._uow() as uow:
            rows = repo.templates_of(uow.session, application_id, FACE)
            if not rows:
                return None
            row = rows[0]
            enrolled = self._vector(row)
            live = self._embed(live_photo, "live capture")
            d = decide(self.engines.face_matcher.compare(enrolled, live), self.face_threshold)
            AuditService.record_in(uow.session, [AccessRecord(
                SYSTEM, "biometrics:holder:verify", "1:1 match of the card holder at issuance", row.personal_number,
                outcome="ok" if d.matched else "no-match", details={"application": application_id,
                                                                     "score": round(d.score, 4)})])
            uow.commit()
        return FaceMatch(d.score, d.threshold, d.matched)

    # -- 1:N ---------------------------------------------------------------------------------------------

    def screen_application(self, application_id: str, personal_number: str, photo: bytes,
                           fingerprints: Mapping[int, bytes], *, actor: str = SYSTEM) -> ScreenResult:
        """Enrol the application's templates and search its face against everyone enrolled.  Candidates
        (other persons at or above the duplicate threshold) wait in the adjudication queue, fingerprints
        compared 1:1 beside the face score to help the supervisor."""
        if not self.enabled:
            return self._format.screen_application(application_id, personal_number, photo, fingerprints)
        if not (personal_number.isdigit() and len(personal_number) == 12) or not 1 <= len(application_id) <= 36:
            raise InvalidCapture("a screening needs a 12-digit personal number and an application id of 1-36 "
                                 "characters")
        unknown = sorted(set(fingerprints) - set(FINGER_POSITIONS))
        if unknown:
            raise InvalidCapture(f"finger positions {unknown} are not 1-10")
        # A child under the capture age brings no photo: nothing to search, the fingers (if any) are kept.
        vector = self._embed(photo) if photo else None
        face_quality = float(len(self.face_issues(photo)) == 0) if photo else 0.0
        fingers = {p: (self.engines.fingerprints.extract(decode_image(data, mode="L", what=f"fingerprint {p}"), p),
                       data) for p, data in sorted(fingerprints.items())}
        now = utcnow()
        with self._lock:
            index = self._synced_index()
            hits = index.search(vector[None, :], self._k + 1)[0] if vector is not None else []
            best: dict[str, tuple[EnrolmentKey, float]] = {}
            for hit in hits:
                pn = hit.key.personal_number
                if pn != personal_number and hit.score >= self.duplicate_threshold and pn not in best:
                    best[pn] = (hit.key, hit.score)
            with self._uow() as uow:
                key = EnrolmentKey(personal_number, application_id)
                rows = [] if vector is None else [
                    self._template_row(key, FACE, self.engines.embedder.name, vector.tobytes(), photo, face_quality,
                                       now)]
                rows += [self._template_row(key, finger_modality(p), self.engines.fingerprints.name, sample.template,
                                            data, sample.quality, now) for p, (sample, data) in fingers.items()]
                repo.replace_templates(uow.session, personal_number, application_id, rows)
                candidate_rows = [
                    BiometricCandidateRow(
                        personal_number=personal_number, application_id=application_id,
                        candidate_personal_number=pn, candidate_application_id=ckey.application_id,
                        face_score=score, finger_score=self._finger_score(uow, ckey.application_id, fingers),
                        status=CaseStatus.PENDING.value, created_at=now)
                    for pn, (ckey, score) in best.items()
                ]
                repo.replace_candidates(uow.session, personal_number, application_id, candidate_rows)
                screening = repo.screening(uow.session, application_id)
                if screening is None:
                    screening = BiometricScreeningRow(personal_number=personal_number, application_id=application_id)
                    uow.session.add(screening)
                screening.status = (ScreeningStatus.PENDING if candidate_rows else ScreeningStatus.CLEAR).value
                screening.candidates = len(candidate_rows)
                screening.screened_at, screening.decided_at = now, None
                AuditService.record_in(uow.session, [AccessRecord(
                    actor, "biometrics:application:screen", SCREEN_PURPOSE, personal_number,
                    details={"application": application_id, "candidates": len(candidate_rows)})])
                uow.commit()
            if vector is not None:
                index.add([key], vector[None, :])
                self._loaded[key] = now
        return ScreenResult(tuple(Candidate(pn, score) for pn, (_, score) in best.items()))

    def application_cleared(self, application_id: str) -> bool:
        """True once the 1:N search found nobody, or a supervisor ruled every candidate a different person."""
        if not self.enabled:
            return True
        with self._uow() as uow:
            row = repo.screening(uow.session, application_id)
            return row is not None and row.status == ScreeningStatus.CLEAR.value

    def screening_status(self, application_id: str) -> str | None:
        with self._uow() as uow:
            row = repo.screening(uow.session, application_id)
            return None if row is None else row.status

    # -- adjudication ------------------------------------------------------------------------------------

    def queue(self, *, actor: str, limit: int = 100) -> list[CaseSummary]:
        """Candidates waiting for a supervisor, oldest first.  Scores only: the images are in :meth:`case`.
        Who is suspected of being whom is personal data: the listing is recorded for each applicant."""
        with self._uow() as uow:
            lines = [_summary(row) for row in repo.pending_cases(uow.session, limit)]
            AuditService.record_in(uow.session, [
                AccessRecord(actor, "biometrics:queue:read", "adjudication of duplicate candidates", pn)
                for pn in sorted({line.personal_number for line in lines})])
            uow.commit()
        return lines

    def case(self, application_id: str, *, actor: str, purpose: str = "adjudication of a duplicate candidate"
             ) -> AdjudicationCase:
        """The applicant's photo and each candidate's: opening them is recorded for every person shown."""
        with self._uow() as uow:
            candidates = repo.candidates_of(uow.session, application_id)
            screening = repo.screening(uow.session, application_id)
            if screening is None or not candidates:
                raise CaseNotFound(f"no duplicate candidates for application {application_id!r}")
            photo = self._photo(uow, application_id)
            views = tuple(CandidateView(_summary(c), self._photo(uow, c.candidate_application_id)) for c in candidates)
            details = {"application": application_id}
            AuditService.record_in(uow.session, [
                AccessRecord(actor, "biometrics:case:read", purpose, screening.personal_number, details=details),
                *(AccessRecord(actor, "biometrics:case:read", purpose, c.candidate_personal_number, details=details)
                  for c in candidates),
            ])
            uow.commit()
        return AdjudicationCase(application_id, screening.personal_number, screening.status, photo, views)

    def decide(self, application_id: str, candidate_personal_number: str, duplicate: bool, *, actor: str) -> str:
        """A supervisor's ruling on one candidate.  One confirmed duplicate blocks the application; once every
        candidate is ruled a different person it is clear.  Returns the application's screening status."""
        with self._uow() as uow:
            rows = {c.candidate_personal_number: c for c in repo.candidates_of(uow.session, application_id)}
            row = rows.get(candidate_personal_number)
            screening = repo.screening(uow.session, application_id)
            if row is None or screening is None:
                raise CaseNotFound(
                    f"person {candidate_personal_number} is no candidate for application {application_id!r}")
            if row.status != CaseStatus.PENDING.value:
                raise CaseAlreadyDecided(f"this candidate was ruled {row.status} by {row.decided_by}")
            now = utcnow()
            row.status = (CaseStatus.DUPLICATE if duplicate else CaseStatus.DISTINCT).value
            row.decided_by, row.decided_at = actor, now
            statuses = {c.status for c in rows.values()}
            if CaseStatus.DUPLICATE.value in statuses:
                screening.status = ScreeningStatus.DUPLICATE.value
            elif statuses == {CaseStatus.DISTINCT.value}:
                screening.status = ScreeningStatus.CLEAR.value
            screening.decided_at = now if screening.status != ScreeningStatus.PENDING.value else None
            AuditService.record_in(uow.session, [AccessRecord(
                actor, "biometrics:candidate:adjudicate", "adjudication of a duplicate candidate",
                screening.personal_number,
                details={"application": application_id, "candidate": candidate_personal_number,
                         "ruling": row.status})])
            uow.commit()
            return screening.status

    # -- the index ---------------------------------------------------------------------------------------

    def rebuild_index(self) -> int:
        """Reload every enrolled face from the database into a fresh index; returns how many."""
        self._require_enabled()
        with self._lock:
            self._synced = False
            return len(self._synced_index())

    def _synced_index(self) -> ShardedIndex:
        """The index with every face any process has enrolled (first use: all of them; then the new ones)."""
        if self._index is None:
            self._index = ShardedIndex.local(self.engines.embedder.dimension, self._shards, self._index_parameters)
        with self._uow() as uow:
            since = None if not self._synced or self._watermark is None else self._watermark - SYNC_SLACK
            rows = repo.faces_enrolled_since(uow.session, since)
            keys, vectors = [], []
            for row in rows:
                key = EnrolmentKey(row.personal_number, row.application_id)
                if self._synced and self._loaded.get(key) == row.enrolled_at:
                    continue
                keys.append(key)
                vectors.append(self._vector(row))
                self._loaded[key] = row.enrolled_at
                self._watermark = max(self._watermark or row.enrolled_at, row.enrolled_at)
        dimension = self.engines.embedder.dimension
        matrix = np.vstack(vectors) if vectors else np.zeros((0, dimension), dtype=np.float32)
        if not self._synced:
            self._index.rebuild(keys, matrix)
            self._synced = True
        elif keys:
            self._index.add(keys, matrix)
        return self._index

    # -- storage -----------------------------------------------------------------------------------------

    def _template_row(self, key: EnrolmentKey, modality: str, algorithm: str, template: bytes, sample: bytes,
                      quality: float, now: dt.datetime) -> BiometricTemplateRow:
        context = (key.personal_number, key.application_id, modality)
        return BiometricTemplateRow(
            personal_number=key.personal_number, application_id=key.application_id, modality=modality,
            algorithm=algorithm, key_id=self._sealer.key_id(),
            template=self._sealer.seal(template, *context, "template"),
            sample=self._sealer.seal(sample, *context, "sample"), quality=quality, enrolled_at=now)

    def _open(self, row: BiometricTemplateRow, part: str) -> bytes:
        blob = row.template if part == "template" else row.sample
        if blob is None:
            raise NotEnrolled(f"no {part} stored for {row.modality} of application {row.application_id}")
        return self._sealer.open(blob, row.personal_number, row.application_id, row.modality, part)

    def _vector(self, row: BiometricTemplateRow) -> np.ndarray:
        return np.frombuffer(self._open(row, "template"), dtype=np.float32)

    def _photo(self, uow: UnitOfWork, application_id: str) -> bytes | None:
        rows = repo.templates_of(uow.session, application_id, FACE)
        return self._open(rows[0], "sample") if rows and rows[0].sample is not None else None

    def _finger_score(self, uow: UnitOfWork, candidate_application: str,
                      fingers: Mapping[int, tuple[FingerprintSample, bytes]]) -> float | None:
        """Mean 1:1 score over the fingers both captures have; None when they share none."""
        scores = []
        for row in repo.templates_of(uow.session, candidate_application):
            if not row.modality.startswith("finger"):
                continue
            position = int(row.modality.removeprefix("finger"))
            if position in fingers:
                mine = fingers[position][0].template
                scores.append(self.engines.finger_matcher.compare(mine, self._open(row, "template")))
        return float(np.mean(scores)) if scores else None

    def _require_enabled(self) -> None:
        if not self.enabled:
            raise BiometricsDisabled("biometric matching is off in this deployment (CITIZENID_BIOMETRICS=format-only)")


def _summary(row: BiometricCandidateRow) -> CaseSummary:
    return CaseSummary(row.application_id, row.personal_number, row.candidate_personal_number,
                       row.candidate_application_id, row.face_score, row.finger_score, row.status, row.created_at)


def build_service(uow_factory: Callable[[], UnitOfWork], *, mode: str, data_dir: Path,
                  thresholds: Mapping[str, float], face_threshold: float, duplicate_threshold: float,
                  index_kind: str, shards: int, face_model: Path | None = None,
                  face_model_sha256: str | None = None) -> BiometricsService:
    """The service as the settings describe it (called by the composition root).  Nothing loads here."""
    try:
        limits = QualityThresholds.with_overrides(thresholds)
    except ValueError as error:
        raise InvalidBiometricsSettings(str(error)) from None
    if index_kind not in INDEX_KINDS:
        raise InvalidBiometricsSettings(f"unknown index kind {index_kind!r}")
    if face_model is not None and not face_model_sha256:
        raise InvalidBiometricsSettings(
            "a face model needs its pinned SHA-256 (CITIZENID_BIOMETRICS_FACE_MODEL_SHA256)")
    onnx = PinnedModel(face_model, face_model_sha256 or "") if face_model is not None else None

    def engines() -> Engines:
        return reference_engines(limits, onnx_face_model=onnx)

    return BiometricsService(
        uow_factory, key=FileTemplateKey(data_dir / "keys" / "biometrics.key"), engines=engines,
        thresholds=limits, face_threshold=face_threshold, duplicate_threshold=duplicate_threshold,
        index=IndexParameters(kind=index_kind), shards=shards, enabled=mode == "reference")
