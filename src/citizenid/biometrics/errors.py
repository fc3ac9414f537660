"""Errors of the biometrics area.

::

    CitizenIdError
    └── BiometricsError                 (BIO-001)
        ├── InvalidCapture              (BIO-002)  not an image, or not one of a usable size
        ├── ModelIntegrityError         (BIO-003)  a model file is missing or its SHA-256 is not the pinned one
        ├── InvalidBiometricsSettings   (BIO-004)  an unknown threshold or index kind in the settings
        ├── BiometricsDisabled          (BIO-005)  matching asked of a format-only deployment
        ├── NotEnrolled                 (BIO-010)  no templates for this application
        ├── CaseNotFound                (BIO-020)  no such candidate in the adjudication queue
        └── CaseAlreadyDecided          (BIO-021)  a supervisor has decided this candidate already
"""

from __future__ import annotations

from citizenid.errors import CitizenIdError


class BiometricsError(CitizenIdError):
    code = "BIO-001"
    status = 400
    title = "Biometrics error"


class InvalidCapture(BiometricsError):
    code = "BIO-002"
    status = 422
    title = "Invalid biometric capture"


class ModelIntegrityError(BiometricsError):
    code = "BIO-003"
    # The deployment is broken, not the request: the operator must restore the pinned model file.
    status = 503
    title = "Biometric model refused"


class InvalidBiometricsSettings(BiometricsError):
    code = "BIO-004"
    status = 500
    title = "Invalid biometrics settings"


class BiometricsDisabled(BiometricsError):
    code = "BIO-005"
    status = 503
    title = "Biometrics disabled"


class NotEnrolled(BiometricsError):
    code = "BIO-010"
    status = 404
    title = "No biometric enrolment"


class CaseNotFound(BiometricsError):
    code = "BIO-020"
    status = 404
    title = "Adjudication case not found"


class CaseAlreadyDecided(BiometricsError):
    code = "BIO-021"
    status = 409
    title = "Adjudication case already decided"
