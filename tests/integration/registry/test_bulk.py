"""Bulk import from CSV and Parquet, on SQLite and on PostgreSQL (COPY)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from sqlalchemy import inspect, text

from citizenid.auth.domain import Principal, Role
from citizenid.bootstrap import Container
from citizenid.registry.bulk import BulkImportError, load_table, restore_indexes
from citizenid.registry.models import PersonRow
from citizenid.registry.repository import SearchCriteria
from citizenid.synth import generate_population
from tests.factories import person_record

SUPERVISOR = Principal("giamsat", Role.SUPERVISOR)


def write(path: Path, rows: list[dict[str, object]]) -> Path:
    columns = sorted({k for r in rows for k in r})
    table = pa.table({c: [None if r.get(c) is None else str(r[c]) for r in rows] for c in columns})
    if path.suffix == ".parquet":
        pq.write_table(table, path)
    else:
        pacsv.write_csv(table, path)
    return path


def read_errors(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_valid_rows_land_bad_rows_are_reported_and_rerun_changes_nothing(
    any_container: Container, tmp_path: Path, suffix: str
) -> None:
    good = [person_record(given=f"Người{i}") for i in range(5)]
    full_name_only = person_record()
    full_name_only.update(family_name=None, middle_name=None, given_name=None, full_name="Trần  Hưng Đạo")
    bad_sex = {**person_record(), "sex": "F"}  # the number says male
    bad_commune = person_record(residence_commune="99999")
    duplicate = dict(good[0])
    rows = [*good, full_name_only, bad_sex, bad_commune, duplicate]
    source = write(tmp_path / f"people{suffix}", rows)
    errors = tmp_path / "errors.csv"

    report = any_container.registry.import_file(SUPERVISOR, source, errors_path=errors, chunk_size=4)
    assert (report.total, report.inserted, report.rejected, report.unchanged) == (9, 6, 3, 0)
    rejected = read_errors(errors)
    assert [int(r["row"]) for r in rejected] == [7, 8, 9]
    assert "encodes sex M" in rejected[0]["reason"]
    assert "not a commune" in rejected[1]["reason"]
    assert "twice" in rejected[2]["reason"]
    saint = any_container.registry.get_person(SUPERVISOR, full_name_only["personal_number"])
    assert (saint.family_name, saint.middle_name, saint.given_name) == ("Trần", "Hưng", "Đạo")

    again = any_container.registry.import_file(SUPERVISOR, source, errors_path=errors)
    assert (again.inserted, again.unchanged) == (0, 6)
    assert any_container.registry.count() == 6


def test_changed_row_on_rerun_is_rejected_not_applied(any_container: Container, tmp_path: Path) -> None:
    row = person_record()
    any_container.registry.import_file(SUPERVISOR, write(tmp_path / "a.csv", [row]), errors_path=tmp_path / "e.csv")
    changed = {**row, "residence_detail": "Số 99 phố Huế"}
    report = any_container.registry.import_file(SUPERVISOR, write(tmp_path / "b.csv", [changed]),
                                                errors_path=tmp_path / "e.csv")
    assert report.rejected == 1
    assert "residence_detail" in read_errors(tmp_path / "e.csv")[0]["reason"]
    assert any_container.registry.get_person(SUPERVISOR, row["personal_number"]).residence_detail == row[
        "residence_detail"]


def test_synthetic_population_loads_whole_with_households(any_container: Container) -> None:
    table = generate_population(600, seed=3)
    report = any_container.registry.load_table(SUPERVISOR, table)
    assert (report.inserted, report.rejected) == (600, 0)
    first = table.slice(0, 1).to_pylist()[0]
    household = any_container.registry.household(SUPERVISOR, first["household_id"])
    members = set(table.filter(pa.compute.equal(table["household_id"], first["household_id"]))
                  ["personal_number"].to_pylist())
    assert {m.personal_number for m in household.members} == members
    found = any_container.registry.search(SUPERVISOR, SearchCriteria(name=first["full_name"]))
    assert first["personal_number"] in [p.personal_number for p in found.items]
    if first["old_id_number"]:
        by_old = any_container.registry.search(SUPERVISOR, SearchCriteria(), old_id_number=first["old_id_number"])
        assert [p.personal_number for p in by_old.items] == [first["personal_number"]]


def test_unusable_files_fail_with_one_clear_error(container: Container, tmp_path: Path) -> None:
    with pytest.raises(BulkImportError, match=r"only \.csv and \.parquet"):
        container.registry.import_file(SUPERVISOR, write(tmp_path / "x.csv", [person_record()]).rename(
            tmp_path / "x.json"), errors_path=tmp_path / "e.csv")
    with pytest.raises(BulkImportError, match="no such file"):
        container.registry.import_file(SUPERVISOR, tmp_path / "missing.csv", errors_path=tmp_path / "e.csv")
    (tmp_path / "cols.csv").write_text("name,age\nAn,3\n", encoding="utf-8")
    with pytest.raises(BulkImportError, match="lacks the column"):
        container.registry.import_file(SUPERVISOR, tmp_path / "cols.csv", errors_path=tmp_path / "e.csv")
    assert container.registry.count() == 0


def test_a_large_load_into_an_empty_register_rebuilds_its_indexes(any_container: Container) -> None:
    engine = any_container.engine
    expected = {ix.name for ix in PersonRow.__table__.indexes}
    table = generate_population(300, seed=9)
    report = load_table(engine, table, today=dt.date(2026, 11, 27), chunk_size=100, defer_indexes_from=1)
    assert report.inserted == 300
    assert expected <= {ix["name"] for ix in inspect(engine).get_indexes("persons")}
    # A load killed while its indexes were deferred leaves them missing; the next load restores them.
    with engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_persons_name_key_birth_year"))
    restore_indexes(engine)
    assert expected <= {ix["name"] for ix in inspect(engine).get_indexes("persons")}
    first = table.slice(0, 1).to_pylist()[0]
    found = any_container.registry.search(SUPERVISOR, SearchCriteria(name=first["full_name"]))
    assert first["personal_number"] in [p.personal_number for p in found.items]


def test_a_chunk_that_cannot_be_written_fails_the_load_clearly(any_container: Container) -> None:
    table = generate_population(200, seed=4)
    engine = any_container.engine
    # Another process registers one of the file's people after the load has checked the register.
    loader_view = table.slice(150, 1).to_pylist()[0]
    with pytest.raises(BulkImportError, match="re-run the import"):
        load_table(engine, table, today=dt.date(2026, 11, 27), chunk_size=100,
                   progress=lambda done, _total: _race(any_container, loader_view) if done == 100 else None)
    assert any_container.registry.count() == 101  # the first chunk and the racing row; nothing half-written


def _race(container: Container, row: dict[str, str]) -> None:
    container.registry.load_table(SUPERVISOR, pa.Table.from_pylist([row]))


def test_garbage_in_one_row_rejects_that_row_only(container: Container, tmp_path: Path) -> None:
    rows = [person_record(), {**person_record(), "birth_date": ":"}, {**person_record(), "personal_number": "x"},
            person_record()]
    report = container.registry.import_file(SUPERVISOR, write(tmp_path / "g.csv", rows), errors_path=tmp_path / "e.csv")
    assert (report.inserted, report.rejected) == (2, 2)
    assert [int(r["row"]) for r in read_errors(tmp_path / "e.csv")] == [2, 3]
