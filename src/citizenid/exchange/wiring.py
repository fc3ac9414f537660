"""How the composition root builds the exchange platform (called by :func:`citizenid.bootstrap.bootstrap`).

Kept here so that ``bootstrap.py`` gains two lines; typed loosely because the container imports us.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from citizenid.exchange.events import EventService, Sender, http_sender
from citizenid.exchange.notify import FileChannel, NotificationChannel
from citizenid.exchange.portal import CitizenPortal
from citizenid.exchange.repository import LoopReader
from citizenid.exchange.service import ExchangeService
from citizenid.otp.service import FileMasterKey

TRUST_REFRESH_SECONDS = 600.0


class RevocationStatus:
    """``is_revoked(document_number)``: the cards area's answer when the container has one
    (``container.cards.is_revoked``), else the deployment's own signed list of revoked cards, which the chip
    verifier also checks (its ``document.revocation`` check)."""

    def __init__(self, container: Any) -> None:
        self._container = container

    def __call__(self, document_number: str) -> bool:
        cards = getattr(self._container, "cards", None)
        check = getattr(cards, "is_revoked", None)
        if callable(check):
            return bool(check(document_number))
        return False

    @property
    def source(self) -> str:
        cards = getattr(self._container, "cards", None)
        return "cards.is_revoked" if callable(getattr(cards, "is_revoked", None)) else "signed revocation list"


class ChipCardVerifier:
    """The chip verifier with this deployment's trust store (masterlist, CRLs, revoked-card list),
    rebuilt every ten minutes."""

    def __init__(self, chip: Any) -> None:
        self._chip = chip
        self._trust: Any = None
        self._built = 0.0
        self._lock = threading.Lock()

    def __call__(self, read: Any) -> Any:
        from citizenid.chip.service import Verifier  # noqa: PLC0415 - the chip stack loads on first card

        with self._lock:
            if self._trust is None or time.monotonic() - self._built > TRUST_REFRESH_SECONDS:
                self._trust = self._chip.own_trust_store()
                self._built = time.monotonic()
            trust = self._trust
        return Verifier(trust).verify(read)


def wire_exchange(container: Any, *, channel: NotificationChannel | None = None,
                  sender: Sender = http_sender) -> None:
    keys = container.settings.data_dir / "keys"
    master = FileMasterKey(keys / "exchange-master.key")
    channel = channel or FileChannel(container.settings.data_dir / "notifications.jsonl")
    registry = container.registry
    container.exchange = ExchangeService(
        container.uow, read_session=LoopReader(container.engine, container.session_factory), audit=container.audit,
        person_in=registry.person_in, alias_master=master, channel=channel,
        is_revoked=RevocationStatus(container), card_verifier=ChipCardVerifier(container.chip),
        card_otp=lambda number, credential, code, actor: container.otp.validate(
            number, credential, code, actor=actor, purpose="approve a consent to share data"),
        documents_in=container.documents.documents_in,
    )
    events = EventService(container.uow, audit=container.audit, signing_seed=master, alias_master=master,
                          sender=sender)
    registry.life_event_hooks[:] = [h for h in registry.life_event_hooks
                                    if not isinstance(getattr(h, "__self__", None), EventService)]
    registry.life_event_hooks.append(events.on_life_event)
    container.exchange_events = events
    container.portal = CitizenPortal(container.uow, audit=container.audit, person_in=registry.person_in,
                                     channel=channel)
