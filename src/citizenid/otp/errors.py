"""Errors of the one-time-password area.

::

    CitizenIdError
    └── OtpError                        (OTP-001)
        ├── InvalidOtpParameters        (OTP-002)  a secret, digit count or step the standards do not allow
        ├── OtpRejected                 (OTP-010)  the code does not match (wrong, too old, too far ahead)
        │   ├── OtpReplayed             (OTP-011)  the code matched but was already used once
        │   └── OtpResyncFailed         (OTP-012)  two codes that are not consecutive outputs of the token
        ├── OtpLocked                   (OTP-013)  too many wrong codes in a row
        └── OtpCredentialNotFound       (OTP-020)
"""

from __future__ import annotations

from citizenid.errors import CitizenIdError


class OtpError(CitizenIdError):
    code = "OTP-001"
    status = 400
    title = "One-time password error"


class InvalidOtpParameters(OtpError):
    code = "OTP-002"
    status = 422
    title = "Invalid one-time password parameters"


class OtpRejected(OtpError):
    code = "OTP-010"
    # 403, not 401: the caller is authenticated; it is the citizen's code that is refused.
    status = 403
    title = "One-time password rejected"


class OtpReplayed(OtpRejected):
    code = "OTP-011"
    title = "One-time password already used"


class OtpResyncFailed(OtpRejected):
    code = "OTP-012"
    title = "One-time password resynchronisation failed"


class OtpLocked(OtpError):
    code = "OTP-013"
    status = 423
    title = "One-time password credential locked"


class OtpCredentialNotFound(OtpError):
    code = "OTP-020"
    status = 404
    title = "One-time password credential not found"
