"""A partner's side of the exchange API for tests: keys, tokens, DPoP-signed requests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response

from citizenid.auth.domain import operator_principal
from citizenid.bootstrap import Container
from citizenid.exchange.domain import Limits
from citizenid.exchange.tokens import ASSERTION_TYPE, PartnerKey
from citizenid.synth import generate_population

BASE = "http://testserver"
TOKEN_URL = f"{BASE}/api/v1/exchange/oauth/token"
ADMIN = "cli:test-admin"


def load_people(container: Container, count: int = 200) -> list[dict[str, Any]]:
    table = generate_population(count, seed=23)
    container.registry.load_table(operator_principal("test"), table)
    return table.to_pylist()  # type: ignore[no-any-return]


def make_service(container: Container, code: str, grants: dict[str, list[str]], *, pseudonymous: bool = False,
                 member: str = "NH-TEST") -> None:
    service = container.exchange
    if member not in set(_members(container)):
        service.add_member(ADMIN, member, f"Ngân hàng {member}", "bank")
        service.add_subsystem(ADMIN, member, f"{member}-EKYC", "eKYC")
    service.add_service(ADMIN, f"{member}-EKYC", code, f"Dịch vụ {code}", legal_basis="Thông tư 17/2024/TT-NHNN",
                        purpose="xác minh khách hàng", pseudonymous=pseudonymous)
    for operation, scope in grants.items():
        service.grant(ADMIN, code, operation, scope)


def _members(container: Container) -> list[str]:
    from sqlalchemy import select  # noqa: PLC0415

    from citizenid.exchange.models import MemberRow  # noqa: PLC0415

    with container.uow() as uow:
        return list(uow.session.scalars(select(MemberRow.member_id)))


class Partner:
    """A registered client with a key; ``call`` sends a DPoP-bound request."""

    def __init__(self, client: TestClient, container: Container, service_code: str, client_id: str, *,
                 limits: Limits | None = None) -> None:
        self.client, self.container, self.client_id = client, container, client_id
        self.key = PartnerKey()
        self.dpop_key = PartnerKey()
        container.exchange.add_client(ADMIN, service_code, client_id, f"client {client_id}", limits=limits)
        container.exchange.add_key(ADMIN, client_id, self.key.public_jwk)
        self.token: str | None = None

    def get_token(self, *, assertion: str | None = None, dpop: str | None = None) -> Response:
        form = {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": assertion or self.key.client_assertion(self.client_id, TOKEN_URL)}
        headers = {"DPoP": dpop or self.dpop_key.dpop("POST", TOKEN_URL)}
        response = self.client.post("/api/v1/exchange/oauth/token", data=form, headers=headers)
        if response.status_code == 200:
            self.token = response.json()["access_token"]
        return response

    def headers(self, method: str, path: str) -> dict[str, str]:
        if self.token is None:
            assert self.get_token().status_code == 200
        assert self.token is not None
        return {"Authorization": f"DPoP {self.token}",
                "DPoP": self.dpop_key.dpop(method, f"{BASE}{path.split('?', maxsplit=1)[0]}", self.token)}

    def call(self, method: str, path: str, json: Any = None, **kwargs: Any) -> Response:
        return self.client.request(method, path, json=json, headers=self.headers(method, path), **kwargs)
