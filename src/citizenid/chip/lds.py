"""The LDS1 files of a Vietnamese card (ICAO 9303 part 10): encoders and strict decoders.

EF.COM, DG1 (MRZ), DG2 (face, ISO/IEC 19794-5 inside a biometric information template), DG13
(Vietnamese data, the project's own documented encoding: docs/decisions/0012), DG14 (security infos
for chip and active authentication), DG15 (active authentication public key) and EF.CardAccess.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import load_der_public_key

from citizenid.chip import der
from citizenid.chip._ec import BY_PARAMETER_ID
from citizenid.chip.der import INTEGER, OID, PRINTABLE_STRING, SEQUENCE, SET, UTF8_STRING, tlv
from citizenid.chip.errors import LdsError, MrzError
from citizenid.chip.mrz import TD1, inspect_td1, vietnamese_td1


class File(IntEnum):
    """File identifiers; the low byte is the short EF identifier."""

    CARD_ACCESS = 0x011C
    COM = 0x011E
    SOD = 0x011D
    DG1 = 0x0101
    DG2 = 0x0102
    DG13 = 0x010D
    DG14 = 0x010E
    DG15 = 0x010F

    @property
    def sfi(self) -> int:
        return self.value & 0x1F

    @property
    def data_group(self) -> int | None:
        return self.value & 0xFF if 0x0101 <= self.value <= 0x0110 else None


DG_TAGS = {1: 0x61, 2: 0x75, 13: 0x6D, 14: 0x6E, 15: 0x6F}
TAG_COM, TAG_SOD = 0x60, 0x77

OID_PACE_ECDH_GM_AES_128 = "0.4.0.127.0.7.2.2.4.2.2"
OID_CA_ECDH_AES_CBC_CMAC_128 = "0.4.0.127.0.7.2.2.3.2.2"
OID_PK_ECDH = "0.4.0.127.0.7.2.2.1.2"
OID_AA_PROTOCOL = "2.23.136.1.1.5"
OID_ECDSA_PLAIN_SHA256 = "0.4.0.127.0.7.1.1.4.1.3"
BRAINPOOL_P256R1_PARAMETER_ID = 13
P256_PARAMETER_ID = 12

# -- EF.COM --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=32)
def encode_com(data_groups: tuple[int, ...]) -> bytes:
    tags = bytes(DG_TAGS[n] for n in data_groups)
    return tlv(TAG_COM, tlv(0x5F01, b"0108") + tlv(0x5F36, b"040000") + tlv(0x5C, tags))


def decode_com(data: bytes) -> tuple[int, ...]:
    fields = dict(der.children(der.unwrap(data, TAG_COM)))
    if 0x5C not in fields:
        raise LdsError("EF.COM lacks its tag list")
    by_tag = {v: k for k, v in DG_TAGS.items()}
    try:
        return tuple(by_tag[t] for t in fields[0x5C])
    except KeyError as missing:
        raise LdsError(f"EF.COM names unknown data group tag {missing}") from None


# -- DG1 -----------------------------------------------------------------------------------------


def encode_dg1(mrz: TD1) -> bytes:
    return tlv(0x61, tlv(0x5F1F, "".join(mrz.lines()).encode("ascii")))


def decode_dg1(data: bytes) -> tuple[TD1, tuple[str, ...]]:
    """The MRZ in DG1 and the names of its failed check digits."""
    raw = der.unwrap(der.unwrap(data, 0x61), 0x5F1F)
    try:
        return inspect_td1(raw.decode("ascii"))
    except (UnicodeDecodeError, MrzError) as error:
        raise LdsError(f"DG1 does not hold a TD1 MRZ: {error}") from None


# -- DG2 -----------------------------------------------------------------------------------------

_FAC_HEADER = b"FAC\x00010\x00"


def _face_record(jpeg: bytes, width: int, height: int) -> bytes:
    """An ISO/IEC 19794-5:2005 facial record: one full-frontal JPEG, no feature points."""
    image_info = bytes((1, 0)) + width.to_bytes(2, "big") + height.to_bytes(2, "big") + bytes((1, 2, 0, 0, 0, 0))
    face_info = (
        bytes(2)  # number of feature points
        + bytes((0, 0, 0))  # gender, eye colour, hair colour: unspecified
        + bytes(3)  # feature mask
        + bytes(2)  # expression
        + bytes(3)  # pose angles
        + bytes(3)  # pose angle uncertainty
    )
    block = face_info + image_info + jpeg
    block = (len(block) + 4).to_bytes(4, "big") + block
    return _FAC_HEADER + (14 + len(block)).to_bytes(4, "big") + (1).to_bytes(2, "big") + block


_BHT = tlv(0xA1, tlv(0x80, b"\x01\x01") + tlv(0x87, b"\x01\x01") + tlv(0x88, b"\x00\x08"))


def encode_dg2(jpeg: bytes, width: int = 480, height: int = 640) -> bytes:
    return _dg2_head(len(jpeg), width, height) + jpeg


@functools.lru_cache(maxsize=256)
def _dg2_head(size: int, width: int, height: int) -> bytes:
    """Everything in DG2 before the image: it depends only on the image's size and dimensions."""
    stand_in = bytes(size)
    template = tlv(0x7F60, _BHT + tlv(0x5F2E, _face_record(stand_in, width, height)))
    return tlv(0x75, tlv(0x7F61, tlv(0x02, b"\x01") + template))[:-size]


