from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from citizenid.pki.certificates import (
    Authority,
    Role,
    check_profile,
    document_types_of,
    issue_csca,
    issue_document_signer,
)
from citizenid.pki.errors import (
    AlreadyInitialisedError,
    KeyNotFoundError,
    KeyStoreError,
    MasterlistError,
    NotInitialisedError,
    ProfileError,
    WrongPassphraseError,
)
from citizenid.pki.keystore import FileKeyStore, KeyAlgorithm, MemoryKeyStore, SoftwareSigner, verify_signature
from citizenid.pki.service import LazyKeyStore, PkiService, RotationPolicy, read_masterlist


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def pki(tmp_path: Path, clock: Clock) -> PkiService:
    service = PkiService(MemoryKeyStore(), tmp_path / "pki", clock=clock,
                         policy=RotationPolicy(signer_max_documents=3))
    service.init()
    return service


def test_init_creates_csca_and_signer_with_icao_profiles(pki: PkiService) -> None:
    [csca] = pki.csca_certificates()
    signer = pki.document_signer()
    check_profile(csca, Role.CSCA)
    check_profile(signer.certificate, Role.DOCUMENT_SIGNER)
    assert csca.subject == csca.issuer
    assert csca.subject.get_attributes_for_oid(x509.NameOID.COUNTRY_NAME)[0].value == "VN"
    signer.certificate.verify_directly_issued_by(csca)
    assert document_types_of(signer.certificate) == ("ID",)
    usage = signer.certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature
    assert not usage.key_cert_sign
    pkup = signer.certificate.extensions.get_extension_for_class(x509.PrivateKeyUsagePeriod).value
    assert pkup.not_after is not None
    assert pkup.not_after - pkup.not_before == timedelta(days=90)
    # Certificates outlive never-expiring cards signed on the last day of the key's use.
    assert signer.certificate.not_valid_after_utc - pkup.not_after.replace(tzinfo=UTC) >= timedelta(days=365 * 60)
    crl_dp = signer.certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert crl_dp[0].full_name is not None


def test_init_twice_is_refused(pki: PkiService) -> None:
    with pytest.raises(AlreadyInitialisedError):
        pki.init()


def test_uninitialised_pki_says_so(tmp_path: Path) -> None:
    with pytest.raises(NotInitialisedError, match="pki init"):
        PkiService(MemoryKeyStore(), tmp_path).status()


def test_signer_rotates_by_document_count(pki: PkiService) -> None:
    first = pki.document_signer()
    for _ in range(3):
        first.sign(b"x")
    second = pki.document_signer()
    assert second.label != first.label
    assert pki.status().signer_documents_signed == 0


def test_signer_rotates_by_age(pki: PkiService, clock: Clock) -> None:
    first = pki.document_signer()
    clock.now += timedelta(days=89)
    assert pki.document_signer() is first
    clock.now += timedelta(days=1)
    assert pki.document_signer().label != first.label


def test_state_survives_a_new_service(pki: PkiService, tmp_path: Path, clock: Clock) -> None:
    signer = pki.document_signer()
    signer.sign(b"a")
    pki.flush()
    keys = pki._keys  # the same key store, as after a restart with the same HSM
    again = PkiService(keys, tmp_path / "pki", clock=clock)
    assert again.status().signer_documents_signed == 1
    assert again.document_signer().certificate == signer.certificate


def test_csca_rollover_issues_a_verifiable_link_certificate(pki: PkiService) -> None:
    old = pki.csca_certificates()[0]
    link = pki.rotate_csca()
    new = pki.csca_certificates()[1]
    check_profile(link, Role.LINK)
    link.verify_directly_issued_by(old)
    assert link.subject == new.subject
    assert link.public_key() == new.public_key()
    pki.document_signer().certificate.verify_directly_issued_by(new)


def test_crl_lists_revoked_signer_and_rotates_away_from_it(pki: PkiService) -> None:
    current = pki.document_signer()
    pki.revoke(current.certificate)
    assert pki.document_signer().label != current.label
    crl = pki.crl()
    csca = pki.csca_certificates()[0]
    assert crl.is_signature_valid(csca.public_key())  # type: ignore[arg-type]
    assert crl.get_revoked_certificate_by_serial_number(current.certificate.serial_number) is not None
    # revoke() published CRL 1 at once; crl() issued CRL 2.
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 2
    assert pki.published_crls()[0].get_revoked_certificate_by_serial_number(current.certificate.serial_number)
    assert pki.crl().extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 3


def test_masterlist_round_trip_and_tamper(pki: PkiService) -> None:
    pki.rotate_csca()
    der = pki.masterlist()
    assert len(read_masterlist(der)) == 3  # two CSCAs and the link certificate
    assert read_masterlist(der, trust_anchor=pki.csca_certificates()[1]) == [pki.csca_certificates()[1]]
    assert len(read_masterlist(der, trust_anchor=pki.csca_certificates()[0])) == 3
    tampered = bytearray(der)
    index = der.find(pki.csca_certificates()[0].public_bytes(Encoding.DER)[-40:])
    tampered[index] ^= 1
    with pytest.raises(MasterlistError):
        read_masterlist(bytes(tampered))
    foreign = PkiService(MemoryKeyStore(), Path(str(pki._dir) + "-foreign"))
    foreign.init()
    with pytest.raises(MasterlistError, match="trusted CSCA"):
        read_masterlist(der, trust_anchor=foreign.csca_certificates()[0])


