from __future__ import annotations

import hashlib
import unicodedata
from datetime import UTC, date, datetime, timedelta

import pytest
from asn1crypto import cms as asn1_cms  # type: ignore[import-untyped]
from asn1crypto import core as asn1_core
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import given
from hypothesis import strategies as st

from citizenid.chip import der, lds
from citizenid.chip.errors import ChipImageError, LdsError
from citizenid.chip.image import ChipImage
from citizenid.chip.lds import CardHolder, File
from citizenid.chip.revocation import decode_revocation_list, encode_revocation_list
from citizenid.chip.sod import _assemble, parse_sod

from .conftest import FACE, make_holder

CARD_ACCESS_G1 = bytes.fromhex("31143012060A04007F0007020204020202010202010D")


def test_card_access_matches_the_appendix_g_example() -> None:
    assert lds.encode_card_access(13) == CARD_ACCESS_G1
    assert lds.pace_parameter_id(CARD_ACCESS_G1) == 13


def test_com_lists_the_data_groups() -> None:
    com = lds.encode_com((1, 2, 13, 14, 15))
    assert com == bytes.fromhex("60175F0104303130385F36063034303030305C0561756D6E6F")
    assert lds.decode_com(com) == (1, 2, 13, 14, 15)


def test_dg1_holds_the_vietnamese_mrz(holder: CardHolder) -> None:
    dg1 = lds.encode_dg1(holder.mrz())
    assert dg1[:5] == bytes.fromhex("615D5F1F5A")
    mrz, failed = lds.decode_dg1(dg1)
    assert failed == ()
    assert mrz.vietnamese_personal_number == "001093047064"


def test_dg2_face_record_round_trips() -> None:
    dg2 = lds.encode_dg2(FACE, 413, 531)
    face = lds.decode_dg2(dg2)
    assert (face.jpeg, face.width, face.height) == (FACE, 413, 531)
    group = dict(der.children(der.unwrap(dg2, 0x75)))
    template = dict(der.children(group[0x7F61]))
    assert template[0x02] == b"\x01"
    record = dict(der.children(template[0x7F60]))[0x5F2E]
    assert record[:8] == b"FAC\x00010\x00"
    assert int.from_bytes(record[8:12], "big") == len(record)


def test_dg13_round_trips_with_long_utf8_and_long_form_lengths() -> None:
    address = "Số 1 đường Nguyễn Trãi, " * 20
    holder = make_holder(place_of_residence=address.strip(), spouse="Trần Thị Ánh", old_id_number="012345678",
                         expiry_date=None)
    dg13 = lds.encode_dg13(holder)
    assert dg13[0] == 0x6D
    assert dg13[1] == 0x82  # two-byte long-form length
    assert lds.decode_dg13(dg13) == holder
    fields = dict(der.children(der.children(der.unwrap(dg13, 0x6D))[11][1]))
    assert fields[0x0C].decode() == "Không thời hạn"


def test_dg13_agrees_with_asn1crypto(holder: CardHolder) -> None:
    dg13 = lds.encode_dg13(holder)
    items = der.children_raw(der.unwrap(dg13, 0x6D))
    assert len(items) == 15
    def native(value: object) -> object:
        if isinstance(value, dict):
            return [native(v) for v in value.values()]
        return value

    natives = [native(asn1_core.load(raw, strict=True).native) for _, _, raw in items]
    assert natives[0] == [1, "001093047064"]
    assert natives[1] == [2, "Ưng Hoàng Hiệp"]
    assert natives[11] == [12, "05/01/2033"]
    assert natives[12] == [13, ["Ưng Văn Bình"], ["Nguyễn Thị Lan"]]
    assert natives[13] == [14]


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400))
def test_dg13_any_text_round_trips(text: str) -> None:
    value = unicodedata.normalize("NFC", text)
    holder = make_holder(place_of_residence=value, identifying_features=value)
    assert lds.decode_dg13(lds.encode_dg13(holder)) == holder


@given(st.binary(max_size=300))
def test_decoders_never_crash(data: bytes) -> None:
    outcomes = []
    for decode in (lds.decode_dg13, lds.decode_dg2, lds.decode_dg1, lds.decode_com, lds.decode_dg14, parse_sod):
        try:
            outcomes.append(decode(data))
        except LdsError as error:
            outcomes.append(error.code)
    assert len(outcomes) == 6


@given(st.integers(min_value=0, max_value=2**40), st.binary(max_size=70000).map(len))
def test_der_lengths_agree_with_asn1crypto(value: int, size: int) -> None:
    assert der.integer(value) == asn1_core.Integer(value).dump()
    assert der.tlv(0x04, bytes(size)) == asn1_core.OctetString(bytes(size)).dump()


