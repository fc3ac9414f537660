"""The chip area's use cases: personalise chips with the current document signer, read and verify cards.

Other areas (cards, the production centre, the verifier kit) use the chip area only through this module.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509

from citizenid.chip import lds
from citizenid.chip.applications import OTP_AID, SIGNING_AID, CardApplications, OtpApplet, SigningApplet
from citizenid.chip.card import VirtualChip
from citizenid.chip.errors import CardError, ChipError, LdsError
from citizenid.chip.image import ChipImage, ChipKeys, personalise
from citizenid.chip.lds import CardHolder, File
from citizenid.chip.mrz import TD1, inspect_td1, parse_td1, vietnamese_td1
from citizenid.chip.reader import CardRead, Reader
from citizenid.chip.revocation import OID_DOCUMENT_REVOCATION_LIST, encode_revocation_list
from citizenid.chip.sm import Command
from citizenid.chip.sod import build_sod
from citizenid.chip.transport import InProcessTransport, PcscTransport, Transport
from citizenid.chip.verifier import Check, TrustStore, VerificationResult, Verifier
from citizenid.pki.service import PkiService

__all__ = [
    "OTP_AID",
    "SIGNING_AID",
    "TD1",
    "CardApplications",
    "CardHolder",
    "CardRead",
    "Check",
    "ChipImage",
    "ChipKeys",
    "ChipService",
    "Command",
    "File",
    "InProcessTransport",
    "OtpApplet",
    "PcscTransport",
    "Reader",
    "SigningApplet",
    "Transport",
    "TrustStore",
    "VerificationResult",
    "Verifier",
    "VirtualChip",
    "holder_from_mapping",
    "inspect_td1",
    "parse_td1",
    "vietnamese_td1",
]


def holder_from_mapping(data: dict[str, Any]) -> CardHolder:
    """A :class:`CardHolder` from JSON-like data (dates as ``YYYY-MM-DD``, ``expiry_date`` null = never)."""
    known = {f.name for f in fields(CardHolder)}
    unknown = set(data) - known
    if unknown:
        raise LdsError(f"unknown card holder fields: {', '.join(sorted(unknown))}")
    values = dict(data)
    try:
        for name in ("birth_date", "issue_date", "expiry_date"):
            if isinstance(values.get(name), str):
                values[name] = date.fromisoformat(values[name])
        return CardHolder(**values)
    except (TypeError, ValueError) as error:
        raise LdsError(f"card holder data is invalid: {error}") from None


class ChipService:
    def __init__(self, pki: PkiService) -> None:
        self._pki = pki

    # -- production -----------------------------------------------------------------------------------

    def personalise(self, holder: CardHolder, face_jpeg: bytes, *, pace: bool = True,
                    active_authentication: bool = True, chip_authentication: bool = True,
                    chip_keys: ChipKeys | None = None) -> ChipImage:
        image = personalise(holder, face_jpeg, self._pki.document_signer(), pace=pace,
                            active_authentication=active_authentication,
                            chip_authentication=chip_authentication, chip_keys=chip_keys)
        self._pki.flush()
        return image

    def personalise_batch(self, items: Iterable[tuple[CardHolder, bytes]], *, pace: bool = True) -> list[ChipImage]:
        """Personalise many chips; the signer is looked up (and rotated if due) once per chip, saved once."""
        images = [personalise(h, face, self._pki.document_signer(), pace=pace) for h, face in items]
        self._pki.flush()
        return images

    # -- update after issuance ------------------------------------------------------------------------------

    def updated_files(self, image: ChipImage, holder: CardHolder) -> dict[File, bytes]:
        """A new DG13 and EF.SOD for the same chip: the other data groups, its keys and its MRZ stay.

        A change that would alter the MRZ (name, birth date, sex, expiry) needs a new card instead.
        """
        if holder.mrz().mrz_information() != image.mrz_information:
            raise ChipError("the change alters the MRZ: it needs a new card, not an update of this one")
        groups = {f.data_group: data for f, data in image.files.items() if f.data_group is not None}
        groups[13] = lds.encode_dg13(holder)
        sod = build_sod(groups, self._pki.document_signer())
        self._pki.flush()
        return {File.DG13: groups[13], File.SOD: sod}

    @staticmethod
    def write_update(transport: Transport, mrz_information: str, update_key: bytes,
                     files: dict[File, bytes], *, chunk: int = 0xDF) -> None:
        """Write ``files`` to a chip as its issuer: open a session with the MRZ, prove the update key over
        the chip's challenge, then UPDATE BINARY each file under secure messaging (decision 0054)."""
        reader = Reader(transport, extended_length=False)
        reader.open(mrz_information)

        def ok(command: Command, what: str) -> bytes:
            data, sw = reader.exchange(command)
            if sw != 0x9000:
                raise CardError(f"the card refused {what}", sw)
            return data

        challenge = ok(Command(0x00, 0x84, 0x00, 0x00, le=8), "GET CHALLENGE")
        proof = hmac.new(update_key, challenge, hashlib.sha256).digest()[:16]
        ok(Command(0x00, 0x82, 0x00, 0x00, proof), "issuer authentication")
        for file, content in files.items():
            ok(Command(0x00, 0xA4, 0x02, 0x0C, file.value.to_bytes(2, "big")), f"selecting {file.name}")
            for offset in range(0, len(content), chunk):
                if offset > 0x7FFF:
                    raise ChipError(f"{file.name} is too large for an update")
                ok(Command(0x00, 0xD6, offset >> 8, offset & 0xFF, content[offset : offset + chunk]),
                   f"UPDATE BINARY of {file.name}")

    # -- verification -----------------------------------------------------------------------------------

    def revocation_list(self, revoked: frozenset[str], validity: timedelta = timedelta(days=1)) -> bytes:
        """The signed list of revoked card numbers that offline verifiers load with the masterlist."""
        now = datetime.now(UTC).replace(microsecond=0)
        content = encode_revocation_list(revoked, now, now + validity)
        return self._pki.sign_content(OID_DOCUMENT_REVOCATION_LIST, content)

    def own_trust_store(self, revoked_documents: frozenset[str] = frozenset()) -> TrustStore:
        """Trust exactly this deployment's CSCAs (through its masterlist) and its current CRL."""
        # Anchored at the first CSCA: link certificates lead from it to every later one, and cards signed
        # under any of them stay verifiable.
        first = self._pki.csca_certificates()[0]
        crls = self._pki.published_crls()
        return TrustStore.from_masterlist(self._pki.masterlist(), first, crls,
                                          revocation_list=self.revocation_list(revoked_documents))

    @staticmethod
    def trust_store_from_files(masterlist: Path, crls: list[Path], anchor: Path | None = None,
                               revoked_documents: frozenset[str] = frozenset(),
                               revocation_list: Path | None = None) -> TrustStore:
        """A partner's trust: a masterlist file, CRL files (DER or PEM), optionally a pinned CSCA and the
        signed list of revoked cards."""
        try:
            signed_list = revocation_list.read_bytes() if revocation_list is not None else None
            anchor_cert = x509.load_pem_x509_certificate(anchor.read_bytes()) if anchor else None
            loaded = []
            for path in crls:
                raw = path.read_bytes()
                loaded.append(x509.load_pem_x509_crl(raw) if raw.startswith(b"-----") else x509.load_der_x509_crl(raw))
            return TrustStore.from_masterlist(masterlist.read_bytes(), anchor_cert, loaded, revoked_documents,
                                              signed_list)
        except OSError as error:
            raise ChipError(f"cannot read {error.filename}: {error.strerror}") from None
        except ValueError as error:
            raise ChipError(f"not a certificate or CRL: {error}") from None

    @staticmethod
    def read(transport: Transport, mrz_information: str, trust: TrustStore, *, extended_length: bool = False,
             prefer_pace: bool = True) -> VerificationResult:
        card = Reader(transport, extended_length=extended_length).read(mrz_information, prefer_pace=prefer_pace)
        return Verifier(trust).verify(card)

    def verify_image(self, image: ChipImage, trust: TrustStore | None = None) -> VerificationResult:
        """Read a chip image through the virtual chip exactly as a reader reads a card, and verify it."""
        return self.read(InProcessTransport(VirtualChip(image)), image.mrz_information,
                         trust or self.own_trust_store(), extended_length=True)


def load_holder(path: Path) -> CardHolder:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ChipError(f"cannot read {path}: {error.strerror}") from None
    except ValueError as error:
        raise ChipError(f"{path} is not JSON: {error}") from None
    if not isinstance(data, dict):
        raise ChipError(f"{path} must hold one JSON object")
    return holder_from_mapping(data)