@dataclass(frozen=True, slots=True)
class FaceImage:
    jpeg: bytes
    width: int
    height: int


def decode_dg2(data: bytes) -> FaceImage:
    group = dict(der.children(der.unwrap(data, 0x75)))
    if 0x7F61 not in group:
        raise LdsError("DG2 lacks a biometric information group template")
    fields = dict(der.children(group[0x7F61]))
    if fields.get(0x02) != b"\x01" or 0x7F60 not in fields:
        raise LdsError("DG2 must hold exactly one biometric template")
    template = dict(der.children(fields[0x7F60]))
    record = template.get(0x5F2E) or template.get(0x7F2E)
    if record is None or not record.startswith(_FAC_HEADER) or len(record) < 14 + 4 + 20 + 12:
        raise LdsError("DG2 does not hold an ISO/IEC 19794-5 face record")
    if int.from_bytes(record[8:12], "big") != len(record):
        raise LdsError("face record length does not match its header")
    block = record[14:]
    points = int.from_bytes(block[4:6], "big")
    info = 20 + 8 * points
    if len(block) < info + 12:
        raise LdsError("face record truncated")
    width = int.from_bytes(block[info + 2 : info + 4], "big")
    height = int.from_bytes(block[info + 4 : info + 6], "big")
    return FaceImage(bytes(block[info + 12 :]), width, height)


# -- DG13: Vietnamese data -----------------------------------------------------------------------

NEVER_EXPIRES_TEXT = "Không thời hạn"
_SEX = {"M": "Nam", "F": "Nữ"}


@dataclass(frozen=True, slots=True)
class CardHolder:
    """What a Vietnamese card says about its holder.  Text is NFC; sex is ``M`` or ``F``."""

    personal_number: str
    full_name: str
    birth_date: date
    sex: str
    place_of_origin: str
    place_of_residence: str
    issue_date: date
    expiry_date: date | None
    nationality: str = "Việt Nam"
    ethnicity: str = "Kinh"
    religion: str = "Không"
    identifying_features: str = ""
    father: str = ""
    mother: str = ""
    spouse: str = ""
    old_id_number: str = ""

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[0-9]{12}", self.personal_number):
            raise LdsError("the personal number has exactly 12 digits")
        if self.sex not in _SEX:
            raise LdsError("sex must be M or F")
        if self.old_id_number and not re.fullmatch(r"[0-9]{9}", self.old_id_number):
            raise LdsError("an old (CMND) number has 9 digits")
        for name in ("full_name", "place_of_origin", "place_of_residence", "nationality", "ethnicity",
                     "religion", "identifying_features", "father", "mother", "spouse"):
            if not unicodedata.is_normalized("NFC", getattr(self, name)):
                raise LdsError(f"{name} must be NFC")

    def mrz(self) -> TD1:
        return vietnamese_td1(self.personal_number, self.full_name, self.birth_date, self.sex, self.expiry_date)


def _dmy(value: date) -> bytes:
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}".encode("ascii")


