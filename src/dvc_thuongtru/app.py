"""The service's HTTP API, as its web front end (or a test) uses it.

Each case gets a secret token at its start; every later call for that case carries it as a bearer
token, so nobody else can read or move the case.  Cases live in memory: a reference service, not a
case-management system.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
from typing import Annotated, Any

from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from dvc_thuongtru.cases import ATTRIBUTES, PURPOSE, Case, CaseError, CaseState, decide, prefill
from dvc_thuongtru.platform import PlatformClient, PlatformError


class StartIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    personal_number: str = Field(pattern=r"^\d{12}$")


class CodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^\d{6}$")


class SubmitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    new_commune: str = Field(max_length=5)
    new_detail: str = Field(max_length=300)
    confirmed: bool


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_service_app(platform: PlatformClient) -> FastAPI:
    app = FastAPI(title="Đăng ký thường trú trực tuyến", version="1")
    cases: dict[str, Case] = {}
    lock = threading.Lock()

    def _case(case_id: str, authorization: str | None) -> Case:
        scheme, _, token = (authorization or "").partition(" ")
        with lock:
            case = cases.get(case_id)
        if case is None or scheme != "Bearer" or not hmac.compare_digest(case.token_hash, _hash(token)):
            raise CaseError("no such case for this token", 404)
        return case

    @app.exception_handler(CaseError)
    async def _case_error(request: Request, exc: CaseError) -> JSONResponse:
        return JSONResponse({"title": "Hồ sơ không hợp lệ", "status": exc.status, "detail": exc.detail},
                            status_code=exc.status, media_type="application/problem+json")

    @app.exception_handler(PlatformError)
    async def _platform_error(request: Request, exc: PlatformError) -> JSONResponse:
        # The platform's refusal, passed on without its internals (a wrong code stays a wrong code).
        status = exc.status if exc.status in (401, 403, 404, 409, 422, 429) else 502
        return JSONResponse({"title": "Nền tảng dân cư từ chối", "status": status,
                             "detail": exc.problem.get("detail", "the population platform refused the request"),
                             "code": exc.problem.get("code")}, status_code=status,
                            media_type="application/problem+json")

    @app.post("/cases", status_code=201)
    def start(body: StartIn) -> dict[str, Any]:
        """Sign in: the platform sends the citizen a one-time code that is also their consent."""
        receipt = platform.ask_consent(body.personal_number, ATTRIBUTES, PURPOSE)
        token = secrets.token_urlsafe(24)
        case = Case(secrets.token_hex(8), _hash(token), body.personal_number, str(receipt["consent_id"]),
                    dt.datetime.now(dt.UTC))
        with lock:
            cases[case.case_id] = case
        return {"case_id": case.case_id, "case_token": token, "state": case.state.value,
                "message": "Mã xác nhận đã được gửi tới bạn qua ứng dụng định danh."}

    @app.post("/cases/{case_id}/code")
    def code(case_id: str, body: CodeIn, authorization: Annotated[str | None, Header()] = None) -> dict[str, Any]:
        """The citizen's code: approves the consent, and the form is pre-filled from what it allows."""
        case = _case(case_id, authorization)
        if case.state is not CaseState.AWAITING_CODE:
            raise CaseError("the code has already been given for this case")
        platform.approve(case.personal_number, case.consent_id, body.code)
        fetched = platform.fetch(case.personal_number, case.consent_id)
        case.form = prefill(fetched["attributes"])
        case.state = CaseState.PREFILLED
        return case.public()

    @app.post("/cases/{case_id}/submit")
    def submit(case_id: str, body: SubmitIn, authorization: Annotated[str | None, Header()] = None) -> dict[str, Any]:
        """The citizen confirms the new address; the service decides and, if it approves, records it."""
        case = _case(case_id, authorization)
        approved, reason = decide(case, body.new_commune, body.new_detail, body.confirmed)
        if approved:
            recorded = platform.record_change_of_residence(
                case.personal_number, commune=body.new_commune, detail=body.new_detail.strip(),
                effective=dt.datetime.now(dt.UTC).date().isoformat(), case=case.case_id)
            case.register_version = int(recorded["version"])
            case.state = CaseState.APPROVED
        else:
            case.state = CaseState.REJECTED
        case.decision = reason
        return case.public()

    @app.get("/cases/{case_id}")
    def show(case_id: str, authorization: Annotated[str | None, Header()] = None) -> dict[str, Any]:
        return _case(case_id, authorization).public()

    return app
