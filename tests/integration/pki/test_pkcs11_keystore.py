"""The PKCS#11 key store against a real SoftHSM2 token created in a temporary directory."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509

from citizenid.pki.certificates import Role, check_profile
from citizenid.pki.errors import KeyStoreUnavailableError
from citizenid.pki.keystore import KeyAlgorithm, verify_signature
from citizenid.pki.pkcs11 import Pkcs11KeyStore
from citizenid.pki.service import PkiService

MODULE_CANDIDATES = ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
                     "/usr/local/lib/softhsm/libsofthsm2.so"]
MODULE = next((p for p in MODULE_CANDIDATES if Path(p).exists()), None)

pytestmark = [
    pytest.mark.skipif(MODULE is None or shutil.which("softhsm2-util") is None,
                       reason="SoftHSM2 is not installed (Debian package softhsm2)"),
]
pkcs11 = pytest.importorskip("pkcs11", reason="python-pkcs11 is not installed")


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("softhsm")
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "citizenid-test",
                    "--so-pin", "5678", "--pin", "1234"], check=True, capture_output=True)
    yield "citizenid-test"
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


@pytest.fixture(scope="module")
def store(token: str) -> Iterator[object]:
    assert MODULE is not None
    key_store = Pkcs11KeyStore(MODULE, token, "1234")
    yield key_store
    key_store.close()


@pytest.mark.parametrize(
    "algorithm", [KeyAlgorithm.EC_P256, KeyAlgorithm.EC_BRAINPOOL_P256, KeyAlgorithm.RSA_2048]
)
def test_keys_are_generated_on_the_token_and_sign(store: object, algorithm: KeyAlgorithm) -> None:
    assert isinstance(store, Pkcs11KeyStore)
    label = f"test-{algorithm.value.lower()}"
    signer = store.generate(label, algorithm)
    signature = signer.sign(b"document")
    assert verify_signature(signer.public_key(), signature, b"document")
    assert label in store.labels()
    store._cache.clear()
    again = store.signer(label)
    assert again.algorithm is algorithm
    assert again.public_key() == signer.public_key()
    store.delete(label)
    assert label not in store.labels()


def test_pki_on_the_token(store: object, tmp_path: Path) -> None:
    assert isinstance(store, Pkcs11KeyStore)
    service = PkiService(store, tmp_path / "pki")
    service.init(KeyAlgorithm.EC_P256)
    csca = service.csca_certificates()[0]
    check_profile(csca, Role.CSCA)
    signer = service.document_signer()
    signer.certificate.verify_directly_issued_by(csca)
    crl = service.crl()
    assert crl.is_signature_valid(csca.public_key())  # type: ignore[arg-type]
    assert isinstance(signer.certificate, x509.Certificate)


def test_wrong_pin_is_a_clear_error(token: str) -> None:
    assert MODULE is not None
    with pytest.raises(KeyStoreUnavailableError):
        Pkcs11KeyStore(MODULE, token, "0000")
