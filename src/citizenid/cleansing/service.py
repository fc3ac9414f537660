"""Use cases of cleansing: ingest, link, review, merge, un-merge, measure.  The only place here that commits.

- **ingest**: a file through its source's column mapping into staging, whole or not at all; each
  record normalised (keys stored beside the original) and validated (issues stored with their rule).
- **link**: every staged record through :func:`citizenid.cleansing.link.link`; the run (input hash,
  parameters, trained model, results) and its scored pairs are stored, then automatic merges applied.
- **merge**: one transaction per cluster — the person (created through the register's allocation, or
  an existing one the records name), the links to every source record, the merge record with its
  survivorship — so an interrupted run never leaves half a person; running it again resumes, and
  :meth:`CleansingService.rollback` undoes every merge of a run.
- **review**: pairs between the thresholds wait for a supervisor; their records stay unmerged.
- **unmerge**: restores the state before one merge.
- **report**: the share of clean records per province and per source.

Every read of personal data (a review pair, a report is statistics) and every write is audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from citizenid.audit.domain import AccessRecord
from citizenid.audit.service import AuditService
from citizenid.auth.domain import Permission, Principal
from citizenid.cleansing.decide import clusters
from citizenid.cleansing.errors import (
    BatchRejected,
    MergeNotFound,
    PairNotFound,
    ReviewAlreadyDecided,
    RunNotFound,
    UnmergeRefused,
)
from citizenid.cleansing.features import FEATURE_COLUMNS, features, unique_id
from citizenid.cleansing.ingest import read_source
from citizenid.cleansing.link import Engine, LinkageParameters, link, pair_evidence
from citizenid.cleansing.models import (
    CleansingBatchRow,
    LinkageRunRow,
    MergeRow,
    RecordIssueRow,
    ScoredPairRow,
    StagedRecordRow,
)
from citizenid.cleansing.normalise import normalise
from citizenid.cleansing.survivorship import SourceRecord, survive
from citizenid.cleansing.validate import validate
from citizenid.db.base import utcnow
from citizenid.db.uow import UnitOfWork
from citizenid.errors import CitizenIdError
from citizenid.registry.service import RegistryService

_log = logging.getLogger(__name__)
_MAX_PAGE = 100


@dataclass(frozen=True, slots=True)
class IngestReport:
    batch_id: str
    source: str
    file_name: str
    rows: int
    clean: int
    issues: dict[str, int]


@dataclass(frozen=True, slots=True)
class RunReport:
    run_id: str
    input_hash: str
    engine: str
    status: str
    results: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ReviewItem:
    run_id: str
    pair_no: int
    match_weight: float
    match_probability: float
    guards: list[str]
    evidence: dict[str, Any]
    left: dict[str, Any]
    right: dict[str, Any]
    review_status: str | None
    reviewed_by: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class MergeView:
    merge_id: str
    run_id: str
    personal_number: str
    records: list[str]
    created_person: bool
    survivorship: dict[str, Any]
    status: str


@dataclass(frozen=True, slots=True)
class GroupQuality:
    records: int
    clean: int

    @property
    def share(self) -> float:
        return self.clean / self.records if self.records else 1.0


@dataclass(frozen=True, slots=True)
class QualityReport:
    records: int
    clean: int
    by_province: dict[str, GroupQuality]
    by_source: dict[str, GroupQuality]
    duplicates_found: int
    merges: int
    reviews_pending: int
    latest_run: str | None

    @property
    def share(self) -> float:
        return self.clean / self.records if self.records else 1.0

    def as_dict(self) -> dict[str, Any]:
        def group(g: GroupQuality) -> dict[str, Any]:
            return {"records": g.records, "clean": g.clean, "share": round(g.share, 6)}

        return {
            "records": self.records, "clean": self.clean, "share": round(self.share, 6),
            "by_province": {k: group(v) for k, v in sorted(self.by_province.items())},
            "by_source": {k: group(v) for k, v in sorted(self.by_source.items())},
            "duplicates_found": self.duplicates_found, "merges": self.merges,
            "reviews_pending": self.reviews_pending, "latest_run": self.latest_run,
        }


@dataclass
class MergeReport:
    run_id: str
    merged: int = 0
    persons_created: int = 0
    attached: int = 0
    skipped: dict[str, int] = field(default_factory=dict)


class CleansingService:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        *,
        registry: RegistryService,
        audit: AuditService,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._uow = uow_factory
        self._registry = registry
        self._audit = audit
        self._clock = clock
        # Called after each cluster's transaction commits (tests interrupt a run here).
        self.after_cluster: Callable[[int], None] | None = None

    # -- ingest ----------------------------------------------------------------------------------

    def ingest(self, principal: Principal, source: str, path: Path, mapping: Mapping[str, str]) -> IngestReport:
        principal.require(Permission.CLEANSING_INGEST)
        if not source or len(source) > 60:
            raise BatchRejected("a source is named by 1 to 60 characters")
        read = read_source(source, path, mapping)
        now = self._clock()
        batch_id = str(uuid.uuid4())
        with self._uow() as uow:
            if not read.problems:
                ids = [str(r["record_id"]).strip() for r in read.rows]
                staged = _existing_ids(uow.session, source, ids)
                read.problems += [f"record id '{i}' is already staged for source '{source}'" for i in staged[:20]]
        if read.problems:
            self._record_failed(principal, batch_id, source, path, read.sha256, mapping, read.problems, now)
            raise BatchRejected(f"{path.name} rejected, nothing staged: " + "; ".join(read.problems[:5]))
        as_of = now.date()
        issue_counts: dict[str, int] = defaultdict(int)
        clean = 0
        with self._uow() as uow:
            session = uow.session
            for number, (row, original) in enumerate(zip(read.rows, read.originals, strict=True), start=1):
                record_id = str(row.pop("record_id")).strip()
                normalised = normalise(row)
                keys = features(source, record_id, normalised)
                issues = validate(normalised, as_of=as_of)
                session.add(StagedRecordRow(
                    source=source, record_id=record_id, batch_id=batch_id, row_number=number, original=original,
                    canonical=row, keys=keys, province=normalised.residence.current_province, personal_number=None,
                ))
                seen: set[tuple[str, str]] = set()
                for issue in issues:
                    if (issue.rule_id, issue.field) in seen:
                        continue
                    seen.add((issue.rule_id, issue.field))
                    session.add(RecordIssueRow(source=source, record_id=record_id, rule_id=issue.rule_id,
                                               field=issue.field[:40], severity=issue.severity,
                                               message=issue.message, status="open"))
                    issue_counts[issue.rule_id] += 1
                clean += not any(i.severity == "error" for i in issues)
            session.add(CleansingBatchRow(
                batch_id=batch_id, source=source, file_name=path.name[:300], file_sha256=read.sha256,
                mapping=dict(mapping), status="staged", rows=len(read.rows),
                report={"as_of": as_of.isoformat(), "clean": clean, "issues": dict(issue_counts)},
                ingested_at=now, ingested_by=principal.actor,
            ))
            self._audit.record_in(session, [AccessRecord(
                actor=principal.actor, action="cleansing:batch:ingest", purpose="legacy records cleansing",
                details={"batch": batch_id, "source": source, "file": path.name, "rows": len(read.rows)},
            )])
            uow.commit()
        return IngestReport(batch_id, source, path.name, len(read.rows), clean, dict(issue_counts))

    def _record_failed(self, principal: Principal, batch_id: str, source: str, path: Path, sha256: str,
                       mapping: Mapping[str, str], problems: list[str], now: dt.datetime) -> None:
        with self._uow() as uow:
            uow.session.add(CleansingBatchRow(
                batch_id=batch_id, source=source, file_name=path.name[:300], file_sha256=sha256 or "",
                mapping=dict(mapping), status="failed", rows=0, report={"problems": problems},
                ingested_at=now, ingested_by=principal.actor,
            ))
            uow.commit()

    # -- link --------------------------------------------------------------------------------------

    def link(
        self,
        principal: Principal,
        *,
        engine: Engine = "duckdb",
        parameters: LinkageParameters | None = None,
        spark: Any = None,
        merge: bool = True,
    ) -> RunReport:
        """Link every staged record; store the run and its pairs; then apply the automatic merges."""
        principal.require(Permission.CLEANSING_MERGE)
        parameters = parameters or LinkageParameters()
        with self._uow() as uow:
            keys = [r for (r,) in uow.session.execute(
                select(StagedRecordRow.keys).order_by(StagedRecordRow.source, StagedRecordRow.record_id))]
        frame = pd.DataFrame(keys, columns=list(FEATURE_COLUMNS))
        input_hash = hashlib.sha256(json.dumps(keys, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        run_id = str(uuid.uuid4())
        now = self._clock()
        with self._uow() as uow:
            uow.session.add(LinkageRunRow(
                run_id=run_id, input_hash=input_hash, engine=engine, parameters=parameters.as_dict(), model={},
                results={}, status="linking", started_at=now, started_by=principal.actor, finished_at=None,
            ))
            uow.commit()
        try:
            outcome = link(frame, parameters, engine=engine, spark=spark)
        except Exception:
            self._set_status(run_id, "failed")
            raise
        pairs = outcome.pairs
        kept = pairs[pairs["decision"] != "apart"]
        counts = {str(k): int(v) for k, v in pairs["decision"].value_counts().items()}
        results = {
            "records": len(frame), "pairs": counts,
            "clusters": len(set(outcome.cluster_of.values())),
            "duplicates": sum(1 for uid, c in outcome.cluster_of.items() if uid != c),
        }
        with self._uow() as uow:
            for number, row in enumerate(kept.to_dict("records"), start=1):
                uow.session.add(ScoredPairRow(
                    run_id=run_id, pair_no=number, left_id=row["unique_id_l"], right_id=row["unique_id_r"],
                    match_weight=round(float(row["match_weight"]), 6),
                    match_probability=round(float(row["match_probability"]), 9),
                    decision=row["decision"], guards=row["guards"][:200], evidence=pair_evidence(row),
                    review_status="pending" if row["decision"] == "review" else None,
                    reviewed_by=None, reviewed_at=None, note=None,
                ))
            run = _run(uow.session, run_id)
            run.model, run.results = _jsonable(outcome.model), results
            run.status, run.finished_at = "linked", self._clock()
            self._audit.record_in(uow.session, [AccessRecord(
                actor=principal.actor, action="cleansing:run:link", purpose="legacy records cleansing",
                details={"run": run_id, "engine": engine, "records": len(frame), "input_hash": input_hash},
            )])
            uow.commit()
        if merge:
            self.merge(principal, run_id)
        return self.run(principal, run_id)

    def run(self, principal: Principal, run_id: str) -> RunReport:
        principal.require(Permission.CLEANSING_REPORT)
        with self._uow() as uow:
            row = _run(uow.session, run_id)
            return RunReport(row.run_id, row.input_hash, row.engine, row.status, dict(row.results))

    def runs(self, principal: Principal) -> list[RunReport]:
        principal.require(Permission.CLEANSING_REPORT)
        with self._uow() as uow:
            rows = uow.session.scalars(select(LinkageRunRow).order_by(LinkageRunRow.started_at)).all()
            return [RunReport(r.run_id, r.input_hash, r.engine, r.status, dict(r.results)) for r in rows]

    def pairs(self, run_id: str) -> list[tuple[str, str, str, float]]:
        """(left, right, decision, weight) of a run's stored pairs, in order: for comparing runs."""
        with self._uow() as uow:
            rows = uow.session.execute(
                select(ScoredPairRow.left_id, ScoredPairRow.right_id, ScoredPairRow.decision,
                       ScoredPairRow.match_weight).where(ScoredPairRow.run_id == run_id).order_by(ScoredPairRow.pair_no)
            ).all()
            return [(a, b, c, round(w, 3)) for a, b, c, w in rows]

    def _set_status(self, run_id: str, status: str) -> None:
        with self._uow() as uow:
            _run(uow.session, run_id).status = status
            uow.commit()

    # -- merge -------------------------------------------------------------------------------------

    def merge(self, principal: Principal, run_id: str) -> MergeReport:
        """Apply a run's automatic merges and accepted reviews, and give clean persons a number; resumable."""
        principal.require(Permission.CLEANSING_MERGE)
        principal.require(Permission.NUMBER_ALLOCATE)
        with self._uow() as uow:
            run = _run(uow.session, run_id)
            if run.status in ("linking", "failed", "rolled_back"):
                raise UnmergeRefused(f"run {run_id} is {run.status}: nothing to merge")
            run.status = "merging"
            uow.commit()
            pairs = uow.session.execute(select(
                ScoredPairRow.left_id, ScoredPairRow.right_id, ScoredPairRow.decision, ScoredPairRow.review_status,
            ).where(ScoredPairRow.run_id == run_id)).all()
            ids = [unique_id(s, r) for s, r in uow.session.execute(
                select(StagedRecordRow.source, StagedRecordRow.record_id))]
        edges = [(a, b) for a, b, d, status in pairs if d == "merge" or status == "accepted"]
        blocked = {uid for a, b, d, status in pairs if status == "pending" for uid in (a, b)}
        members: dict[str, list[str]] = defaultdict(list)
        for uid, root in clusters(ids, edges).items():
            members[root].append(uid)
        report = MergeReport(run_id)
        for done, root in enumerate(sorted(members), start=1):
            group = sorted(members[root])
            if blocked.intersection(group):
                report.skipped["pending review"] = report.skipped.get("pending review", 0) + 1
                continue
            outcome = self._merge_cluster(principal, run_id, group)
            if outcome in ("created", "attached"):
                report.merged += 1
                report.persons_created += outcome == "created"
                report.attached += outcome == "attached"
            elif outcome != "unchanged":
                report.skipped[outcome] = report.skipped.get(outcome, 0) + 1
            if self.after_cluster is not None:
                self.after_cluster(done)
        with self._uow() as uow:
            run = _run(uow.session, run_id)
            run.status = "merged"
            run.results = {**run.results, "merge": asdict(report)}
            uow.commit()
        return report

    def _merge_cluster(self, principal: Principal, run_id: str, group: list[str]) -> str:
        now = self._clock()
        with self._uow() as uow:
            session = uow.session
            rows = _records(session, group)
            numbers = {r.personal_number for r in rows if r.personal_number}
            fresh = [r for r in rows if not r.personal_number]
            if not fresh:
                return "unchanged"
            if len(numbers) > 1:
                return "records of several registered persons"
            if numbers:
                number = numbers.pop()
                created = False
                survivorship: dict[str, Any] = {"attached_to": number}
            else:
                if len(rows) == 1 and _has_open_errors(session, rows):
                    return "not clean"
                survivor = survive(
                    [SourceRecord(unique_id(r.source, r.record_id), normalise(r.canonical)) for r in rows]
                )
                details = _register_details(survivor.details)
                try:
                    person = self._registry.admit_in(session, principal, details, now=now)
                except CitizenIdError as exc:
                    _log.info("cluster %s not admitted: %s", group[0], exc.detail)
                    return "not admissible to the register"
                number, created = person.personal_number, True
                survivorship = {"values": {k: details.get(k) for k in sorted(details)}, "from": survivor.provenance}
            self._registry.link_sources_in(session, number, [(r.source, r.record_id) for r in fresh], now)
            keys = [(r.source, r.record_id) for r in fresh]
            for row in fresh:
                row.personal_number = number
            _resolve_issues(session, keys)
            session.add(MergeRow(
                merge_id=str(uuid.uuid4()), run_id=run_id, personal_number=number,
                records=[unique_id(s, r) for s, r in keys], created_person=created, survivorship=survivorship,
                status="applied", merged_at=now, merged_by=principal.actor, undone_at=None, undone_by=None,
            ))
            self._audit.record_in(session, [AccessRecord(
                actor=principal.actor, action="cleansing:person:merge", purpose="legacy records cleansing",
                subject=number, details={"run": run_id, "records": len(keys), "created": created},
            )])
            uow.commit()
            return "created" if created else "attached"

    def rollback(self, principal: Principal, run_id: str) -> int:
        """Undo every applied merge of a run, newest first; the run ends ``rolled_back``."""
        principal.require(Permission.CLEANSING_MERGE)
        with self._uow() as uow:
            _run(uow.session, run_id)
            merges = uow.session.scalars(select(MergeRow.merge_id).where(
                MergeRow.run_id == run_id, MergeRow.status == "applied").order_by(MergeRow.merged_at.desc(),
                                                                                  MergeRow.merge_id.desc())).all()
        for merge_id in merges:
            self.unmerge(principal, merge_id, reason=f"roll back of run {run_id}")
        self._set_status(run_id, "rolled_back")
        return len(merges)

    def unmerge(self, principal: Principal, merge_id: str, *, reason: str) -> MergeView:
        """Restore the state before one merge: the records unmerged, the person withdrawn or detached."""
        principal.require(Permission.CLEANSING_MERGE)
        if not reason.strip():
            raise UnmergeRefused("an un-merge needs a reason")
        now = self._clock()
        with self._uow() as uow:
            session = uow.session
            merge = session.get(MergeRow, merge_id)
            if merge is None:
                raise MergeNotFound(f"no merge {merge_id}")
            if merge.status != "applied":
                raise UnmergeRefused(f"merge {merge_id} is already undone")
            keys = [tuple(uid.split("/", 1)) for uid in merge.records]
            if merge.created_person:
                later = session.scalar(select(func.count()).select_from(MergeRow).where(
                    MergeRow.personal_number == merge.personal_number, MergeRow.status == "applied",
                    MergeRow.merge_id != merge.merge_id))
                if later:
                    raise UnmergeRefused(f"later merges attached records to {merge.personal_number}: undo them first")
                try:
                    self._registry.withdraw_in(session, principal, merge.personal_number)
                except CitizenIdError as exc:
                    raise UnmergeRefused(f"{merge.personal_number} cannot be withdrawn: {exc.detail}") from exc
            else:
                self._registry.unlink_sources_in(session, merge.personal_number, [(s, r) for s, r in keys])
            for source, record_id in keys:
                session.execute(update(StagedRecordRow).where(
                    StagedRecordRow.source == source, StagedRecordRow.record_id == record_id,
                ).values(personal_number=None))
                session.execute(update(RecordIssueRow).where(
                    RecordIssueRow.source == source, RecordIssueRow.record_id == record_id,
                    RecordIssueRow.status == "resolved",
                ).values(status="open"))
            merge.status, merge.undone_at, merge.undone_by = "undone", now, principal.actor
            self._audit.record_in(session, [AccessRecord(
                actor=principal.actor, action="cleansing:person:unmerge", purpose=reason,
                subject=merge.personal_number, details={"merge": merge_id},
            )])
            uow.commit()
            return _merge_view(merge)

    def merges_of(self, principal: Principal, run_id: str) -> list[MergeView]:
        principal.require(Permission.CLEANSING_MERGE)
        with self._uow() as uow:
            rows = uow.session.scalars(select(MergeRow).where(MergeRow.run_id == run_id)
                                       .order_by(MergeRow.merged_at, MergeRow.merge_id)).all()
            return [_merge_view(r) for r in rows]

    # -- review ------------------------------------------------------------------------------------

    def reviews(self, principal: Principal, *, run_id: str | None = None, offset: int = 0,
                limit: int = 20) -> list[ReviewItem]:
        """Pending pairs, strongest first, each with both records side by side and the match evidence."""
        principal.require(Permission.CLEANSING_REVIEW)
        limit = max(1, min(limit, _MAX_PAGE))
        with self._uow() as uow:
            run_id = run_id or _latest_run(uow.session)
            if run_id is None:
                return []
            rows = uow.session.scalars(select(ScoredPairRow).where(
                ScoredPairRow.run_id == run_id, ScoredPairRow.review_status == "pending",
            ).order_by(ScoredPairRow.match_weight.desc(), ScoredPairRow.pair_no)
              .offset(max(0, offset)).limit(limit)).all()
            items = [_review_item(uow.session, r) for r in rows]
            self._audit.record_in(uow.session, [AccessRecord(
                actor=principal.actor, action="cleansing:pair:read", purpose="duplicate review",
                details={"run": run_id, "pairs": [r.pair_no for r in rows]},
            )])
            uow.commit()
            return items

    def review(self, principal: Principal, run_id: str, pair_no: int) -> ReviewItem:
        principal.require(Permission.CLEANSING_REVIEW)
        with self._uow() as uow:
            row = _pair(uow.session, run_id, pair_no)
            item = _review_item(uow.session, row)
            self._audit.record_in(uow.session, [AccessRecord(
                actor=principal.actor, action="cleansing:pair:read", purpose="duplicate review",
                details={"run": run_id, "pairs": [pair_no]},
            )])
            uow.commit()
            return item

    def decide(self, principal: Principal, run_id: str, pair_no: int, *, same_person: bool,
               note: str | None = None) -> ReviewItem:
        """A supervisor's answer; accepted pairs are merged by the next :meth:`merge` of the run."""
        principal.require(Permission.CLEANSING_REVIEW)
        with self._uow() as uow:
            row = _pair(uow.session, run_id, pair_no)
            if row.review_status != "pending":
                raise ReviewAlreadyDecided(f"pair {pair_no} of run {run_id} is {row.review_status or 'not for review'}")
            row.review_status = "accepted" if same_person else "rejected"
            row.reviewed_by, row.reviewed_at, row.note = principal.actor, self._clock(), (note or None)
            self._audit.record_in(uow.session, [AccessRecord(
                actor=principal.actor, action="cleansing:pair:decide", purpose="duplicate review",
                details={"run": run_id, "pair": pair_no, "answer": row.review_status},
            )])
            uow.commit()
            return _review_item(uow.session, row)

    # -- measure -----------------------------------------------------------------------------------

    def report(self, principal: Principal) -> QualityReport:
        """Clean = no open error issue and no pending duplicate review; per current province and source."""
        principal.require(Permission.CLEANSING_REPORT)
        with self._uow() as uow:
            session = uow.session
            latest = _latest_run(session)
            pending: set[str] = set()
            duplicates = reviews = 0
            if latest is not None:
                for left, right, decision, status in session.execute(select(
                    ScoredPairRow.left_id, ScoredPairRow.right_id, ScoredPairRow.decision, ScoredPairRow.review_status,
                ).where(ScoredPairRow.run_id == latest)):
                    if status == "pending":
                        pending.update((left, right))
                        reviews += 1
                    if decision == "merge" or status == "accepted":
                        duplicates += 1
            unclean = {(s, r) for s, r in session.execute(select(RecordIssueRow.source, RecordIssueRow.record_id).where(
                RecordIssueRow.severity == "error", RecordIssueRow.status == "open").distinct())}
            provinces: dict[str, list[int]] = defaultdict(lambda: [0, 0])
            sources: dict[str, list[int]] = defaultdict(lambda: [0, 0])
            for source, record_id, province in session.execute(
                select(StagedRecordRow.source, StagedRecordRow.record_id, StagedRecordRow.province)
            ):
                province_key = province or "unknown"
                if not principal.may_see_province(province):
                    continue
                clean = (source, record_id) not in unclean and unique_id(source, record_id) not in pending
                for bucket in (provinces[province_key], sources[source]):
                    bucket[0] += 1
                    bucket[1] += clean
            merges = session.scalar(select(func.count()).select_from(MergeRow).where(MergeRow.status == "applied"))
        total = sum(v[0] for v in sources.values())
        clean_total = sum(v[1] for v in sources.values())
        return QualityReport(
            records=total, clean=clean_total,
            by_province={k: GroupQuality(*v) for k, v in provinces.items()},
            by_source={k: GroupQuality(*v) for k, v in sources.items()},
            duplicates_found=duplicates, merges=int(merges or 0), reviews_pending=reviews, latest_run=latest,
        )


