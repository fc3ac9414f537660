"""PACE ECDH generic mapping pinned to ICAO Doc 9303 part 11 appendix G.1 (brainpoolP256r1)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from citizenid.chip import _crypto
from citizenid.chip._ec import BRAINPOOL_P256R1, P256, Curve
from citizenid.chip.errors import AccessDeniedError
from citizenid.chip.pace import PaceChip, PaceTerminal
from citizenid.chip.sm import Command

MRZ = "T22000129364081251010318"
NONCE = bytes.fromhex("3F00C4D39D153F2B2A214A078D899B22")
Z = bytes.fromhex("95A3A016522EE98D01E76CB6B98B42C3")
# Private keys of the appendix G.1 worked example; together they must reproduce the published KS keys.
PCD_MAP = 0x7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99
PICC_MAP = 0x498FF49756F2DC1587840041839A85982BE7761D14715FB091EFA7BCE9058560
PCD_EPH = 0xA73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595
PICC_EPH = 0x107CF58696EF6155053340FD633392BA81909DF7B9706F226F32086C7AFF974A


def test_password_key_and_nonce() -> None:
    k_pi = _crypto.pace_password_key(MRZ)
    assert k_pi.hex().upper() == "89DED1B26624EC1E634C1989302849DD"
    assert _crypto.aes_decrypt(k_pi, Z) == NONCE


@pytest.mark.parametrize(("curve", "cryptography_curve"), [(BRAINPOOL_P256R1, ec.BrainpoolP256R1()),
                                                           (P256, ec.SECP256R1())])
def test_point_arithmetic_agrees_with_openssl(curve: object, cryptography_curve: ec.EllipticCurve) -> None:
    assert isinstance(curve, Curve)
    for k in (1, 2, 3, 0xDEADBEEF, curve.n - 1):
        numbers = ec.derive_private_key(k, cryptography_curve).public_key().public_numbers()
        assert curve.multiply(k, curve.g) == (numbers.x, numbers.y)
    assert curve.add(curve.g, curve.g) == curve.multiply(2, curve.g)
    assert curve.multiply(curve.n, curve.g) is None


def _wire(chip: PaceChip) -> object:
    def transceive(command: Command) -> bytes:
        data, sm = chip.step(command.data, last=command.cla & 0x10 == 0)
        transceive.sm = sm  # type: ignore[attr-defined]
        return data

    return transceive


def test_appendix_g1_session_keys() -> None:
    chip = PaceChip(MRZ, 13, nonce=NONCE, mapping_key=PICC_MAP, ephemeral_key=PICC_EPH)
    terminal = PaceTerminal(MRZ, 13, mapping_key=PCD_MAP, ephemeral_key=PCD_EPH)
    transceive = _wire(chip)
    sm = terminal.run(transceive)  # type: ignore[arg-type]
    assert terminal.shared_secret.hex().upper() == (
        "28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925")
    assert sm._enc.hex().upper() == "F5F0E35C0D7161EE6724EE513A0D9A7F"
    assert sm._mac.hex().upper() == "FE251C7858B356B24514B3BD5F4297D1"
    chip_sm = transceive.sm  # type: ignore[attr-defined]
    assert (chip_sm._enc, chip_sm._mac, chip_sm.ssc) == (sm._enc, sm._mac, 0)


def test_wrong_password_fails_at_the_token_step() -> None:
    chip = PaceChip(MRZ, 12)
    terminal = PaceTerminal("T22000129364081251010319", 12)
    with pytest.raises((AccessDeniedError, ValueError)):
        terminal.run(_wire(chip))  # type: ignore[arg-type]


def test_invalid_point_is_refused() -> None:
    chip = PaceChip(MRZ, 12)
    chip.step(b"\x7c\x00", last=False)
    bad = b"\x7c\x43\x81\x41\x04" + bytes(64)
    with pytest.raises(ValueError, match="not on the curve"):
        chip.step(bad, last=False)