@pytest.mark.parametrize("bad", ["30 80 00 00", "04 81 05 0102030405", "04 82 0005 0102030405", "04 05 0102", "1F"])
def test_der_rejects_non_der(bad: str) -> None:
    with pytest.raises(LdsError):
        der.unwrap(bytes.fromhex(bad.replace(" ", "")), 0x04)


def test_oid_encoding() -> None:
    assert der.oid("2.23.136.1.1.1") == bytes.fromhex("0606678108010101")
    assert der.decode_oid(bytes.fromhex("04007F0007020204020202")[0:]) != ""
    assert der.decode_oid(der.oid("0.4.0.127.0.7.2.2.4.2.2")[2:]) == "0.4.0.127.0.7.2.2.4.2.2"


def test_sod_hashes_every_data_group_and_verifies(image: ChipImage) -> None:
    sod = parse_sod(image.files[File.SOD])
    assert set(sod.hashes) == {1, 2, 13, 14, 15}
    for number, digest in sod.hashes.items():
        assert hashlib.sha256(image.files[File(0x0100 | number)]).digest() == digest
    assert sod.verify_signature()


def test_sod_parses_with_asn1crypto(image: ChipImage) -> None:
    info = asn1_cms.ContentInfo.load(der.unwrap(image.files[File.SOD], 0x77))
    signed = info["content"]
    assert signed["encap_content_info"]["content_type"].dotted == "2.23.136.1.1.1"
    assert signed["signer_infos"][0]["signed_attrs"].native is not None
    assert info.dump(force=True) == der.unwrap(image.files[File.SOD], 0x77)


def test_tampered_sod_content_fails_signature(image: ChipImage) -> None:
    sod = bytearray(image.files[File.SOD])
    digest = parse_sod(bytes(sod)).hashes[1]
    at = bytes(sod).find(digest)
    sod[at] ^= 0xFF
    assert not parse_sod(bytes(sod)).verify_signature()


def test_chip_image_file_round_trips(image: ChipImage, tmp_path: object) -> None:
    again = ChipImage.from_bytes(image.to_bytes())
    assert again.files == image.files
    assert again.mrz_information == image.mrz_information == "093047064193010543301052"
    assert again.aa_key is not None
    assert image.aa_key is not None
    assert again.aa_key.private_numbers() == image.aa_key.private_numbers()


@pytest.mark.parametrize("junk", [b"", b"{}", b"[1]", b'{"format": "citizenid-chip-image/1"}', b"\xff\xfe"])
def test_bad_chip_image_is_a_clear_error(junk: bytes) -> None:
    with pytest.raises(ChipImageError):
        ChipImage.from_bytes(junk)


def test_holder_validates() -> None:
    with pytest.raises(LdsError, match="12 digits"):
        make_holder(personal_number="1")
    with pytest.raises(LdsError, match="NFC"):
        make_holder(full_name="Nguye\u0302\u0303n")
    assert make_holder(birth_date=date(1950, 1, 1)).mrz().birth_date == "500101"


def test_templated_sod_equals_the_directly_assembled_one(image: ChipImage) -> None:
    sod = parse_sod(image.files[File.SOD])
    content = der.unwrap(image.files[File.SOD], 0x77)
    direct = _assemble(
        lds_content(content), sod.signed_attributes, sod.signature, sod.certificate.public_bytes(Encoding.DER)
    )
    assert direct == image.files[File.SOD]


def lds_content(content_info: bytes) -> bytes:
    signed = der.children(der.children(der.unwrap(content_info, 0x30))[1][1])[0][1]
    encap = der.children(signed)[2][1]
    return der.unwrap(der.children(encap)[1][1], 0x04)


@given(st.frozensets(st.text(alphabet="0123456789", min_size=9, max_size=12), max_size=20))
def test_revocation_list_round_trips(numbers: frozenset[str]) -> None:
    now = datetime(2026, 1, 1, 12, 30, tzinfo=UTC)
    encoded = encode_revocation_list(numbers, now, now + timedelta(days=1))
    decoded = decode_revocation_list(encoded)
    assert (decoded.revoked, decoded.this_update, decoded.next_update) == (numbers, now, now + timedelta(days=1))


@given(st.binary(max_size=200))
def test_revocation_list_decoder_never_crashes(data: bytes) -> None:
    try:
        outcome: object = decode_revocation_list(data)
    except LdsError as error:
        outcome = error.code
    assert outcome
