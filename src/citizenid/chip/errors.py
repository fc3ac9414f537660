"""Errors of the chip area (ICAO 9303 data, the virtual chip, the reader).

::

    CitizenIdError
    └── ChipError                       (CHIP-001)
        ├── MrzError                    (CHIP-010)  an MRZ that cannot be read at all
        │   └── MrzCheckDigitError      (CHIP-011)  readable, but named check digits fail
        ├── LdsError                    (CHIP-020)  a data group or EF.SOD that is not valid DER / LDS
        ├── ChipImageError              (CHIP-030)  a chip image file that cannot be loaded
        ├── CardError                   (CHIP-040)  the card answered with an error status word
        │   ├── AccessDeniedError       (CHIP-041)  BAC / PACE failed or was not done
        │   └── SecureMessagingError    (CHIP-042)  a protected APDU with a wrong MAC or layout
        ├── TransportError              (CHIP-050)  the reader or card went away
        └── VerificationFailedError     (CHIP-060)  a card was read but did not verify
"""

from __future__ import annotations

from citizenid.errors import CitizenIdError


class ChipError(CitizenIdError):
    code = "CHIP-001"
    status = 400
    title = "Chip error"


class MrzError(ChipError):
    code = "CHIP-010"
    status = 400
    title = "Unreadable MRZ"


class MrzCheckDigitError(MrzError):
    """The MRZ is well formed but ``failed`` names the check digits that do not match."""

    code = "CHIP-011"
    title = "MRZ check digit mismatch"

    def __init__(self, failed: tuple[str, ...]) -> None:
        super().__init__(f"MRZ check digit wrong for: {', '.join(failed)}", failed=list(failed))
        self.failed = failed


class LdsError(ChipError):
    code = "CHIP-020"
    status = 422
    title = "Malformed chip data"


class ChipImageError(ChipError):
    code = "CHIP-030"
    status = 422
    title = "Unreadable chip image"


class CardError(ChipError):
    """The card refused a command; ``sw`` is the ISO 7816 status word."""

    code = "CHIP-040"
    status = 502
    title = "Card error"

    def __init__(self, detail: str, sw: int = 0x6F00) -> None:
        super().__init__(f"{detail} (SW {sw:04X})", sw=f"{sw:04X}")
        self.sw = sw


class AccessDeniedError(CardError):
    code = "CHIP-041"
    status = 403
    title = "Card access denied"


class SecureMessagingError(CardError):
    code = "CHIP-042"
    title = "Secure messaging failure"


class TransportError(ChipError):
    code = "CHIP-050"
    status = 503
    title = "Card transport failure"


class VerificationFailedError(ChipError):
    code = "CHIP-060"
    status = 422
    title = "Card did not verify"
