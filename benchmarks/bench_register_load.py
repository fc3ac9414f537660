"""Generate and load N people (BENCH_PEOPLE, default 1,000,000) into SQLite and PostgreSQL.

Each load is compared with a raw bulk load of the same CSV in the same run: on PostgreSQL a plain
``COPY ... FROM STDIN (FORMAT csv)`` into an unindexed table of text columns; on SQLite, where there is
no COPY, an ``executemany`` of the parsed CSV rows into such a table (what ``.import`` does).
The register's load parses, validates, normalises, derives search keys and fills the indexed tables.
"""

from __future__ import annotations

import csv
import os
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

from benchmarks.common import emit, people, population_csv
from citizenid.auth.domain import operator_principal
from citizenid.bootstrap import bootstrap
from citizenid.config import Settings
from citizenid.db.engine import create_engine_for
from citizenid.db.migrate import upgrade
from citizenid.synth import generate_population


def generate(count: int) -> None:
    start = time.perf_counter()
    generate_population(count)
    elapsed = time.perf_counter() - start
    emit("register.generate", people=count, seconds=round(elapsed, 2), people_per_s=round(count / elapsed))


def header(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as handle:
        return next(csv.reader(handle))


def raw_sqlite(path: Path, db: Path) -> float:
    columns = header(path)
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(f"CREATE TABLE raw_people ({', '.join(f'{c} TEXT' for c in columns)})")
    start = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        marks = ", ".join("?" for _ in columns)
        connection.executemany(f"INSERT INTO raw_people VALUES ({marks})", reader)
    connection.commit()
    elapsed = time.perf_counter() - start
    connection.close()
    return elapsed


def register_load(url: str, path: Path, tmp: Path) -> float:
    engine = create_engine_for(url)
    upgrade(engine)
    container = bootstrap(Settings(data_dir=tmp, database_url=url), engine=engine)
    start = time.perf_counter()
    report = container.registry.import_file(operator_principal("bench"), path, errors_path=tmp / "errors.csv")
    elapsed = time.perf_counter() - start
    assert report.rejected == 0, f"{report.rejected} rows rejected, see {tmp / 'errors.csv'}"
    engine.dispose()
    return elapsed


def raw_postgres(admin_url: str, db: str, path: Path) -> float:
    columns = header(path)
    with psycopg.connect(admin_url.rsplit("/", 1)[0] + f"/{db}", autocommit=True) as connection:
        connection.execute(f"CREATE TABLE raw_people ({', '.join(f'{c} text' for c in columns)})")
        start = time.perf_counter()
        with connection.cursor() as cursor, cursor.copy("COPY raw_people FROM STDIN (FORMAT csv, HEADER)") as copy, \
                path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        return time.perf_counter() - start


def main() -> None:
    count = people()
    generate(count)
    path = population_csv(count)
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        raw = raw_sqlite(path, tmp / "raw.db")
        ours = register_load(f"sqlite:///{tmp / 'register.db'}", path, tmp)
        emit("register.load.sqlite", people=count, people_per_s=round(count / ours),
             raw_load_people_per_s=round(count / raw), ratio_to_raw=round(raw / ours, 2))

    admin = os.environ.get("CITIZENID_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"citizenid_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        url = admin.rsplit("/", 1)[0] + f"/{name}"
        raw = raw_postgres(admin, name, path)
        with tempfile.TemporaryDirectory() as tmpdir:
            ours = register_load(url, path, Path(tmpdir))
        emit("register.load.postgres", people=count, people_per_s=round(count / ours),
             raw_copy_people_per_s=round(count / raw), ratio_to_raw=round(raw / ours, 2))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
