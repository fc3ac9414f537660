"""Life events reach subscribed partners as signed webhooks: a real HTTP receiver on 127.0.0.1, retries
with backoff, order per person, dead letters."""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from citizenid.auth.domain import operator_principal
from citizenid.bootstrap import Container
from citizenid.exchange import repository as repo
from citizenid.exchange.events import signature_base
from citizenid.registry.domain import EventKind, LifeEvent
from citizenid.synth import generate_population
from tests.factories import HCMC_COMMUNE

ADMIN = "cli:test"


class Receiver:
    """A partner's webhook endpoint: records what arrives, answers with the next scripted status."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((self.path, dict(self.headers.items()), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self, path: str = "/hook") -> list[dict[str, Any]]:
        return [json.loads(body) for p, _, body in self.received if p == path]


@pytest.fixture
def container(any_container: Container) -> Container:
    """Every test here on SQLite and on PostgreSQL."""
    return any_container


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


def _partner(container: Container, code: str, topics: list[str], *, pseudonymous: bool = False) -> Any:
    service = container.exchange
    service.add_member(ADMIN, f"M-{code}", "Bảo hiểm xã hội", "agency")
    service.add_subsystem(ADMIN, f"M-{code}", f"S-{code}", "Hồ sơ")
    service.add_service(ADMIN, f"S-{code}", code, "Cấp thẻ BHYT", legal_basis="Luật BHYT", purpose="cập nhật thẻ",
                        pseudonymous=pseudonymous)
    service.grant(ADMIN, code, "events", topics)
    service.add_client(ADMIN, code, f"c-{code}", "client")
    with container.uow() as uow:
        return repo.principal_for(uow.session, f"c-{code}")


def _people(container: Container) -> list[dict[str, Any]]:
    table = generate_population(30, seed=3)
    container.registry.load_table(operator_principal("test"), table)
    return [p for p in table.to_pylist() if p["status"] == "living"]


def _move(container: Container, number: str, detail: str) -> None:
    container.registry.record_event(operator_principal("test"), number, LifeEvent(
        EventKind.CHANGE_OF_RESIDENCE, dt.date(2026, 11, 1), "chuyển hộ khẩu", "Luật Cư trú 2020",
        {"residence_commune": HCMC_COMMUNE, "residence_detail": detail}))


def test_events_arrive_signed_in_order_with_retries(container: Container, receiver: Receiver) -> None:
    people = _people(container)
    principal = _partner(container, "BHXH-T", ["change_of_residence", "death"])
    events = container.exchange_events
    events.subscribe(principal, ["change_of_residence", "death"], f"{receiver.url}/hook")
    first, second = sorted((people[0]["personal_number"], people[1]["personal_number"]))
    _move(container, first, "1 Lê Lợi")
    _move(container, first, "2 Lê Lợi")
    container.registry.record_event(operator_principal("test"), first, LifeEvent(
        EventKind.DEATH, dt.date(2026, 11, 20), "khai tử", "Luật Hộ tịch 2014", {}))
    _move(container, second, "9 Hai Bà Trưng")
    # the first attempt for the first person fails: the second person's event goes, the first person's wait
    receiver.statuses = [503]
    now = dt.datetime.now(dt.UTC)
    report = events.deliver_due(now=now)
    assert (report.delivered, report.retried) == (1, 1)
    assert [e["subject"] for e in receiver.events()] == [first, second]
    assert events.deliver_due(now=now).delivered == 0  # backing off
    later = events.deliver_due(now=now + dt.timedelta(minutes=5))
    assert later.delivered == 3
    delivered = list(receiver.events()[2:])
    assert [e["subject"] for e in delivered] == [first] * 3
    assert [e["topic"] for e in delivered] == ["change_of_residence", "change_of_residence", "death"]
    assert [e["sequence"] for e in delivered] == sorted(e["sequence"] for e in delivered)
    # every webhook is signed (RFC 9421, ed25519) with the key the platform publishes
    jwk = events.public_jwk()
    public = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(jwk["x"] + "=="))
    for path, headers, _body in receiver.received:
        signature = base64.b64decode(headers["Signature"].split("=:", 1)[1].rstrip(":"))
        public.verify(signature, signature_base(f"{receiver.url}{path}", headers))
        assert headers["Content-Digest"].startswith("sha-256=:")
    # the deliveries are in the access log of the person concerned
    assert any(r.action == "exchange:event:death" for r in container.audit.for_subject(first))


def test_undeliverable_events_end_in_the_dead_letter_list(container: Container, receiver: Receiver) -> None:
    people = _people(container)
    principal = _partner(container, "BHXH-D", ["change_of_residence"], pseudonymous=True)
    events = container.exchange_events
    events._max_attempts = 2
    events.subscribe(principal, ["change_of_residence"], f"{receiver.url}/broken")
    _move(container, people[2]["personal_number"], "3 Lý Thái Tổ")
    receiver.statuses = [500, 500]
    now = dt.datetime.now(dt.UTC)
    events.deliver_due(now=now)
    assert events.deliver_due(now=now + dt.timedelta(hours=1)).dead == 1
    dead = events.dead_letters(principal)
    assert len(dead) == 1
    assert dead[0]["attempts"] == 2
    assert dead[0]["last_error"] == "HTTP 500"
    # a pseudonymous service never sees the number, only its alias
    assert all(people[2]["personal_number"] not in body.decode() for _, _, body in receiver.received)


def test_a_subscription_needs_the_grant_and_a_safe_url(container: Container) -> None:
    principal = _partner(container, "BHXH-G", ["death"])
    from citizenid.exchange.errors import ExchangeInvalid, OutsideGrant  # noqa: PLC0415

    with pytest.raises(OutsideGrant):
        container.exchange_events.subscribe(principal, ["change_of_name"], "https://partner.example/hook")
    with pytest.raises(ExchangeInvalid):
        container.exchange_events.subscribe(principal, ["death"], "http://partner.example/hook")
