"""The signature application on the virtual chip: secure messaging only, PIN counter, PUK, key stays inside."""

from __future__ import annotations

import hashlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from citizenid.chip.applications import SIGNING_AID
from citizenid.chip.card import VirtualChip
from citizenid.chip.image import ChipImage
from citizenid.chip.sm import Command
from citizenid.chip.transport import InProcessTransport
from citizenid.signing.card import SignatureCard
from citizenid.signing.errors import MalformedPin, PinBlocked, PukBlocked, SigningError, WrongPin, WrongPuk

from .conftest import PIN, PUK

DIGEST = hashlib.sha256(b"to be signed").digest()


def card(image: ChipImage, *, prefer_pace: bool = False) -> SignatureCard:
    return SignatureCard(InProcessTransport(VirtualChip(image)), image.mrz_information, prefer_pace=prefer_pace)


@pytest.mark.parametrize("prefer_pace", [False, True])
def test_card_signs_a_digest_after_the_pin(card_image: ChipImage, prefer_pace: bool) -> None:
    signature_card = card(card_image, prefer_pace=prefer_pace)
    certificate = signature_card.certificate()
    signature_card.verify_pin(PIN)
    signature = signature_card.sign_digest(DIGEST)
    public = certificate.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(signature, DIGEST, ec.ECDSA(Prehashed(hashes.SHA256())))


def test_one_pin_entry_one_signature(card_image: ChipImage) -> None:
    signature_card = card(card_image)
    signature_card.verify_pin(PIN)
    signature_card.sign_digest(DIGEST)
    with pytest.raises(SigningError, match="PIN before each signature"):
        signature_card.sign_digest(DIGEST)


def test_pin_counter_blocks_after_five_and_puk_unblocks(card_image: ChipImage) -> None:
    signature_card = card(card_image)
    assert signature_card.pin_tries_left() == 5
    for left in (4, 3, 2, 1):
        with pytest.raises(WrongPin) as caught:
            signature_card.verify_pin("999999")
        assert caught.value.tries_left == left
    signature_card.verify_pin(PIN)  # a right PIN before the fifth wrong one restores the counter
    assert signature_card.pin_tries_left() == 5
    for _ in range(4):
        with pytest.raises(WrongPin):
            signature_card.verify_pin("999999")
    with pytest.raises(PinBlocked):
        signature_card.verify_pin("999999")
    with pytest.raises(PinBlocked):
        signature_card.verify_pin(PIN)
    with pytest.raises(WrongPuk) as wrong_puk:
        signature_card.unblock("11111111", "246810")
    assert wrong_puk.value.tries_left == 9
    signature_card.unblock(PUK, "246810")
    with pytest.raises(WrongPin):
        signature_card.verify_pin(PIN)  # the old PIN is gone
    signature_card.verify_pin("246810")
    signature_card.sign_digest(DIGEST)


def test_ten_wrong_puks_block_for_good(card_image: ChipImage) -> None:
    signature_card = card(card_image)
    for _ in range(9):
        with pytest.raises(WrongPuk):
            signature_card.unblock("11111111", "246810")
    with pytest.raises(PukBlocked):
        signature_card.unblock("11111111", "246810")
    with pytest.raises(PukBlocked):
        signature_card.unblock(PUK, "246810")


def test_malformed_pins_cost_no_try(card_image: ChipImage) -> None:
    signature_card = card(card_image)
    for bad in ("", "12345", "1234567890123", "12345a", "１２３４５６"):
        with pytest.raises(MalformedPin):
            signature_card.verify_pin(bad)
    assert signature_card.pin_tries_left() == 5


def test_the_pin_counter_survives_the_image_file(card_image: ChipImage) -> None:
    with pytest.raises(WrongPin):
        card(card_image).verify_pin("999999")
    reloaded = ChipImage.from_bytes(card_image.to_bytes())
    assert card(reloaded).pin_tries_left() == 4
    assert PIN.encode() not in card_image.to_bytes()


def test_the_application_answers_only_under_secure_messaging(card_image: ChipImage) -> None:
    chip = VirtualChip(card_image)
    assert chip.transmit(Command(0x00, 0xA4, 0x04, 0x0C, SIGNING_AID).encode())[-2:] == b"\x90\x00"
    for command in (Command(0x00, 0x20, 0x00, 0x81, PIN.encode()), Command(0x00, 0x2A, 0x9E, 0x9A, DIGEST, 256),
                    Command(0x00, 0xB0, 0x00, 0x00, le=16)):
        assert chip.transmit(command.encode()) == b"\x69\x82"
    assert card_image.applications is not None
    assert card_image.applications.signing is not None
    assert card_image.applications.signing.pin.tries_left == 5


def test_malformed_apdus_get_status_words_not_crashes(card_image: ChipImage) -> None:
    signature_card = card(card_image)
    signature_card.certificate()  # opens the session and selects the application
    reader = signature_card._reader
    answers = {
        "PSO with a short digest": reader.exchange(Command(0x00, 0x2A, 0x9E, 0x9A, b"\x01" * 5, 256))[1],
        "PSO with wrong P1/P2": reader.exchange(Command(0x00, 0x2A, 0x00, 0x00, DIGEST, 256))[1],
        "VERIFY of another reference": reader.exchange(Command(0x00, 0x20, 0x00, 0x01, PIN.encode()))[1],
        "READ BINARY past the end": reader.exchange(Command(0x00, 0xB0, 0x7F, 0x00, le=16))[1],
        "unknown instruction": reader.exchange(Command(0x00, 0x2C, 0x00, 0x81, b"1"))[1],
    }
    assert answers == {"PSO with a short digest": 0x6982, "PSO with wrong P1/P2": 0x6A86,
                       "VERIFY of another reference": 0x6A88, "READ BINARY past the end": 0x6B00,
                       "unknown instruction": 0x6A80}
    chip = VirtualChip(card_image)
    for garbage in (b"", b"\x00", b"\x00\x2a\x9e", b"\x00\x2a\x9e\x9a\x05\x01"):
        response = chip.transmit(garbage)
        assert len(response) == 2


def test_no_command_reads_the_private_key(card_image: ChipImage) -> None:
    assert card_image.applications is not None
    assert card_image.applications.signing is not None
    key = card_image.applications.signing.key
    assert key is not None
    secret = key.private_numbers().private_value.to_bytes(32, "big")
    trace: list[tuple[bytes, bytes]] = []
    signature_card = SignatureCard(InProcessTransport(VirtualChip(card_image), trace=trace),
                                   card_image.mrz_information, prefer_pace=False)
    certificate = signature_card.certificate()
    signature_card.verify_pin(PIN)
    signature_card.sign_digest(DIGEST)
    assert isinstance(certificate, x509.Certificate)
    assert all(secret not in response for _, response in trace)