# -- helpers ------------------------------------------------------------------------------------------


def _existing_ids(session: Session, source: str, ids: list[str]) -> list[str]:
    found: list[str] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        found += session.scalars(select(StagedRecordRow.record_id).where(
            StagedRecordRow.source == source, StagedRecordRow.record_id.in_(chunk))).all()
    return sorted(found)


def _run(session: Session, run_id: str) -> LinkageRunRow:
    row = session.get(LinkageRunRow, run_id)
    if row is None:
        raise RunNotFound(f"no linkage run {run_id}")
    return row


def _latest_run(session: Session) -> str | None:
    return session.scalar(select(LinkageRunRow.run_id).where(LinkageRunRow.status.in_(("linked", "merging", "merged")))
                          .order_by(LinkageRunRow.started_at.desc(), LinkageRunRow.run_id).limit(1))


def _pair(session: Session, run_id: str, pair_no: int) -> ScoredPairRow:
    row = session.get(ScoredPairRow, (run_id, pair_no))
    if row is None:
        raise PairNotFound(f"no pair {pair_no} in run {run_id}")
    return row


def _records(session: Session, uids: Iterable[str]) -> list[StagedRecordRow]:
    rows = []
    for uid in uids:
        source, record_id = uid.split("/", 1)
        row = session.get(StagedRecordRow, (source, record_id))
        if row is not None:
            rows.append(row)
    return rows


