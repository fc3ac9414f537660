"""A case of the service and how it is decided.  Pure rules.

    awaiting_code ──code──► prefilled ──submit──► approved
          │                     │
          └──── (expired) ──────┴──submit──► rejected (with the reason the citizen reads)
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass, field
from typing import Any

ATTRIBUTES = ["full_name", "birth_date", "sex", "residence_commune", "residence_detail", "document:health_insurance"]
PURPOSE = "giải quyết thủ tục đăng ký thường trú trực tuyến"


class CaseState(enum.StrEnum):
    AWAITING_CODE = "awaiting_code"
    PREFILLED = "prefilled"
    APPROVED = "approved"
    REJECTED = "rejected"


class CaseError(Exception):
    """A request that does not fit the case; ``status`` is the HTTP answer."""

    def __init__(self, detail: str, status: int = 409) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status


@dataclass
class Case:
    case_id: str
    token_hash: str
    personal_number: str
    consent_id: str
    created_at: dt.datetime
    state: CaseState = CaseState.AWAITING_CODE
    form: dict[str, Any] = field(default_factory=dict)
    decision: str | None = None
    register_version: int | None = None

    def public(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "state": self.state.value, "form": self.form, "decision": self.decision,
                "register_version": self.register_version}


def prefill(fetched: dict[str, Any]) -> dict[str, Any]:
    """The form as the register and the health insurance card fill it; the citizen only adds the new address."""
    cards = fetched.get("document:health_insurance") or []
    return {
        "full_name": fetched.get("full_name"),
        "birth_date": fetched.get("birth_date"),
        "sex": fetched.get("sex"),
        "current_commune": fetched.get("residence_commune"),
        "current_detail": fetched.get("residence_detail"),
        "health_insurance": cards[0] if cards else None,
    }


def decide(case: Case, new_commune: str, new_detail: str, confirmed: bool) -> tuple[bool, str]:
    """The service's rules: the citizen confirmed, the address is well formed and is a change."""
    if case.state is not CaseState.PREFILLED:
        raise CaseError(f"the case is {case.state.value}; it cannot be submitted now")
    if not confirmed:
        return False, "bạn chưa xác nhận thông tin kê khai là đúng"
    if not re.fullmatch(r"\d{5}", new_commune):
        return False, "mã xã, phường nơi thường trú mới phải gồm 5 chữ số"
    if not new_detail.strip():
        return False, "hãy ghi số nhà, đường phố hoặc thôn, xóm"
    if new_commune == case.form.get("current_commune") and new_detail.strip() == (case.form.get("current_detail")
                                                                                    or "").strip():
        return False, "địa chỉ mới trùng với nơi thường trú hiện tại"
    return True, "chấp thuận đăng ký thường trú"
