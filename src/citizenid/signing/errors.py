"""Errors of the signing area (the card's signature application, PDF signing and validation).

::

    CitizenIdError
    └── SigningError                    (SIGN-001)
        ├── WrongPin                    (SIGN-010)  the card refused the PIN; ``tries_left`` says how many remain
        ├── PinBlocked                  (SIGN-011)  five wrong PINs: only the PUK unblocks the key
        ├── WrongPuk                    (SIGN-012)
        ├── PukBlocked                  (SIGN-013)  the signature application is blocked for good
        ├── MalformedPin                (SIGN-014)  not 6-12 digits (PUK: 8); refused without costing a try
        ├── CardNotPersonalised         (SIGN-020)  no signature application, key or certificate on the card
        ├── NotAPdf                     (SIGN-030)  the document is not a PDF pyHanko can read
        ├── CertificateNotUsable        (SIGN-040)  the signing certificate cannot sign now
        │   ├── CertificateExpired      (SIGN-041)
        │   └── CertificateRevoked      (SIGN-042)  the card (and so its certificate) was revoked
        ├── SignatureInvalid            (SIGN-050)  a signed PDF that does not validate (reason in detail)
        ├── NoSignature                 (SIGN-051)  a PDF with no signature to validate
        └── TimeStampFailed             (SIGN-060)  the time-stamp authority did not answer usefully
"""

from __future__ import annotations

from citizenid.errors import CitizenIdError


class SigningError(CitizenIdError):
    code = "SIGN-001"
    status = 400
    title = "Signing error"


class WrongPin(SigningError):
    code = "SIGN-010"
    status = 403
    title = "Wrong PIN"

    def __init__(self, tries_left: int) -> None:
        super().__init__(f"the card refused the PIN: {tries_left} tries left before it blocks",
                         tries_left=tries_left)
        self.tries_left = tries_left


class PinBlocked(SigningError):
    code = "SIGN-011"
    status = 423
    title = "PIN blocked"


class WrongPuk(SigningError):
    code = "SIGN-012"
    status = 403
    title = "Wrong unblock code"

    def __init__(self, tries_left: int) -> None:
        super().__init__(f"the card refused the unblock code: {tries_left} tries left", tries_left=tries_left)
        self.tries_left = tries_left


class PukBlocked(SigningError):
    code = "SIGN-013"
    status = 423
    title = "Unblock code blocked"


class MalformedPin(SigningError):
    code = "SIGN-014"
    status = 422
    title = "Malformed PIN"


class CardNotPersonalised(SigningError):
    code = "SIGN-020"
    status = 409
    title = "Card has no signature application"


class NotAPdf(SigningError):
    code = "SIGN-030"
    status = 422
    title = "Not a PDF"


class CertificateNotUsable(SigningError):
    code = "SIGN-040"
    status = 409
    title = "Signing certificate not usable"


class CertificateExpired(CertificateNotUsable):
    code = "SIGN-041"
    title = "Signing certificate expired"


class CertificateRevoked(CertificateNotUsable):
    code = "SIGN-042"
    title = "Signing certificate revoked"


class SignatureInvalid(SigningError):
    code = "SIGN-050"
    status = 422
    title = "Signature does not validate"


class NoSignature(SigningError):
    code = "SIGN-051"
    status = 422
    title = "No signature in the document"


class TimeStampFailed(SigningError):
    code = "SIGN-060"
    status = 502
    title = "Time stamp failed"
