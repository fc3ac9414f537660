"""Errors of the audit log.

::

    CitizenIdError
    └── AuditError                      (AUD-001)
        ├── UnknownEntryError           (AUD-010)  no entry at that leaf index (yet)
        ├── ProofRequestError           (AUD-011)  a proof that cannot exist (index past the tree size, …)
        ├── NoCheckpointError           (AUD-020)  nothing has been checkpointed yet
        └── LogIntegrityError           (AUD-030)  the stored log does not match its hashes or checkpoints
"""

from __future__ import annotations

from citizenid.errors import CitizenIdError


class AuditError(CitizenIdError):
    code = "AUD-001"
    status = 500
    title = "Audit log error"


class UnknownEntryError(AuditError):
    code = "AUD-010"
    status = 404
    title = "No such audit log entry"


class ProofRequestError(AuditError):
    code = "AUD-011"
    status = 422
    title = "Impossible proof request"


class NoCheckpointError(AuditError):
    code = "AUD-020"
    status = 404
    title = "No checkpoint yet"


class LogIntegrityError(AuditError):
    code = "AUD-030"
    status = 500
    title = "Audit log fails verification"
