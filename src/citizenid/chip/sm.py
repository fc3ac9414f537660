"""Secure messaging (ICAO 9303 part 11 section 9.8): both the terminal's and the chip's side.

One :class:`SecureMessaging` per session holds KS_enc, KS_mac and the send sequence counter, which is
incremented before every command and every response.  3DES sessions (BAC) use a zero IV and the retail
MAC; AES sessions (PACE, chip authentication) use IV = E(KS_enc, SSC) and AES-CMAC.
"""

from __future__ import annotations

from dataclasses import dataclass

from citizenid.chip import _crypto
from citizenid.chip.der import encode_length, read_tlv
from citizenid.chip.errors import LdsError, SecureMessagingError

SW_SM_OBJECTS_INCORRECT = 0x6988
SW_SM_OBJECTS_MISSING = 0x6987


@dataclass(frozen=True, slots=True)
class Command:
    """A plain command APDU.  ``le`` None means no Le; 0 with ``extended`` False means 256."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None
    extended: bool = False

    def encode(self) -> bytes:
        header = bytes((self.cla, self.ins, self.p1, self.p2))
        ext = self.extended or len(self.data) > 255 or (self.le is not None and self.le > 256)
        body = b""
        if self.data:
            body += (b"\x00" + len(self.data).to_bytes(2, "big") if ext else bytes((len(self.data),))) + self.data
        if self.le is not None:
            if ext:
                body += (b"" if self.data else b"\x00") + (self.le % 65536).to_bytes(2, "big")
            else:
                body += bytes((self.le % 256,))
        return header + body


def parse_command(apdu: bytes) -> Command:
    """Decode an ISO 7816-4 command APDU (cases 1-4, short and extended); ValueError when malformed."""
    if len(apdu) < 4:
        raise ValueError("APDU shorter than its header")
    cla, ins, p1, p2 = apdu[:4]
    body = apdu[4:]
    if not body:
        return Command(cla, ins, p1, p2)
    if len(body) == 1:
        return Command(cla, ins, p1, p2, le=body[0] or 256)
    if body[0] != 0:
        lc = body[0]
        if len(body) == 1 + lc:
            return Command(cla, ins, p1, p2, body[1:])
        if len(body) == 2 + lc:
            return Command(cla, ins, p1, p2, body[1 : 1 + lc], body[-1] or 256)
        raise ValueError("Lc does not match the data length")
    if len(body) == 3:
        return Command(cla, ins, p1, p2, le=int.from_bytes(body[1:3], "big") or 65536, extended=True)
    lc = int.from_bytes(body[1:3], "big")
    if lc == 0:
        raise ValueError("extended Lc of zero")
    rest = body[3:]
    if len(rest) == lc:
        return Command(cla, ins, p1, p2, rest, extended=True)
    if len(rest) == lc + 2:
        return Command(cla, ins, p1, p2, rest[:lc], int.from_bytes(rest[lc:], "big") or 65536, extended=True)
    raise ValueError("extended Lc does not match the data length")


def _do(tag: int, value: bytes) -> bytes:
    return bytes((tag,)) + encode_length(len(value)) + value


def _parse_dos(data: bytes) -> list[tuple[int, bytes]]:
    out = []
    offset = 0
    try:
        while offset < len(data):
            tag, start, stop = read_tlv(data, offset)
            out.append((tag, data[start:stop]))
            offset = stop
    except LdsError:
        raise SecureMessagingError("malformed secure-messaging data objects", SW_SM_OBJECTS_INCORRECT) from None
    return out


class SecureMessaging:
    __slots__ = ("_aes", "_aes_cbc", "_block", "_cmac", "_enc", "_mac", "_retail", "_tdes", "ssc")

    def __init__(self, ks_enc: bytes, ks_mac: bytes, ssc: int, *, aes: bool) -> None:
        self._enc = ks_enc
        self._mac = ks_mac
        self._aes = aes
        self._block = 16 if aes else 8
        self._cmac = _crypto.AesCmac(ks_mac) if aes else None
        self._aes_cbc = _crypto.AesCbc(ks_enc) if aes else None
        self._retail = None if aes else _crypto.RetailMac(ks_mac)
        self._tdes = None if aes else _crypto.TdesCbc(ks_enc)
        self.ssc = ssc

    @classmethod
    def from_secret(cls, shared_secret: bytes, *, aes: bool, ssc: int = 0) -> SecureMessaging:
        return cls(_crypto.kdf(shared_secret, _crypto.ENC, aes=aes), _crypto.kdf(shared_secret, _crypto.MAC, aes=aes),
                   ssc, aes=aes)

    @property
    def is_aes(self) -> bool:
        return self._aes

    def _ssc_bytes(self) -> bytes:
        return self.ssc.to_bytes(self._block, "big")

    def _encrypt(self, data: bytes) -> bytes:
        padded = _crypto.pad(data, self._block)
        if self._aes_cbc is not None:
            return self._aes_cbc.encrypt(padded, self._aes_cbc.block(self._ssc_bytes()))
        assert self._tdes is not None
        return self._tdes.encrypt(padded)

    def _decrypt(self, data: bytes) -> bytes:
        if not data or len(data) % self._block:
            raise SecureMessagingError("encrypted data is not whole blocks", SW_SM_OBJECTS_INCORRECT)
        if self._aes_cbc is not None:
            plain = self._aes_cbc.decrypt(data, self._aes_cbc.block(self._ssc_bytes()))
        else:
            assert self._tdes is not None
            plain = self._tdes.decrypt(data)
        try:
            return _crypto.unpad(plain)
        except ValueError:
            raise SecureMessagingError("bad padding in encrypted data", SW_SM_OBJECTS_INCORRECT) from None

    def _mac_of(self, data: bytes) -> bytes:
        message = _crypto.pad(self._ssc_bytes() + data, self._block)
        if self._cmac is not None:
            return self._cmac(message)
        assert self._retail is not None
        return self._retail(message)

    def mac_token(self, data: bytes) -> bytes:
        """AES-CMAC under KS_mac without the SSC: PACE authentication tokens."""
        return _crypto.aes_cmac(self._mac, data)

    # -- terminal side -----------------------------------------------------------------------------

    def protect(self, command: Command) -> bytes:
        self.ssc += 1
        cla = command.cla | 0x0C
        header = bytes((cla, command.ins, command.p1, command.p2))
        body = b""
        if command.data:
            encrypted = self._encrypt(command.data)
            body += _do(0x85, encrypted) if command.ins & 1 else _do(0x87, b"\x01" + encrypted)
        extended = command.extended or (command.le is not None and command.le > 256)
        if command.le is not None:
            le = command.le % (65536 if extended else 256)
            body += _do(0x97, le.to_bytes(2 if extended else 1, "big"))
        mac = self._mac_of(_crypto.pad(header, self._block) + body)
        body += _do(0x8E, mac)
        extended = extended or len(body) > 255
        return Command(cla, command.ins, command.p1, command.p2, body, 0, extended).encode()

    def unprotect(self, response: bytes) -> tuple[bytes, int]:
        """The plain data and status word of a protected response; raises on a missing or wrong MAC."""
        self.ssc += 1
        if len(response) < 2:
            raise SecureMessagingError("response shorter than a status word", SW_SM_OBJECTS_INCORRECT)
        body, sw = response[:-2], int.from_bytes(response[-2:], "big")
        if not body:
            raise SecureMessagingError("the card answered without secure messaging", sw)
        objects = _parse_dos(body)
        if not objects or objects[-1][0] != 0x8E:
            raise SecureMessagingError("response lacks its MAC", SW_SM_OBJECTS_MISSING)
        covered = body[: len(body) - 10]
        if len(objects[-1][1]) != 8 or self._mac_of(covered) != objects[-1][1]:
            raise SecureMessagingError("response MAC is wrong", SW_SM_OBJECTS_INCORRECT)
        values = dict(objects[:-1])
        plain = b""
        if 0x87 in values:
            if not values[0x87] or values[0x87][0] != 1:
                raise SecureMessagingError("unknown padding indicator", SW_SM_OBJECTS_INCORRECT)
            plain = self._decrypt(values[0x87][1:])
        elif 0x85 in values:
            plain = self._decrypt(values[0x85])
        if 0x99 in values and len(values[0x99]) == 2:
            sw = int.from_bytes(values[0x99], "big")
        return plain, sw

    # -- chip side ---------------------------------------------------------------------------------

    def unwrap_command(self, command: Command) -> Command:
        """The plain command inside a protected one; raises :class:`SecureMessagingError` (6987 / 6988)."""
        self.ssc += 1
        if command.cla & 0x0C != 0x0C:
            raise SecureMessagingError("command without secure messaging", SW_SM_OBJECTS_MISSING)
        objects = _parse_dos(command.data)
        if not objects or objects[-1][0] != 0x8E or len(objects[-1][1]) != 8:
            raise SecureMessagingError("command lacks its MAC", SW_SM_OBJECTS_MISSING)
        header = bytes((command.cla, command.ins, command.p1, command.p2))
        covered = _crypto.pad(header, self._block) + command.data[: len(command.data) - 10]
        if self._mac_of(covered) != objects[-1][1]:
            raise SecureMessagingError("command MAC is wrong", SW_SM_OBJECTS_INCORRECT)
        data = b""
        le: int | None = None
        extended = False
        for tag, value in objects[:-1]:
            if tag == 0x87:
                if not value or value[0] != 1:
                    raise SecureMessagingError("unknown padding indicator", SW_SM_OBJECTS_INCORRECT)
                data = self._decrypt(value[1:])
            elif tag == 0x85:
                data = self._decrypt(value)
            elif tag == 0x97:
                if len(value) not in (1, 2):
                    raise SecureMessagingError("Le object of wrong length", SW_SM_OBJECTS_INCORRECT)
                extended = len(value) == 2
                le = int.from_bytes(value, "big") or (65536 if extended else 256)
            else:
                raise SecureMessagingError(f"unexpected data object {tag:X}", SW_SM_OBJECTS_INCORRECT)
        return Command(command.cla & ~0x0C & 0xFF, command.ins, command.p1, command.p2, data, le, extended)

    def wrap_response(self, data: bytes, sw: int, *, odd_ins: bool = False) -> bytes:
        self.ssc += 1
        body = b""
        if data:
            encrypted = self._encrypt(data)
            body += _do(0x85, encrypted) if odd_ins else _do(0x87, b"\x01" + encrypted)
        body += _do(0x99, sw.to_bytes(2, "big"))
        body += _do(0x8E, self._mac_of(body))
        return body + sw.to_bytes(2, "big")
