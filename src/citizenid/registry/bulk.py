"""Bulk loading of persons from CSV, Parquet or an in-memory Arrow table.

The fast path validates and normalises whole columns with Arrow compute kernels; only rows that fail
a vectorised check go through the per-row rules in :func:`citizenid.registry.domain.build_person`,
which either rescues them (a name given only as ``full_name``, an ethnicity written as a name) or
reports exactly why they are rejected.  Valid rows are written chunk by chunk, each chunk in its own
transaction, with COPY on PostgreSQL and ``executemany`` on SQLite.  Numbers already in the register are
skipped (identical) or rejected (different), so re-running a file changes nothing.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from sqlalchemy import Engine, Index, Table, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from citizenid.db.base import utcnow
from citizenid.errors import CitizenIdError
from citizenid.refdata import current_communes, ethnic_groups, legacy_provinces, religions
from citizenid.registry import repository as repo
from citizenid.registry.domain import Person, Relationship, build_person
from citizenid.registry.errors import RegistryInvalid
from citizenid.registry.models import HouseholdRow, PersonRow
from citizenid.vntext import fold, nfc

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


def per_unique(values: pa.Array, fn: Callable[[str], str]) -> pa.Array:
    """Apply a Python string function once per distinct value (names repeat a lot), then spread it back."""
    encoded = pc.dictionary_encode(values)
    mapped = pa.array([fn(v) for v in encoded.dictionary.to_pylist()], pa.string())
    return pc.take(mapped, encoded.indices)


def fold_array(values: pa.Array) -> pa.Array:
    """:func:`citizenid.vntext.fold` over an array."""
    return per_unique(values, fold)


def _norm_text(values: pa.Array) -> pa.Array:
    normalised = per_unique(values, nfc)
    return pc.if_else(pc.equal(normalised, ""), pa.scalar(None, pa.string()), normalised)


def _join_name(family: pa.Array, middle: pa.Array, given: pa.Array) -> pa.Array:
    # null_handling="skip" drops rows whose parts are all null (pyarrow 26): join blanks, then close the gap
    # a missing middle name leaves.  Parts are already trimmed, so one literal replace is enough.
    parts = [pc.fill_null(part, "") for part in (family, middle, given)]
    joined = pc.utf8_trim_whitespace(pc.replace_substring(pc.binary_join_element_wise(*parts, " "), "  ", " "))
    return pc.if_else(pc.equal(joined, ""), pa.scalar(None, pa.string()), joined)


def _norm_code(values: pa.Array) -> pa.Array:
    """Codes and dates are ASCII: trimming is all the normalising they need (bad ones fail validation)."""
    trimmed = pc.utf8_trim_whitespace(values)
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
            out[name] = _norm_text(column) if name in _TEXT_COLUMNS else _norm_code(column)
        else:
            out[name] = pa.nulls(n, pa.string())
    return out


def _digits(values: pa.Array) -> pa.Array:
    """Digits as small integers; anything else as 0 (the row then fails a later check, never the chunk)."""
    digits = pc.fill_null(pc.match_substring_regex(values, r"^[0-9]{1,4}$"), False)
    return pc.cast(pc.if_else(digits, values, "0"), pa.int16())


def _valid_or_null(column: pa.Array, check: pa.Array) -> pa.Array:
    return pc.or_kleene(pc.is_null(column), pc.fill_null(check, False))


def _fast_columns(cols: dict[str, pa.Array], today: dt.date) -> tuple[pa.Array, dict[str, pa.Array]]:
    """A mask of rows every vectorised rule accepts, and the persons-table columns for them."""
    sets = _code_sets()
    number = cols["personal_number"]
    prefix = pc.utf8_slice_codeunits(number, 0, 3)
    ok = pc.fill_null(pc.match_substring_regex(number, r"^\d{12}$"), False)
    ok = pc.and_(ok, pc.fill_null(pc.is_in(prefix, value_set=sets["province3"]), False))
    g = _digits(pc.utf8_slice_codeunits(number, 3, 4))
    yy = _digits(pc.utf8_slice_codeunits(number, 4, 6))
    sex = pc.utf8_upper(cols["sex"])
    number_sex = pc.if_else(pc.equal(pc.bit_wise_and(g, 1), 0), "M", "F")
    ok = pc.and_(ok, pc.fill_null(pc.equal(sex, number_sex), False))
    birth = cols["birth_date"]
    date_shape = pc.match_substring_regex(birth, r"^\d{4}-\d{2}-\d{2}$|^\d{4}(-(0[1-9]|1[0-2]))?$")
    ok = pc.and_(ok, pc.fill_null(date_shape, False))
    full = pc.equal(pc.utf8_length(birth), 10)
    parsed = pc.strptime(pc.if_else(full, birth, "2000-01-01"), format="%Y-%m-%d", unit="s", error_is_null=True)
    ok = pc.and_(ok, pc.fill_null(pc.is_valid(parsed), False))
    birth_year = _digits(pc.utf8_slice_codeunits(birth, 0, 4))
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

    full_name = _join_name(cols["family_name"], cols["middle_name"], cols["given_name"])
    given_key = fold_array(cols["given_name"])
    out = {
        "personal_number": number,
        "family_name": cols["family_name"],
        "middle_name": cols["middle_name"],
        "given_name": cols["given_name"],
        "full_name": full_name,
        "name_key": _join_name(fold_array(cols["family_name"]), fold_array(cols["middle_name"]), given_key),
        "given_key": given_key,
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


class _Writer:
    """Writes chunks on a second thread while the next chunk is validated: the database works on one
    core while Arrow works on the other.  At most one chunk waits; a failure surfaces on the next call."""

    def __init__(self, write: Callable[[pa.Table], None]) -> None:
        self._write = write
        self._queue: queue.Queue[pa.Table | None] = queue.Queue(maxsize=1)
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="citizenid-bulk-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (chunk := self._queue.get()) is not None:
            if self._failure is None:
                try:
                    self._write(chunk)
                except BaseException as exc:  # noqa: BLE001 - handed to the loading thread, re-raised there
                    self._failure = exc

    def _raise_failure(self) -> None:
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure

    def submit(self, chunk: pa.Table) -> None:
        self._raise_failure()
        self._queue.put(chunk)

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        self._raise_failure()


class _Loader:
    def __init__(self, engine: Engine, today: dt.date) -> None:
        self.engine = engine
        self.today = today
        self.report = ImportReport()
        self.errors: list[RowError] = []
        self.seen_numbers: set[str] = set()
        self.seen_old_ids: set[str] = set()
        self.postgres = engine.dialect.name == "postgresql"
        with Session(engine) as session:
            # Into an empty register nothing can already exist: the per-chunk look-ups are skipped, and
            # numbers repeated inside the load are caught by ``seen_numbers``.
            self.register_was_empty = repo.register_is_empty(session)
        self._writer = _Writer(self._commit_chunk)

    def load_batch(self, batch: pa.RecordBatch | pa.Table, first_row: int) -> None:
        n = batch.num_rows
        self.report.total += n
        try:
            cols = _strings(batch)
        except pa.ArrowInvalid as exc:
            raise BulkImportError(f"rows {first_row}-{first_row + n - 1}: {exc}") from None
        ok, out = _fast_columns(cols, self.today)
        table = pa.table(out).filter(ok)
        lines = [first_row + i for i in pc.indices_nonzero(ok).to_pylist()]
        slow_index = pc.indices_nonzero(pc.invert(ok)).to_pylist()
        if slow_index:
            rescued: list[dict[str, Any]] = []
            raw = pa.table(cols).take(pa.array(slow_index)).to_pylist()
            for i, record in zip(slow_index, raw, strict=True):
                try:
                    person = build_person(record, today=self.today)
                except CitizenIdError as exc:
                    self.errors.append(RowError(first_row + i, record.get("personal_number"), exc.detail))
                    continue
                values = repo.person_row_values(person, utcnow())
                rescued.append({name: values[name] for name in table.schema.names})
                lines.append(first_row + i)
            if rescued:
                table = pa.concat_tables([table, pa.Table.from_pylist(rescued, schema=table.schema)])
        self._write(table, lines)

    def _write(self, table: pa.Table, lines: list[int]) -> None:
        numbers: list[str] = table["personal_number"].to_pylist()
        old_ids: list[str | None] = table["old_id_number"].to_pylist()
        keep: list[bool] = []
        with Session(self.engine) as session:
            existing: set[str] = set()
            taken_old: set[str] = set()
            if not self.register_was_empty:
                existing = repo.existing_numbers(session, numbers)
                taken_old = repo.existing_old_ids(session, [o for o in old_ids if o])
            for index, (number, old_id, line) in enumerate(zip(numbers, old_ids, lines, strict=True)):
                keep.append(False)
                if number in self.seen_numbers:
                    self.errors.append(RowError(line, number, "personal number appears twice in this file"))
                    continue
                self.seen_numbers.add(number)
                if number in existing:
                    self._compare_existing(session, table.slice(index, 1).to_pylist()[0], line)
                    continue
                if old_id and (old_id in taken_old or old_id in self.seen_old_ids):
                    self.errors.append(RowError(line, number, f"old ID number {old_id} belongs to another person"))
                    continue
                if old_id:
                    self.seen_old_ids.add(old_id)
                keep[-1] = True
        accepted = table.filter(pa.array(keep, pa.bool_()))
        if accepted.num_rows:
            # Key order keeps the primary-key B-tree writes local.
            self._writer.submit(accepted.take(pc.sort_indices(accepted["personal_number"])))
        self.report.inserted += accepted.num_rows

    def _commit_chunk(self, accepted: pa.Table) -> None:
        """Runs on the writer thread: one chunk, one transaction."""
        with Session(self.engine) as session:
            try:
                self._insert(session, accepted, utcnow())
                session.commit()
            except (DBAPIError, psycopg.Error) as exc:
                cause = exc.orig if isinstance(exc, DBAPIError) else exc
                first, last = accepted["personal_number"][0], accepted["personal_number"][-1]
                raise BulkImportError(
                    f"a chunk ({first} … {last}) could not be written and was rolled back: "
                    f"{str(cause).splitlines()[0]}; earlier chunks are in, re-run the import to finish"
                ) from None

    def finish(self) -> None:
        self._writer.close()

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

    def _insert(self, session: Session, rows: pa.Table, now: dt.datetime) -> None:
        n = rows.num_rows
        stamp = now.isoformat(sep=" ") if self.postgres else now.replace(tzinfo=None).isoformat(sep=" ")
        rows = rows.append_column("version", pa.array(np.ones(n, dtype=np.int32))).append_column(
            "recorded_at", pa.array([stamp] * n, pa.string())
        ).select(repo.PERSON_COLUMNS)
        with_old = rows.filter(pc.is_valid(rows["old_id_number"])).select(["old_id_number", "personal_number"])
        with_old = with_old.take(pc.sort_indices(with_old["old_id_number"]))
        households = _households(rows, stamp)
        if self.postgres:
            dbapi = session.connection().connection.dbapi_connection
            assert dbapi is not None
            with dbapi.cursor() as cursor:  # type: ignore[attr-defined]
                _copy_csv(cursor, "persons", rows)
                _copy_csv(cursor, "old_id_numbers", with_old)
                if households.num_rows:
                    cursor.execute("CREATE TEMP TABLE IF NOT EXISTS households_load (LIKE households) "
                                   "ON COMMIT DELETE ROWS")
                    _copy_csv(cursor, "households_load", households)
                    cursor.execute(_HOUSEHOLD_UPSERT.format(source="SELECT * FROM households_load"))
        else:
            sql = session.connection()
            sql.exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MiB while loading: indexes stay in memory
            marks = ", ".join("?" for _ in repo.PERSON_COLUMNS)
            sql.exec_driver_sql(
                f"INSERT INTO persons ({', '.join(repo.PERSON_COLUMNS)}) VALUES ({marks})",  # noqa: S608
                _tuples(rows),
            )
            if with_old.num_rows:
                sql.exec_driver_sql(
                    "INSERT INTO old_id_numbers (old_id_number, personal_number) VALUES (?, ?)", _tuples(with_old)
                )
            if households.num_rows:
                marks = ", ".join("?" for _ in households.schema.names)
                sql.exec_driver_sql(_HOUSEHOLD_UPSERT.format(source=f"VALUES ({marks})"), _tuples(households))
        self.report.households += households.num_rows

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


HOUSEHOLD_COLUMNS = [c.name for c in HouseholdRow.__table__.columns]
# A household row from a member keeps an existing household as it is; the head's row sets head and address.
_HOUSEHOLD_UPSERT = (
    f"INSERT INTO households ({', '.join(HOUSEHOLD_COLUMNS)}) {{source}} "
    "ON CONFLICT (household_id) DO UPDATE SET head_number = excluded.head_number, "
    "residence_province = excluded.residence_province, residence_commune = excluded.residence_commune, "
    "residence_detail = excluded.residence_detail WHERE excluded.head_number IS NOT NULL"
)


def _households(rows: pa.Table, stamp: str) -> pa.Table:
    """One row per household in the chunk, taken from its head where the head is in the chunk."""
    members = rows.filter(pc.is_valid(rows["household_id"]))
    if members.num_rows == 0:
        return pa.table({name: pa.array([], pa.string()) for name in HOUSEHOLD_COLUMNS})
    is_head = pc.fill_null(pc.equal(members["household_relationship"], Relationship.HEAD.value), False)
    ranked = members.append_column("not_head", pc.invert(is_head)).sort_by(
        [("household_id", "ascending"), ("not_head", "ascending")]
    )
    ids = ranked["household_id"].combine_chunks()
    previous = pa.concat_arrays([pa.array([None], pa.string()), ids.slice(0, len(ids) - 1)])
    first = pc.fill_null(pc.not_equal(ids, previous), True)
    chosen = ranked.filter(first)
    head = pc.if_else(pc.invert(chosen["not_head"]), chosen["personal_number"], pa.scalar(None, pa.string()))
    return pa.table({
        "household_id": chosen["household_id"],
        "head_number": head,
        "residence_province": chosen["residence_province"],
        "residence_commune": chosen["residence_commune"],
        "residence_detail": chosen["residence_detail"],
        "created_at": pa.array([stamp] * chosen.num_rows, pa.string()),
    }).select(HOUSEHOLD_COLUMNS)


def _tuples(table: pa.Table) -> list[tuple[Any, ...]]:
    return list(zip(*(column.to_pylist() for column in table.columns), strict=True))


def _copy_csv(cursor: Any, name: str, table: pa.Table) -> None:
    """COPY an Arrow table: Arrow writes the CSV in C++, PostgreSQL reads it as fast as it reads files."""
    if table.num_rows == 0:
        return
    buffer = pa.BufferOutputStream()
    pacsv.write_csv(table, buffer, write_options=pacsv.WriteOptions(include_header=False))
    with cursor.copy(f"COPY {name} ({', '.join(table.schema.names)}) FROM STDIN (FORMAT csv)") as copy:
        copy.write(buffer.getvalue().to_pybytes())


# Filling an empty register with many rows, the secondary indexes are built once at the end (a sort)
# instead of row by row: what pg_restore does.  Every load first restores any index that a killed load
# left missing.
DEFER_INDEXES_FROM = 100_000
_CSV_BYTES_PER_ROW = 250
_SECONDARY_INDEXES = sorted(_PERSONS.indexes, key=lambda ix: str(ix.name))


def restore_indexes(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        with engine.begin() as connection:
            for index in _SECONDARY_INDEXES:
                index.create(connection, checkfirst=True)
        return
    # PostgreSQL builds indexes of one table side by side (each takes a share lock), one per core.
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda index: _create_pg_index(engine, index), _SECONDARY_INDEXES))


def _create_pg_index(engine: Engine, index: Index) -> None:
    with engine.begin() as connection:
        # Sort in memory instead of spilling to disk (this transaction only).
        connection.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        index.create(connection, checkfirst=True)


@contextmanager
def _indexes_deferred(engine: Engine, defer: bool) -> Iterator[None]:
    if not defer:
        yield
        return
    with engine.begin() as connection:
        for index in _SECONDARY_INDEXES:
            index.drop(connection, checkfirst=True)
    try:
        yield
    finally:
        restore_indexes(engine)


@contextmanager
def _loading(engine: Engine, loader: _Loader, *, defer: bool) -> Iterator[None]:
    """Indexes deferred (maybe) around the load; the writer drained before they are rebuilt."""
    with _indexes_deferred(engine, defer):
        try:
            yield
        except BaseException:
            with contextlib.suppress(Exception):
                loader.finish()
            raise
        loader.finish()


def import_file(
    engine: Engine,
    path: Path,
    *,
    errors_path: Path,
    today: dt.date,
    progress: ProgressCallback | None = None,
    chunk_size: int = 50_000,
    defer_indexes_from: int = DEFER_INDEXES_FROM,
) -> ImportReport:
    if not path.is_file():
        raise BulkImportError(f"no such file: {path}")
    batches, total = _batches(path, chunk_size)
    restore_indexes(engine)
    loader = _Loader(engine, today)
    expected = total if total is not None else path.stat().st_size // _CSV_BYTES_PER_ROW
    row = 1
    try:
        with _loading(engine, loader, defer=loader.register_was_empty and expected >= defer_indexes_from):
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
    defer_indexes_from: int = DEFER_INDEXES_FROM,
) -> ImportReport:
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    restore_indexes(engine)
    loader = _Loader(engine, today)
    done = 0
    with _loading(engine, loader, defer=loader.register_was_empty and table.num_rows >= defer_indexes_from):
        for batch in table.to_batches(max_chunksize=chunk_size):
            loader.load_batch(batch, done + 1)
            done += batch.num_rows
            if progress:
                progress(done, table.num_rows)
    loader.report.rejected = len(loader.errors)
    return loader.report
