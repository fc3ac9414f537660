"""The virtual chip's APDU processor: access rules, status words, and fuzzing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citizenid.chip.bac import BacKeys, BacTerminal
from citizenid.chip.card import LDS_AID, VirtualChip
from citizenid.chip.image import ChipImage
from citizenid.chip.lds import File
from citizenid.chip.sm import Command


def sw(response: bytes) -> int:
    return int.from_bytes(response[-2:], "big")


def bac(chip: VirtualChip, mrz: str) -> tuple[object, int]:
    chip.transmit(Command(0, 0xA4, 4, 0x0C, LDS_AID).encode())
    challenge = chip.transmit(Command(0, 0x84, 0, 0, le=8).encode())[:-2]
    terminal = BacTerminal(BacKeys.from_mrz(mrz))
    response = chip.transmit(Command(0, 0x82, 0, 0, terminal.authenticate_data(challenge), 40).encode())
    if sw(response) != 0x9000:
        return None, sw(response)
    return terminal.complete(response[:-2]), 0x9000


@pytest.fixture
def chip(image: ChipImage) -> VirtualChip:
    return VirtualChip(image)


def test_lds_files_need_access_control(chip: VirtualChip) -> None:
    assert sw(chip.transmit(Command(0, 0xA4, 4, 0x0C, LDS_AID).encode())) == 0x9000
    assert sw(chip.transmit(Command(0, 0xA4, 2, 0x0C, b"\x01\x1e").encode())) == 0x6982
    assert sw(chip.transmit(Command(0, 0xB0, 0x81, 0, le=4).encode())) == 0x6982  # DG1 by SFI
    assert sw(chip.transmit(Command(0, 0x88, 0, 0, bytes(8), 256).encode())) == 0x6982


def test_card_access_is_public(chip: VirtualChip, image: ChipImage) -> None:
    assert sw(chip.transmit(Command(0, 0xA4, 2, 0x0C, b"\x01\x1c").encode())) == 0x9000
    response = chip.transmit(Command(0, 0xB0, 0, 0, le=256).encode())
    assert response[:-2] == image.files[File.CARD_ACCESS]
    assert sw(response) == 0x6282


def test_bac_then_secure_reads(chip: VirtualChip, image: ChipImage) -> None:
    sm, status = bac(chip, image.mrz_information)
    assert status == 0x9000
    assert sm is not None
    data, status = sm.unprotect(chip.transmit(sm.protect(Command(0, 0xA4, 2, 0x0C, b"\x01\x01"))))  # type: ignore[attr-defined]
    assert status == 0x9000
    data, status = sm.unprotect(chip.transmit(sm.protect(Command(0, 0xB0, 0, 0, le=0x20))))  # type: ignore[attr-defined]
    assert (data, status) == (image.files[File.DG1][:0x20], 0x9000)
    data, status = sm.unprotect(chip.transmit(sm.protect(Command(0, 0xB0, 0x7F, 0xFF, le=4))))  # type: ignore[attr-defined]
    assert status == 0x6B00


def test_wrong_mrz_gets_6300(chip: VirtualChip) -> None:
    _, status = bac(chip, "000000000000000000000000")
    assert status == 0x6300
    assert not chip.authenticated


def test_external_authenticate_without_challenge_is_6985(chip: VirtualChip) -> None:
    assert sw(chip.transmit(Command(0, 0x82, 0, 0, bytes(40), 40).encode())) == 0x6985


def test_wrong_lengths(chip: VirtualChip) -> None:
    assert sw(chip.transmit(Command(0, 0x84, 0, 0, le=4).encode())) == 0x6700
    assert sw(chip.transmit(b"\x00\xa4")) == 0x6700
    assert sw(chip.transmit(b"\x00\xa4\x04\x0c\x09\x01")) == 0x6700
    assert sw(chip.transmit(Command(0, 0xCA, 0, 0).encode())) == 0x6D00
    assert sw(chip.transmit(Command(0x80, 0xA4, 4, 0x0C, LDS_AID).encode())) == 0x6E00


def test_bad_mac_ends_the_session(chip: VirtualChip, image: ChipImage) -> None:
    sm, _ = bac(chip, image.mrz_information)
    apdu = bytearray(sm.protect(Command(0, 0xA4, 2, 0x0C, b"\x01\x01")))  # type: ignore[attr-defined]
    apdu[-4] ^= 0x01
    assert sw(chip.transmit(bytes(apdu))) == 0x6988
    assert not chip.authenticated
    assert sw(chip.transmit(Command(0, 0xB0, 0, 0, le=4).encode())) in (0x6982, 0x6986)


def test_plain_command_in_a_session_ends_it(chip: VirtualChip, image: ChipImage) -> None:
    bac(chip, image.mrz_information)
    assert chip.authenticated
    chip.transmit(Command(0, 0xB0, 0, 0, le=4).encode())
    assert not chip.authenticated


def _holds_personal_data(response: bytes, image: ChipImage) -> bool:
    body = response[:-2]
    if len(body) < 8:
        return False
    return any(body[i : i + 8] in content for content in (image.files[f] for f in image.files
               if f is not File.CARD_ACCESS) for i in range(0, len(body) - 7, 8))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    st.binary(max_size=60),
    st.builds(lambda ins, p1, p2, data, le: Command(0, ins, p1, p2, data, le).encode(),
              st.sampled_from([0xA4, 0xB0, 0xB1, 0x84, 0x82, 0x22, 0x86, 0x88, 0x2A, 0x0E]),
              st.integers(0, 255), st.integers(0, 255), st.binary(max_size=48),
              st.one_of(st.none(), st.integers(1, 256)))), max_size=12))
def test_fuzz_never_crashes_and_never_leaks(session_image: ChipImage, apdus: list[bytes]) -> None:
    image = session_image
    chip = VirtualChip(image)
    for apdu in apdus:
        response = chip.transmit(apdu)
        assert len(response) >= 2
        assert not chip.authenticated
        assert not _holds_personal_data(response, image)
