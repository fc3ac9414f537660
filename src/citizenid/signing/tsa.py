"""The project's RFC 3161 time-stamp authority, in process: pyHanko's responder, signing with our key store.

pyHanko ships a responder for tests that signs with an in-memory RSA key.  Ours keeps its key in the
:class:`~citizenid.pki.keystore.KeyStore` like every issuing key, so the two steps that touch the key —
signing the signed attributes and naming the signature algorithm — are replaced; the RFC 3161 token
layout stays pyHanko's.  The key store signs with SHA-256, so every token's digest is SHA-256.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from asn1crypto import algos, cms, core
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from pyhanko.sign import general
from pyhanko.sign.general import simple_cms_attribute as _untyped_attribute
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from citizenid.pki.keystore import Signer
from citizenid.signing.pades import to_asn1

# pyHanko leaves this helper untyped; the annotation states what it takes and returns.
simple_cms_attribute: Callable[[str, Any], cms.CMSAttribute] = _untyped_attribute


class KeyStoreTimeStamper(DummyTimeStamper):
    def __init__(self, certificate: x509.Certificate, signer: Signer, chain: list[x509.Certificate]) -> None:
        # The parent wants a private key only for its own signing step, which is overridden below.
        super().__init__(to_asn1(certificate), tsa_key=None,
                         certs_to_embed=None, override_md="sha256")
        self.certs_to_embed = [to_asn1(c) for c in chain]
        self._signer = signer

    def _sign_tst_info(
        self, tst_info_data: bytes, md_algorithm: str, dt: datetime,
    ) -> tuple[bytes, cms.CMSAttributes]:
        if md_algorithm != "sha256":
            raise ValueError("the time-stamp key signs SHA-256 digests only")
        digest = hashes.Hash(hashes.SHA256())
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes([
            simple_cms_attribute("content_type", "tst_info"),
            simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
            simple_cms_attribute("signing_certificate", general.as_signing_certificate(self.tsa_cert)),
            simple_cms_attribute("message_digest", digest.finalize()),
        ])
        return self._signer.sign(signed_attrs.dump()), signed_attrs

    def _build_signed_data(self, tst_info_data: bytes, md_algorithm: str, signature: bytes,
                           signed_attrs: cms.CMSAttributes) -> dict[str, Any]:
        signed_data: dict[str, Any] = super()._build_signed_data(tst_info_data, md_algorithm, signature, signed_attrs)
        mechanism = "sha256_ecdsa" if self._signer.algorithm.is_ec else "sha256_rsa"
        signed_data["signer_infos"][0]["signature_algorithm"] = algos.SignedDigestAlgorithm({"algorithm": mechanism})
        return signed_data

    def request_tsa_response(self, req: Any) -> Any:
        # pyHanko's responder reads the local zone for genTime; RFC 3161 asks for UTC.
        self.fixed_dt = datetime.now(UTC)
        return super().request_tsa_response(req)
