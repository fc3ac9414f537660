"""PACE with ECDH generic mapping and AES-128 (ICAO 9303 part 11 section 4.4), the MRZ as password.

Four GENERAL AUTHENTICATE steps: the chip sends the encrypted nonce; both map it to a fresh generator
G' = s·G + H with H = ECDH of mapping keys; both agree on K with ephemeral keys on G'; both prove
K with MACed tokens over the other's ephemeral key.  :class:`PaceTerminal` and :class:`PaceChip` are the
two sides; the reader and the virtual chip drive them.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable

from citizenid.chip import _crypto, der
from citizenid.chip._ec import BY_PARAMETER_ID, Curve
from citizenid.chip.errors import AccessDeniedError
from citizenid.chip.lds import OID_PACE_ECDH_GM_AES_128
from citizenid.chip.sm import Command, SecureMessaging

_OID = der.oid(OID_PACE_ECDH_GM_AES_128)


def set_at_data(parameter_id: int) -> bytes:
    """MSE:Set AT data: protocol, password reference 1 (MRZ), domain parameters."""
    return der.tlv(0x80, _OID[2:]) + der.tlv(0x83, b"\x01") + der.tlv(0x84, bytes((parameter_id,)))


def _token(sm: SecureMessaging, curve: Curve, point: tuple[int, int]) -> bytes:
    return sm.mac_token(der.tlv(0x7F49, _OID + der.tlv(0x86, curve.encode(point))))


def _dynamic(data: bytes, tag: int) -> bytes:
    """The value of ``tag`` inside dynamic authentication data ``7C``; ValueError when absent."""
    inner = dict(der.children(der.unwrap(data, 0x7C)))
    if tag not in inner:
        raise ValueError(f"dynamic authentication data lacks {tag:X}")
    return inner[tag]


def _on_mapped_generator(curve: Curve, k: int, nonce: int, mapping_key: int,
                         other_mapping: tuple[int, int]) -> tuple[int, int]:
    """k·G' where G' = nonce·G + mapping_key·other_mapping, without forming G' (generic mapping).

    k·G' = (k·nonce)·G + (k·mapping_key)·other_mapping: one multiplication by the standard generator
    (OpenSSL) and one by an arbitrary point (pure Python) instead of three.
    """
    point = curve.add(curve.multiply_base(k * nonce % curve.n),
                      curve.multiply(k * mapping_key % curve.n, other_mapping))
    if point is None:
        raise ValueError("the mapped generator is the point at infinity")
    return point


def _curve(parameter_id: int) -> Curve:
    curve = BY_PARAMETER_ID.get(parameter_id)
    if curve is None:
        raise AccessDeniedError(f"PACE domain parameters {parameter_id} are not supported", 0x6A80)
    return curve


class PaceTerminal:
    """The reader's side.  Keys and nonce can be fixed for known-answer tests."""

    def __init__(self, mrz_information: str, parameter_id: int, *, mapping_key: int | None = None,
                 ephemeral_key: int | None = None) -> None:
        self.curve = _curve(parameter_id)
        self.parameter_id = parameter_id
        self._k_pi = _crypto.pace_password_key(mrz_information)
        self._mapping_key = mapping_key or self.curve.random_scalar()
        self._ephemeral_key = ephemeral_key
        self.shared_secret = b""

    def run(self, transceive: Callable[[Command], bytes]) -> SecureMessaging:
        """Drive the four steps through ``transceive`` (returns response data; raises on error SWs)."""
        curve = self.curve
        try:
            z = _dynamic(transceive(Command(0x10, 0x86, 0, 0, b"\x7c\x00", 256)), 0x80)
            nonce = int.from_bytes(_crypto.aes_decrypt(self._k_pi, z), "big")
            mapping_public = curve.multiply_base(self._mapping_key)
            step2 = der.tlv(0x7C, der.tlv(0x81, curve.encode(mapping_public)))
            answer = transceive(Command(0x10, 0x86, 0, 0, step2, 256))
            chip_mapping = curve.decode(_dynamic(answer, 0x82))
            ephemeral = self._ephemeral_key or curve.random_scalar()
            own_public = _on_mapped_generator(curve, ephemeral, nonce, self._mapping_key, chip_mapping)
            step3 = der.tlv(0x7C, der.tlv(0x83, curve.encode(own_public)))
            answer = transceive(Command(0x10, 0x86, 0, 0, step3, 256))
            chip_public = curve.decode(_dynamic(answer, 0x84))
            if chip_public == own_public:
                raise ValueError("the chip echoed our ephemeral key")
            if own_public is None:
                raise ValueError("ephemeral public key is the point at infinity")
            self.shared_secret = curve.shared_x(ephemeral, chip_public)
            sm = SecureMessaging.from_secret(self.shared_secret, aes=True)
            token = _token(sm, curve, chip_public)
            answer = transceive(Command(0x00, 0x86, 0, 0, der.tlv(0x7C, der.tlv(0x85, token)), 256))
            if not hmac.compare_digest(_dynamic(answer, 0x86), _token(sm, curve, own_public)):
                raise AccessDeniedError("the chip's PACE token does not verify", 0x6300)
        except ValueError as error:
            raise AccessDeniedError(f"PACE failed: {error}", 0x6300) from None
        return sm


