"""Use cases of the card's life: application, approval, production, issuance, revocation, renewal,
update.  The only place in the area that commits.

Every write takes an optional idempotency key: the same key and the same request give the same answer,
the same key with another request is refused (CRD-422).  Every state change is a compare-and-set on the
application's version, recorded with who and when, so concurrent approvals move it once.  Production
makes each card in one transaction (card number, card row, application state), so a killed worker
leaves nothing half-made and a rerun finishes the batch (decision 0052).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from citizenid.audit.service import AccessRecord, AuditService
from citizenid.auth.domain import Permission, Principal
from citizenid.cards import repository as repo
from citizenid.cards.biometric_gate import BiometricGate
from citizenid.cards.domain import (
    MILESTONES,
    OPEN_STATES,
    TRANSITIONS,
    ApplicationState,
    CardState,
    Reason,
    RevocationReason,
    check_transition,
    compare_details,
    expiry_date,
    forecast,
    format_card_number,
    next_renewal,
    qr_payload,
    required_captures,
    revocation_key,
)
from citizenid.cards.errors import (
    ApplicantIneligible,
    ApplicationNotFound,
    BatchNotFound,
    CaptureRejected,
    CardInvalid,
    CardNotFound,
    HolderNotConfirmed,
    IdempotencyKeyReused,
    IllegalTransition,
    NotCleared,
    OpenApplicationExists,
    RegisterMismatch,
)
from citizenid.cards.models import (
    ApplicationHistoryRow,
    ApplicationIdRow,
    ApplicationRow,
    BatchItemRow,
    BatchRow,
    CampaignTargetRow,
    CardHistoryRow,
    CardNumberRow,
    CardRow,
    ChipVersionRow,
    IdempotencyKeyRow,
    OpenApplicationRow,
)
from citizenid.cards.printing import (
    PrintedCard,
    SheetEntry,
    back_image,
    chip_face,
    front_image,
    png,
    print_copy,
    print_sheet,
)
from citizenid.cards.repository import Worklist
from citizenid.cards.sealed import MasterKey, Sealer, pack_fingerprints, unpack_fingerprints
from citizenid.chip.service import ChipImage, ChipService, File, InProcessTransport, TrustStore, VirtualChip
from citizenid.db.base import utcnow
from citizenid.db.uow import UnitOfWork
from citizenid.registry.domain import Person, Status
from citizenid.registry.service import RegistryService

__all__ = [
    "ApplicationState",
    "ApplicationView",
    "BatchView",
    "CardEvent",
    "CardService",
    "CardView",
    "Reason",
    "Receipt",
    "RenewalDue",
    "RevocationReason",
    "TargetProgress",
    "Transition",
    "Worklist",
]

MAX_PAGE_SIZE = 200
# A revocation is on the served list at once in the process that made it, and within this many seconds in
# every other process (decision 0055).
REVOCATION_LIST_MAX_AGE = 60.0
_REVOCATION_LIST_VALIDITY = dt.timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class ApplicationView:
    application_id: str
    personal_number: str
    province: str
    site: str
    reason: str
    state: str
    state_since: dt.datetime
    received_at: dt.datetime
    received_by: str
    appointment: dt.date
    mismatches: list[dict[str, Any]]
    rejection_reason: str | None
    card_number: str | None
    version: int


@dataclass(frozen=True, slots=True)
class Transition:
    from_state: str | None
    to_state: str
    at: dt.datetime
    actor: str
    note: str | None


@dataclass(frozen=True, slots=True)
class Receipt:
    application: ApplicationView
    candidates: int


@dataclass(frozen=True, slots=True)
class CardView:
    card_number: str
    personal_number: str
    application_id: str
    batch_id: str
    province: str
    state: str
    issue_date: dt.date
    expiry_date: dt.date | None
    revoked_reason: str | None
    chip_version: int


@dataclass(frozen=True, slots=True)
class CardEvent:
    seq: int
    at: dt.datetime
    actor: str
    event: str
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class BatchView:
    batch_id: str
    size: int
    pending: int
    produced: int
    spoiled: int
    dispatched: int


@dataclass(frozen=True, slots=True)
class RenewalDue:
    personal_number: str
    card_number: str
    province: str
    expiry_date: dt.date
    renewal_age: int | None


@dataclass(frozen=True, slots=True)
class TargetProgress:
    target_id: str
    province: str | None
    milestone: str
    target: int
    due_date: dt.date
    done: int
    daily_rate: float
    forecast: dt.date | None
    on_track: bool


ProgressCallback = Callable[[int, int], None]


class CardService:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        *,
        registry: RegistryService,
        chip: ChipService,
        audit: AuditService,
        gate: BiometricGate,
        master_key: MasterKey,
        output_dir: Path,
        clock: Callable[[], dt.datetime] = utcnow,
        appointment_days: int = 14,
        skip_locked: bool = False,
    ) -> None:
        self._uow = uow_factory
        self._registry = registry
        self._chip = chip
        self._audit = audit
        self._gate = gate
        self._sealer = Sealer(master_key)
        self._output = output_dir
        self._clock = clock
        self._appointment_days = appointment_days
        self._skip_locked = skip_locked
        self._list_lock = threading.Lock()
        self._list: tuple[float, bytes] | None = None

    # --- idempotency ---------------------------------------------------------------------------------

    def _idempotent(self, principal: Principal, key: str | None, operation: str, request: Mapping[str, Any],
                    action: Callable[[UnitOfWork], str]) -> str:
        """Run ``action`` once per key: a replay returns the first run's reference, a changed request fails."""
        fingerprint = hashlib.sha256(
            json.dumps({"op": operation, **request}, sort_keys=True, default=str).encode()).hexdigest()
        if key is not None and not 1 <= len(key) <= 200:
            raise CardInvalid("an idempotency key has 1-200 characters")
        for attempt in (1, 2):
            with self._uow() as uow:
                if key is not None:
                    done = uow.session.get(IdempotencyKeyRow, (principal.actor, key))
                    if done is not None:
                        if (done.operation, done.fingerprint) != (operation, fingerprint):
                            raise IdempotencyKeyReused(
                                f"idempotency key '{key}' was used for a different request; use a new key")
                        return done.result_ref
                try:
                    ref = action(uow)
                    if key is not None:
                        uow.session.add(IdempotencyKeyRow(actor=principal.actor, key=key, operation=operation,
                                                          fingerprint=fingerprint, result_ref=ref,
                                                          created_at=self._clock()))
                    uow.commit()
                except IntegrityError:
                    # A concurrent twin won: the second pass finds its key, or the rule it broke.
                    if attempt == 2:
                        raise
                    continue
                return ref
        raise AssertionError("unreachable")  # pragma: no cover

    # --- applications ---------------------------------------------------------------------------------

    def take_application(
        self,
        principal: Principal,
        personal_number: str,
        *,
        reason: Reason,
        site: str,
        declared: Mapping[str, Any],
        photo: bytes | None,
        fingerprints: Mapping[int, bytes],
        idempotency_key: str | None = None,
    ) -> Receipt:
        """Intake at the counter: check the applicant against the register and the captures, then record."""
        principal.require(Permission.CARD_APPLY)
        if not site.strip() or len(site) > 40:
            raise CardInvalid("the site (office code) has 1-40 characters")
        request = {"personal_number": personal_number, "reason": reason.value, "site": site,
                   "declared": dict(declared),
                   "photo": hashlib.sha256(photo or b"").hexdigest(),
                   "fingerprints": {str(k): hashlib.sha256(v).hexdigest() for k, v in sorted(fingerprints.items())}}
        person = self._registry.get_person(principal, personal_number, purpose="card application")
        now = self._clock()
        if person.status is Status.DECEASED:
            raise ApplicantIneligible(f"{person.personal_number} is recorded as deceased")
        mismatches = compare_details(declared, person.to_dict())
        birth = person.birth_date.earliest()
        if required_captures(birth, now.date()):
            if not photo:
                raise CaptureRejected("a photo is required from the age of 6")
            check = self._gate.check_capture(photo, fingerprints)
            if not check.ok:
                raise CaptureRejected("; ".join(check.reasons), reasons=list(check.reasons))

        def intake(uow: UnitOfWork) -> str:
            session = uow.session
            number = person.personal_number
            open_row = session.get(OpenApplicationRow, number)
            if open_row is not None:
                raise OpenApplicationExists(
                    f"{number} already has open application {open_row.application_id}",
                    application_id=open_row.application_id)
            cards = repo.cards_of(session, number)
            live = [c for c in cards if c.state in repo.LIVE_CARD_STATES]
            if reason is Reason.FIRST_CARD and live:
                raise ApplicantIneligible(f"{number} already holds card {live[-1].card_number}; apply for a "
                                          "renewal, a replacement or a change of details",
                                          card_number=live[-1].card_number)
            if reason is not Reason.FIRST_CARD and not cards:
                raise ApplicantIneligible(f"{number} has never held a card: the reason is a first card")
            application_id = f"HS{now:%y%m%d}{secrets.randbelow(10**10):010d}"
            session.add(ApplicationIdRow(application_id=application_id, personal_number=number))
            session.add(OpenApplicationRow(personal_number=number, application_id=application_id))
            session.add(row := ApplicationRow(
                personal_number=number, application_id=application_id, province=person.residence_province,
                site=site.strip(), reason=reason.value, state=ApplicationState.RECEIVED.value, state_since=now,
                version=1, declared=dict(declared),
                mismatches=[{"field": m.field, "declared": m.declared, "registered": m.registered}
                            for m in mismatches],
                appointment=now.date() + dt.timedelta(days=self._appointment_days),
                photo=self._sealer.seal(photo, f"photo:{application_id}") if photo else None,
                fingerprints=(self._sealer.seal(pack_fingerprints(fingerprints), f"fingerprints:{application_id}")
                              if fingerprints else None),
                rejection_reason=None, received_by=principal.actor, received_at=now, card_number=None,
            ))
            session.add(ApplicationHistoryRow(
                personal_number=number, application_id=application_id, seq=1, province=person.residence_province,
                from_state=None, to_state=ApplicationState.RECEIVED.value, at=now, actor=principal.actor,
                note=reason.value))
            self._audit.record_in(session, [_access(principal, "card:application:create", "card application",
                                                    number, {"application_id": application_id})])
            created.append(_application_view(row))
            return application_id

        created: list[ApplicationView] = []
        application_id = self._idempotent(principal, idempotency_key, "application:create", request, intake)
        screened = self._gate.screen_application(application_id, person.personal_number, photo or b"",
                                                 fingerprints)
        # A replayed request answers with the application as it is now; a new one as it was just recorded.
        fresh = [view for view in created if view.application_id == application_id]
        view = fresh[0] if fresh else self.get_application(principal, application_id, audit=False)
        return Receipt(view, len(screened.candidates))

    def get_application(self, principal: Principal, application_id: str, *, audit: bool = True) -> ApplicationView:
        principal.require(Permission.CARD_APPLICATION_READ)
        with self._uow() as uow:
            row = self._visible_application(uow, principal, application_id)
            if audit:
                self._audit.record_in(uow.session, [_access(principal, "card:application:read", "card application",
                                                            row.personal_number)])
                uow.commit()
            return _application_view(row)

    def application_history(self, principal: Principal, application_id: str) -> list[Transition]:
        principal.require(Permission.CARD_APPLICATION_READ)
        with self._uow() as uow:
            row = self._visible_application(uow, principal, application_id)
            found = [Transition(h.from_state, h.to_state, h.at, h.actor, h.note)
                     for h in repo.history(uow.session, row)]
            self._audit.record_in(uow.session, [_access(principal, "card:application:history", "card application",
                                                        row.personal_number)])
            uow.commit()
            return found

    def worklist(self, principal: Principal, criteria: Worklist, *, page: int = 1,
                 page_size: int = 50) -> list[ApplicationView]:
        """Applications by province, site, state and age in state; officers see their own province only."""
        principal.require(Permission.CARD_APPLICATION_READ)
        if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
            raise CardInvalid(f"page must be ≥ 1 and page_size 1-{MAX_PAGE_SIZE}")
        if principal.province_code:
            if criteria.province and criteria.province != principal.province_code:
                return []
            criteria = Worklist(principal.province_code, criteria.site, criteria.state,
                                     criteria.in_state_since_before)
        with self._uow() as uow:
            rows = list(uow.session.scalars(repo.worklist_query(criteria).offset((page - 1) * page_size)
                                            .limit(page_size)))
            self._audit.record_in(uow.session, [_access(principal, "card:application:search", "worklist",
                                                        r.personal_number) for r in rows])
            uow.commit()
            return [_application_view(r) for r in rows]

    def verify(self, principal: Principal, application_id: str, *, idempotency_key: str | None = None
               ) -> ApplicationView:
        """received → verified once the declared details agree with the register as it is now."""
        principal.require(Permission.CARD_VERIFY)
        with self._uow() as uow:
            row = self._visible_application(uow, principal, application_id)
            number, declared = row.personal_number, dict(row.declared)
        person = self._registry.get_person(principal, number, purpose="card application check")
        if person.status is Status.DECEASED:
            raise ApplicantIneligible(f"{number} is recorded as deceased")
        found = compare_details(declared, person.to_dict())
        if found:
            listed = [{"field": m.field, "declared": m.declared, "registered": m.registered} for m in found]
            raise RegisterMismatch("the declared details differ from the register: "
                                   + ", ".join(m.field for m in found), mismatches=listed)
        return self._move(principal, application_id, ApplicationState.VERIFIED, idempotency_key, "verify")

    def amend(self, principal: Principal, application_id: str, declared: Mapping[str, Any], *,
              idempotency_key: str | None = None) -> ApplicationView:
        """Correct what was declared at the counter (a typing slip) while the application is received; the
        mismatches are worked out again against the register."""
        principal.require(Permission.CARD_APPLY)
        with self._uow() as uow:
            number = self._visible_application(uow, principal, application_id).personal_number
        person = self._registry.get_person(principal, number, purpose="card application check")
        found = compare_details(declared, person.to_dict())

        def act(uow: UnitOfWork) -> str:
            row = self._visible_application(uow, principal, application_id)
            if row.state != ApplicationState.RECEIVED.value:
                raise IllegalTransition(f"only a received application can be amended; {application_id} is {row.state}")
            row.declared = dict(declared)
            row.mismatches = [{"field": m.field, "declared": m.declared, "registered": m.registered} for m in found]
            self._audit.record_in(uow.session, [_access(principal, "card:application:amend", "card application",
                                                        row.personal_number)])
            return application_id

        self._idempotent(principal, idempotency_key, "application:amend",
                         {"application_id": application_id, "declared": dict(declared)}, act)
        return self.get_application(principal, application_id, audit=False)

    def approve(self, principal: Principal, application_id: str, *, idempotency_key: str | None = None
                ) -> ApplicationView:
        principal.require(Permission.CARD_DECIDE)
        if not self._gate.application_cleared(application_id):
            raise NotCleared(f"application {application_id} has biometric duplicate candidates awaiting a decision")
        return self._move(principal, application_id, ApplicationState.APPROVED, idempotency_key, "approve")

    def reject(self, principal: Principal, application_id: str, reason: str, *,
               idempotency_key: str | None = None) -> ApplicationView:
        principal.require(Permission.CARD_DECIDE)
        if not reason.strip():
            raise CardInvalid("a rejection needs a reason the applicant can read")
        return self._move(principal, application_id, ApplicationState.REJECTED, idempotency_key, "reject",
                          note=reason.strip())

    def cancel(self, principal: Principal, application_id: str, note: str = "", *,
               idempotency_key: str | None = None) -> ApplicationView:
        principal.require(Permission.CARD_APPLY)
        return self._move(principal, application_id, ApplicationState.CANCELLED, idempotency_key, "cancel",
                          note=note.strip() or None)

    def _move(self, principal: Principal, application_id: str, target: ApplicationState, key: str | None,
              operation: str, note: str | None = None) -> ApplicationView:
        def act(uow: UnitOfWork) -> str:
            row = self._visible_application(uow, principal, application_id)
            self._transition(uow, principal, row, target, note)
            return application_id

        self._idempotent(principal, key, f"application:{operation}",
                         {"application_id": application_id, "note": note}, act)
        return self.get_application(principal, application_id, audit=False)

    def _transition(self, uow: UnitOfWork, principal: Principal, row: ApplicationRow, target: ApplicationState,
                    note: str | None = None, **values: Any) -> None:
        """Compare-and-set on the version: of two concurrent moves exactly one succeeds."""
        check_transition(ApplicationState(row.state), target)
        now = self._clock()
        if target is ApplicationState.REJECTED:
            values["rejection_reason"] = note
        moved = cast(CursorResult[Any], uow.session.execute(
            update(ApplicationRow)
            .where(ApplicationRow.personal_number == row.personal_number,
                   ApplicationRow.application_id == row.application_id,
                   ApplicationRow.version == row.version)
            .values(state=target.value, state_since=now, version=row.version + 1, **values)
            .execution_options(synchronize_session=False)))
        if moved.rowcount != 1:
            raise IllegalTransition(f"application {row.application_id} changed meanwhile; reload it")
        uow.session.add(ApplicationHistoryRow(
            personal_number=row.personal_number, application_id=row.application_id, seq=row.version + 1,
            province=row.province, from_state=row.state, to_state=target.value, at=now, actor=principal.actor,
            note=note))
        if target not in OPEN_STATES:
            uow.session.execute(delete(OpenApplicationRow).where(
                OpenApplicationRow.personal_number == row.personal_number,
                OpenApplicationRow.application_id == row.application_id))
        self._audit.record_in(uow.session, [_access(principal, f"card:application:{target.value}", "card application",
                                                    row.personal_number, {"application_id": row.application_id})])
        uow.session.expire(row)

    def _visible_application(self, uow: UnitOfWork, principal: Principal, application_id: str) -> ApplicationRow:
        row = repo.application(uow.session, application_id)
        if row is None or not principal.may_see_province(row.province):
            raise ApplicationNotFound(f"no application {application_id} you can see")
        return row

    # --- production -----------------------------------------------------------------------------------

    def create_batch(self, principal: Principal, *, limit: int = 1000, province: str | None = None,
                     idempotency_key: str | None = None) -> BatchView:
        """Take up to ``limit`` approved applications (oldest first) into a new batch."""
        principal.require(Permission.CARD_PRODUCE)
        if not 1 <= limit <= 100_000:
            raise CardInvalid("a batch holds 1-100,000 cards")

        def act(uow: UnitOfWork) -> str:
            query = select(ApplicationRow).where(ApplicationRow.state == ApplicationState.APPROVED.value)
            if province:
                query = query.where(ApplicationRow.province == province)
            query = query.order_by(ApplicationRow.state_since, ApplicationRow.application_id).limit(limit)
            if self._skip_locked:
                query = query.with_for_update(skip_locked=True)
            rows = list(uow.session.scalars(query))
            if not rows:
                raise CardInvalid("no approved application is waiting for production")
            batch_id = str(uuid.uuid4())
            uow.session.add(BatchRow(batch_id=batch_id, created_at=self._clock(), created_by=principal.actor,
                                     size=len(rows), province=province))
            for position, row in enumerate(rows, start=1):
                uow.session.add(BatchItemRow(batch_id=batch_id, position=position, personal_number=row.personal_number,
                                             application_id=row.application_id, status="pending", card_number=None,
                                             detail=None))
                self._transition(uow, principal, row, ApplicationState.IN_PRODUCTION, f"batch {batch_id}")
            return batch_id

        batch_id = self._idempotent(principal, idempotency_key, "batch:create",
                                    {"limit": limit, "province": province}, act)
        return self.batch(principal, batch_id)

    def batch(self, principal: Principal, batch_id: str) -> BatchView:
        principal.require(Permission.CARD_READ)
        with self._uow() as uow:
            found = uow.session.get(BatchRow, batch_id)
            if found is None:
                raise BatchNotFound(f"no batch {batch_id}")
            counts = dict(uow.session.execute(
                select(BatchItemRow.status, func.count()).where(BatchItemRow.batch_id == batch_id)
                .group_by(BatchItemRow.status)).all())
            dispatched = uow.session.scalar(
                select(func.count()).select_from(CardRow).where(CardRow.batch_id == batch_id,
                                                                CardRow.state != CardState.PRODUCED.value)) or 0
            return BatchView(batch_id, found.size, counts.get("pending", 0), counts.get("produced", 0),
                             counts.get("spoiled", 0), int(dispatched))

    def run_batch(self, principal: Principal, batch_id: str, *, max_cards: int | None = None,
                  progress: ProgressCallback | None = None, timings: dict[str, float] | None = None) -> BatchView:
        """Make every pending card of the batch, one transaction per card; safe to kill and rerun, and to run
        in several processes at once."""
        principal.require(Permission.CARD_PRODUCE)
        before = self.batch(principal, batch_id)
        trust = self._chip.own_trust_store()
        made = 0
        while max_cards is None or made < max_cards:
            if not self._produce_next(principal, batch_id, trust, timings):
                break
            made += 1
            if progress:
                progress(made, before.pending)
        return self.batch(principal, batch_id)

    def _produce_next(self, principal: Principal, batch_id: str, trust: TrustStore,
                      timings: dict[str, float] | None) -> bool:
        """Make the next pending card; False when none is left.  One transaction: all of it or nothing."""
        clock = _Stopwatch(timings)
        person: Person | None = None
        peeked: _Item | None = None
        if not self._skip_locked:
            # SQLite: read the register before this transaction, which then starts by writing its claim; a
            # snapshot older than the register's own commit could not write afterwards.
            with self._uow() as uow:
                row = repo.pending_item(uow.session, batch_id, skip_locked=False)
                peeked = _Item.of(row) if row is not None else None
            if peeked is None:
                return False
            person = self._registry.get_person(principal, peeked.personal_number, purpose="card production")
        with self._uow() as uow:
            if peeked is None:
                row = repo.pending_item(uow.session, batch_id, skip_locked=True)
                if row is None:
                    return False
                item = _Item.of(row)
                person = self._registry.get_person(principal, item.personal_number, purpose="card production")
            elif _claim(uow.session, peeked, "claimed", None, None):
                item = peeked
            else:
                return True  # another process took it first
            assert person is not None
            clock.lap("claim and register")
            if self._make_card(uow, principal, item, person, trust, clock):
                uow.commit()
                clock.lap("commit")
            return True

    def _make_card(self, uow: UnitOfWork, principal: Principal, item: _Item, person: Person,
                   trust: TrustStore, clock: _Stopwatch) -> bool:
        session = uow.session
        application = repo.application(session, item.application_id)
        assert application is not None
        issued = self._clock().date()
        expiry = expiry_date(person.birth_date.earliest(), issued)
        holder = repo.card_holder(person, issued, expiry)
        photo = self._open_photo(application)
        face = chip_face(photo) if photo else b"\xff\xd8\xff\xd9"
        clock.lap("photo")
        image = self._chip.personalise(holder, face)
        image.update_key = secrets.token_bytes(32)
        image_bytes = image.to_bytes()
        clock.lap("chip")
        check = self._chip.verify_image(ChipImage.from_bytes(image_bytes), trust)
        clock.lap("quality control")
        if not check.valid:
            failures = "; ".join(f"{c.name}: {c.detail}" for c in check.failures)
            if not _claim(session, item, "spoiled", None, failures):
                return False
            self._transition(uow, principal, application, ApplicationState.APPROVED,
                             f"quality control failed: {failures}")
            return True
        printed = _printed(holder, person, face if photo else None)
        folder = self._output / "batches" / item.batch_id
        folder.mkdir(parents=True, exist_ok=True)
        front, back = front_image(printed), back_image(printed)
        _write(folder / f"{item.application_id}-front.png", png(front))
        _write(folder / f"{item.application_id}-back.png", png(back))
        clock.lap("print images")
        _write(folder / f"{item.application_id}-front.jpg", print_copy(front))
        _write(folder / f"{item.application_id}-back.jpg", print_copy(back))
        clock.lap("print copies")
        card_number = format_card_number(repo.next_serial(session))
        if not _claim(session, item, "produced", card_number, None):
            return False  # another worker (SQLite, several processes) made it first: this one rolls back
        now = self._clock()
        number = person.personal_number
        session.add(CardNumberRow(card_number=card_number, personal_number=number))
        session.add(CardRow(
            personal_number=number, card_number=card_number, application_id=item.application_id,
            batch_id=item.batch_id, province=application.province, state=CardState.PRODUCED.value,
            issue_date=issued, expiry_date=expiry, revocation_key=revocation_key(number, issued),
            revoked_reason=None, revoked_at=None, activated_at=None, chip_version=1,
            chip_image=self._sealer.seal(image_bytes, f"chip:{card_number}"), qc_detail="passed", created_at=now))
        session.add(CardHistoryRow(
            personal_number=number, card_number=card_number, seq=1, at=now, actor=principal.actor, event="produced",
            detail={"batch_id": item.batch_id, "expiry_date": expiry.isoformat() if expiry else None}))
        self._transition(uow, principal, application, ApplicationState.PRODUCED, f"card {card_number}",
                         card_number=card_number)
        return True

    def dispatch_batch(self, principal: Principal, batch_id: str) -> int:
        """Hand the batch's checked cards to delivery: produced → dispatched."""
        principal.require(Permission.CARD_PRODUCE)
        moved = 0
        with self._uow() as uow:
            if uow.session.get(BatchRow, batch_id) is None:
                raise BatchNotFound(f"no batch {batch_id}")
            cards = list(uow.session.scalars(select(CardRow).where(CardRow.batch_id == batch_id,
                                                                   CardRow.state == CardState.PRODUCED.value)))
            for card in cards:
                application = repo.application(uow.session, card.application_id)
                assert application is not None
                self._transition(uow, principal, application, ApplicationState.DISPATCHED, f"card {card.card_number}")
                self._card_event(uow, principal, card, CardState.DISPATCHED, "dispatched", {"batch_id": batch_id})
                moved += 1
            uow.commit()
        return moved

    def print_sheet(self, principal: Principal, batch_id: str, out: Path) -> int:
        principal.require(Permission.CARD_PRODUCE)
        with self._uow() as uow:
            if uow.session.get(BatchRow, batch_id) is None:
                raise BatchNotFound(f"no batch {batch_id}")
            items = uow.session.execute(select(BatchItemRow.card_number, BatchItemRow.application_id).where(
                BatchItemRow.batch_id == batch_id, BatchItemRow.status == "produced")
                .order_by(BatchItemRow.card_number)).all()
        folder = self._output / "batches" / batch_id
        entries = [SheetEntry(number or "", application_id, folder / f"{application_id}-front.jpg",
                              folder / f"{application_id}-back.jpg") for number, application_id in items]
        return print_sheet(entries, out, f"Lô / Batch {batch_id}")

    # --- issuance and after ----------------------------------------------------------------------------

    def issue(self, principal: Principal, application_id: str, *, live_photo: bytes | None = None,
              officer_confirmed: bool = False, idempotency_key: str | None = None) -> CardView:
        """Hand the card over: the holder checked (face when biometrics can, else the officer), the card
        activated, the holder's earlier cards revoked as replaced."""
        principal.require(Permission.CARD_ISSUE)
        match = self._gate.verify_holder(application_id, live_photo) if live_photo else None
        if match is None and not officer_confirmed:
            raise HolderNotConfirmed("no face match is available: the officer must confirm the holder's identity")
        if match is not None and not match.matched:
            raise HolderNotConfirmed(f"the live photo does not match the application photo "
                                     f"(score {match.score:.3f} below {match.threshold:.3f})")
        check = "face" if match is not None else "officer"

        def act(uow: UnitOfWork) -> str:
            application = self._visible_application(uow, principal, application_id)
            check_transition(ApplicationState(application.state), ApplicationState.ISSUED)
            card = repo.card(uow.session, application.card_number or "")
            if card is None:
                raise CardNotFound(f"application {application_id} has no card")
            for earlier in repo.cards_of(uow.session, card.personal_number):
                if earlier.card_number != card.card_number and earlier.state in repo.LIVE_CARD_STATES:
                    self._revoke_row(uow, principal, earlier, RevocationReason.REPLACED,
                                     f"replaced by {card.card_number}")
            self._transition(uow, principal, application, ApplicationState.ISSUED, f"holder checked by {check}")
            self._card_event(uow, principal, card, CardState.ACTIVE, "issued", {"holder_check": check},
                             activated_at=self._clock())
            return card.card_number

        card_number = self._idempotent(principal, idempotency_key, "card:issue",
                                       {"application_id": application_id, "check": check}, act)
        self._list = None
        return self.get_card(principal, card_number, audit=False)

    def revoke(self, principal: Principal, card_number: str, reason: RevocationReason, note: str = "", *,
               idempotency_key: str | None = None) -> CardView:
        principal.require(Permission.CARD_REVOKE)
        if reason in (RevocationReason.DECEASED, RevocationReason.REPLACED):
            raise CardInvalid(f"'{reason}' follows from the register or from issuance, not from a request")

        def act(uow: UnitOfWork) -> str:
            card = self._visible_card(uow, principal, card_number)
            if card.state in (CardState.REVOKED.value, CardState.SPOILED.value):
                raise IllegalTransition(f"card {card_number} is already {card.state}")
            self._revoke_row(uow, principal, card, reason, note.strip())
            return card_number

        self._idempotent(principal, idempotency_key, "card:revoke",
                         {"card_number": card_number, "reason": reason.value, "note": note}, act)
        self._list = None
        return self.get_card(principal, card_number, audit=False)

    def record_death(self, principal: Principal, personal_number: str) -> list[CardView]:
        """The register records a death: every live card is revoked and an open application cancelled."""
        principal.require(Permission.CARD_REVOKE)
        person = self._registry.get_person(principal, personal_number, purpose="death of a card holder")
        if person.status is not Status.DECEASED:
            raise CardInvalid(f"the register does not record {person.personal_number} as deceased")
        with self._uow() as uow:
            cards = [c for c in repo.cards_of(uow.session, person.personal_number)
                     if c.state in repo.LIVE_CARD_STATES]
            for card in cards:
                self._revoke_row(uow, principal, card, RevocationReason.DECEASED, "holder deceased")
            open_row = uow.session.get(OpenApplicationRow, person.personal_number)
            if open_row is not None:
                application = repo.application(uow.session, open_row.application_id)
                assert application is not None
                if ApplicationState.CANCELLED in TRANSITIONS[ApplicationState(application.state)]:
                    self._transition(uow, principal, application, ApplicationState.CANCELLED, "holder deceased")
            uow.commit()
            numbers = [c.card_number for c in cards]
        self._list = None
        return [self.get_card(principal, n, audit=False) for n in numbers]

    def _revoke_row(self, uow: UnitOfWork, principal: Principal, card: CardRow, reason: RevocationReason,
                    note: str) -> None:
        self._card_event(uow, principal, card, CardState.REVOKED, "revoked", {"reason": reason.value, "note": note},
                         revoked_reason=reason.value, revoked_at=self._clock())

    def _card_event(self, uow: UnitOfWork, principal: Principal, card: CardRow, state: CardState | None, event: str,
                    detail: dict[str, Any], **values: Any) -> None:
        if state is not None:
            card.state = state.value
        for name, value in values.items():
            setattr(card, name, value)
        uow.session.add(CardHistoryRow(personal_number=card.personal_number, card_number=card.card_number,
                                       seq=repo.next_card_seq(uow.session, card), at=self._clock(),
                                       actor=principal.actor, event=event, detail=detail))
        self._audit.record_in(uow.session, [_access(principal, f"card:card:{event}", "card lifecycle",
                                                    card.personal_number, {"card_number": card.card_number})])
        uow.session.flush()

    def is_revoked(self, document_number: str) -> bool:
        """Whether the card a number names is revoked.  A card number (10 digits) or a list key (personal
        number + issue date, 20 digits) names one card; a personal number (12 digits) or an MRZ document
        number (its last 9) names the holder's most recently activated card (decision 0055).  Unknown: False."""
        number = document_number.strip()
        with self._uow() as uow:
            session = uow.session
            if len(number) == 10 and number.isdigit():
                card = repo.card(session, number)
                return card is not None and card.state == CardState.REVOKED.value
            if len(number) == 20 and number.isdigit():
                state = session.scalar(select(CardRow.state).where(CardRow.personal_number == number[:12],
                                                                   CardRow.revocation_key == number))
                return state == CardState.REVOKED.value
            if len(number) == 9 and number.isdigit():
                candidates = [f"{p:03d}{number}" for p in range(1000)]
                query = select(CardRow).where(CardRow.personal_number.in_(candidates))
            elif len(number) == 12 and number.isdigit():
                query = select(CardRow).where(CardRow.personal_number == number)
            else:
                return False
            cards = [c for c in session.scalars(query) if c.activated_at is not None]
            if not cards:
                return False
            latest = max(cards, key=lambda c: (c.issue_date, c.card_number))
            return latest.state == CardState.REVOKED.value

    def published_revocation_list(self, principal: Principal) -> bytes:
        principal.require(Permission.CARD_REVOCATION_READ)
        return self.revocation_list()

    def revocation_list(self) -> bytes:
        """The signed list of revoked cards (decision 0015), regenerated at most every 60 s and at once
        after a revocation in this process."""
        with self._list_lock:
            cached = self._list
            if cached is not None and time.monotonic() - cached[0] < REVOCATION_LIST_MAX_AGE:
                return cached[1]
            with self._uow() as uow:
                keys = frozenset(uow.session.scalars(select(CardRow.revocation_key).where(
                    CardRow.state == CardState.REVOKED.value)))
            signed = self._chip.revocation_list(keys, _REVOCATION_LIST_VALIDITY)
            self._list = (time.monotonic(), signed)
            return signed

    def renewals(self, principal: Principal, *, months: int = 3, province: str | None = None,
                 limit: int = 1000) -> list[RenewalDue]:
        """Holders whose card expires (a renewal age is reached) in the coming ``months``."""
        principal.require(Permission.CARD_READ)
        if not 1 <= months <= 120 or not 1 <= limit <= 10_000:
            raise CardInvalid("months must be 1-120 and limit 1-10,000")
        if principal.province_code:
            if province and province != principal.province_code:
                return []
            province = principal.province_code
        today = self._clock().date()
        until = today + dt.timedelta(days=round(months * 30.44))
        with self._uow() as uow:
            query = select(CardRow).where(CardRow.state == CardState.ACTIVE.value, CardRow.expiry_date.is_not(None),
                                          CardRow.expiry_date <= until)
            if province:
                query = query.where(CardRow.province == province)
            rows = list(uow.session.scalars(query.order_by(CardRow.expiry_date, CardRow.card_number).limit(limit)))
            found = []
            for row in rows:
                assert row.expiry_date is not None
                birth = _birth_from_number_and_expiry(row)
                found.append(RenewalDue(row.personal_number, row.card_number, row.province, row.expiry_date,
                                        next_renewal(birth, row.expiry_date) if birth else None))
            self._audit.record_in(uow.session, [_access(principal, "card:renewal:list", "renewal planning",
                                                        r.personal_number) for r in found])
            uow.commit()
        return found

    def update_card(self, principal: Principal, card_number: str, *, idempotency_key: str | None = None) -> CardView:
        """Write the register's current details (residence and the other DG13 fields) to the same card through
        an authenticated update: new DG13 and SOD, the previous chip image kept."""
        principal.require(Permission.CARD_UPDATE)
        with self._uow() as uow:
            number = self._visible_card(uow, principal, card_number).personal_number
        person = self._registry.get_person(principal, number, purpose="card update after a change")

        def act(uow: UnitOfWork) -> str:
            card = self._visible_card(uow, principal, card_number)
            if card.state != CardState.ACTIVE.value:
                raise IllegalTransition(f"only an active card can be updated; {card_number} is {card.state}")
            image = ChipImage.from_bytes(self._sealer.open(card.chip_image, f"chip:{card_number}"))
            if image.update_key is None:
                raise CardInvalid(f"card {card_number} takes no updates")
            holder = repo.card_holder(person, card.issue_date, card.expiry_date)
            files = self._chip.updated_files(image, holder)
            if files[File.DG13] == image.files[File.DG13]:
                raise CardInvalid(f"card {card_number} already carries the register's current details")
            previous = image.to_bytes()
            chip = VirtualChip(image)
            self._chip.write_update(InProcessTransport(chip), image.mrz_information, image.update_key, files)
            result = self._chip.verify_image(image)
            if not all(c.passed is not False for c in result.checks if c.name != "document.revocation"):
                raise CardInvalid("the updated card does not verify: "
                                  + "; ".join(f"{c.name}: {c.detail}" for c in result.failures))
            kept = self._sealer.seal(previous, f"chip:{card_number}:{card.chip_version}")
            uow.session.add(ChipVersionRow(personal_number=card.personal_number, card_number=card_number,
                                           version=card.chip_version, chip_image=kept, replaced_at=self._clock()))
            card.chip_image = self._sealer.seal(image.to_bytes(), f"chip:{card_number}")
            self._card_event(uow, principal, card, None, "updated",
                             {"chip_version": card.chip_version + 1, "files": sorted(f.name for f in files)},
                             chip_version=card.chip_version + 1)
            return card_number

        self._idempotent(principal, idempotency_key, "card:update",
                         {"card_number": card_number, "register_version": person.version}, act)
        return self.get_card(principal, card_number, audit=False)

    def chip_image(self, principal: Principal, card_number: str, version: int | None = None) -> ChipImage:
        """The card's chip as written (or an earlier version); key material: production and tests only."""
        principal.require(Permission.CARD_PRODUCE)
        with self._uow() as uow:
            card = self._visible_card(uow, principal, card_number)
            self._audit.record_in(uow.session, [_access(principal, "card:chip:read", "chip image",
                                                        card.personal_number, {"card_number": card_number})])
            uow.commit()
            if version is None or version == card.chip_version:
                return ChipImage.from_bytes(self._sealer.open(card.chip_image, f"chip:{card_number}"))
            old = uow.session.get(ChipVersionRow, (card.personal_number, card_number, version))
            if old is None:
                raise CardNotFound(f"card {card_number} has no chip version {version}")
            return ChipImage.from_bytes(self._sealer.open(old.chip_image, f"chip:{card_number}:{version}"))

    def verify_card(self, principal: Principal, card_number: str) -> dict[str, Any]:
        """Read the card's chip as an offline reader does, against this deployment's trust and revocation list."""
        principal.require(Permission.CARD_READ)
        with self._uow() as uow:
            card = self._visible_card(uow, principal, card_number)
            image = ChipImage.from_bytes(self._sealer.open(card.chip_image, f"chip:{card_number}"))
            self._audit.record_in(uow.session, [_access(principal, "card:card:verify", "card check",
                                                        card.personal_number, {"card_number": card_number})])
            uow.commit()
        with self._uow() as uow:
            keys = frozenset(uow.session.scalars(select(CardRow.revocation_key).where(
                CardRow.state == CardState.REVOKED.value)))
        return self._chip.verify_image(image, self._chip.own_trust_store(keys)).as_dict()

    def get_card(self, principal: Principal, card_number: str, *, audit: bool = True) -> CardView:
        principal.require(Permission.CARD_READ)
        with self._uow() as uow:
            card = self._visible_card(uow, principal, card_number)
            if audit:
                self._audit.record_in(uow.session, [_access(principal, "card:card:read", "card record",
                                                            card.personal_number)])
                uow.commit()
            return _card_view(card)

    def card_faces(self, principal: Principal, card_number: str) -> tuple[bytes, bytes] | None:
        """The rendered front and back of a produced card (PNG), as production printed them; None when the
        production centre's files are not on this server."""
        principal.require(Permission.CARD_READ)
        with self._uow() as uow:
            card = self._visible_card(uow, principal, card_number)
            folder = self._output / "batches" / card.batch_id
            self._audit.record_in(uow.session, [_access(principal, "card:card:image", "card preview",
                                                        card.personal_number)])
            uow.commit()
        front, back = folder / f"{card.application_id}-front.png", folder / f"{card.application_id}-back.png"
        if not (front.is_file() and back.is_file()):
            return None
        return front.read_bytes(), back.read_bytes()

    def produced_per_day(self, principal: Principal, *, days: int = 14) -> list[tuple[dt.date, int]]:
        """Cards produced on each of the last ``days`` days (spoiled ones excluded), oldest first."""
        principal.require(Permission.CAMPAIGN_READ)
        today = self._clock().date()
        first = today - dt.timedelta(days=days - 1)
        with self._uow() as uow:
            counts = dict(uow.session.execute(
                select(CardRow.issue_date, func.count()).where(CardRow.issue_date >= first,
                                                               CardRow.state != CardState.SPOILED.value)
                .group_by(CardRow.issue_date)).all())
        return [(first + dt.timedelta(days=i), int(counts.get(first + dt.timedelta(days=i), 0))) for i in range(days)]

    def batches(self, principal: Principal, *, limit: int = 50) -> list[BatchView]:
        """The latest production batches with their progress, newest first."""
        principal.require(Permission.CARD_READ)
        with self._uow() as uow:
            ids = list(uow.session.scalars(select(BatchRow.batch_id).order_by(BatchRow.created_at.desc())
                                           .limit(max(1, min(limit, MAX_PAGE_SIZE)))))
        return [self.batch(principal, batch_id) for batch_id in ids]

    def card_history(self, principal: Principal, card_number: str) -> list[CardEvent]:
        principal.require(Permission.CARD_READ)
        with self._uow() as uow:
            card = self._visible_card(uow, principal, card_number)
            rows = uow.session.scalars(select(CardHistoryRow).where(
                CardHistoryRow.personal_number == card.personal_number, CardHistoryRow.card_number == card_number)
                .order_by(CardHistoryRow.seq))
            events = [CardEvent(r.seq, r.at, r.actor, r.event, dict(r.detail)) for r in rows]
            self._audit.record_in(uow.session, [_access(principal, "card:card:history", "card record",
                                                        card.personal_number)])
            uow.commit()
            return events

    def cards_of(self, principal: Principal, personal_number: str) -> list[CardView]:
        principal.require(Permission.CARD_READ)
        with self._uow() as uow:
            rows = [r for r in repo.cards_of(uow.session, personal_number) if principal.may_see_province(r.province)]
            self._audit.record_in(uow.session, [_access(principal, "card:card:list", "card record", personal_number)])
            uow.commit()
            return [_card_view(r) for r in rows]

    def holder_view(self, personal_number: str) -> tuple[list[ApplicationView], list[CardView]]:
        """A citizen's own applications (with a rejection's reason) and cards, for the portal that has
        authenticated them; their reading is recorded like any other access."""
        with self._uow() as uow:
            applications = list(uow.session.scalars(
                select(ApplicationRow).where(ApplicationRow.personal_number == personal_number)
                .order_by(ApplicationRow.received_at.desc())))
            cards = repo.cards_of(uow.session, personal_number)
            self._audit.record_in(uow.session, [AccessRecord(
                actor=f"citizen:{personal_number}", action="card:card:list", purpose="citizen portal",
                subject=personal_number)])
            uow.commit()
            return [_application_view(a) for a in applications], [_card_view(c) for c in cards]

    def _visible_card(self, uow: UnitOfWork, principal: Principal, card_number: str) -> CardRow:
        card = repo.card(uow.session, card_number)
        if card is None or not principal.may_see_province(card.province):
            raise CardNotFound(f"no card {card_number} you can see")
        return card

    def _open_photo(self, row: ApplicationRow) -> bytes | None:
        return self._sealer.open(row.photo, f"photo:{row.application_id}") if row.photo else None

    def captures(self, principal: Principal, application_id: str) -> tuple[bytes | None, dict[int, bytes]]:
        """The application's photo and fingerprints, decrypted: for the biometric service and production."""
        principal.require(Permission.CARD_PRODUCE)
        with self._uow() as uow:
            row = self._visible_application(uow, principal, application_id)
            self._audit.record_in(uow.session, [_access(principal, "card:application:captures", "biometrics",
                                                        row.personal_number)])
            uow.commit()
            prints = (unpack_fingerprints(self._sealer.open(row.fingerprints, f"fingerprints:{application_id}"))
                      if row.fingerprints else {})
            return self._open_photo(row), prints

    # --- campaign -------------------------------------------------------------------------------------

    def set_target(self, principal: Principal, *, milestone: ApplicationState, target: int, due: dt.date,
                   province: str | None = None, idempotency_key: str | None = None) -> str:
        principal.require(Permission.CAMPAIGN_MANAGE)
        if milestone not in MILESTONES:
            raise CardInvalid(f"a target counts one of: {', '.join(MILESTONES)}")
        if target < 1:
            raise CardInvalid("a target is at least 1")

        def act(uow: UnitOfWork) -> str:
            target_id = str(uuid.uuid4())
            uow.session.add(CampaignTargetRow(target_id=target_id, province=province, milestone=milestone.value,
                                              target_count=target, due_date=due, created_at=self._clock(),
                                              created_by=principal.actor))
            return target_id

        return self._idempotent(principal, idempotency_key, "campaign:target",
                                {"milestone": milestone.value, "target": target, "due": due.isoformat(),
                                 "province": province}, act)

    def campaign(self, principal: Principal, *, window_days: int = 7) -> list[TargetProgress]:
        """Each target against the count so far and the date it will be met at the last ``window_days``' rate."""
        principal.require(Permission.CAMPAIGN_READ)
        now = self._clock()
        since = now - dt.timedelta(days=window_days)
        found = []
        with self._uow() as uow:
            for t in uow.session.scalars(select(CampaignTargetRow).order_by(CampaignTargetRow.due_date)):
                done = repo.milestone_counts(uow.session, t.milestone, t.province, None)
                recent = repo.milestone_counts(uow.session, t.milestone, t.province, since)
                p = forecast(t.target_count, done, recent, window_days, now.date(), t.due_date)
                found.append(TargetProgress(t.target_id, t.province, t.milestone, t.target_count, t.due_date, done,
                                            round(p.daily_rate, 2), p.forecast, p.on_track))
        return found


