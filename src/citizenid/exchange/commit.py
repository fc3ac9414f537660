"""Group commit for the verify hot path (decision 0034).

A request does its reads, then hands what it must write — the DPoP proof id (replay defence) and its
access-log entries — to the process's committer and waits.  The committer runs on the event loop: it
takes every write queued during the current turn of the loop, writes them in one transaction, commits,
and only then wakes the waiting requests.  Each verification is durable in the access log before its
answer leaves, and a burst of N concurrent requests costs one commit instead of N.

It runs on the loop rather than in a thread on purpose: a committer thread competes with the loop for the
GIL, and every time the loop releases it (a SQLite read, a system call) the thread may keep it for the
whole switch interval (5 ms), which multiplied latency by ten in measurements.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from citizenid.audit.service import AccessRecord, AuditService
from citizenid.db.uow import UnitOfWork
from citizenid.exchange import repository as repo


@dataclass(frozen=True, slots=True)
class PendingWrite:
    client_id: str
    jti: str
    jti_expires: dt.datetime
    records: Sequence[AccessRecord]


def write_batch(uow_factory: Callable[[], UnitOfWork], batch: Sequence[PendingWrite]) -> list[bool]:
    """Write a batch in one transaction; per write, False when its proof id was seen before (its entries
    are then not written: the request is refused)."""
    with uow_factory() as uow:
        accepted = [repo.remember_jti(uow.session, w.client_id, w.jti, "dpop", w.jti_expires) for w in batch]
        AuditService.record_in(uow.session, [r for w, ok in zip(batch, accepted, strict=True) if ok
                                             for r in w.records])
        uow.commit()
    return accepted


class LoopCommitter:
    def __init__(self, uow_factory: Callable[[], UnitOfWork], *, max_batch: int = 1000) -> None:
        self._uow = uow_factory
        self._max = max_batch
        self._pending: list[tuple[PendingWrite, asyncio.Future[bool]]] = []
        self._scheduled = False

    async def commit(self, write: PendingWrite) -> bool:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[bool] = loop.create_future()
        self._pending.append((write, done))
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._flush)
        return await done

    def _flush(self) -> None:
        batch, self._pending = self._pending[: self._max], self._pending[self._max :]
        self._scheduled = bool(self._pending)
        if self._pending:
            asyncio.get_running_loop().call_soon(self._flush)
        try:
            accepted = write_batch(self._uow, [w for w, _ in batch])
        except Exception as exc:  # noqa: BLE001 - every waiting request gets the failure, none hangs
            for _, done in batch:
                if not done.done():
                    done.set_exception(exc)
            return
        for (_, done), ok in zip(batch, accepted, strict=True):
            if not done.done():
                done.set_result(ok)
