"""The exchange's storage on SQLite and PostgreSQL: replay ids through the driver-level insert, the group
commit, suspension read in the verify transaction, consents used once under concurrency."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from citizenid.audit.domain import AccessRecord
from citizenid.auth.domain import operator_principal
from citizenid.bootstrap import Container
from citizenid.exchange import repository as repo
from citizenid.exchange.commit import PendingWrite, write_batch
from citizenid.exchange.domain import PartnerPrincipal
from citizenid.exchange.errors import PartnerNotAuthenticated, ProofReplayed
from citizenid.exchange.notify import RecordingChannel
from citizenid.exchange.service import VerifyQuery
from citizenid.exchange.tokens import DpopProof
from citizenid.exchange.wiring import wire_exchange
from citizenid.synth import generate_population

ADMIN = "cli:test"


def _principal(container: Container, code: str, grants: dict[str, list[str]]) -> PartnerPrincipal:
    service = container.exchange
    service.add_member(ADMIN, f"M-{code}", "Ngân hàng", "bank")
    service.add_subsystem(ADMIN, f"M-{code}", f"S-{code}", "eKYC")
    service.add_service(ADMIN, f"S-{code}", code, "Mở tài khoản", legal_basis="Thông tư 17/2024", purpose="eKYC")
    for operation, scope in grants.items():
        service.grant(ADMIN, code, operation, scope)
    service.add_client(ADMIN, code, f"c-{code}", "client")
    with container.uow() as uow:
        principal = repo.principal_for(uow.session, f"c-{code}")
    assert principal is not None
    return principal


def _proof() -> DpopProof:
    return DpopProof("jkt", uuid.uuid4().hex, time.time())


def test_replay_ids_are_refused_on_the_second_insert(any_container: Container) -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    with any_container.uow() as uow:
        assert repo.remember_jti(uow.session, "c", "jti-00000001", "dpop", later)
        assert not repo.remember_jti(uow.session, "c", "jti-00000001", "dpop", later)
        assert repo.remember_jti(uow.session, "other", "jti-00000001", "dpop", later)
        uow.commit()
    writes = [PendingWrite("c", "jti-00000001", later, [AccessRecord("partner:c", "x", "y")]),
              PendingWrite("c", "jti-00000002", later, [AccessRecord("partner:c", "x", "y", subject="001090000001")])]
    assert write_batch(any_container.uow, writes) == [False, True]
    assert [r.subject for r in any_container.audit.recent(actor="partner:c")] == ["001090000001"]


def test_verify_commits_its_entries_and_refuses_a_suspended_client(any_container: Container) -> None:
    wire_exchange(any_container, channel=RecordingChannel())
    table = generate_population(20, seed=9)
    any_container.registry.load_table(operator_principal("test"), table)
    person = table.to_pylist()[0]
    principal = _principal(any_container, "NH-PG", {"verify": ["full_name", "birth_date"]})
    service = any_container.exchange
    proof = _proof()
    query = VerifyQuery(person["personal_number"], {"full_name": person["full_name"],
                                                    "birth_date": person["birth_date"]})
    assert service.verify(principal, proof, [query])[0].match
    with pytest.raises(ProofReplayed):
        service.verify(principal, proof, [query])
    logged = [r for r in any_container.audit.for_subject(person["personal_number"])
              if r.action == "exchange:person:verify"]
    assert len(logged) == 1
    service.set_suspended(ADMIN, principal.client_id, True, "test")
    with pytest.raises(PartnerNotAuthenticated):
        service.verify(principal, _proof(), [query])


def test_a_consent_is_used_once_even_when_two_fetches_race(any_container: Container) -> None:
    channel = RecordingChannel()
    wire_exchange(any_container, channel=channel)
    table = generate_population(20, seed=10)
    any_container.registry.load_table(operator_principal("test"), table)
    number = table.to_pylist()[1]["personal_number"]
    principal = _principal(any_container, "NH-RACE", {"fetch": ["full_name"]})
    service = any_container.exchange
    receipt = service.request_consent(principal, _proof(), number, ["full_name"], "mở tài khoản",
                                      valid_for=dt.timedelta(hours=1))
    service.approve_consent(principal, _proof(), receipt.consent_id, number, code=channel.last_code(number))

    def fetch() -> bool:
        try:
            service.fetch(principal, _proof(), receipt.consent_id, number)
        except Exception:  # noqa: BLE001 - the loser's refusal is the point
            return False
        return True

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: fetch(), range(4)))
    assert results.count(True) == 1