_ITEM_NUMBERS = {n: bytes((INTEGER, 1, n)) for n in range(1, 16)}


def _item(n: int, value: bytes) -> bytes:
    return tlv(SEQUENCE, _ITEM_NUMBERS[n] + value)


def _utf8(text: str) -> bytes:
    return tlv(UTF8_STRING, text.encode("utf-8"))


def _string_item(n: int, tag: int, raw: bytes) -> bytes:
    """``SEQUENCE { INTEGER n, <tag> raw }``; the common short case built in one step."""
    size = len(raw)
    if size < 0x7B:
        return bytes((SEQUENCE, size + 5, INTEGER, 1, n, tag, size)) + raw
    return _item(n, tlv(tag, raw))


def encode_dg13(holder: CardHolder) -> bytes:
    parents = tlv(SEQUENCE, _utf8(holder.father)) + tlv(SEQUENCE, _utf8(holder.mother))
    spouse = tlv(SEQUENCE, _utf8(holder.spouse)) if holder.spouse else b""
    expiry = NEVER_EXPIRES_TEXT if holder.expiry_date is None else _dmy(holder.expiry_date).decode()
    p, u = PRINTABLE_STRING, UTF8_STRING
    body = b"".join((
        _string_item(1, p, holder.personal_number.encode("ascii")),
        _string_item(2, u, holder.full_name.encode()),
        _string_item(3, p, _dmy(holder.birth_date)),
        _string_item(4, u, _SEX[holder.sex].encode()),
        _string_item(5, u, holder.nationality.encode()),
        _string_item(6, u, holder.ethnicity.encode()),
        _string_item(7, u, holder.religion.encode()),
        _string_item(8, u, holder.place_of_origin.encode()),
        _string_item(9, u, holder.place_of_residence.encode()),
        _string_item(10, u, holder.identifying_features.encode()),
        _string_item(11, p, _dmy(holder.issue_date)),
        _string_item(12, u, expiry.encode()),
        _item(13, parents),
        _item(14, spouse),
        _string_item(15, p, holder.old_id_number.encode("ascii")),
    ))
    return tlv(0x6D, body)


def _text(tag: int, value: bytes) -> str:
    if tag not in (UTF8_STRING, PRINTABLE_STRING):
        raise LdsError(f"DG13 field has tag {tag:X}, expected a string")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise LdsError("DG13 field is not valid UTF-8") from None


def _parse_dmy(text: str) -> date:
    match = re.fullmatch(r"([0-9]{2})/([0-9]{2})/([0-9]{4})", text)
    if not match:
        raise LdsError(f"DG13 date {text!r} is not dd/mm/yyyy")
    try:
        return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        raise LdsError(f"DG13 date {text!r} does not exist") from None


def _person(value: bytes) -> str:
    items = der.children(der.unwrap(value, SEQUENCE))
    if len(items) != 1:
        raise LdsError("a DG13 person is a SEQUENCE of one name")
    return _text(*items[0])


def decode_dg13(data: bytes) -> CardHolder:
    fields: dict[int, list[tuple[int, bytes, bytes]]] = {}
    for tag, value in der.children(der.unwrap(data, 0x6D)):
        if tag != SEQUENCE:
            raise LdsError("DG13 items are SEQUENCEs")
        parts = der.children_raw(value)
        if not parts or parts[0][0] != INTEGER:
            raise LdsError("DG13 item does not start with its number")
        n = der.decode_integer(parts[0][1])
        if n in fields:
            raise LdsError(f"DG13 field {n} appears twice")
        fields[n] = parts[1:]

    def text(n: int) -> str:
        parts = fields.get(n)
        if not parts:
            raise LdsError(f"DG13 lacks field {n}")
        if len(parts) != 1:
            raise LdsError(f"DG13 field {n} holds {len(parts)} values")
        return _text(parts[0][0], parts[0][1])

    sex = {v: k for k, v in _SEX.items()}.get(text(4))
    if sex is None:
        raise LdsError("DG13 sex is neither Nam nor Nữ")
    parents = fields.get(13, [])
    if len(parents) != 2:
        raise LdsError("DG13 field 13 holds father and mother")
    spouse = fields.get(14, [])
    if len(spouse) > 1:
        raise LdsError("DG13 field 14 holds at most one spouse")
    expiry = text(12)
    try:
        return CardHolder(
            personal_number=text(1), full_name=text(2), birth_date=_parse_dmy(text(3)), sex=sex,
            nationality=text(5), ethnicity=text(6), religion=text(7), place_of_origin=text(8),
            place_of_residence=text(9), identifying_features=text(10), issue_date=_parse_dmy(text(11)),
            expiry_date=None if expiry == NEVER_EXPIRES_TEXT else _parse_dmy(expiry),
            father=_person(parents[0][2]), mother=_person(parents[1][2]),
            spouse=_person(spouse[0][2]) if spouse else "",
            old_id_number=text(15) if 15 in fields else "",
        )
    except LdsError:
        raise
    except ValueError as error:
        raise LdsError(f"DG13 is inconsistent: {error}") from None


