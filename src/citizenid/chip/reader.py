"""The reader: opens a chip with PACE (when EF.CardAccess offers it) or BAC, reads every file, and runs
chip and active authentication.  What it reads is judged by :mod:`citizenid.chip.verifier`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_der_public_key

from citizenid.chip import der, lds
from citizenid.chip.bac import BacKeys, BacTerminal
from citizenid.chip.card import LDS_AID
from citizenid.chip.errors import CardError, LdsError, SecureMessagingError
from citizenid.chip.lds import OID_CA_ECDH_AES_CBC_CMAC_128, File
from citizenid.chip.pace import PaceTerminal, set_at_data
from citizenid.chip.sm import Command, SecureMessaging
from citizenid.chip.transport import Transport

SHORT_READ = 0xDF  # the most a short READ BINARY can return under secure messaging with room for the MAC


@dataclass(slots=True)
class CardRead:
    """Everything read from a chip, and how."""

    files: dict[File, bytes] = field(default_factory=dict)
    access: str = ""
    chip_authenticated: bool | None = None
    active_attempted: bool = False
    active_challenge: bytes | None = None
    active_signature: bytes | None = None
    notes: list[str] = field(default_factory=list)


class Reader:
    def __init__(self, transport: Transport, *, extended_length: bool = False, max_read: int | None = None) -> None:
        self._transport = transport
        self._extended = extended_length
        self._max_read = max_read or (0xFF00 if extended_length else SHORT_READ)
        self._sm: SecureMessaging | None = None

    # -- exchanges ---------------------------------------------------------------------------------------

    def _plain(self, command: Command) -> tuple[bytes, int]:
        response = self._transport.transmit(command.encode())
        if len(response) < 2:
            raise CardError("the card answered with less than a status word", 0x6F00)
        return response[:-2], int.from_bytes(response[-2:], "big")

    def _secure(self, command: Command) -> tuple[bytes, int]:
        sm = self._sm
        if sm is None:
            return self._plain(command)
        return sm.unprotect(self._transport.transmit(sm.protect(command)))

    def _ok(self, command: Command, what: str) -> bytes:
        data, sw = self._secure(command)
        if sw not in (0x9000, 0x6282):
            raise CardError(f"the card refused {what}", sw)
        return data

    # -- access ------------------------------------------------------------------------------------------------

    def _card_access(self) -> bytes | None:
        _, sw = self._plain(Command(0x00, 0xA4, 0x02, 0x0C, File.CARD_ACCESS.to_bytes(2, "big")))
        if sw != 0x9000:
            return None
        return self._read_current()

    def _pace(self, mrz_information: str, parameter_id: int) -> None:
        _, sw = self._plain(Command(0x00, 0x22, 0xC1, 0xA4, set_at_data(parameter_id)))
        if sw != 0x9000:
            raise CardError("the card refused MSE:Set AT for PACE", sw)

        def transceive(command: Command) -> bytes:
            data, status = self._plain(command)
            if status != 0x9000:
                raise CardError("the card refused a PACE step: wrong MRZ or not this card", status)
            return data

        self._sm = PaceTerminal(mrz_information, parameter_id).run(transceive)
        self._ok(Command(0x00, 0xA4, 0x04, 0x0C, LDS_AID), "selecting the LDS application")

    def _bac(self, mrz_information: str) -> None:
        _, sw = self._plain(Command(0x00, 0xA4, 0x04, 0x0C, LDS_AID))
        if sw != 0x9000:
            raise CardError("the card has no ICAO LDS application", sw)
        challenge, sw = self._plain(Command(0x00, 0x84, 0x00, 0x00, le=8))
        if sw != 0x9000 or len(challenge) != 8:
            raise CardError("the card refused GET CHALLENGE", sw)
        terminal = BacTerminal(BacKeys.from_mrz(mrz_information))
        answer, sw = self._plain(Command(0x00, 0x82, 0x00, 0x00, terminal.authenticate_data(challenge), 40))
        if sw != 0x9000:
            raise CardError("BAC refused: wrong MRZ or not this card", sw)
        self._sm = terminal.complete(answer)

    def _chip_authentication(self, dg14: bytes) -> bool | None:
        spki, _ = lds.decode_dg14(dg14)
        if spki is None:
            return None
        try:
            chip_key = load_der_public_key(spki)
        except (ValueError, UnsupportedAlgorithm):
            return False
        if not isinstance(chip_key, ec.EllipticCurvePublicKey):
            return False
        ephemeral = ec.generate_private_key(chip_key.curve)
        protocol = der.tlv(0x80, der.oid(OID_CA_ECDH_AES_CBC_CMAC_128)[2:])
        self._ok(Command(0x00, 0x22, 0x41, 0xA4, protocol), "MSE:Set AT for chip authentication")
        point = ephemeral.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        self._ok(Command(0x00, 0x86, 0x00, 0x00, der.tlv(0x7C, der.tlv(0x80, point)), 256), "chip authentication")
        self._sm = SecureMessaging.from_secret(ephemeral.exchange(ec.ECDH(), chip_key), aes=True)
        # Only the chip that holds the DG14 private key can answer under the new keys: the next read proves it.
        return True

    # -- files ----------------------------------------------------------------------------------------------------

    def _read_binary(self, offset: int, length: int) -> bytes:
        if offset > 0x7FFF:
            # The response wraps the data in a 53 object: leave room for it and an AES block of padding.
            length = min(length, self._max_read - 16)
            data = self._ok(Command(0x00, 0xB1, 0x00, 0x00, der.tlv(0x54, offset.to_bytes(3, "big")), length + 4,
                                    self._extended), "READ BINARY")
            return der.unwrap(data, 0x53)
        return self._ok(Command(0x00, 0xB0, offset >> 8, offset & 0xFF, le=length, extended=self._extended),
                        "READ BINARY")

    def _read_current(self, first: bytes | None = None) -> bytes:
        content = self._read_binary(0, self._max_read) if first is None else first
        if len(content) < 2:
            raise LdsError("file too short to hold a tag and a length")
        total = der.total_length(content[:8])
        while len(content) < total:
            chunk = self._read_binary(len(content), min(self._max_read, total - len(content)))
            if not chunk:
                raise LdsError("the card stopped returning data before the end of the file")
            content += chunk
        return content[:total]

    def read_file(self, file: File) -> bytes:
        """Select by short EF identifier and read in the same command, then read the rest if any."""
        first = self._ok(Command(0x00, 0xB0, 0x80 | file.sfi, 0x00, le=self._max_read, extended=self._extended),
                         f"reading {file.name}")
        return self._read_current(first)

    def open(self, mrz_information: str, *, prefer_pace: bool = True) -> str:
        """Open a secure-messaging session with the MRZ (PACE when offered, else BAC); returns which."""
        self._sm = None
        card_access = self._card_access()
        parameter_id = lds.pace_parameter_id(card_access) if card_access else None
        if prefer_pace and parameter_id is not None:
            self._pace(mrz_information, parameter_id)
            return "PACE"
        self._bac(mrz_information)
        return "BAC"

    def exchange(self, command: Command) -> tuple[bytes, int]:
        """One command under the session's secure messaging: the card applications' commands."""
        return self._secure(command)

    def read(self, mrz_information: str, *, prefer_pace: bool = True, chip_authentication: bool = True,
             active_authentication: bool = True) -> CardRead:
        """Open the chip with the MRZ and read EF.COM, EF.SOD and every data group EF.COM lists."""
        result = CardRead()
        self._sm = None
        card_access = self._card_access()
        parameter_id = lds.pace_parameter_id(card_access) if card_access else None
        if card_access:
            result.files[File.CARD_ACCESS] = card_access
        if prefer_pace and parameter_id is not None:
            self._pace(mrz_information, parameter_id)
            result.access = "PACE"
        else:
            self._bac(mrz_information)
            result.access = "BAC"
        result.files[File.COM] = self.read_file(File.COM)
        groups = lds.decode_com(result.files[File.COM])
        if 14 in groups:
            result.files[File.DG14] = self.read_file(File.DG14)
            if chip_authentication:
                try:
                    result.chip_authenticated = self._chip_authentication(result.files[File.DG14])
                    result.files[File.SOD] = self.read_file(File.SOD)
                except (CardError, ValueError) as error:
                    result.chip_authenticated = False
                    result.notes.append(f"chip authentication failed: {error}")
                    return result
        if File.SOD not in result.files:
            result.files[File.SOD] = self.read_file(File.SOD)
        for number in groups:
            file = File(0x0100 | number)
            if file not in result.files:
                result.files[file] = self.read_file(file)
        if active_authentication and 15 in groups:
            result.active_attempted = True
            challenge = secrets.token_bytes(8)
            try:
                result.active_signature = self._ok(Command(0x00, 0x88, 0x00, 0x00, challenge, 256),
                                                   "INTERNAL AUTHENTICATE")
                result.active_challenge = challenge
            except (CardError, SecureMessagingError) as error:
                result.notes.append(f"active authentication failed: {error.detail}")
        return result
