"""A personalised chip: its files and its secrets, and the file format that carries it to the printer.

:func:`personalise` encodes every data group, generates the chip's own active- and
chip-authentication keys (in a real card, the chip does this itself and only the public keys come
out) and signs EF.SOD with the current document signer.  A chip image file is JSON
(``citizenid-chip-image/1``) with every EF in base64 and the chip keys as PKCS#8; it is personal data
and key material and is handled like a key file.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_der_private_key,
)

from citizenid.chip import lds
from citizenid.chip.errors import ChipImageError
from citizenid.chip.lds import CardHolder, File
from citizenid.chip.sod import SodSigner, build_sod

FORMAT = "citizenid-chip-image/1"


@dataclass(slots=True)
class ChipImage:
    files: dict[File, bytes]
    mrz_information: str
    aa_key: ec.EllipticCurvePrivateKey | None = None
    ca_key: ec.EllipticCurvePrivateKey | None = None
    pace_parameter_id: int | None = None

    @property
    def document_number(self) -> str:
        return self.mrz_information[:9].rstrip("<")

    def to_bytes(self) -> bytes:
        def key(k: ec.EllipticCurvePrivateKey | None) -> str | None:
            if k is None:
                return None
            raw = k.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
            return base64.b64encode(raw).decode()

        body = {
            "format": FORMAT,
            "mrz_information": self.mrz_information,
            "pace_parameter_id": self.pace_parameter_id,
            "files": {f"{fid.value:04X}": base64.b64encode(data).decode() for fid, data in self.files.items()},
            "active_authentication_key": key(self.aa_key),
            "chip_authentication_key": key(self.ca_key),
        }
        return json.dumps(body, indent=1).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> ChipImage:
        try:
            body = json.loads(data)
            if not isinstance(body, dict) or body.get("format") != FORMAT:
                raise ChipImageError(f"not a {FORMAT} file")
            files = {File(int(fid, 16)): base64.b64decode(v, validate=True) for fid, v in body["files"].items()}
            return cls(files, str(body["mrz_information"]), _load_key(body.get("active_authentication_key")),
                       _load_key(body.get("chip_authentication_key")), body.get("pace_parameter_id"))
        except ChipImageError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as error:
            raise ChipImageError(f"chip image is malformed: {error}") from None

    def save(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(self.to_bytes())
        tmp.chmod(0o600)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> ChipImage:
        try:
            return cls.from_bytes(path.read_bytes())
        except OSError as error:
            raise ChipImageError(f"cannot read chip image {path}: {error.strerror}") from None


def _load_key(value: Any) -> ec.EllipticCurvePrivateKey | None:
    if value is None:
        return None
    key = load_der_private_key(base64.b64decode(value, validate=True), None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ChipImageError("chip keys must be elliptic-curve keys")
    return key


def personalise(
    holder: CardHolder,
    face_jpeg: bytes,
    signer: SodSigner,
    *,
    active_authentication: bool = True,
    chip_authentication: bool = True,
    pace: bool = True,
) -> ChipImage:
    """Encode every data group of ``holder``, sign EF.SOD, and return the chip's image."""
    mrz = holder.mrz()
    groups: dict[int, bytes] = {1: lds.encode_dg1(mrz), 2: lds.encode_dg2(face_jpeg), 13: lds.encode_dg13(holder)}
    aa_key = ca_key = None
    if chip_authentication:
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_spki = ca_key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    if chip_authentication or active_authentication:
        groups[14] = lds.encode_dg14(ca_spki if chip_authentication else None, active_authentication)
    if active_authentication:
        aa_key = ec.generate_private_key(ec.SECP256R1())
        groups[15] = lds.encode_dg15(aa_key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))
    files = {File(0x0100 | n): data for n, data in groups.items()}
    files[File.COM] = lds.encode_com(tuple(sorted(groups)))
    files[File.SOD] = build_sod(groups, signer)
    parameter_id = None
    if pace:
        parameter_id = lds.BRAINPOOL_P256R1_PARAMETER_ID
        files[File.CARD_ACCESS] = lds.encode_card_access(parameter_id)
    return ChipImage(files, mrz.mrz_information(), aa_key, ca_key, parameter_id)
