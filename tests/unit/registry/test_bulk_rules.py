"""The vectorised fast path of bulk loads and the per-row rules must agree on every row they both see."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from citizenid.errors import CitizenIdError
from citizenid.registry import repository as repo
from citizenid.registry.bulk import _fast_columns, _strings
from citizenid.registry.domain import build_person
from citizenid.synth import generate_population
from tests.factories import person_record

TODAY = dt.date(2026, 11, 27)
NOW = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)


def _fast(records: list[dict[str, object]]) -> tuple[list[bool], list[dict[str, object]]]:
    columns = sorted({k for r in records for k in r})
    table = pa.table({c: [None if r.get(c) is None else str(r[c]) for r in records] for c in columns})
    ok, out = _fast_columns(_strings(table), TODAY)
    return ok.to_pylist(), pa.table(out).to_pylist()


def _slow(record: dict[str, object]) -> dict[str, object] | None:
    try:
        values = repo.person_row_values(build_person(record, today=TODAY), NOW)
    except CitizenIdError:
        return None
    values.pop("recorded_at")
    values.pop("version", None)
    return values


def test_synthetic_people_take_the_fast_path_with_the_same_values() -> None:
    records = generate_population(400, seed=21).to_pylist()
    ok, fast = _fast(records)
    assert all(ok)
    for record, values in zip(records, fast, strict=True):
        assert values == _slow(record)


_NOISE = st.one_of(st.none(), st.text(max_size=6), st.sampled_from(["", " ", "F", "M", "1990", "00004", "Kinh"]))


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(["sex", "birth_date", "residence_commune", "ethnicity", "middle_name",
                                        "given_name", "old_id_number", "household_relationship", "status"]),
                       _NOISE, max_size=4))
def test_what_the_fast_path_accepts_the_rules_accept_identically(noise: dict[str, object]) -> None:
    record = {**person_record(), **noise}
    ok, fast = _fast([record])
    if ok[0]:
        assert fast[0] == _slow(record)