class PaceChip:
    """The chip's side, one instance per MSE:Set AT."""

    def __init__(self, mrz_information: str, parameter_id: int, *, nonce: bytes | None = None,
                 mapping_key: int | None = None, ephemeral_key: int | None = None) -> None:
        self.curve = _curve(parameter_id)
        self._k_pi = _crypto.pace_password_key(mrz_information)
        self._nonce = nonce or secrets.token_bytes(16)
        self._mapping_key = mapping_key or self.curve.random_scalar()
        self._ephemeral_key = ephemeral_key or self.curve.random_scalar()
        self._step = 0
        self._terminal_mapping: tuple[int, int] | None = None
        self._own_public: tuple[int, int] | None = None
        self._terminal_public: tuple[int, int] | None = None
        self._sm: SecureMessaging | None = None

    def step(self, data: bytes, last: bool) -> tuple[bytes, SecureMessaging | None]:
        """Answer one GENERAL AUTHENTICATE; ValueError means a wrong or out-of-order step."""
        curve = self.curve
        self._step += 1
        if last != (self._step == 4):
            raise ValueError("command chaining out of order")
        if self._step == 1:
            der.unwrap(data, 0x7C)
            return der.tlv(0x7C, der.tlv(0x80, _crypto.aes_encrypt(self._k_pi, self._nonce))), None
        if self._step == 2:
            terminal_mapping = curve.decode(_dynamic(data, 0x81))
            mapping_public = curve.multiply_base(self._mapping_key)
            self._terminal_mapping = terminal_mapping
            return der.tlv(0x7C, der.tlv(0x82, curve.encode(mapping_public))), None
        if self._step == 3:
            terminal_public = curve.decode(_dynamic(data, 0x83))
            if self._terminal_mapping is None:
                raise ValueError("PACE step out of order")
            own = _on_mapped_generator(curve, self._ephemeral_key, int.from_bytes(self._nonce, "big"),
                                       self._mapping_key, self._terminal_mapping)
            if own == terminal_public:
                raise ValueError("ephemeral keys must differ")
            shared = curve.shared_x(self._ephemeral_key, terminal_public)
            self._own_public, self._terminal_public = own, terminal_public
            self._sm = SecureMessaging.from_secret(shared, aes=True)
            return der.tlv(0x7C, der.tlv(0x84, curve.encode(own))), None
        sm, own_point, terminal = self._sm, self._own_public, self._terminal_public
        if sm is None or own_point is None or terminal is None:
            raise ValueError("PACE step out of order")
        if not hmac.compare_digest(_dynamic(data, 0x85), _token(sm, curve, own_point)):
            raise ValueError("terminal token does not verify")
        return der.tlv(0x7C, der.tlv(0x86, _token(sm, curve, terminal))), sm