# -- DG14, DG15, EF.CardAccess --------------------------------------------------------------------


def encode_card_access(parameter_id: int = BRAINPOOL_P256R1_PARAMETER_ID) -> bytes:
    pace_info = tlv(SEQUENCE, der.oid(OID_PACE_ECDH_GM_AES_128) + der.integer(2) + der.integer(parameter_id))
    return tlv(SET, pace_info)


def decode_security_infos(data: bytes) -> list[tuple[str, list[tuple[int, bytes, bytes]]]]:
    """Each SecurityInfo of a SET as ``(protocol OID, remaining TLVs)``."""
    out = []
    for tag, value in der.children(der.unwrap(data, SET)):
        if tag != SEQUENCE:
            raise LdsError("a SecurityInfo is a SEQUENCE")
        parts = der.children_raw(value)
        if not parts or parts[0][0] != OID:
            raise LdsError("a SecurityInfo starts with its protocol OID")
        out.append((der.decode_oid(parts[0][1]), parts[1:]))
    return out


def pace_parameter_id(card_access: bytes) -> int | None:
    """The domain parameter ID of the ECDH-GM-AES-128 PACEInfo, or None when PACE is not offered with
    parameters this reader knows (it then falls back to BAC)."""
    for protocol, rest in decode_security_infos(card_access):
        if protocol == OID_PACE_ECDH_GM_AES_128 and len(rest) >= 2 and rest[1][0] == INTEGER:
            parameter_id = der.decode_integer(rest[1][1])
            return parameter_id if parameter_id in BY_PARAMETER_ID else None
    return None


_CA_INFO = tlv(SEQUENCE, der.oid(OID_CA_ECDH_AES_CBC_CMAC_128) + der.integer(1))
_AA_INFO = tlv(SEQUENCE, der.oid(OID_AA_PROTOCOL) + der.integer(1) + der.oid(OID_ECDSA_PLAIN_SHA256))
_PK_ECDH = der.oid(OID_PK_ECDH)


def encode_dg14(chip_auth_spki: bytes | None, active_auth: bool) -> bytes:
    infos = b""
    if chip_auth_spki is not None:
        infos += tlv(SEQUENCE, _PK_ECDH + chip_auth_spki) + _CA_INFO
    if active_auth:
        infos += _AA_INFO
    return tlv(0x6E, tlv(SET, infos))


def decode_dg14(data: bytes) -> tuple[bytes | None, bool]:
    """The chip-authentication public key (SubjectPublicKeyInfo DER) and whether AA uses ECDSA."""
    spki = None
    ecdsa_aa = False
    for protocol, rest in decode_security_infos(der.unwrap(data, 0x6E)):
        if protocol == OID_PK_ECDH and rest:
            spki = rest[0][2]
        elif protocol == OID_AA_PROTOCOL:
            ecdsa_aa = True
    return spki, ecdsa_aa


def encode_dg15(spki: bytes) -> bytes:
    return tlv(0x6F, spki)


def decode_dg15(data: bytes) -> object:
    """The active-authentication public key of DG15 as a cryptography public key."""
    try:
        return load_der_public_key(der.unwrap(data, 0x6F))
    except (ValueError, UnsupportedAlgorithm) as error:
        raise LdsError(f"DG15 does not hold a public key: {error}") from None
