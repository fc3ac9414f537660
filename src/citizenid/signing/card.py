"""The terminal's side of the card's signature and OTP applications.

:class:`SignatureCard` opens secure messaging with the MRZ (PACE or BAC, as for reading the card),
selects an application and maps status words to :mod:`citizenid.signing.errors`.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from citizenid.chip.errors import CardError
from citizenid.chip.service import OTP_AID, SIGNING_AID, Command, Reader, Transport
from citizenid.signing.errors import (
    CardNotPersonalised,
    MalformedPin,
    PinBlocked,
    PukBlocked,
    SigningError,
    WrongPin,
    WrongPuk,
)

_CHUNK = 0xDF  # a short READ BINARY under secure messaging, with room for the MAC


class SignatureCard:
    def __init__(self, transport: Transport, mrz_information: str, *, prefer_pace: bool = True) -> None:
        self._reader = Reader(transport)
        self._mrz = mrz_information
        self._prefer_pace = prefer_pace
        self._selected: bytes | None = None

    def _select(self, aid: bytes) -> None:
        if self._selected is None:
            self._reader.open(self._mrz, prefer_pace=self._prefer_pace)
        if self._selected != aid:
            _, sw = self._reader.exchange(Command(0x00, 0xA4, 0x04, 0x0C, aid))
            if sw != 0x9000:
                self._selected = None
                raise CardNotPersonalised(f"the card has no such application (SW {sw:04X})")
            self._selected = aid

    def _command(self, aid: bytes, command: Command) -> tuple[bytes, int]:
        self._select(aid)
        return self._reader.exchange(command)

    def certificate(self) -> x509.Certificate:
        content = b""
        while True:
            data, sw = self._command(SIGNING_AID, Command(0x00, 0xB0, len(content) >> 8, len(content) & 0xFF,
                                                          le=_CHUNK))
            if sw == 0x6B00 and content:
                break
            if sw == 0x6985:
                raise CardNotPersonalised("the card's signature application holds no certificate")
            if sw != 0x9000:
                raise CardError("the card refused to read its signing certificate", sw)
            content += data
            if len(data) < _CHUNK:
                break
        try:
            return x509.load_der_x509_certificate(content)
        except ValueError:
            raise CardNotPersonalised("the card's signing certificate is unreadable") from None

    def pin_tries_left(self) -> int:
        _, sw = self._command(SIGNING_AID, Command(0x00, 0x20, 0x00, 0x81))
        if sw == 0x6983:
            return 0
        if sw & 0xFFF0 != 0x63C0:
            raise CardError("the card did not say how many PIN tries are left", sw)
        return sw & 0x0F

    def verify_pin(self, pin: str) -> None:
        if not (pin.isascii() and pin.isdigit() and 6 <= len(pin) <= 12):
            raise MalformedPin("the PIN is 6 to 12 digits")
        _, sw = self._command(SIGNING_AID, Command(0x00, 0x20, 0x00, 0x81, pin.encode()))
        if sw == 0x9000:
            return
        if sw == 0x6983:
            raise PinBlocked("the signing PIN is blocked: unblock it with the PUK")
        if sw & 0xFFF0 == 0x63C0:
            raise WrongPin(sw & 0x0F)
        raise CardError("the card refused the PIN", sw)

    def unblock(self, puk: str, new_pin: str) -> None:
        if not (puk.isascii() and puk.isdigit() and len(puk) == 8):
            raise MalformedPin("the unblock code (PUK) is 8 digits")
        if not (new_pin.isascii() and new_pin.isdigit() and 6 <= len(new_pin) <= 12):
            raise MalformedPin("the new PIN is 6 to 12 digits")
        _, sw = self._command(SIGNING_AID, Command(0x00, 0x2C, 0x00, 0x81, (puk + new_pin).encode()))
        if sw == 0x9000:
            return
        if sw == 0x6983:
            raise PukBlocked("the unblock code is blocked: the card must be replaced")
        if sw & 0xFFF0 == 0x63C0:
            raise WrongPuk(sw & 0x0F)
        raise CardError("the card refused the unblock code", sw)

    def sign_digest(self, digest: bytes) -> bytes:
        """ECDSA over a SHA-256 digest on the chip; the DER signature (needs :meth:`verify_pin` first)."""
        data, sw = self._command(SIGNING_AID, Command(0x00, 0x2A, 0x9E, 0x9A, digest, le=256))
        if sw == 0x6983:
            raise PinBlocked("the signing PIN is blocked: unblock it with the PUK")
        if sw == 0x6982:
            raise SigningError("the card wants the PIN before each signature")
        if sw == 0x6985:
            raise CardNotPersonalised("the card has no signing key")
        if sw != 0x9000 or len(data) != 64:
            raise CardError("the card refused to sign", sw)
        return encode_dss_signature(int.from_bytes(data[:32], "big"), int.from_bytes(data[32:], "big"))

    def otp(self, unix_time: int | None = None) -> str:
        """A code from the card's OTP application: TOTP for ``unix_time``, HOTP when it is None."""
        payload = b"" if unix_time is None else unix_time.to_bytes(8, "big")
        data, sw = self._command(OTP_AID, Command(0x00, 0x88, 0x00, 0x01, payload, le=256))
        if sw != 0x9000:
            raise CardError("the card refused to compute a one-time password", sw)
        return data.decode("ascii")