@pytest.mark.parametrize("algorithm", [KeyAlgorithm.EC_BRAINPOOL_P256, KeyAlgorithm.RSA_2048])
def test_other_algorithms(tmp_path: Path, algorithm: KeyAlgorithm) -> None:
    service = PkiService(MemoryKeyStore(), tmp_path)
    service.init(algorithm)
    signer = service.document_signer()
    signer.certificate.verify_directly_issued_by(service.csca_certificates()[0])
    assert verify_signature(signer.certificate.public_key(), signer.sign(b"data"), b"data")
    assert not verify_signature(signer.certificate.public_key(), signer.sign(b"data"), b"other")


def test_profile_check_rejects_a_ca_used_as_signer() -> None:
    authority = Authority()
    now = datetime(2026, 1, 1, tzinfo=UTC)
    key = SoftwareSigner.generate(KeyAlgorithm.EC_P256)
    csca = issue_csca(key, authority, common_name="CSCA", not_before=now, key_usage=timedelta(days=10),
                      validity=timedelta(days=100))
    with pytest.raises(ProfileError, match="digital signatures only"):
        check_profile(csca, Role.DOCUMENT_SIGNER)
    ds = issue_document_signer(key, csca, key.public_key(), authority, common_name="DS", not_before=now,
                               key_usage=timedelta(days=1), validity=timedelta(days=10), document_types=("P",))
    with pytest.raises(ProfileError, match="document type list"):
        check_profile(ds, Role.DOCUMENT_SIGNER)
    with pytest.raises(ProfileError, match="basic constraints"):
        check_profile(ds, Role.CSCA)


def test_file_key_store_encrypts_and_reopens(tmp_path: Path) -> None:
    store = FileKeyStore(tmp_path / "keys", "correct horse")
    signer = store.generate("csca-1", KeyAlgorithm.EC_P256)
    pem = (tmp_path / "keys" / "csca-1.key.pem").read_bytes()
    assert b"ENCRYPTED PRIVATE KEY" in pem
    assert (tmp_path / "keys" / "csca-1.key.pem").stat().st_mode & 0o077 == 0
    reopened = FileKeyStore(tmp_path / "keys", "correct horse").signer("csca-1")
    assert reopened.public_key() == signer.public_key()
    assert store.labels() == ["csca-1"]
    with pytest.raises(WrongPassphraseError):
        FileKeyStore(tmp_path / "keys", "wrong").signer("csca-1")
    with pytest.raises(KeyNotFoundError):
        store.signer("nope")
    store.delete("csca-1")
    assert store.labels() == []


def test_file_key_store_without_passphrase_says_what_to_set(tmp_path: Path) -> None:
    with pytest.raises(KeyStoreError, match="CITIZENID_KEYSTORE_PASSPHRASE"):
        FileKeyStore(tmp_path, None).generate("csca-1", KeyAlgorithm.EC_P256)


def test_pki_on_encrypted_files_survives_a_restart(tmp_path: Path, clock: Clock) -> None:
    store = FileKeyStore(tmp_path / "keys", "s3cret")
    service = PkiService(store, tmp_path / "pki", clock=clock)
    service.init(KeyAlgorithm.EC_BRAINPOOL_P256)
    signer = service.document_signer()
    signature = signer.sign(b"doc")
    service.flush()
    again = PkiService(FileKeyStore(tmp_path / "keys", "s3cret"), tmp_path / "pki", clock=clock)
    reopened = again.document_signer()
    assert reopened.certificate == signer.certificate
    assert reopened.documents_signed == 1
    assert verify_signature(reopened.signer.public_key(), signature, b"doc")
    assert sorted(store.labels()) == ["csca-1", "ds-3", "ml-2"]
    with pytest.raises(WrongPassphraseError):
        PkiService(FileKeyStore(tmp_path / "keys", "wrong"), tmp_path / "pki", clock=clock).document_signer()


def test_a_verifier_pinned_to_the_old_csca_follows_link_certificates(pki: PkiService) -> None:
    old = pki.csca_certificates()[0]
    pki.rotate_csca()
    pki.rotate_csca()
    certs = read_masterlist(pki.masterlist(), trust_anchor=old)
    newest = pki.csca_certificates()[-1]
    assert newest in certs
    assert len(certs) == 5  # three CSCAs and two link certificates
    assert read_masterlist(pki.masterlist(), trust_anchor=newest) == [newest]


def test_published_crls_are_reused_until_they_expire(pki: PkiService, clock: Clock) -> None:
    first = pki.published_crls()
    again = pki.published_crls()
    assert [c.public_bytes(Encoding.DER) for c in again] == [c.public_bytes(Encoding.DER) for c in first]
    clock.now += timedelta(days=91)
    number = pki.published_crls()[0].extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    assert number == 2


def test_lazy_key_store_builds_its_store_on_first_use(tmp_path: Path) -> None:
    built: list[MemoryKeyStore] = []

    def factory() -> MemoryKeyStore:
        built.append(MemoryKeyStore())
        return built[-1]

    store = LazyKeyStore(factory)
    service = PkiService(store, tmp_path / "pki")
    assert built == []
    service.init()
    assert len(built) == 1
    assert store.labels() == built[0].labels()
