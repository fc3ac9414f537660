"""Administration of the exchange: members, subsystems, services and their grants, clients and their keys,
suspension, the demo catalogue.  Mixed into :class:`citizenid.exchange.service.ExchangeService`; commits.

Every change is recorded in the access log (``exchange:<object>:<action>``, purpose "exchange
administration") with the acting officer or operator.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citizenid.audit.service import AccessRecord, AuditService
from citizenid.db.uow import UnitOfWork
from citizenid.exchange import repository as repo
from citizenid.exchange.catalogue import catalogue
from citizenid.exchange.domain import ClientStatus, Limits, MemberKind, Operation, scope_values
from citizenid.exchange.errors import ExchangeConflict, ExchangeInvalid, ExchangeNotFound
from citizenid.exchange.models import (
    AliasSecretRow,
    ClientKeyRow,
    ClientRow,
    GrantRow,
    MemberRow,
    ServiceRow,
    SubsystemRow,
)
from citizenid.exchange.tokens import check_public_jwk, jwk_thumbprint


class PartnerAdministration:
    _uow: Callable[[], UnitOfWork]
    _audit: AuditService
    _clock: Callable[[], dt.datetime]
    _tokens: dict[str, Any]

    def add_member(self, actor: str, member_id: str, name: str, kind: str) -> None:
        try:
            kind = MemberKind(kind).value
        except ValueError:
            raise ExchangeInvalid(f"member kind must be one of {', '.join(k.value for k in MemberKind)}") from None
        with self._uow() as uow:
            self._new(uow.session, MemberRow, member_id, f"member {member_id}")
            uow.session.add(MemberRow(member_id=member_id, name=name, kind=kind, created_at=self._clock()))
            self._admin_record(uow.session, actor, "exchange:member:create", {"member": member_id})
            uow.commit()

    def add_subsystem(self, actor: str, member_id: str, subsystem_id: str, name: str) -> None:
        with self._uow() as uow:
            self._existing(uow.session, MemberRow, member_id, f"member {member_id}")
            self._new(uow.session, SubsystemRow, subsystem_id, f"subsystem {subsystem_id}")
            uow.session.add(SubsystemRow(subsystem_id=subsystem_id, member_id=member_id, name=name,
                                         created_at=self._clock()))
            self._admin_record(uow.session, actor, "exchange:subsystem:create", {"subsystem": subsystem_id})
            uow.commit()

    def add_service(self, actor: str, subsystem_id: str, service_code: str, name: str, *, legal_basis: str,
                    purpose: str, pseudonymous: bool = False) -> None:
        if not legal_basis.strip() or not purpose.strip():
            raise ExchangeInvalid("a service needs its legal basis and its purpose")
        with self._uow() as uow:
            self._existing(uow.session, SubsystemRow, subsystem_id, f"subsystem {subsystem_id}")
            self._new(uow.session, ServiceRow, service_code, f"service {service_code}")
            uow.session.add(ServiceRow(service_code=service_code, subsystem_id=subsystem_id, name=name,
                                       legal_basis=legal_basis, purpose=purpose, pseudonymous=pseudonymous,
                                       created_at=self._clock()))
            uow.session.add(AliasSecretRow(service_code=service_code, salt=secrets.token_bytes(32),
                                           created_at=self._clock()))
            self._admin_record(uow.session, actor, "exchange:service:create", {"service": service_code})
            uow.commit()

    def grant(self, actor: str, service_code: str, operation: str, scope: Iterable[str]) -> frozenset[str]:
        try:
            op = Operation(operation)
        except ValueError:
            raise ExchangeInvalid(f"operation must be one of {', '.join(o.value for o in Operation)}") from None
        values = scope_values(op, scope)
        with self._uow() as uow:
            self._existing(uow.session, ServiceRow, service_code, f"service {service_code}")
            row = uow.session.get(GrantRow, (service_code, op.value))
            if row is None:
                uow.session.add(GrantRow(service_code=service_code, operation=op.value, scope=sorted(values),
                                         granted_by=actor, granted_at=self._clock()))
            else:
                row.scope, row.granted_by, row.granted_at = sorted(values), actor, self._clock()
            self._admin_record(uow.session, actor, "exchange:grant:set",
                               {"service": service_code, "operation": op.value, "scope": sorted(values)})
            uow.commit()
        self._tokens.clear()
        return values

    def revoke_grant(self, actor: str, service_code: str, operation: str) -> None:
        with self._uow() as uow:
            row = uow.session.get(GrantRow, (service_code, operation))
            if row is None:
                raise ExchangeNotFound(f"service {service_code} has no '{operation}' grant")
            uow.session.delete(row)
            self._admin_record(uow.session, actor, "exchange:grant:revoke",
                               {"service": service_code, "operation": operation})
            uow.commit()
        self._tokens.clear()

    def add_client(self, actor: str, service_code: str, client_id: str, name: str, *,
                   limits: Limits | None = None) -> None:
        limits = limits or Limits()
        with self._uow() as uow:
            self._existing(uow.session, ServiceRow, service_code, f"service {service_code}")
            self._new(uow.session, ClientRow, client_id, f"client {client_id}")
            uow.session.add(ClientRow(client_id=client_id, service_code=service_code, name=name,
                                      status=ClientStatus.ACTIVE.value, rate_per_second=limits.rate,
                                      burst=limits.burst, daily_quota=limits.daily_quota, created_at=self._clock()))
            self._admin_record(uow.session, actor, "exchange:client:create",
                               {"client": client_id, "service": service_code})
            uow.commit()

    def add_key(self, actor: str, client_id: str, jwk: Mapping[str, Any]) -> str:
        """Register a public key (JWK); returns its kid (the given one, else the RFC 7638 thumbprint)."""
        clean = check_public_jwk(jwk)
        thumbprint = jwk_thumbprint(clean)
        kid = str(clean.get("kid") or thumbprint)[:100]
        clean["kid"] = kid
        with self._uow() as uow:
            self._existing(uow.session, ClientRow, client_id, f"client {client_id}")
            if uow.session.get(ClientKeyRow, (client_id, kid)) is not None:
                raise ExchangeConflict(f"client {client_id} already has a key '{kid}'")
            uow.session.add(ClientKeyRow(client_id=client_id, kid=kid, jwk=clean, thumbprint=thumbprint,
                                         active=True, added_at=self._clock()))
            self._admin_record(uow.session, actor, "exchange:key:add", {"client": client_id, "kid": kid})
            uow.commit()
        return kid

    def retire_key(self, actor: str, client_id: str, kid: str) -> None:
        with self._uow() as uow:
            row = uow.session.get(ClientKeyRow, (client_id, kid))
            if row is None:
                raise ExchangeNotFound(f"client {client_id} has no key '{kid}'")
            row.active, row.retired_at = False, self._clock()
            self._admin_record(uow.session, actor, "exchange:key:retire", {"client": client_id, "kid": kid})
            uow.commit()

    def set_suspended(self, actor: str, client_id: str, suspended: bool, reason: str | None = None) -> None:
        """Suspend (or reinstate) a client: its tokens stop working on their next request, in every process."""
        status = ClientStatus.SUSPENDED if suspended else ClientStatus.ACTIVE
        with self._uow() as uow:
            if not repo.set_client_status(uow.session, client_id, status, self._clock(), reason):
                raise ExchangeNotFound(f"no client {client_id}")
            self._admin_record(uow.session, actor, f"exchange:client:{'suspend' if suspended else 'reinstate'}",
                               {"client": client_id, "reason": reason})
            uow.commit()
        self._tokens.clear()

    def services(self) -> list[dict[str, Any]]:
        with self._uow() as uow:
            grants: dict[str, dict[str, list[str]]] = {}
            for g in uow.session.scalars(select(GrantRow)):
                grants.setdefault(g.service_code, {})[g.operation] = list(g.scope)
            return [
                {"service_code": s.service_code, "subsystem_id": s.subsystem_id, "name": s.name,
                 "legal_basis": s.legal_basis, "purpose": s.purpose, "pseudonymous": s.pseudonymous,
                 "grants": grants.get(s.service_code, {})}
                for s in uow.session.scalars(select(ServiceRow).order_by(ServiceRow.service_code))
            ]

    def seed_catalogue(self, actor: str) -> int:
        """Load the demo catalogue (members, subsystems, 200+ services and their grants); idempotent."""
        now = self._clock()
        added = 0
        with self._uow() as uow:
            session = uow.session
            for member in catalogue()["members"]:
                if session.get(MemberRow, member["member_id"]) is None:
                    session.add(MemberRow(member_id=member["member_id"], name=member["name"], kind=member["kind"],
                                          created_at=now))
                for sub in member["subsystems"]:
                    if session.get(SubsystemRow, sub["subsystem_id"]) is None:
                        session.add(SubsystemRow(subsystem_id=sub["subsystem_id"], member_id=member["member_id"],
                                                 name=sub["name"], created_at=now))
                    for svc in sub["services"]:
                        if session.get(ServiceRow, svc["service_code"]) is not None:
                            continue
                        added += 1
                        session.add(ServiceRow(service_code=svc["service_code"], subsystem_id=sub["subsystem_id"],
                                               name=svc["name"], legal_basis=svc["legal_basis"],
                                               purpose=svc["purpose"], pseudonymous=svc["pseudonymous"],
                                               created_at=now))
                        session.add(AliasSecretRow(service_code=svc["service_code"], salt=secrets.token_bytes(32),
                                                   created_at=now))
                        for operation, scope in svc["grants"].items():
                            values = scope_values(Operation(operation), scope)
                            session.add(GrantRow(service_code=svc["service_code"], operation=operation,
                                                 scope=sorted(values), granted_by=actor, granted_at=now))
            self._admin_record(session, actor, "exchange:catalogue:seed", {"services": added})
            uow.commit()
        return added

    @staticmethod
    def _new(session: Session, model: Any, key: str, what: str) -> None:
        if session.get(model, key) is not None:
            raise ExchangeConflict(f"{what} already exists")

    @staticmethod
    def _existing(session: Session, model: Any, key: str, what: str) -> Any:
        row = session.get(model, key)
        if row is None:
            raise ExchangeNotFound(f"no {what}")
        return row

    def _admin_record(self, session: Session, actor: str, action: str, details: dict[str, Any]) -> None:
        self._audit.record_in(session, [AccessRecord(actor=actor, action=action, purpose="exchange administration",
                                                     details=details)])
