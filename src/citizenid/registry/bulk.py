"""Bulk loading of persons from CSV, Parquet or an in-memory Arrow table.

The fast path validates and normalises whole columns with Arrow compute kernels; only rows that fail
a vectorised check go through the per-row rules in :func:`citizenid.registry.domain.build_person`,
which either rescues them (a name given only as ``full_name``, an ethnicity written as a name) or
reports exactly why they are rejected.  Valid rows are written chunk by chunk, each chunk in its own
transaction, with COPY on PostgreSQL and ``executemany`` on SQLite.  Numbers already in the register are
skipped (identical) or rejected (different), so re-running a file changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from sqlalchemy import Engine, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from citizenid.db.base import utcnow
from citizenid.errors import CitizenIdError
from citizenid.refdata import current_communes, ethnic_groups, legacy_provinces, religions
from citizenid.registry import repository as repo
from citizenid.registry.domain import Person, Relationship, build_person
from citizenid.registry.errors import RegistryInvalid
from citizenid.registry.models import HouseholdRow, PersonRow

ProgressCallback = Callable[[int, int | None], None]
"""Called with (rows done, rows in total or None when unknown)."""

INPUT_COLUMNS = (
    "personal_number", "family_name", "middle_name", "given_name", "full_name", "sex", "birth_date",
    "birth_registration_province", "origin_commune", "residence_commune", "residence_detail",
    "current_commune", "current_detail", "ethnicity", "religion", "nationality", "father_number",
    "father_name", "mother_number", "mother_name", "spouse_number", "spouse_name", "old_id_number",
    "household_id", "household_relationship", "status", "death_date",
)
_TEXT_COLUMNS = ("family_name", "middle_name", "given_name", "full_name", "residence_detail", "current_detail",
                 "father_name", "mother_name", "spouse_name")
_PERSONS: Table = PersonRow.__table__  # type: ignore[assignment]
PERSON_COLUMNS: list[str] = [c.name for c in _PERSONS.columns]


@dataclass
class RowError:
    row: int
    personal_number: str | None
    reason: str


@dataclass
class ImportReport:
    total: int = 0
    inserted: int = 0
    unchanged: int = 0
    rejected: int = 0
    households: int = 0
    errors_path: Path | None = None


class BulkImportError(RegistryInvalid):
    code = "REG-420"
    title = "Import file unusable"


@cache
def _code_sets() -> dict[str, pa.Array]:
    communes = current_communes()
    return {
        "province3": pa.array(sorted(p.number_code for p in legacy_provinces())),
        "commune": pa.array([c.code for c in communes]),
        "commune_province": pa.array([c.province_code for c in communes]),
        "ethnicity": pa.array([e.code for e in ethnic_groups()]),
        "religion": pa.array([r.code for r in religions()]),
        "relationship": pa.array([r.value for r in Relationship]),
    }


def fold_array(values: pa.Array) -> pa.Array:
    """The vectorised twin of :func:`citizenid.vntext.fold` (a test keeps them equal)."""
    lowered = pc.replace_substring(pc.utf8_lower(values), "đ", "d")
    stripped = pc.replace_substring_regex(pc.utf8_normalize(lowered, "NFD"), r"\p{Mn}", "")
    return pc.utf8_trim_whitespace(pc.replace_substring_regex(stripped, r"\s+", " "))


def _norm_text(values: pa.Array) -> pa.Array:
    collapsed = pc.replace_substring_regex(pc.utf8_normalize(values, "NFC"), r"\s+", " ")
    trimmed = pc.utf8_trim_whitespace(collapsed)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _strings(batch: pa.RecordBatch | pa.Table) -> dict[str, pa.Array]:
    """Every input column as a string array (missing columns as nulls), blanks as nulls."""
    n = batch.num_rows
    out: dict[str, pa.Array] = {}
    names = set(batch.schema.names)
    for name in INPUT_COLUMNS:
        if name in names:
            column = batch.column(name)
            if isinstance(column, pa.ChunkedArray):
                column = column.combine_chunks()
            column = column.cast(pa.string())
            out[name] = _norm_text(column)
        else:
            out[name] = pa.nulls(n, pa.string())
    return out


def _valid_or_null(column: pa.Array, check: pa.Array) -> pa.Array:
    return pc.or_kleene(pc.is_null(column), pc.fill_null(check, False))


def _fast_columns(cols: dict[str, pa.Array], today: dt.date) -> tuple[pa.Array, dict[str, pa.Array]]:
    """A mask of rows every vectorised rule accepts, and the persons-table columns for them."""
    sets = _code_sets()
    number = cols["personal_number"]
    prefix = pc.utf8_slice_codeunits(number, 0, 3)
    ok = pc.fill_null(pc.match_substring_regex(number, r"^\d{12}$"), False)
    ok = pc.and_(ok, pc.fill_null(pc.is_in(prefix, value_set=sets["province3"]), False))
    g = pc.cast(pc.fill_null(pc.utf8_slice_codeunits(number, 3, 4), "0"), pa.int16(), safe=False)
    yy = pc.cast(pc.fill_null(pc.utf8_slice_codeunits(number, 4, 6), "0"), pa.int16(), safe=False)
    sex = pc.utf8_upper(cols["sex"])
    number_sex = pc.if_else(pc.equal(pc.bit_wise_and(g, 1), 0), "M", "F")
    ok = pc.and_(ok, pc.fill_null(pc.equal(sex, number_sex), False))
    birth = cols["birth_date"]
    date_shape = pc.match_substring_regex(birth, r"^\d{4}-\d{2}-\d{2}$|^\d{4}(-(0[1-9]|1[0-2]))?$")
    ok = pc.and_(ok, pc.fill_null(date_shape, False))
    full = pc.equal(pc.utf8_length(birth), 10)
    parsed = pc.strptime(pc.if_else(full, birth, "2000-01-01"), format="%Y-%m-%d", unit="s", error_is_null=True)
    ok = pc.and_(ok, pc.fill_null(pc.is_valid(parsed), False))
    birth_year = pc.cast(pc.fill_null(pc.utf8_slice_codeunits(birth, 0, 4), "0"), pa.int16(), safe=False)
    century = pc.add(1900, pc.multiply(pc.divide(g, 2), 100))
    ok = pc.and_(ok, pc.equal(pc.add(century, yy), birth_year))
    ok = pc.and_(ok, pc.greater_equal(birth_year, 1880))
    earliest = pc.binary_join_element_wise(
        birth, pc.if_else(full, "", pc.if_else(pc.equal(pc.utf8_length(birth), 7), "-01", "-01-01")), ""
    )
    ok = pc.and_(ok, pc.fill_null(pc.less_equal(earliest, today.isoformat()), False))
    brp = cols["birth_registration_province"]
    brp = pc.if_else(pc.is_null(brp), prefix, pc.utf8_lpad(brp, 3, "0"))
    ok = pc.and_(ok, pc.fill_null(pc.equal(brp, prefix), False))
    commune_index = pc.index_in(cols["residence_commune"], value_set=sets["commune"])
    ok = pc.and_(ok, pc.is_valid(commune_index))
    for key in ("origin_commune", "current_commune"):
        ok = pc.and_(ok, _valid_or_null(cols[key], pc.is_in(cols[key], value_set=sets["commune"])))
    ok = pc.and_(ok, _valid_or_null(cols["ethnicity"], pc.is_in(cols["ethnicity"], value_set=sets["ethnicity"])))
    ok = pc.and_(ok, _valid_or_null(cols["religion"], pc.is_in(cols["religion"], value_set=sets["religion"])))
    ok = pc.and_(ok, _valid_or_null(cols["old_id_number"], pc.match_substring_regex(cols["old_id_number"], r"^\d{9}$")))
    for key in ("father_number", "mother_number", "spouse_number"):
        related_ok = pc.and_(
            pc.match_substring_regex(cols[key], r"^\d{12}$"),
            pc.is_in(pc.utf8_slice_codeunits(cols[key], 0, 3), value_set=sets["province3"]),
        )
        ok = pc.and_(ok, _valid_or_null(cols[key], related_ok))
    ok = pc.and_(ok, pc.is_valid(cols["family_name"]))
    ok = pc.and_(ok, pc.is_valid(cols["given_name"]))
    rel = cols["household_relationship"]
    ok = pc.and_(ok, _valid_or_null(rel, pc.is_in(rel, value_set=sets["relationship"])))
    ok = pc.and_(ok, _valid_or_null(cols["status"], pc.equal(cols["status"], "living")))
    ok = pc.and_(ok, pc.is_null(cols["death_date"]))
    nationality = pc.utf8_upper(cols["nationality"])
    ok = pc.and_(ok, _valid_or_null(nationality, pc.match_substring_regex(nationality, r"^[A-Z]{3}$")))

    # null_handling="skip" drops rows whose parts are all null (pyarrow 26), so join blanks and re-trim.
    parts = [pc.fill_null(cols[k], "") for k in ("family_name", "middle_name", "given_name")]
    full_name = _norm_text(pc.binary_join_element_wise(*parts, " "))
    out = {
        "personal_number": number,
        "family_name": cols["family_name"],
        "middle_name": cols["middle_name"],
        "given_name": cols["given_name"],
        "full_name": full_name,
        "name_key": fold_array(full_name),
        "given_key": fold_array(cols["given_name"]),
        "sex": sex,
        "birth_date": birth,
        "birth_year": birth_year,
        "birth_registration_province": brp,
        "origin_commune": cols["origin_commune"],
        "residence_province": pc.take(sets["commune_province"], commune_index),
        "residence_commune": cols["residence_commune"],
        "residence_detail": cols["residence_detail"],
        "current_commune": cols["current_commune"],
        "current_detail": cols["current_detail"],
        "ethnicity": pc.fill_null(cols["ethnicity"], "01"),
        "religion": pc.fill_null(cols["religion"], "00"),
        "nationality": pc.fill_null(nationality, "VNM"),
        "father_number": cols["father_number"],
        "father_name": cols["father_name"],
        "mother_number": cols["mother_number"],
        "mother_name": cols["mother_name"],
        "spouse_number": cols["spouse_number"],
        "spouse_name": cols["spouse_name"],
        "old_id_number": cols["old_id_number"],
        "household_id": cols["household_id"],
        "household_relationship": rel,
        "status": pc.fill_null(cols["status"], "living"),
        "death_date": cols["death_date"],
    }
    return ok, out


# --- readers -------------------------------------------------------------------------------------


def _batches(path: Path, chunk_size: int) -> tuple[Iterator[pa.RecordBatch], int | None]:
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            parquet = pq.ParquetFile(path)
            return parquet.iter_batches(batch_size=chunk_size), parquet.metadata.num_rows
        if suffix in (".csv", ".txt"):
            reader = pacsv.open_csv(
                path,
                read_options=pacsv.ReadOptions(block_size=8 << 20, encoding="utf8"),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(INPUT_COLUMNS, pa.string()),
                    strings_can_be_null=True,
                ),
            )
            return _rechunk(reader, chunk_size), None
    except (OSError, pa.ArrowInvalid) as exc:
        raise BulkImportError(f"cannot read {path.name}: {exc}") from None
    raise BulkImportError(f"{path.name}: only .csv and .parquet files can be imported")


def _rechunk(reader: Any, chunk_size: int) -> Iterator[pa.RecordBatch]:
    pending: list[pa.RecordBatch] = []
    size = 0
    for batch in reader:
        pending.append(batch)
        size += batch.num_rows
        if size >= chunk_size:
            yield from pa.Table.from_batches(pending).combine_chunks().to_batches()
            pending, size = [], 0
    if pending:
        yield from pa.Table.from_batches(pending).combine_chunks().to_batches()


# --- the load --------------------------------------------------------------------------------------


class _Loader:
    def __init__(self, engine: Engine, today: dt.date) -> None:
        self.engine = engine
        self.today = today
        self.report = ImportReport()
        self.errors: list[RowError] = []
        self.seen_numbers: set[str] = set()
        self.seen_old_ids: set[str] = set()
        self.postgres = engine.dialect.name == "postgresql"

    def load_batch(self, batch: pa.RecordBatch | pa.Table, first_row: int) -> None:
        n = batch.num_rows
        self.report.total += n
        try:
            cols = _strings(batch)
        except pa.ArrowInvalid as exc:
            raise BulkImportError(f"rows {first_row}-{first_row + n - 1}: {exc}") from None
        ok, out = _fast_columns(cols, self.today)
        fast = pa.table(out).filter(ok)
        fast_rows = pc.indices_nonzero(ok).to_pylist()
        slow_index = pc.indices_nonzero(pc.invert(ok)).to_pylist()
        rows: list[dict[str, Any]] = fast.to_pylist()
        row_numbers = [first_row + i for i in fast_rows]
        now = utcnow()
        if slow_index:
            raw = pa.table(cols).take(pa.array(slow_index)).to_pylist()
            for i, record in zip(slow_index, raw, strict=True):
                try:
                    person = build_person(record, today=self.today)
                except CitizenIdError as exc:
                    self.errors.append(RowError(first_row + i, record.get("personal_number"), exc.detail))
                    continue
                rows.append(repo.person_row_values(person, now))
                row_numbers.append(first_row + i)
        self._write(rows, row_numbers, now)

    def _write(self, rows: list[dict[str, Any]], row_numbers: list[int], now: dt.datetime) -> None:
        accepted: list[dict[str, Any]] = []
        with Session(self.engine) as session:
            numbers = [r["personal_number"] for r in rows]
            existing = repo.existing_numbers(session, numbers)
            old_ids = [r["old_id_number"] for r in rows if r["old_id_number"]]
            taken_old = repo.existing_old_ids(session, old_ids) if old_ids else set()
            for row, line in zip(rows, row_numbers, strict=True):
                number = row["personal_number"]
                if number in self.seen_numbers:
                    self.errors.append(RowError(line, number, "personal number appears twice in this file"))
                    continue
                self.seen_numbers.add(number)
                if number in existing:
                    self._compare_existing(session, row, line)
                    continue
                old_id = row["old_id_number"]
                if old_id and (old_id in taken_old or old_id in self.seen_old_ids):
                    self.errors.append(RowError(line, number, f"old ID number {old_id} belongs to another person"))
                    continue
                if old_id:
                    self.seen_old_ids.add(old_id)
                row["recorded_at"] = now
                row["version"] = 1
                accepted.append(row)
            if accepted:
                self._insert(session, accepted, now)
            session.commit()
        self.report.inserted += len(accepted)

    def _compare_existing(self, session: Session, row: dict[str, Any], line: int) -> None:
        current = repo.get_row(session, row["personal_number"])
        assert current is not None
        registered = repo.to_person(current).to_dict()
        incoming = Person.from_dict({**row, "version": current.version}).to_dict()
        if registered == incoming:
            self.report.unchanged += 1
        else:
            changed = sorted(k for k in registered if registered[k] != incoming.get(k))
            self.errors.append(RowError(
                line, row["personal_number"],
                f"already registered with different {', '.join(changed)}: record a life event instead",
            ))

    def _insert(self, session: Session, rows: list[dict[str, Any]], now: dt.datetime) -> None:
        old_ids = [(r["old_id_number"], r["personal_number"]) for r in rows if r["old_id_number"]]
        households = _households(rows, now)
        if self.postgres:
            dbapi = session.connection().connection.dbapi_connection
            assert dbapi is not None
            with dbapi.cursor() as cursor:  # type: ignore[attr-defined]
                _copy(cursor, "persons", PERSON_COLUMNS, ([r[c] for c in PERSON_COLUMNS] for r in rows))
                _copy(cursor, "old_id_numbers", ["old_id_number", "personal_number"], old_ids)
            statement = pg_insert(HouseholdRow)
        else:
            sql = session.connection()
            placeholders = ", ".join(f":{c}" for c in PERSON_COLUMNS)
            sql.exec_driver_sql(
                f"INSERT INTO persons ({', '.join(PERSON_COLUMNS)}) VALUES ({placeholders})",  # noqa: S608
                [_sqlite_row(r) for r in rows],
            )
            if old_ids:
                sql.exec_driver_sql(
                    "INSERT INTO old_id_numbers (old_id_number, personal_number) VALUES (?, ?)", old_ids
                )
            statement = sqlite_insert(HouseholdRow)  # type: ignore[assignment]
        if households:
            heads = [h for h in households if h["head_number"]]
            others = [h for h in households if not h["head_number"]]
            if heads:
                session.execute(statement.on_conflict_do_update(
                    index_elements=["household_id"],
                    set_={"head_number": statement.excluded.head_number,
                          "residence_province": statement.excluded.residence_province,
                          "residence_commune": statement.excluded.residence_commune,
                          "residence_detail": statement.excluded.residence_detail},
                ), heads)
            if others:
                session.execute(statement.on_conflict_do_nothing(index_elements=["household_id"]), others)
            self.report.households += len(households)

    def write_errors(self, errors_path: Path) -> None:
        self.report.rejected = len(self.errors)
        if not self.errors:
            errors_path.unlink(missing_ok=True)
            return
        with errors_path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["row", "personal_number", "reason"])
            for error in sorted(self.errors, key=lambda e: e.row):
                writer.writerow([error.row, error.personal_number or "", error.reason])
        self.report.errors_path = errors_path


def _households(rows: list[dict[str, Any]], now: dt.datetime) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for r in rows:
        household = r["household_id"]
        if not household:
            continue
        is_head = r["household_relationship"] == Relationship.HEAD.value
        if household in found and not (is_head and not found[household]["head_number"]):
            continue
        found[household] = {
            "household_id": household,
            "head_number": r["personal_number"] if is_head else None,
            "residence_province": r["residence_province"],
            "residence_commune": r["residence_commune"],
            "residence_detail": r["residence_detail"],
            "created_at": now,
        }
    return list(found.values())


def _sqlite_row(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    out["recorded_at"] = row["recorded_at"].isoformat(sep=" ")
    return out


def _copy(cursor: Any, table: str, columns: list[str], rows: Any) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def import_file(
    engine: Engine,
    path: Path,
    *,
    errors_path: Path,
    today: dt.date,
    progress: ProgressCallback | None = None,
    chunk_size: int = 50_000,
) -> ImportReport:
    if not path.is_file():
        raise BulkImportError(f"no such file: {path}")
    batches, total = _batches(path, chunk_size)
    loader = _Loader(engine, today)
    row = 1
    try:
        for batch in batches:
            missing = {"personal_number", "sex", "birth_date", "residence_commune"} - set(batch.schema.names)
            if missing:
                raise BulkImportError(f"{path.name} lacks the column(s) {', '.join(sorted(missing))}")
            loader.load_batch(batch, row)
            row += batch.num_rows
            if progress:
                progress(row - 1, total)
    except pa.ArrowInvalid as exc:
        raise BulkImportError(f"{path.name} near row {row}: {exc}") from None
    finally:
        loader.write_errors(errors_path)
    return loader.report


def load_table(
    engine: Engine, table: pa.Table | pa.RecordBatch, *, today: dt.date, progress: ProgressCallback | None = None,
    chunk_size: int = 100_000,
) -> ImportReport:
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    loader = _Loader(engine, today)
    done = 0
    for batch in table.to_batches(max_chunksize=chunk_size):
        loader.load_batch(batch, done + 1)
        done += batch.num_rows
        if progress:
            progress(done, table.num_rows)
    loader.report.rejected = len(loader.errors)
    return loader.report