# --- helpers ------------------------------------------------------------------------------------------


class _Stopwatch:
    def __init__(self, into: dict[str, float] | None) -> None:
        self._into = into
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        if self._into is None:
            return
        now = time.perf_counter()
        self._into[name] = self._into.get(name, 0.0) + now - self._last
        self._last = now


@dataclass(frozen=True, slots=True)
class _Item:
    batch_id: str
    position: int
    personal_number: str
    application_id: str

    @classmethod
    def of(cls, row: BatchItemRow) -> _Item:
        return cls(row.batch_id, row.position, row.personal_number, row.application_id)


def _claim(session: Any, item: _Item, status: str, card_number: str | None, detail: str | None) -> bool:
    """Move an item on from pending (or from this transaction's own claim): a second worker finds nothing."""
    result = session.execute(
        update(BatchItemRow)
        .where(BatchItemRow.batch_id == item.batch_id, BatchItemRow.position == item.position,
               BatchItemRow.status.in_(("pending", "claimed") if status != "claimed" else ("pending",)))
        .values(status=status, card_number=card_number, detail=detail)
        .execution_options(synchronize_session=False))
    return bool(result.rowcount == 1)


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def _printed(holder: Any, person: Person, face: bytes | None) -> PrintedCard:
    mrz = holder.mrz()
    return PrintedCard(
        personal_number=holder.personal_number, full_name=holder.full_name, birth_date=holder.birth_date,
        sex=holder.sex, nationality=holder.nationality, place_of_origin=holder.place_of_origin,
        place_of_residence=holder.place_of_residence, issue_date=holder.issue_date, expiry_date=holder.expiry_date,
        mrz_lines=mrz.lines(),
        qr_payload=qr_payload(holder.personal_number, person.old_id_number, holder.full_name, holder.birth_date,
                              holder.sex, holder.place_of_residence, holder.issue_date),
        photo_jpeg=face,
    )


def _birth_from_number_and_expiry(row: CardRow) -> dt.date | None:
    """The holder's birthday as the expiry implies it (expiry is a birthday), for the renewal age."""
    if row.expiry_date is None:
        return None
    year = 1900 + int(row.personal_number[4:6]) + 100 * (int(row.personal_number[3]) // 2)
    try:
        return row.expiry_date.replace(year=year)
    except ValueError:
        return dt.date(year, 2, 28)


def _application_view(row: ApplicationRow) -> ApplicationView:
    return ApplicationView(
        row.application_id, row.personal_number, row.province, row.site, row.reason, row.state, row.state_since,
        row.received_at, row.received_by, row.appointment, list(row.mismatches or []), row.rejection_reason,
        row.card_number, row.version)


def _card_view(row: CardRow) -> CardView:
    return CardView(row.card_number, row.personal_number, row.application_id, row.batch_id, row.province, row.state,
                    row.issue_date, row.expiry_date, row.revoked_reason, row.chip_version)


def _access(principal: Principal, action: str, purpose: str, subject: str | None,
            details: dict[str, Any] | None = None) -> AccessRecord:
    return AccessRecord(actor=principal.actor, action=action, purpose=purpose, subject=subject, details=details or {})

