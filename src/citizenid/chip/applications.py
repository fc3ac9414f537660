"""The card's applications beside the ICAO one: the signature application and the OTP application.

Chip side only.  Both are selected by AID and answer only under secure messaging (BAC or PACE first).

Signature application (:data:`SIGNING_AID`)::

    VERIFY                00 20 00 81  PIN (ASCII digits); no data: ask how many tries are left
    PSO: COMPUTE DIG. SIG 00 2A 9E 9A  a SHA-256 digest (32 bytes) -> r || s (64 bytes); needs VERIFY first,
                                       and a verified PIN is good for one signature only
    RESET RETRY COUNTER   00 2C 00 81  PUK (8 digits) || new PIN: unblocks and sets the PIN
    READ BINARY           00 B0 off    the holder's signing certificate (DER)

OTP application (:data:`OTP_AID`)::

    INTERNAL AUTHENTICATE 00 88 00 01  TOTP: the terminal's Unix time (8 bytes) -> the code (ASCII digits)
                                       HOTP: no data -> the code for the card's own counter, which moves

The signing key is generated on the chip (:meth:`SigningApplet.generate_key` is the production centre's
personalisation interface, used before the card leaves it) and no command reads it or the OTP seed out.
Five wrong PINs block the key (6983); the PUK unblocks it; ten wrong PUKs block the application for good.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_der_private_key,
)

from citizenid.chip.errors import ChipImageError
from citizenid.chip.sm import Command

SIGNING_AID = bytes.fromhex("A0000007045349474E")  # proprietary RID, then "SIGN"
OTP_AID = bytes.fromhex("A0000007044F5450")  # proprietary RID, then "OTP"

PIN_TRIES = 5
PUK_TRIES = 10
PIN_LENGTHS = range(6, 13)
PUK_LENGTH = 8

SW_OK = 0x9000
SW_WRONG_LENGTH = 0x6700
SW_SECURITY_NOT_SATISFIED = 0x6982
SW_BLOCKED = 0x6983
SW_CONDITIONS_NOT_SATISFIED = 0x6985
SW_WRONG_DATA = 0x6A80
SW_REFERENCE_NOT_FOUND = 0x6A88
SW_WRONG_P1P2 = 0x6A86
SW_WRONG_OFFSET = 0x6B00
SW_INS_NOT_SUPPORTED = 0x6D00


def tries_left_sw(tries: int) -> int:
    return 0x63C0 | min(tries, 15)


def _digits(value: bytes, lengths: range) -> bool:
    return len(value) in lengths and value.isdigit()


@dataclass(slots=True)
class Secret:
    """A PIN or PUK as the chip keeps it: salted hash and retry counter, never the value."""

    salt: bytes
    digest: bytes
    tries_left: int
    max_tries: int

    @classmethod
    def of(cls, value: str, max_tries: int) -> Secret:
        salt = secrets.token_bytes(16)
        return cls(salt, hashlib.sha256(salt + value.encode()).digest(), max_tries, max_tries)

    def check(self, value: bytes) -> bool:
        """Compare and count: a wrong value costs a try, a right one restores them all."""
        if self.tries_left == 0:
            return False
        if hmac.compare_digest(hashlib.sha256(self.salt + value).digest(), self.digest):
            self.tries_left = self.max_tries
            return True
        self.tries_left -= 1
        return False

    def to_json(self) -> dict[str, Any]:
        return {"salt": self.salt.hex(), "digest": self.digest.hex(), "tries_left": self.tries_left,
                "max_tries": self.max_tries}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Secret:
        return cls(bytes.fromhex(data["salt"]), bytes.fromhex(data["digest"]), int(data["tries_left"]),
                   int(data["max_tries"]))


@dataclass(slots=True)
class SigningApplet:
    pin: Secret
    puk: Secret
    key: ec.EllipticCurvePrivateKey | None = None
    certificate: bytes = b""
    _verified: bool = field(default=False, repr=False)

    @classmethod
    def create(cls, pin: str, puk: str) -> SigningApplet:
        if not _digits(pin.encode(), PIN_LENGTHS) or not _digits(puk.encode(), range(PUK_LENGTH, PUK_LENGTH + 1)):
            raise ValueError(f"the PIN is 6-12 digits and the PUK {PUK_LENGTH} digits")
        return cls(Secret.of(pin, PIN_TRIES), Secret.of(puk, PUK_TRIES))

    # -- personalisation interface (production centre only, before issue) --------------------------

    def generate_key(self) -> ec.EllipticCurvePublicKey:
        """Make the key pair on the chip; only the public key comes out."""
        if self.key is not None:
            raise ValueError("the signing key exists: a chip makes its key once")
        self.key = ec.generate_private_key(ec.SECP256R1())
        return self.key.public_key()

    def store_certificate(self, certificate_der: bytes) -> None:
        self.certificate = certificate_der

    @property
    def blocked(self) -> bool:
        return self.pin.tries_left == 0

    # -- commands ----------------------------------------------------------------------------------

    def deselect(self) -> None:
        self._verified = False

    def process(self, c: Command) -> tuple[bytes, int]:
        if c.ins == 0x20:
            return b"", self._verify(c)
        if c.ins == 0x2A:
            return self._sign(c)
        if c.ins == 0x2C:
            return b"", self._reset_retry_counter(c)
        if c.ins == 0xB0:
            return self._read_certificate(c)
        return b"", SW_INS_NOT_SUPPORTED

    def _verify(self, c: Command) -> int:
        if (c.p1, c.p2) != (0x00, 0x81):
            return SW_REFERENCE_NOT_FOUND
        self._verified = False
        if self.blocked:
            return SW_BLOCKED
        if not c.data:
            return tries_left_sw(self.pin.tries_left)
        if not _digits(c.data, PIN_LENGTHS):
            # A malformed PIN is refused before it is compared, so it costs no try.
            return SW_WRONG_DATA
        if self.pin.check(c.data):
            self._verified = True
            return SW_OK
        return SW_BLOCKED if self.blocked else tries_left_sw(self.pin.tries_left)

    def _sign(self, c: Command) -> tuple[bytes, int]:
        if (c.p1, c.p2) != (0x9E, 0x9A):
            return b"", SW_WRONG_P1P2
        if self.key is None:
            return b"", SW_CONDITIONS_NOT_SATISFIED
        if self.blocked:
            return b"", SW_BLOCKED
        if not self._verified:
            return b"", SW_SECURITY_NOT_SATISFIED
        if len(c.data) != 32:
            return b"", SW_WRONG_LENGTH
        self._verified = False  # one PIN entry, one signature
        r, s = decode_dss_signature(self.key.sign(c.data, ec.ECDSA(Prehashed(hashes.SHA256()))))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big"), SW_OK

    def _reset_retry_counter(self, c: Command) -> int:
        if (c.p1, c.p2) != (0x00, 0x81):
            return SW_REFERENCE_NOT_FOUND
        if self.puk.tries_left == 0:
            return SW_BLOCKED
        puk, new_pin = c.data[:PUK_LENGTH], c.data[PUK_LENGTH:]
        if not _digits(puk, range(PUK_LENGTH, PUK_LENGTH + 1)) or not _digits(new_pin, PIN_LENGTHS):
            return SW_WRONG_DATA
        if not self.puk.check(puk):
            return SW_BLOCKED if self.puk.tries_left == 0 else tries_left_sw(self.puk.tries_left)
        self.pin = Secret.of(new_pin.decode(), PIN_TRIES)
        return SW_OK

    def _read_certificate(self, c: Command) -> tuple[bytes, int]:
        if not self.certificate:
            return b"", SW_CONDITIONS_NOT_SATISFIED
        if c.p1 & 0x80 or c.le is None:
            return b"", SW_WRONG_P1P2 if c.p1 & 0x80 else SW_WRONG_LENGTH
        offset = (c.p1 << 8) | c.p2
        if offset >= len(self.certificate):
            return b"", SW_WRONG_OFFSET
        return self.certificate[offset : offset + c.le], SW_OK

    def to_json(self) -> dict[str, Any]:
        key = None
        if self.key is not None:
            key = base64.b64encode(self.key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())).decode()
        return {"pin": self.pin.to_json(), "puk": self.puk.to_json(), "key": key,
                "certificate": base64.b64encode(self.certificate).decode()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SigningApplet:
        key = None
        if data.get("key"):
            loaded = load_der_private_key(base64.b64decode(data["key"], validate=True), None)
            if not isinstance(loaded, ec.EllipticCurvePrivateKey):
                raise ChipImageError("the signing key must be an elliptic-curve key")
            key = loaded
        return cls(Secret.from_json(data["pin"]), Secret.from_json(data["puk"]), key,
                   base64.b64decode(data.get("certificate", ""), validate=True))


@dataclass(slots=True)
class OtpApplet:
    """HOTP/TOTP on the card (RFC 4226 / 6238); the algorithm is the OTP area's, repeated here because
    the chip must not depend on the server: the known-answer tests pin both to the same vectors."""

    secret: bytes
    kind: str = "totp"
    algorithm: str = "sha1"
    digits: int = 6
    period: int = 30
    counter: int = 0

    def code(self, moving_factor: int) -> str:
        mac = hmac.digest(self.secret, moving_factor.to_bytes(8, "big"), self.algorithm)
        offset = mac[-1] & 0x0F
        value = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
        return str(value % 10**self.digits).zfill(self.digits)

    def deselect(self) -> None:
        return None

    def process(self, c: Command) -> tuple[bytes, int]:
        if c.ins != 0x88:
            return b"", SW_INS_NOT_SUPPORTED
        if (c.p1, c.p2) != (0x00, 0x01):
            return b"", SW_WRONG_P1P2
        if self.kind == "hotp":
            if c.data:
                return b"", SW_WRONG_LENGTH
            code = self.code(self.counter)
            self.counter += 1
            return code.encode(), SW_OK
        if len(c.data) != 8:
            return b"", SW_WRONG_LENGTH
        unix_time = int.from_bytes(c.data, "big")
        return self.code(unix_time // self.period).encode(), SW_OK

    def to_json(self) -> dict[str, Any]:
        return {"secret": base64.b64encode(self.secret).decode(), "kind": self.kind, "algorithm": self.algorithm,
                "digits": self.digits, "period": self.period, "counter": self.counter}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OtpApplet:
        return cls(base64.b64decode(data["secret"], validate=True), str(data["kind"]), str(data["algorithm"]),
                   int(data["digits"]), int(data["period"]), int(data["counter"]))


@dataclass(slots=True)
class CardApplications:
    """The applications a chip carries beside the LDS; part of its :class:`~citizenid.chip.image.ChipImage`."""

    signing: SigningApplet | None = None
    otp: OtpApplet | None = None

    def by_aid(self, aid: bytes) -> SigningApplet | OtpApplet | None:
        if aid == SIGNING_AID:
            return self.signing
        if aid == OTP_AID:
            return self.otp
        return None

    def to_json(self) -> dict[str, Any]:
        return {"signing": self.signing.to_json() if self.signing else None,
                "otp": self.otp.to_json() if self.otp else None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CardApplications:
        return cls(SigningApplet.from_json(data["signing"]) if data.get("signing") else None,
                   OtpApplet.from_json(data["otp"]) if data.get("otp") else None)
