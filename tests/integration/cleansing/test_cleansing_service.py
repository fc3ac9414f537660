"""Staging, linkage runs, merges into the register, review, un-merge and roll-back on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from citizenid.auth.domain import operator_principal
from citizenid.bootstrap import Container
from citizenid.cleansing.errors import BatchRejected, MergeNotFound, ReviewAlreadyDecided, UnmergeRefused
from citizenid.cleansing.link import LinkageParameters
from citizenid.cleansing.models import CleansingBatchRow, MergeRow, StagedRecordRow
from citizenid.registry.models import PersonRow, PersonSourceRow
from citizenid.synth.legacy import generate_legacy

OPERATOR = operator_principal("tester")
FAST = LinkageParameters(u_max_pairs=2e5, u_chunks=2)


@pytest.fixture(scope="module")
def legacy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("legacy")
    generate_legacy(120, seed=4).write(directory)
    return directory


def _ingest_all(container: Container, directory: Path) -> int:
    import json  # noqa: PLC0415

    mapping = json.loads((directory / "mapping.json").read_text("utf-8"))
    rows = 0
    for source, spec in sorted(mapping.items()):
        rows += container.cleansing.ingest(OPERATOR, source, directory / spec["file"], spec["columns"]).rows
    return rows


def _count(container: Container, model: type) -> int:
    with container.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def test_ingest_link_merge_review_unmerge_rollback(any_container: Container, legacy_dir: Path) -> None:
    service = any_container.cleansing
    staged = _ingest_all(any_container, legacy_dir)
    assert staged == pq.read_table(legacy_dir / "truth.parquet").num_rows
    assert _count(any_container, StagedRecordRow) == staged
    with any_container.uow() as uow:
        original = uow.session.get(StagedRecordRow, ("ho_khau", "ho_khau-00000001"))
        assert original is not None
        assert "ho_va_ten" in original.original  # the source's own columns, untouched
        assert original.keys["unique_id"] == "ho_khau/ho_khau-00000001"

    run = service.link(OPERATOR, parameters=FAST)
    assert run.status == "merged"
    assert run.results["pairs"].get("merge", 0) > 50
    persons = _count(any_container, PersonRow)
    assert persons > 50
    assert _count(any_container, PersonSourceRow) >= persons
    with any_container.uow() as uow:
        merged = uow.session.scalar(select(func.count()).select_from(StagedRecordRow)
                                    .where(StagedRecordRow.personal_number.is_not(None)))
        assert merged == _count(any_container, PersonSourceRow)

    again = service.link(OPERATOR, parameters=FAST, merge=False)
    assert again.input_hash == run.input_hash
    assert service.pairs(again.run_id) == service.pairs(run.run_id)

    report = service.report(OPERATOR)
    assert report.records == staged
    assert 0 < report.share <= 1
    assert set(report.by_source) == {"ho_khau", "ho_tich", "cu_tru"}
    assert report.merges == _count(any_container, MergeRow)

    pending = service.reviews(OPERATOR, run_id=run.run_id)
    assert pending, "the legacy sample (seed 4) always leaves pairs for review"
    item = pending[0]
    assert item.left["original"]
    assert item.right["keys"]
    assert "giv" in item.evidence
    decided = service.decide(OPERATOR, run.run_id, item.pair_no, same_person=False, note="twins")
    assert decided.review_status == "rejected"
    with pytest.raises(ReviewAlreadyDecided):
        service.decide(OPERATOR, run.run_id, item.pair_no, same_person=True)

    merges = service.merges_of(OPERATOR, run.run_id)
    created = next(m for m in merges if m.created_person and len(m.records) > 1)
    assert created.survivorship["from"]["name"] in created.records
    undone = service.unmerge(OPERATOR, created.merge_id, reason="two people")
    assert undone.status == "undone"
    with any_container.uow() as uow:
        assert uow.session.get(PersonRow, created.personal_number) is None
        source, record_id = created.records[0].split("/", 1)
        row = uow.session.get(StagedRecordRow, (source, record_id))
        assert row is not None
        assert row.personal_number is None
    with pytest.raises(UnmergeRefused):
        service.unmerge(OPERATOR, created.merge_id, reason="again")
    with pytest.raises(MergeNotFound):
        service.unmerge(OPERATOR, "no-such-merge", reason="x")

    service.rollback(OPERATOR, run.run_id)
    assert _count(any_container, PersonRow) == 0
    assert _count(any_container, PersonSourceRow) == 0
    assert _count(any_container, StagedRecordRow) == staged


def test_an_interrupted_merge_leaves_no_half_person_and_resumes(any_container: Container, legacy_dir: Path) -> None:
    service = any_container.cleansing
    _ingest_all(any_container, legacy_dir)

    def crash(done: int) -> None:
        if done == 25:
            raise KeyboardInterrupt

    service.after_cluster = crash
    run = service.link(OPERATOR, parameters=FAST, merge=False)
    with pytest.raises(KeyboardInterrupt):
        service.merge(OPERATOR, run.run_id)
    with any_container.uow() as uow:
        for merge in uow.session.scalars(select(MergeRow)):
            links = uow.session.scalar(select(func.count()).select_from(PersonSourceRow)
                                       .where(PersonSourceRow.personal_number == merge.personal_number))
            assert links == len(merge.records)
            assert uow.session.get(PersonRow, merge.personal_number) is not None
    partial = _count(any_container, MergeRow)
    assert partial > 0
    service.after_cluster = None
    report = service.merge(OPERATOR, run.run_id)
    assert report.merged > 0
    assert _count(any_container, MergeRow) == partial + report.merged
    assert service.run(OPERATOR, run.run_id).status == "merged"


def test_bad_files_are_rejected_whole_and_leave_staging_unchanged(any_container: Container, tmp_path: Path) -> None:
    service = any_container.cleansing
    mapping = {"id": "record_id", "name": "full_name", "dob": "birth_date"}
    good = tmp_path / "good.csv"
    good.write_text("id,name,dob\n1,Nguyễn Văn An,01/02/1990\n2,Lê Thị Hoa,1985\n", encoding="utf-8")
    assert service.ingest(OPERATOR, "xa_a", good, mapping).rows == 2

    cases = {
        "unknown_column.csv": (b"id,name,dob,extra\n3,A B,1990,x\n", "not in the mapping"),
        "latin1.csv": ("id,name,dob\n3,Nguy\xe9n,1990\n".encode("latin-1"), "UTF-8"),
        "malformed.csv": (b"id,name,dob\n3,A B,1990,oops,more\n", "cannot be read"),
        "repeated.csv": (b"id,name,dob\n3,A B,1990\n3,C D,1991\n", "appears twice"),
        "restaged.csv": (b"id,name,dob\n1,A B,1990\n", "already staged"),
        "no_id.csv": (b"id,name,dob\n,A B,1990\n", "no record id"),
        "garbage.parquet": (b"not parquet at all", "cannot be read"),
    }
    for name, (content, reason) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(BatchRejected, match=reason):
            service.ingest(OPERATOR, "xa_a", path, mapping)
    with pytest.raises(BatchRejected, match="record_id"):
        service.ingest(OPERATOR, "xa_a", good, {"id": "person", "name": "full_name", "dob": "birth_date"})
    with pytest.raises(BatchRejected, match="no such file"):
        service.ingest(OPERATOR, "xa_a", tmp_path / "missing.csv", mapping)
    assert _count(any_container, StagedRecordRow) == 2
    with any_container.uow() as uow:
        failed = uow.session.scalars(select(CleansingBatchRow).where(CleansingBatchRow.status == "failed")).all()
        assert len(failed) == len(cases) + 2
        assert all(b.report["problems"] for b in failed)
