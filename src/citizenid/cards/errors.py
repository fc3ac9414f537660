"""Errors of the card pipeline: applications, production, issuance and what happens to a card after.

::

    CitizenIdError
    ├── InvalidInput
    │   └── CardInvalid                  CRD-400  a request breaks a card rule
    │       ├── CaptureRejected          CRD-401  photo or fingerprints unusable or missing
    │       ├── RegisterMismatch         CRD-402  declared details differ from the register
    │       ├── ApplicantIneligible      CRD-403  deceased, or already holds a card
    │       └── IdempotencyKeyReused     CRD-422  the same key with a different request
    ├── NotFound
    │   ├── ApplicationNotFound          CRD-404
    │   ├── CardNotFound                 CRD-405
    │   └── BatchNotFound                CRD-406
    └── Conflict
        ├── IllegalTransition            CRD-409  the application or card is not in a state that allows it
        ├── OpenApplicationExists        CRD-410  one open application per person
        ├── NotCleared                   CRD-411  biometric duplicate candidates await a decision
        └── HolderNotConfirmed           CRD-412  issuance needs the holder checked
"""

from __future__ import annotations

from citizenid.errors import Conflict, InvalidInput, NotFound


class CardInvalid(InvalidInput):
    code = "CRD-400"
    title = "Card rule broken"


class CaptureRejected(CardInvalid):
    code = "CRD-401"
    title = "Capture rejected"


class RegisterMismatch(CardInvalid):
    code = "CRD-402"
    title = "Details differ from the register"


class ApplicantIneligible(CardInvalid):
    code = "CRD-403"
    title = "Applicant not eligible"


class IdempotencyKeyReused(CardInvalid):
    code = "CRD-422"
    status = 422
    title = "Idempotency key reused with a different request"


class ApplicationNotFound(NotFound):
    code = "CRD-404"
    title = "Application not found"


class CardNotFound(NotFound):
    code = "CRD-405"
    title = "Card not found"


class BatchNotFound(NotFound):
    code = "CRD-406"
    title = "Batch not found"


class IllegalTransition(Conflict):
    code = "CRD-409"
    title = "Illegal transition"


class OpenApplicationExists(Conflict):
    code = "CRD-410"
    title = "An application is already open"


class NotCleared(Conflict):
    code = "CRD-411"
    title = "Biometric screening not cleared"


class HolderNotConfirmed(Conflict):
    code = "CRD-412"
    title = "Holder not confirmed"
