"""A small, strict BER-TLV / DER codec for the LDS: the one place where bytes are framed.

Encoding follows DER (shortest length form, definite lengths); decoding refuses indefinite
lengths, non-minimal lengths, truncation and trailing bytes, raising :class:`LdsError`.  Tags are
given as integers as ICAO writes them (``0x61``, ``0x5F1F``, ``0x7F61``).  It is cross-checked against
asn1crypto in the tests; it exists because personalisation encodes millions of data groups.
"""

from __future__ import annotations

import functools

from citizenid.chip.errors import LdsError

SEQUENCE = 0x30
SET = 0x31
INTEGER = 0x02
OCTET_STRING = 0x04
OID = 0x06
UTF8_STRING = 0x0C
PRINTABLE_STRING = 0x13
NULL = 0x05
BIT_STRING = 0x03


def encode_length(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(body),)) + body


def encode_tag(tag: int) -> bytes:
    return tag.to_bytes((tag.bit_length() + 7) // 8 or 1, "big")


def tlv(tag: int, value: bytes) -> bytes:
    n = len(value)
    if 0xFF < tag < 0x10000 and n < 0x80:
        return bytes((tag >> 8, tag & 0xFF, n)) + value
    if tag < 0x100:
        if n < 0x80:
            return bytes((tag, n)) + value
        if n < 0x100:
            return bytes((tag, 0x81, n)) + value
        if n < 0x10000:
            return bytes((tag, 0x82, n >> 8, n & 0xFF)) + value
    return encode_tag(tag) + encode_length(n) + value


def integer(value: int) -> bytes:
    length = max(1, (value.bit_length() + 8) // 8) if value >= 0 else (value.bit_length() + 8) // 8
    return tlv(INTEGER, value.to_bytes(length, "big", signed=True))


@functools.lru_cache(maxsize=256)
def oid(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.split(".")]
    if len(parts) < 2 or parts[0] > 2 or (parts[0] < 2 and parts[1] >= 40):
        raise ValueError(f"{dotted!r} is not an object identifier")
    out = bytearray()
    for first_arc in [parts[0] * 40 + parts[1], *parts[2:]]:
        chunk = [first_arc & 0x7F]
        rest = first_arc >> 7
        while rest:
            chunk.append(0x80 | (rest & 0x7F))
            rest >>= 7
        out.extend(reversed(chunk))
    return tlv(OID, bytes(out))


def decode_oid(value: bytes) -> str:
    if not value or value[-1] & 0x80:
        raise LdsError("malformed object identifier")
    arcs: list[int] = []
    current = 0
    for i, byte in enumerate(value):
        if current == 0 and byte == 0x80 and (i == 0 or not value[i - 1] & 0x80):
            raise LdsError("non-minimal object identifier arc")
        current = (current << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(current)
            current = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(str(a) for a in [first, arcs[0] - 40 * first, *arcs[1:]])


def decode_integer(value: bytes) -> int:
    padded = len(value) > 1 and ((value[0] == 0 and value[1] < 0x80) or (value[0] == 0xFF and value[1] >= 0x80))
    if not value or padded:
        raise LdsError("malformed INTEGER")
    return int.from_bytes(value, "big", signed=True)


def read_tlv(data: bytes, offset: int = 0) -> tuple[int, int, int]:
    """Return ``(tag, value_start, value_end)`` of the TLV at ``offset``."""
    end = len(data)
    tag, offset = _read_tag(data, offset)
    if offset >= end:
        raise LdsError("truncated data: expected a length")
    first = data[offset]
    offset += 1
    if first < 0x80:
        length = first
    elif first == 0x80:
        raise LdsError("indefinite lengths are not DER")
    else:
        count = first & 0x7F
        if count > 4 or offset + count > end:
            raise LdsError("length field too long or truncated")
        length = int.from_bytes(data[offset : offset + count], "big")
        if length < 0x80 or data[offset] == 0:
            raise LdsError("non-minimal length is not DER")
        offset += count
    if offset + length > end:
        raise LdsError(f"truncated value: tag {tag:X} needs {length} bytes")
    return tag, offset, offset + length


def _read_tag(data: bytes, offset: int) -> tuple[int, int]:
    end = len(data)
    if offset >= end:
        raise LdsError("truncated data: expected a tag")
    tag = data[offset]
    offset += 1
    if tag & 0x1F == 0x1F:
        while True:
            if offset >= end:
                raise LdsError("truncated tag")
            byte = data[offset]
            tag = (tag << 8) | byte
            offset += 1
            if not byte & 0x80:
                break
            if tag > 0xFFFFFF:
                raise LdsError("tag too long")
    return tag, offset


def unwrap(data: bytes, tag: int) -> bytes:
    """The value of ``data``, which must be exactly one TLV with ``tag``."""
    found, start, stop = read_tlv(data)
    if found != tag:
        raise LdsError(f"expected tag {tag:X}, found {found:X}")
    if stop != len(data):
        raise LdsError(f"trailing bytes after tag {tag:X}")
    return data[start:stop]


def children(value: bytes) -> list[tuple[int, bytes]]:
    """The TLVs that make up ``value``, in order."""
    out: list[tuple[int, bytes]] = []
    offset = 0
    while offset < len(value):
        tag, start, stop = read_tlv(value, offset)
        out.append((tag, value[start:stop]))
        offset = stop
    return out


def children_raw(value: bytes) -> list[tuple[int, bytes, bytes]]:
    """Like :func:`children` but also gives each whole TLV's bytes."""
    out: list[tuple[int, bytes, bytes]] = []
    offset = 0
    while offset < len(value):
        tag, start, stop = read_tlv(value, offset)
        out.append((tag, value[start:stop], value[offset:stop]))
        offset = stop
    return out


def total_length(header: bytes) -> int:
    """Length of a whole TLV from its first bytes (used to know how much of an EF to read)."""
    try:
        return _peek(header)[2]
    except IndexError:
        raise LdsError("file header too short to hold a tag and length") from None


def _peek(header: bytes) -> tuple[int, int, int]:
    tag_len = 1
    if header[0] & 0x1F == 0x1F:
        while header[tag_len] & 0x80:
            tag_len += 1
        tag_len += 1
    first = header[tag_len]
    if first < 0x80:
        return 0, tag_len + 1, tag_len + 1 + first
    count = first & 0x7F
    if count == 0 or count > 4 or len(header) < tag_len + 1 + count:
        raise LdsError("cannot read the length of this file")
    length = int.from_bytes(header[tag_len + 1 : tag_len + 1 + count], "big")
    return 0, tag_len + 1 + count, tag_len + 1 + count + length
