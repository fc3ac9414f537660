"""What every exchange route shares: the route class (bodies capped, refusals answered as problem+json and
recorded in the access log, rate-limit headers) and the services behind the routes."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from citizenid.errors import CitizenIdError
from citizenid.exchange.domain import PartnerPrincipal, RateState
from citizenid.exchange.errors import (
    BodyTooLarge,
    CitizenNotAuthenticated,
    ExchangeError,
    RateLimited,
)
from citizenid.exchange.events import EventService
from citizenid.exchange.portal import CitizenPortal
from citizenid.exchange.service import ExchangeService
from citizenid.exchange.tokens import ALGORITHMS

PREFIX = "/api/v1/exchange"
TOKEN_PATH = f"{PREFIX}/oauth/token"
MAX_BODY = 64 * 1024
MAX_CARD_BODY = 512 * 1024
DPOP_CHALLENGE = f'DPoP algs="{" ".join(sorted(ALGORITHMS))}"'
PROBLEM = "application/problem+json"


def _service(request: Request) -> ExchangeService:
    service: ExchangeService = request.app.state.container.exchange
    return service


def _events(request: Request) -> EventService:
    service: EventService = request.app.state.container.exchange_events
    return service


def _portal(request: Request) -> CitizenPortal:
    service: CitizenPortal = request.app.state.container.portal
    return service


# -- the route class: body cap, refusals audited, rate-limit headers ------------------------------------------


def _problem(exc: CitizenIdError, headers: dict[str, str]) -> JSONResponse:
    return JSONResponse(exc.problem(), status_code=exc.status, media_type=PROBLEM, headers=headers)


def _rate_headers(state: RateState | None) -> dict[str, str]:
    if state is None:
        return {}
    return {"RateLimit-Limit": str(state.limit), "RateLimit-Remaining": str(state.remaining),
            "RateLimit-Reset": str(state.reset_seconds)}


_REQUEST_IDS = itertools.count(1)


def _request_id() -> str:
    # A counter, not uuid4: os.urandom releases the GIL on every request of the hot path.
    return f"x{os.getpid():x}-{next(_REQUEST_IDS):x}"


class ExchangeRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        limit = MAX_CARD_BODY if "/card/" in self.path or "approve" in self.path else MAX_BODY

        async def guarded(request: Request) -> Response:
            request.state.request_id = request.headers.get("x-request-id") or _request_id()
            try:
                declared = int(request.headers.get("content-length") or 0)
                if declared > limit or len(await request.body()) > limit:
                    raise BodyTooLarge(f"bodies are limited to {limit} bytes here")
                response = await handler(request)
            except ExchangeError as exc:
                await _refused(request, exc.code, exc.detail, exc)
                headers = _rate_headers(getattr(request.state, "rate", None))
                if isinstance(exc, RateLimited):
                    headers.update({"Retry-After": str(exc.extra.get("retry_after", 1)),
                                    "RateLimit-Limit": str(exc.extra.get("limit", 0)), "RateLimit-Remaining": "0",
                                    "RateLimit-Reset": str(exc.extra.get("retry_after", 1))})
                if exc.status == 401:
                    headers["WWW-Authenticate"] = "Bearer" if isinstance(exc, CitizenNotAuthenticated) or not \
                        request.headers.get("authorization", "").startswith("DPoP ") else DPOP_CHALLENGE
                return _problem(exc, headers)
            except RequestValidationError as exc:
                await _refused(request, "GEN-422", str(exc.errors())[:300], None)
                raise
            response.headers.update(_rate_headers(getattr(request.state, "rate", None)))
            return response

        return guarded


async def _refused(request: Request, code: str, detail: str, exc: ExchangeError | None) -> None:
    if request.url.path.startswith(f"{PREFIX}/admin") or (isinstance(exc, RateLimited) and code == "XCH-429"):
        return  # officers' mistakes are not abuse; plain rate-limit refusals would turn a flood into writes
    partner: PartnerPrincipal | None = getattr(request.state, "partner", None)
    actor = partner.actor if partner is not None else "anonymous"
    await run_in_threadpool(_service(request).record_refusal, actor, f"exchange:request:{request.method.lower()}",
                            code, f"{request.url.path}: {detail}", request.state.request_id)
