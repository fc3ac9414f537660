"""Agencies push documents into the real database; refusals store nothing and are audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from citizenid.auth.domain import operator_principal
from citizenid.bootstrap import Container
from citizenid.documents.domain import Action, DocumentStatus
from citizenid.documents.errors import (
    AgencyNotAllowed,
    DocumentConflict,
    DocumentInvalid,
    DocumentNotFound,
    HolderNotEligible,
)
from citizenid.documents.service import Push
from citizenid.registry.domain import EventKind, LifeEvent
from citizenid.synth import generate_population

TRAFFIC = "partner:mps-traffic"
GRANT = frozenset({"driving_licence", "vehicle_registration"})


def people(container: Container, count: int = 20) -> list[dict[str, str]]:
    table = generate_population(count, seed=3)
    container.registry.load_table(operator_principal("test"), table)
    return [p for p in table.to_pylist() if p["status"] == "living"]


def licence(number: str, holder: str, action: Action = Action.ADD, **attributes: str) -> Push:
    return Push(action, "driving_licence", number, holder, attributes or {"classes": "B", "issued_on": "2022-03-01"})


def test_a_licence_is_added_renewed_suspended_and_kept_with_its_history(any_container: Container) -> None:
    c = any_container
    holder = people(c)[0]["personal_number"]
    added = c.documents.push(TRAFFIC, "BCA", GRANT, licence("010203040506", holder))
    assert added.version == 1
    assert c.documents.verify("partner:bank", holder, "driving_licence", purpose="account opening",
                              licence_class="B", on=dt.date(2026, 11, 27))
    renewed = c.documents.push(TRAFFIC, "BCA", GRANT, licence(
        "010203040506", holder, Action.RENEW, issued_on="2026-11-01"))
    assert renewed.valid_until == dt.date(2036, 11, 1)
    c.documents.push(TRAFFIC, "BCA", GRANT, licence("010203040506", holder, Action.SUSPEND))
    assert not c.documents.verify("partner:bank", holder, "driving_licence", purpose="account opening",
                                  licence_class="B")
    history = c.documents.history("officer:x", holder, "driving_licence", "010203040506", purpose="check")
    assert [(v.version, v.action) for v in history] == [(1, "add"), (2, "renew"), (3, "suspend")]
    assert history[0].snapshot["valid_until"] == "2032-03-01"
    [held] = c.documents.of_holder(f"citizen:{holder}", holder, purpose="my documents")
    assert held.status is DocumentStatus.SUSPENDED
    subjects = [r.action for r in c.audit.for_subject(holder)]
    assert "documents:driving_licence:add" in subjects
    assert "documents:driving_licence:verify" in subjects


def test_refusals_store_nothing_and_leave_an_audit_entry(any_container: Container) -> None:
    c = any_container
    first, second = (p["personal_number"] for p in people(c)[:2])
    c.documents.push(TRAFFIC, "BCA", GRANT, licence("010203040506", first))
    cases: list[tuple[Push, frozenset[str], type[Exception]]] = [
        (licence("010203040506", second), GRANT, DocumentConflict),        # someone else's number
        (licence("010203040506", first), GRANT, DocumentConflict),         # a duplicate
        (licence("12345", second), GRANT, DocumentInvalid),                # malformed
        (licence("999999999999", "001099999999"), GRANT, HolderNotEligible),  # nobody
        (Push(Action.ADD, "tax_code", "0100109106", second), GRANT, AgencyNotAllowed),  # outside the grant
        (licence("111111111111", second, Action.REVOKE), GRANT, DocumentNotFound),
        (licence("111111111111", "12"), GRANT, DocumentInvalid),           # not a personal number
    ]
    for push, grant, error in cases:
        with pytest.raises(error):
            c.documents.push(TRAFFIC, "BCA", grant, push)
    assert c.documents.of_holder("officer:x", second, purpose="check") == []
    refused = [r for r in c.audit.recent(limit=50, actor=TRAFFIC) if r.outcome == "refused"]
    assert len(refused) == len(cases)


def test_no_document_for_the_dead(any_container: Container) -> None:
    c = any_container
    holder = people(c)[0]["personal_number"]
    c.registry.record_event(operator_principal("t"), holder, LifeEvent(
        EventKind.DEATH, dt.date(2026, 1, 2), "giấy báo tử", "Luật Hộ tịch 2014", {}))
    with pytest.raises(HolderNotEligible, match="deceased"):
        c.documents.push(TRAFFIC, "BCA", GRANT, licence("010203040506", holder))


def test_bulk_load_reports_each_bad_row(any_container: Container, tmp_path: Path) -> None:
    c = any_container
    holders = [p["personal_number"] for p in people(c)[:3]]
    source = tmp_path / "gplx.csv"
    source.write_text(
        "action,doc_type,doc_number,personal_number,attributes\n"
        f'add,driving_licence,010203040501,{holders[0]},"{{""classes"": ""A1,B"", ""issued_on"": ""2019-01-05""}}"\n'
        f'add,driving_licence,010203040502,{holders[1]},"{{""classes"": ""B""}}"\n'
        f'add,driving_licence,010203040501,{holders[2]},"{{""classes"": ""B""}}"\n'
        f"add,driving_licence,0102,{holders[2]},\n"
        f"fly,driving_licence,010203040503,{holders[2]},\n"
        f'add,driving_licence,010203040504,{holders[2]},"not json"\n',
        encoding="utf-8")
    errors = tmp_path / "errors.csv"
    report = c.documents.load_file(TRAFFIC, "BCA", GRANT, source, errors_path=errors)
    assert (report.accepted, report.rejected) == (2, 4)
    lines = errors.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5
    assert lines[1].startswith("4,")
    assert "DOC-003" in lines[1]


def test_unreadable_bulk_files_are_refused_whole(container: Container, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"action,doc_type\n\xff\xfe")
    with pytest.raises(DocumentInvalid, match="not UTF-8"):
        container.documents.load_file(TRAFFIC, "BCA", GRANT, bad, errors_path=tmp_path / "e.csv")
    short = tmp_path / "short.csv"
    short.write_text("action,doc_type\nadd,tax_code\n", encoding="utf-8")
    with pytest.raises(DocumentInvalid, match="lacks the columns"):
        container.documents.load_file(TRAFFIC, "BCA", GRANT, short, errors_path=tmp_path / "e.csv")
    with pytest.raises(DocumentInvalid, match="cannot read"):
        container.documents.load_file(TRAFFIC, "BCA", GRANT, tmp_path / "missing.csv",
                                      errors_path=tmp_path / "e.csv")
