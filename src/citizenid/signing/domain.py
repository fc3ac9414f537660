"""What a validation says about a signed PDF, in words a service and a citizen read.  Pure: no I/O."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class SignatureReport:
    field: str
    valid: bool
    reason: str
    signer: str | None = None
    signer_id: str | None = None
    level: str = "B-B"
    signed_at: datetime | None = None
    timestamp: datetime | None = None
    intact: bool = False
    trusted: bool = False
    revoked: bool = False
    covers_whole_document: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in asdict(self).items()}


@dataclass(frozen=True, slots=True)
class ValidationReport:
    signatures: tuple[SignatureReport, ...]

    @property
    def valid(self) -> bool:
        return bool(self.signatures) and all(s.valid for s in self.signatures)

    @property
    def reason(self) -> str:
        if not self.signatures:
            return "the document carries no signature"
        failed = [s for s in self.signatures if not s.valid]
        if not failed:
            return "every signature is valid"
        return "; ".join(f"{s.field}: {s.reason}" for s in failed)

    def as_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "reason": self.reason, "signatures": [s.as_dict() for s in self.signatures]}


# AdES sub-indications (ETSI EN 319 102-1) as a verifier explains them.
TRUST_PROBLEMS = {
    "REVOKED": "the signer's certificate is revoked (the card was revoked)",
    "REVOKED_NO_POE": "the signer's certificate is revoked (the card was revoked)",
    "REVOKED_CA_NO_POE": "the citizen signing CA's certificate is revoked",
    "EXPIRED": "the signer's certificate has expired",
    "OUT_OF_BOUNDS_NO_POE": "the signer's certificate has expired",
    "OUT_OF_BOUNDS_NOT_REVOKED": "the signer's certificate has expired",
    "NOT_YET_VALID": "the signer's certificate is not yet valid",
    "NO_CERTIFICATE_CHAIN_FOUND": "the signer's certificate was not issued by the citizen signing CA",
    "CHAIN_CONSTRAINTS_FAILURE": "the signer's certificate chain breaks its constraints",
    "CERTIFICATE_CHAIN_GENERAL_FAILURE": "the signer's certificate chain cannot be validated",
    "TRY_LATER": "the signer's revocation status is not available",
    "REVOCATION_OUT_OF_BOUNDS_NO_POE": "the signer's certificate was revoked and nothing proves the signature "
                                       "existed before",
}


def explain_trust_problem(indication: str | None) -> str:
    if indication is None:
        return "the signer's certificate is not trusted"
    return TRUST_PROBLEMS.get(indication, f"the signer's certificate is not trusted ({indication.lower()})")