def _has_open_errors(session: Session, rows: list[StagedRecordRow]) -> bool:
    for row in rows:
        found = session.scalar(select(func.count()).select_from(RecordIssueRow).where(
            RecordIssueRow.source == row.source, RecordIssueRow.record_id == row.record_id,
            RecordIssueRow.severity == "error", RecordIssueRow.status == "open"))
        if found:
            return True
    return False


def _resolve_issues(session: Session, keys: list[tuple[str, str]]) -> None:
    """The register now holds a validated person for these records: their issues are settled by the merge."""
    for source, record_id in keys:
        session.execute(update(RecordIssueRow).where(
            RecordIssueRow.source == source, RecordIssueRow.record_id == record_id, RecordIssueRow.status == "open",
        ).values(status="resolved"))


def _register_details(details: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in details.items() if v is not None}
    if not out.get("birth_registration_province"):
        number = details.get("personal_number")
        commune = details.get("residence_commune")
        if number:
            out["birth_registration_province"] = str(number)[:3]
        elif commune:
            from citizenid.refdata import current_commune  # noqa: PLC0415 - one lookup for a rare case

            out["birth_registration_province"] = "0" + current_commune(str(commune)).province_code
    return out


def _side(session: Session, uid: str) -> dict[str, Any]:
    source, record_id = uid.split("/", 1)
    row = session.get(StagedRecordRow, (source, record_id))
    if row is None:
        return {"id": uid}
    return {"id": uid, "source": source, "record_id": record_id, "original": row.original, "keys": row.keys,
            "personal_number": row.personal_number}


def _review_item(session: Session, row: ScoredPairRow) -> ReviewItem:
    return ReviewItem(
        run_id=row.run_id, pair_no=row.pair_no, match_weight=row.match_weight,
        match_probability=row.match_probability, guards=[g for g in row.guards.split(",") if g],
        evidence=row.evidence, left=_side(session, row.left_id), right=_side(session, row.right_id),
        review_status=row.review_status, reviewed_by=row.reviewed_by, note=row.note,
    )


def _merge_view(row: MergeRow) -> MergeView:
    return MergeView(row.merge_id, row.run_id, row.personal_number, list(row.records), row.created_person,
                     dict(row.survivorship), row.status)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))
