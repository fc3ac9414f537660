"""Elliptic-curve point arithmetic for PACE's generic mapping, private to the chip area.

PACE maps the nonce to a new generator G' = s·G + H; no library exposes point addition or
multiplication by an arbitrary base, so this module does it on integers (Jacobian coordinates).
It is not constant-time: fine for the virtual chip and a reader's one-shot ephemeral keys, and the
reason the production HSM never sees this code.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec

Point = tuple[int, int] | None  # None is the point at infinity


@dataclass(frozen=True, slots=True)
class Curve:
    name: str
    p: int
    a: int
    b: int
    g: tuple[int, int]
    n: int

    @property
    def size(self) -> int:
        return (self.p.bit_length() + 7) // 8

    def contains(self, point: Point) -> bool:
        if point is None:
            return False
        x, y = point
        return 0 <= x < self.p and 0 <= y < self.p and (y * y - x * x * x - self.a * x - self.b) % self.p == 0

    def encode(self, point: Point) -> bytes:
        if point is None:
            raise ValueError("cannot encode the point at infinity")
        return b"\x04" + point[0].to_bytes(self.size, "big") + point[1].to_bytes(self.size, "big")

    def decode(self, data: bytes) -> tuple[int, int]:
        if len(data) != 1 + 2 * self.size or data[0] != 4:
            raise ValueError("expected an uncompressed point")
        point = (int.from_bytes(data[1 : 1 + self.size], "big"), int.from_bytes(data[1 + self.size :], "big"))
        if not self.contains(point):
            raise ValueError("point is not on the curve")
        return point

    # -- arithmetic in Jacobian coordinates ----------------------------------------------------------

    def _double(self, x: int, y: int, z: int) -> tuple[int, int, int]:
        p = self.p
        if y == 0 or z == 0:
            return 0, 1, 0
        yy = y * y % p
        s = 4 * x * yy % p
        zz = z * z % p
        m = (3 * x * x + self.a * zz * zz) % p
        x3 = (m * m - 2 * s) % p
        return x3, (m * (s - x3) - 8 * yy * yy) % p, 2 * y * z % p

    def _add(self, a: tuple[int, int, int], b: tuple[int, int, int]) -> tuple[int, int, int]:
        p = self.p
        x1, y1, z1 = a
        x2, y2, z2 = b
        if z1 == 0:
            return b
        if z2 == 0:
            return a
        z1z1, z2z2 = z1 * z1 % p, z2 * z2 % p
        u1, u2 = x1 * z2z2 % p, x2 * z1z1 % p
        s1, s2 = y1 * z2 * z2z2 % p, y2 * z1 * z1z1 % p
        if u1 == u2:
            return self._double(x1, y1, z1) if s1 == s2 else (0, 1, 0)
        h = (u2 - u1) % p
        r = (s2 - s1) % p
        hh = h * h % p
        hhh = h * hh % p
        v = u1 * hh % p
        x3 = (r * r - hhh - 2 * v) % p
        return x3, (r * (v - x3) - s1 * hhh) % p, h * z1 * z2 % p

    def _affine(self, point: tuple[int, int, int]) -> Point:
        x, y, z = point
        if z == 0:
            return None
        zi = pow(z, -1, self.p)
        zi2 = zi * zi % self.p
        return x * zi2 % self.p, y * zi2 * zi % self.p

    def multiply(self, k: int, point: Point) -> Point:
        if point is None or k % self.n == 0:
            return None
        base = (point[0], point[1], 1)
        acc = (0, 1, 0)
        for bit in bin(k % self.n)[2:]:
            acc = self._double(*acc)
            if bit == "1":
                acc = self._add(acc, base)
        return self._affine(acc)

    def add(self, a: Point, b: Point) -> Point:
        if a is None:
            return b
        if b is None:
            return a
        return self._affine(self._add((a[0], a[1], 1), (b[0], b[1], 1)))

    def random_scalar(self) -> int:
        return secrets.randbelow(self.n - 1) + 1

    # -- OpenSSL where the standard generator or only an x-coordinate is needed ------------------------

    def _openssl(self) -> ec.EllipticCurve:
        return ec.BrainpoolP256R1() if self.name == "brainpoolP256r1" else ec.SECP256R1()

    def multiply_base(self, k: int) -> tuple[int, int]:
        """k·G for the curve's standard generator (through OpenSSL: much faster than :meth:`multiply`)."""
        numbers = ec.derive_private_key(k % self.n, self._openssl()).public_key().public_numbers()
        return numbers.x, numbers.y

    def shared_x(self, k: int, point: tuple[int, int]) -> bytes:
        """The x-coordinate of k·point (ECDH), through OpenSSL; the point must be on the curve."""
        peer = ec.EllipticCurvePublicKey.from_encoded_point(self._openssl(), self.encode(point))
        return ec.derive_private_key(k % self.n, self._openssl()).exchange(ec.ECDH(), peer)


BRAINPOOL_P256R1 = Curve(
    "brainpoolP256r1",
    p=0xA9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377,
    a=0x7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9,
    b=0x26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6,
    g=(0x8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262,
       0x547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997),
    n=0xA9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7,
)
P256 = Curve(
    "secp256r1",
    p=0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
    a=0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC,
    b=0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
    g=(0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
       0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5),
    n=0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
)
# ICAO 9303-11 9.5.1 standardised domain parameters.
BY_PARAMETER_ID = {12: P256, 13: BRAINPOOL_P256R1}
