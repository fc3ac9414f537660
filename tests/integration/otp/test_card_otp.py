"""The card's OTP application: provisioned at personalisation, codes over secure messaging, checked once."""

from __future__ import annotations

import time

import pytest

from citizenid.bootstrap import Container
from citizenid.chip.applications import OTP_AID, CardApplications, OtpApplet
from citizenid.chip.card import VirtualChip
from citizenid.chip.image import ChipImage, personalise
from citizenid.chip.sm import Command
from citizenid.chip.transport import InProcessTransport
from citizenid.otp.errors import OtpReplayed
from citizenid.otp.service import HashAlgorithm, MemoryMasterKey, OtpKind, OtpParameters, OtpService
from citizenid.pki.service import MemoryKeyStore, PkiService
from citizenid.signing.card import SignatureCard
from tests.unit.chip.conftest import FACE, make_holder
from tests.unit.otp.test_vectors import RFC4226, RFC6238, SEEDS

PERSON = "001093047064"


@pytest.fixture(scope="module")
def blank_image(tmp_path_factory: pytest.TempPathFactory) -> ChipImage:
    pki = PkiService(MemoryKeyStore(), tmp_path_factory.mktemp("otp-pki"))
    pki.init()
    return personalise(make_holder(), FACE, pki.document_signer())


def fresh(image: ChipImage) -> ChipImage:
    return ChipImage.from_bytes(image.to_bytes())


def card(image: ChipImage) -> SignatureCard:
    return SignatureCard(InProcessTransport(VirtualChip(image)), image.mrz_information, prefer_pace=False)


def test_card_hotp_matches_rfc4226(blank_image: ChipImage) -> None:
    image = fresh(blank_image)
    image.applications = CardApplications(otp=OtpApplet(b"12345678901234567890", "hotp"))
    otp_card = card(image)
    assert [otp_card.otp() for _ in range(10)] == RFC4226


@pytest.mark.parametrize("algorithm", list(HashAlgorithm))
def test_card_totp_matches_rfc6238(blank_image: ChipImage, algorithm: HashAlgorithm) -> None:
    image = fresh(blank_image)
    image.applications = CardApplications(otp=OtpApplet(SEEDS[algorithm], "totp", algorithm.value, 8))
    column = list(HashAlgorithm).index(algorithm) + 1
    otp_card = card(image)
    assert [otp_card.otp(row[0]) for row in RFC6238] == [row[column] for row in RFC6238]


def test_card_code_is_accepted_once_by_the_server(any_container: Container, blank_image: ChipImage) -> None:
    image = fresh(blank_image)
    service = OtpService(any_container.uow, MemoryMasterKey())
    service.personalise_card(image, PERSON, OtpParameters(OtpKind.TOTP, HashAlgorithm.SHA256, 8))
    code = card(image).otp(int(time.time()))
    service.validate(PERSON, image.document_number, code)
    with pytest.raises(OtpReplayed):
        service.validate(PERSON, image.document_number, code)

    service.personalise_card(image, PERSON, OtpParameters(OtpKind.HOTP))
    otp_card = card(image)
    for _ in range(3):
        service.validate(PERSON, image.document_number, otp_card.otp())


def test_otp_application_needs_secure_messaging_and_never_shows_its_seed(blank_image: ChipImage) -> None:
    image = fresh(blank_image)
    secret = b"S" * 20
    image.applications = CardApplications(otp=OtpApplet(secret, "totp"))
    chip = VirtualChip(image)
    assert chip.transmit(Command(0x00, 0xA4, 0x04, 0x0C, OTP_AID).encode())[-2:] == b"\x90\x00"
    assert chip.transmit(Command(0x00, 0x88, 0x00, 0x01, bytes(8), 256).encode()) == b"\x69\x82"
    trace: list[tuple[bytes, bytes]] = []
    otp_card = SignatureCard(InProcessTransport(VirtualChip(image), trace=trace), image.mrz_information,
                             prefer_pace=False)
    assert len(otp_card.otp(1_800_000_000)) == 6
    reader = otp_card._reader
    for command in (Command(0x00, 0xB0, 0x00, 0x00, le=32), Command(0x00, 0xCA, 0x00, 0x00, le=32),
                    Command(0x00, 0x88, 0x00, 0x01, bytes(3), 256), Command(0x00, 0x88, 0x00, 0x02, bytes(8), 256)):
        data, sw = reader.exchange(command)
        assert sw != 0x9000, command
        assert data == b"", command
    assert all(secret not in response for _, response in trace)
