"""Hostile input: broken PDFs and random APDUs give clear errors or status words, never a crash."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citizenid.chip.applications import OTP_AID, SIGNING_AID, OtpApplet
from citizenid.chip.card import VirtualChip
from citizenid.chip.image import ChipImage, personalise
from citizenid.chip.sm import Command
from citizenid.signing.errors import NoSignature, NotAPdf
from citizenid.signing.service import SigningService
from tests.unit.chip.conftest import FACE, make_holder

from .conftest import PIN, make_pdf

PDF = make_pdf()
GENTLE = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@GENTLE
@given(cut=st.integers(0, len(PDF)), noise=st.binary(max_size=40), at=st.integers(0, len(PDF)))
def test_broken_pdfs_are_refused_cleanly(signing: SigningService, cut: int, noise: bytes, at: int) -> None:
    broken = (PDF[:at] + noise + PDF[at:])[: max(cut, 8)]
    with contextlib.suppress(NotAPdf, NoSignature):
        signing.validate_pdf(broken)


@GENTLE
@given(position=st.integers(0, 10_000), noise=st.binary(min_size=1, max_size=16))
def test_damaged_signed_pdfs_never_validate_and_never_crash(signing: SigningService, signed_pdf: bytes,
                                                           position: int, noise: bytes) -> None:
    position %= len(signed_pdf)
    damaged = signed_pdf[:position] + noise + signed_pdf[position + len(noise):]
    if damaged == signed_pdf:
        return
    # The signature's own hex blob is the one part the signature cannot cover; damage there may be
    # harmless (an embedded root nobody trusts, padding), damage anywhere else must invalidate.
    contents = signed_pdf.index(b"/Contents <")
    unsigned = range(contents, signed_pdf.index(b">", contents) + 1)
    try:
        report = signing.validate_pdf(damaged)
    except (NotAPdf, NoSignature):
        return
    if position + len(noise) <= unsigned.start or position >= unsigned.stop:
        assert not report.valid, (position, noise)


@pytest.fixture(scope="module")
def signed_pdf(signing: SigningService, request: pytest.FixtureRequest) -> bytes:
    pki = request.getfixturevalue("pki")
    holder = make_holder()
    image = personalise(holder, FACE, pki.document_signer())
    signing.personalise(image, full_name=holder.full_name, personal_number=holder.personal_number, pin=PIN,
                        puk="87654321")
    return signing.sign_pdf_with_image(PDF, image, PIN)


@GENTLE
@given(apdus=st.lists(st.binary(min_size=0, max_size=40), max_size=12), aid=st.sampled_from([SIGNING_AID, OTP_AID]))
def test_random_apdus_to_the_applications_get_status_words(card_image: ChipImage, apdus: list[bytes],
                                                           aid: bytes) -> None:
    assert card_image.applications is not None
    card_image.applications.otp = OtpApplet(b"S" * 20, "hotp")
    chip = VirtualChip(card_image)
    assert chip.transmit(Command(0x00, 0xA4, 0x04, 0x0C, aid).encode())[-2:] == b"\x90\x00"
    for apdu in apdus:
        response = chip.transmit(apdu)
        assert len(response) >= 2
        assert response[-2:] != b"\x90\x00" or apdu[1:2] in (b"\xa4", b"\x84"), apdu.hex()
    assert card_image.applications.signing is not None
    assert card_image.applications.signing.pin.tries_left == 5  # nothing without secure messaging
    assert card_image.applications.otp.counter == 0
