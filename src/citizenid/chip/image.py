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

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_der_private_key,
)

from citizenid.chip import lds
from citizenid.chip.applications import CardApplications
from citizenid.chip.errors import ChipImageError
from citizenid.chip.lds import CardHolder, File
from citizenid.chip.sod import SodSigner, build_sod

FORMAT = "citizenid-chip-image/1"
_DG_FILES = {f.data_group: f for f in File if f.data_group is not None}


@dataclass(slots=True)
class ChipImage:
    files: dict[File, bytes]
    mrz_information: str
    aa_key: ec.EllipticCurvePrivateKey | None = None
    ca_key: ec.EllipticCurvePrivateKey | None = None
    pace_parameter_id: int | None = None
    applications: CardApplications | None = None
    # The issuer's key for authenticated updates after issuance (cards area, decision 0054); None: no updates.
    update_key: bytes | None = None

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
        if self.applications is not None:
            body["applications"] = self.applications.to_json()
        if self.update_key is not None:
            body["update_key"] = base64.b64encode(self.update_key).decode()
        return json.dumps(body, indent=1).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> ChipImage:
        try:
            body = json.loads(data)
            if not isinstance(body, dict) or body.get("format") != FORMAT:
                raise ChipImageError(f"not a {FORMAT} file")
            files = {File(int(fid, 16)): base64.b64decode(v, validate=True) for fid, v in body["files"].items()}
            applications = body.get("applications")
            update_key = body.get("update_key")
            return cls(files, str(body["mrz_information"]), _load_key(body.get("active_authentication_key")),
                       _load_key(body.get("chip_authentication_key")), body.get("pace_parameter_id"),
                       CardApplications.from_json(applications) if applications else None,
                       base64.b64decode(update_key, validate=True) if update_key else None)
        except ChipImageError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error, UnsupportedAlgorithm) as error:
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


@dataclass(frozen=True, slots=True)
class ChipKeys:
    """The key pairs a chip generates on itself at pre-personalisation, before it meets its holder."""

    active_authentication: ec.EllipticCurvePrivateKey | None
    chip_authentication: ec.EllipticCurvePrivateKey | None
    active_spki: bytes | None
    chip_spki: bytes | None

    @classmethod
    def generate(cls, *, active_authentication: bool = True, chip_authentication: bool = True) -> ChipKeys:
        aa = ec.generate_private_key(ec.SECP256R1()) if active_authentication else None
        ca = ec.generate_private_key(ec.SECP256R1()) if chip_authentication else None
        return cls(aa, ca, _spki(aa), _spki(ca))


def _spki(key: ec.EllipticCurvePrivateKey | None) -> bytes | None:
    if key is None:
        return None
    return key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def personalise(
    holder: CardHolder,
    face_jpeg: bytes,
    signer: SodSigner,
    *,
    active_authentication: bool = True,
    chip_authentication: bool = True,
    pace: bool = True,
    chip_keys: ChipKeys | None = None,
) -> ChipImage:
    """Encode every data group of ``holder``, sign EF.SOD, and return the chip's image.

    ``chip_keys`` are the keys the chip made at pre-personalisation; without them they are made here.
    """
    if chip_keys is None:
        chip_keys = ChipKeys.generate(active_authentication=active_authentication,
                                      chip_authentication=chip_authentication)
    mrz = holder.mrz()
    groups: dict[int, bytes] = {1: lds.encode_dg1(mrz), 2: lds.encode_dg2(face_jpeg), 13: lds.encode_dg13(holder)}
    aa_key = chip_keys.active_authentication if active_authentication else None
    ca_key = chip_keys.chip_authentication if chip_authentication else None
    if (active_authentication and aa_key is None) or (chip_authentication and ca_key is None):
        raise ChipImageError("the chip keys lack a key this chip profile needs")
    if ca_key is not None or aa_key is not None:
        groups[14] = lds.encode_dg14(chip_keys.chip_spki if ca_key is not None else None, aa_key is not None)
    if aa_key is not None:
        assert chip_keys.active_spki is not None
        groups[15] = lds.encode_dg15(chip_keys.active_spki)
    files = {_DG_FILES[n]: data for n, data in groups.items()}
    files[File.COM] = lds.encode_com(tuple(sorted(groups)))
    files[File.SOD] = build_sod(groups, signer)
    parameter_id = None
    if pace:
        parameter_id = lds.BRAINPOOL_P256R1_PARAMETER_ID
        files[File.CARD_ACCESS] = lds.encode_card_access(parameter_id)
    return ChipImage(files, mrz.mrz_information(), aa_key, ca_key, parameter_id)
