"""Reader + verifier end to end against the in-process virtual chip, including tampering."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from citizenid.chip.card import VirtualChip
from citizenid.chip.errors import CardError, LdsError
from citizenid.chip.image import ChipImage, personalise
from citizenid.chip.lds import CardHolder, File
from citizenid.chip.reader import CardRead, Reader
from citizenid.chip.revocation import read_revocation_list
from citizenid.chip.service import ChipService
from citizenid.chip.transport import InProcessTransport
from citizenid.chip.verifier import TrustStore, Verifier
from citizenid.pki.service import DocumentSigner, KeyAlgorithm, MemoryKeyStore, PkiService

from .conftest import FACE, make_holder


@pytest.fixture(scope="module")
def trust(pki: PkiService) -> TrustStore:
    revoked = ChipService(pki).revocation_list(frozenset({"012345678901"}))
    return TrustStore.from_masterlist(pki.masterlist(), pki.csca_certificates()[0], [pki.crl()],
                                      revocation_list=revoked)


def read(image: ChipImage, **options: object) -> CardRead:
    reader = Reader(InProcessTransport(VirtualChip(image)), extended_length=bool(options.pop("extended", True)))
    return reader.read(image.mrz_information, **options)  # type: ignore[arg-type]


def test_bac_read_verifies_completely(image: ChipImage, trust: TrustStore, holder: CardHolder) -> None:
    result = Verifier(trust).verify(read(image, prefer_pace=False))
    assert result.valid, result.as_dict()
    assert result.access == "BAC"
    assert result.holder == holder
    assert {c.name for c in result.checks if c.passed} >= {
        "sod.signature", "data_group_hashes", "document_signer.chain", "document_signer.profile",
        "document_signer.revocation", "active_authentication", "chip_authentication", "mrz", "dg13",
        "document.revocation"}


def test_pace_read_with_short_apdus(image: ChipImage, trust: TrustStore) -> None:
    card = read(image, extended=False)
    assert card.access == "PACE"
    assert card.files == {**card.files, **{f: image.files[f] for f in card.files}}
    assert Verifier(trust).verify(card).valid


def test_wrong_mrz_is_refused(image: ChipImage) -> None:
    wrong = dataclasses.replace(image, mrz_information="123456789" + image.mrz_information[9:])
    reader = Reader(InProcessTransport(VirtualChip(image)))
    with pytest.raises(CardError):
        reader.read(wrong.mrz_information, prefer_pace=False)
    with pytest.raises(CardError):
        Reader(InProcessTransport(VirtualChip(image))).read(wrong.mrz_information)


def _failed(result: object) -> set[str]:
    return {c.name for c in result.failures}  # type: ignore[attr-defined]


def test_changed_data_group_is_caught(image: ChipImage, trust: TrustStore) -> None:
    files = dict(image.files)
    dg13 = bytearray(files[File.DG13])
    dg13[-3] ^= 0x01
    files[File.DG13] = bytes(dg13)
    result = Verifier(trust).verify(read(dataclasses.replace(image, files=files)))
    assert not result.valid
    assert "data_group_hashes" in _failed(result)
    assert "DG13" in result.check("data_group_hashes").detail


def test_foreign_document_signer_is_caught(trust: TrustStore, tmp_path: Path) -> None:
    foreign = PkiService(MemoryKeyStore(), tmp_path / "foreign")
    foreign.init()
    image = personalise(make_holder(), FACE, foreign.document_signer())
    result = Verifier(trust).verify(read(image))
    assert result.check("sod.signature").passed  # the SOD itself is fine ...
    assert _failed(result) == {"document_signer.chain"}  # ... but nobody we trust issued its signer
    assert not result.valid


def test_revoked_document_signer_is_caught(tmp_path: Path) -> None:
    service = PkiService(MemoryKeyStore(), tmp_path / "pki")
    service.init()
    signer = service.document_signer()
    image = personalise(make_holder(), FACE, signer)
    service.revoke(signer.certificate)
    trust = TrustStore.from_masterlist(service.masterlist(), crls=[service.crl()])
    result = Verifier(trust).verify(read(image))
    assert _failed(result) == {"document_signer.revocation"}
    assert "revoked" in result.check("document_signer.revocation").detail


def test_stale_crl_is_reported_with_its_age(image: ChipImage, pki: PkiService, trust: TrustStore) -> None:
    later = datetime.now(UTC) + timedelta(days=3)
    result = Verifier(trust, clock=lambda: later).verify(read(image))
    assert _failed(result) == {"document_signer.revocation", "document.revocation"}  # both lists are stale
    assert "h old" in result.check("document_signer.revocation").detail


def test_revoked_card_is_caught(image: ChipImage, trust: TrustStore, pki: PkiService) -> None:
    revoked = dataclasses.replace(trust, revoked_documents=frozenset({"001093047064"}))
    result = Verifier(revoked).verify(read(image))
    assert _failed(result) == {"document.revocation"}
    signed = ChipService(pki).revocation_list(frozenset({"001093047064", "079204000123"}))
    listed = TrustStore.from_masterlist(pki.masterlist(), crls=[pki.crl()], revocation_list=signed)
    assert listed.revocation_list is not None
    assert listed.revocation_list.revoked == {"001093047064", "079204000123"}
    result = Verifier(listed).verify(read(image))
    assert _failed(result) == {"document.revocation"}
    assert result.check("document.revocation").detail == "card revoked"


def test_revocation_lists_must_be_fresh_and_ours(image: ChipImage, trust: TrustStore, tmp_path: Path) -> None:
    later = datetime.now(UTC) + timedelta(hours=30)
    result = Verifier(trust, crl_max_age=timedelta(days=5), clock=lambda: later).verify(read(image))
    assert _failed(result) == {"document.revocation"}
    assert "expired" in result.check("document.revocation").detail
    foreign = PkiService(MemoryKeyStore(), tmp_path / "foreign")
    foreign.init()
    forged = ChipService(foreign).revocation_list(frozenset())
    with pytest.raises(LdsError, match="trusted CSCA"):
        read_revocation_list(forged, trust.cscas)
    with pytest.raises(LdsError, match="not signed data"):
        read_revocation_list(forged[:-5], trust.cscas)


def test_cloned_chip_without_the_aa_key_is_caught(image: ChipImage, trust: TrustStore) -> None:
    clone = dataclasses.replace(image, aa_key=ec.generate_private_key(ec.SECP256R1()),
                                ca_key=ec.generate_private_key(ec.SECP256R1()))
    card = read(clone)
    assert card.chip_authenticated is False
    result = Verifier(trust).verify(card)
    assert not result.valid
    assert "chip_authentication" in _failed(result)
    card = read(clone, chip_authentication=False)
    result = Verifier(trust).verify(card)
    assert _failed(result) == {"active_authentication"}


def test_missing_crl_is_not_a_pass(image: ChipImage, pki: PkiService) -> None:
    trust = TrustStore.from_masterlist(pki.masterlist())
    result = Verifier(trust).verify(read(image))
    assert result.check("document_signer.revocation").passed is None
    assert result.valid


def test_rsa_and_brainpool_signers(tmp_path: Path) -> None:
    for algorithm in (KeyAlgorithm.RSA_2048, KeyAlgorithm.EC_BRAINPOOL_P256):
        service = PkiService(MemoryKeyStore(), tmp_path / algorithm.value)
        service.init(algorithm)
        image = personalise(make_holder(), FACE, service.document_signer(), pace=False)
        trust = TrustStore.from_masterlist(service.masterlist(), crls=[service.crl()])
        result = Verifier(trust).verify(read(image))
        assert result.valid, result.as_dict()
        assert result.access == "BAC"


def test_signer_certificate_outlives_never_expiring_cards(signer: DocumentSigner) -> None:
    assert signer.certificate.not_valid_after_utc.year >= datetime.now(UTC).year + 60
    assert isinstance(signer.certificate, x509.Certificate)


def test_large_face_is_read_past_32k_with_odd_ins_read_binary(signer: DocumentSigner, trust: TrustStore) -> None:
    face = b"\xff\xd8" + bytes(range(256)) * 160 + b"\xff\xd9"  # ~40 KB: offsets beyond 0x7FFF need B1
    image = personalise(make_holder(), face, signer, pace=False)
    trace: list[tuple[bytes, bytes]] = []
    card = Reader(InProcessTransport(VirtualChip(image), trace=trace)).read(image.mrz_information)
    assert card.files[File.DG2] == image.files[File.DG2]
    assert any(apdu[1] == 0xB1 for apdu, _ in trace)
    assert all(len(response) <= 258 for _, response in trace)  # short APDUs throughout
    assert Verifier(trust).verify(card).valid


def test_extended_length_reads_a_file_in_one_command(image: ChipImage) -> None:
    trace: list[tuple[bytes, bytes]] = []
    Reader(InProcessTransport(VirtualChip(image), trace=trace), extended_length=True).read(
        image.mrz_information, prefer_pace=False)
    long_responses = [r for _, r in trace if len(r) > 258]
    assert long_responses  # DG2 came back in one extended response


def test_skipped_active_authentication_is_not_a_failure(image: ChipImage, trust: TrustStore) -> None:
    card = read(image, active_authentication=False)
    result = Verifier(trust).verify(card)
    assert result.check("active_authentication").passed is None
    assert result.valid


def test_cards_signed_before_a_csca_rollover_still_verify(tmp_path: Path) -> None:
    pki = PkiService(MemoryKeyStore(), tmp_path / "pki")
    pki.init()
    chips = ChipService(pki)
    old_signer = pki.document_signer()
    before = chips.personalise(make_holder(), FACE)
    pki.rotate_csca()
    after = chips.personalise(make_holder(personal_number="079204000123"), FACE)
    assert chips.verify_image(before).valid
    assert chips.verify_image(after).valid
    pki.revoke(old_signer.certificate)
    result = chips.verify_image(before)
    assert [c.name for c in result.failures] == ["document_signer.revocation"]
    assert chips.verify_image(after).valid
