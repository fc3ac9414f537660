"""The virtual chip: an APDU processor over a :class:`ChipImage` that answers like an ICAO 9303 card.

Before BAC or PACE only the LDS application and EF.CardAccess can be selected and read; every other
command that would return data answers 6982.  A wrong secure-messaging MAC (6988) or a plain command
during a session ends the session, as real chips do.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from citizenid.chip import der
from citizenid.chip.applications import OtpApplet, SigningApplet
from citizenid.chip.bac import BacKeys, chip_answer
from citizenid.chip.errors import LdsError, SecureMessagingError
from citizenid.chip.image import ChipImage
from citizenid.chip.lds import OID_CA_ECDH_AES_CBC_CMAC_128, OID_PACE_ECDH_GM_AES_128, File
from citizenid.chip.pace import PaceChip
from citizenid.chip.sm import Command, SecureMessaging, parse_command

LDS_AID = bytes.fromhex("A0000002471001")

SW_OK = 0x9000
SW_END_OF_FILE = 0x6282
SW_AUTH_FAILED = 0x6300
SW_WRONG_LENGTH = 0x6700
SW_SECURITY_NOT_SATISFIED = 0x6982
SW_CONDITIONS_NOT_SATISFIED = 0x6985
SW_NO_CURRENT_EF = 0x6986
SW_WRONG_DATA = 0x6A80
SW_FILE_NOT_FOUND = 0x6A82
SW_WRONG_P1P2 = 0x6A86
SW_WRONG_OFFSET = 0x6B00
SW_INS_NOT_SUPPORTED = 0x6D00
SW_CLA_NOT_SUPPORTED = 0x6E00

_BY_SFI = {f.sfi: f for f in File}
# Commands a selected card application (signature, OTP) answers itself; the rest stay the chip's.
_APPLET_INS = frozenset({0x20, 0x2A, 0x2C, 0x88, 0xB0})


def _sw(code: int) -> bytes:
    return code.to_bytes(2, "big")


class VirtualChip:
    def __init__(self, image: ChipImage) -> None:
        self._image = image
        self._bac_keys = BacKeys.from_mrz(image.mrz_information)
        self._applet: SigningApplet | OtpApplet | None = None
        self._reset()

    def _reset(self) -> None:
        self._in_lds = False
        self._selected: File | None = None
        self._sm: SecureMessaging | None = None
        self._challenge: bytes | None = None
        self._pace: PaceChip | None = None
        self._ca_pending = False
        self._issuer_authenticated = False
        self._select_applet(None)

    def _select_applet(self, applet: SigningApplet | OtpApplet | None) -> None:
        if self._applet is not None:
            self._applet.deselect()  # a verified PIN does not outlive its application's selection
        self._applet = applet

    @property
    def authenticated(self) -> bool:
        return self._sm is not None

    def transmit(self, apdu: bytes) -> bytes:
        """Process one command APDU and return the response APDU (data ‖ SW1 SW2)."""
        try:
            command = parse_command(apdu)
        except ValueError:
            return _sw(SW_WRONG_LENGTH)
        if command.cla & 0xE3:
            return _sw(SW_CLA_NOT_SUPPORTED)
        if command.cla & 0x0C == 0x0C:
            sm = self._sm
            if sm is None:
                return _sw(SW_CONDITIONS_NOT_SATISFIED)
            try:
                plain = sm.unwrap_command(command)
            except SecureMessagingError as error:
                self._reset()
                return _sw(error.sw)
            data, sw, next_sm = self._dispatch(plain, secured=True)
            response = sm.wrap_response(data, sw, odd_ins=bool(plain.ins & 1))
            if next_sm is not None:
                self._sm = next_sm
            return response
        if self._sm is not None:
            # A plain command inside a session ends it (ICAO 9303-11 9.8.5).
            self._reset()
        data, sw, next_sm = self._dispatch(command, secured=False)
        if next_sm is not None:
            self._sm = next_sm
        return data + _sw(sw)

    # -- dispatch --------------------------------------------------------------------------------------

    def _dispatch(self, c: Command, *, secured: bool) -> tuple[bytes, int, SecureMessaging | None]:
        ins = c.ins
        if self._applet is not None and ins in _APPLET_INS:
            if not secured:
                return b"", SW_SECURITY_NOT_SATISFIED, None
            data, sw = self._applet.process(c)
            return data, sw, None
        if ins == 0xA4:
            return b"", self._select(c, secured), None
        if ins in (0xB0, 0xB1):
            data, sw = self._read_binary(c, secured)
            return data, sw, None
        if ins == 0x84:
            if c.le != 8 or c.data:
                return b"", SW_WRONG_LENGTH, None
            self._challenge = secrets.token_bytes(8)
            return self._challenge, SW_OK, None
        if ins == 0x82 and secured:
            return b"", self._issuer_authenticate(c), None
        if ins == 0x82:
            return self._external_authenticate(c)
        if ins == 0xD6:
            return b"", self._update_binary(c, secured), None
        if ins == 0x22:
            return b"", self._manage_security_environment(c, secured), None
        if ins == 0x86:
            return self._general_authenticate(c, secured)
        if ins == 0x88:
            data, sw = self._internal_authenticate(c, secured)
            return data, sw, None
        return b"", SW_INS_NOT_SUPPORTED, None

    def _select(self, c: Command, secured: bool) -> int:
        self._select_applet(None)
        if c.p1 == 0x04:
            if c.data != LDS_AID:
                applications = self._image.applications
                applet = applications.by_aid(c.data) if applications is not None else None
                if applet is None:
                    return SW_FILE_NOT_FOUND
                self._in_lds, self._selected = False, None
                self._select_applet(applet)
                return SW_OK
            self._in_lds = True
            self._selected = None
            return SW_OK
        if c.p1 in (0x00, 0x02) and c.p2 in (0x00, 0x0C):
            if len(c.data) != 2:
                return SW_WRONG_LENGTH
            fid = int.from_bytes(c.data, "big")
            if fid == 0x3F00:
                self._in_lds, self._selected = False, None
                return SW_OK
            try:
                file = File(fid)
            except ValueError:
                return SW_FILE_NOT_FOUND
            return self._choose(file, secured)
        return SW_WRONG_P1P2

    def _choose(self, file: File, secured: bool) -> int:
        if file is not File.CARD_ACCESS and not (secured and self._in_lds):
            return SW_SECURITY_NOT_SATISFIED
        if file not in self._image.files:
            return SW_FILE_NOT_FOUND
        self._selected = file
        return SW_OK

    def _read_binary(self, c: Command, secured: bool) -> tuple[bytes, int]:
        if c.le is None:
            return b"", SW_WRONG_LENGTH
        offset, sw = self._locate(c, secured)
        if sw != SW_OK:
            return b"", sw
        if self._selected is None:
            return b"", SW_NO_CURRENT_EF
        if self._selected is not File.CARD_ACCESS and not secured:
            return b"", SW_SECURITY_NOT_SATISFIED
        content = self._image.files[self._selected]
        if offset >= len(content):
            return b"", SW_WRONG_OFFSET
        chunk = content[offset : offset + c.le]
        if c.ins == 0xB1:
            chunk = der.tlv(0x53, chunk)
        return chunk, SW_OK if offset + c.le <= len(content) else SW_END_OF_FILE

    def _locate(self, c: Command, secured: bool) -> tuple[int, int]:
        """The offset a READ BINARY asks for, selecting by SFI or file ID first where it says so."""
        if c.ins == 0xB1:
            try:
                offset_do = der.unwrap(c.data, 0x54)
            except LdsError:
                return 0, SW_WRONG_DATA
            if not 1 <= len(offset_do) <= 3:
                return 0, SW_WRONG_DATA
            if c.p1 or c.p2:
                return int.from_bytes(offset_do, "big"), self._select_fid((c.p1 << 8) | c.p2, secured)
            return int.from_bytes(offset_do, "big"), SW_OK
        if c.p1 & 0x80:
            file = _BY_SFI.get(c.p1 & 0x1F)
            if file is None or c.p1 & 0x60:
                return 0, SW_FILE_NOT_FOUND if file is None else SW_WRONG_P1P2
            return c.p2, self._choose(file, secured)
        return (c.p1 << 8) | c.p2, SW_OK

    def _select_fid(self, fid: int, secured: bool) -> int:
        try:
            return self._choose(File(fid), secured)
        except ValueError:
            return SW_FILE_NOT_FOUND

    # -- access control -----------------------------------------------------------------------------------

    def _external_authenticate(self, c: Command) -> tuple[bytes, int, SecureMessaging | None]:
        challenge, self._challenge = self._challenge, None
        if challenge is None:
            return b"", SW_CONDITIONS_NOT_SATISFIED, None
        if len(c.data) != 40 or c.le not in (40, 256):
            return b"", SW_WRONG_LENGTH, None
        result = chip_answer(self._bac_keys, challenge, c.data)
        if result is None:
            return b"", SW_AUTH_FAILED, None
        answer, sm = result
        return answer, SW_OK, sm

    def _issuer_authenticate(self, c: Command) -> int:
        """EXTERNAL AUTHENTICATE inside a session: the issuer proves its update key with
        HMAC-SHA256(key, challenge)[:16] over the chip's last GET CHALLENGE (decision 0054)."""
        challenge, self._challenge = self._challenge, None
        key = self._image.update_key
        if key is None or challenge is None:
            return SW_CONDITIONS_NOT_SATISFIED
        expected = hmac.new(key, challenge, hashlib.sha256).digest()[:16]
        self._issuer_authenticated = hmac.compare_digest(expected, c.data)
        return SW_OK if self._issuer_authenticated else SW_AUTH_FAILED

    def _update_binary(self, c: Command, secured: bool) -> int:
        """UPDATE BINARY of the selected EF, only under secure messaging after issuer authentication.
        Writing at offset 0 starts the file afresh, so a shorter new version leaves no old tail."""
        if not (secured and self._issuer_authenticated):
            return SW_SECURITY_NOT_SATISFIED
        if c.p1 & 0x80:
            return SW_WRONG_P1P2
        if self._selected is None or self._selected is File.CARD_ACCESS:
            return SW_NO_CURRENT_EF
        offset = (c.p1 << 8) | c.p2
        current = b"" if offset == 0 else self._image.files[self._selected]
        if offset > len(current):
            return SW_WRONG_OFFSET
        self._image.files[self._selected] = current[:offset] + c.data + current[offset + len(c.data) :]
        return SW_OK

    def _manage_security_environment(self, c: Command, secured: bool) -> int:
        try:
            fields = dict(der.children(c.data))
        except LdsError:
            return SW_WRONG_DATA
        protocol = der.decode_oid(fields[0x80]) if fields.get(0x80) else ""
        if (c.p1, c.p2) == (0xC1, 0xA4) and protocol == OID_PACE_ECDH_GM_AES_128:
            parameter_id = int.from_bytes(fields.get(0x84, b"\x0d"), "big")
            if self._image.pace_parameter_id != parameter_id or fields.get(0x83) != b"\x01":
                return SW_WRONG_DATA
            self._pace = PaceChip(self._image.mrz_information, parameter_id)
            return SW_OK
        if (c.p1, c.p2) == (0x41, 0xA4) and protocol == OID_CA_ECDH_AES_CBC_CMAC_128:
            if not secured or self._image.ca_key is None:
                return SW_CONDITIONS_NOT_SATISFIED
            self._ca_pending = True
            return SW_OK
        return SW_WRONG_DATA

    def _general_authenticate(self, c: Command, secured: bool) -> tuple[bytes, int, SecureMessaging | None]:
        if self._ca_pending and secured:
            self._ca_pending = False
            return self._chip_authenticate(c)
        pace = self._pace
        if pace is None:
            return b"", SW_CONDITIONS_NOT_SATISFIED, None
        try:
            data, sm = pace.step(c.data, last=not c.cla & 0x10)
        except (ValueError, LdsError):
            self._pace = None
            return b"", SW_AUTH_FAILED, None
        if sm is not None:
            self._pace = None
        return data, SW_OK, sm

    def _chip_authenticate(self, c: Command) -> tuple[bytes, int, SecureMessaging | None]:
        key = self._image.ca_key
        assert key is not None, "checked by MSE:Set AT"
        try:
            encoded = dict(der.children(der.unwrap(c.data, 0x7C)))[0x80]
            terminal = ec.EllipticCurvePublicKey.from_encoded_point(key.curve, encoded)
            secret = key.exchange(ec.ECDH(), terminal)
        except (LdsError, KeyError, ValueError, UnsupportedAlgorithm):
            return b"", SW_WRONG_DATA, None
        return b"\x7c\x00", SW_OK, SecureMessaging.from_secret(secret, aes=True)

    def _internal_authenticate(self, c: Command, secured: bool) -> tuple[bytes, int]:
        if not secured:
            return b"", SW_SECURITY_NOT_SATISFIED
        if self._image.aa_key is None:
            return b"", SW_INS_NOT_SUPPORTED
        if len(c.data) != 8 or c.le is None:
            return b"", SW_WRONG_LENGTH
        r, s = decode_dss_signature(self._image.aa_key.sign(c.data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big"), SW_OK
