"""Shared fixtures: migrated SQLite and PostgreSQL databases, a container per test, officers.

PostgreSQL tests use ``CITIZENID_TEST_POSTGRES_URL`` (a server where we may create databases).  Without
it they are skipped — unless ``CITIZENID_REQUIRE_POSTGRES=1`` (set by .ci/run), where they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from citizenid.bootstrap import Container, bootstrap
from citizenid.config import Settings
from citizenid.db.engine import create_engine_for, normalise_url
from citizenid.db.metadata import metadata
from citizenid.db.migrate import upgrade

FAST_ARGON2 = {"argon2_memory_kib": 1024, "argon2_time_cost": 1}


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("CITIZENID_DATA_DIR", "/nonexistent-citizenid-test-dir")
    # Format-only biometrics unless a test opts in (biometrics="reference"): card tests reuse one photo for
    # many people, which the 1:N search would rightly flag.  Subprocesses inherit it.
    os.environ.setdefault("CITIZENID_BIOMETRICS", "format-only")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database built from the migrations, copied for each test (cheaper than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = create_engine_for(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def sqlite_engine(sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "citizenid.db"
    shutil.copyfile(sqlite_template, path)
    engine = create_engine_for(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database for this test session, migrated, dropped at the end."""
    admin_url = os.environ.get("CITIZENID_TEST_POSTGRES_URL")
    required = os.environ.get("CITIZENID_REQUIRE_POSTGRES") == "1"
    if not admin_url:
        if required:
            pytest.fail("CITIZENID_REQUIRE_POSTGRES=1 but CITIZENID_TEST_POSTGRES_URL is not set")
        pytest.skip("PostgreSQL tests need CITIZENID_TEST_POSTGRES_URL")
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    name = f"citizenid_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server decides skip or fail
        if required:
            pytest.fail(f"PostgreSQL required but unusable: {exc}")
        pytest.skip(f"PostgreSQL unusable: {exc}")
    url = make_url(normalise_url(admin_url)).set(database=name).render_as_string(hide_password=False)
    engine = create_engine_for(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    engine = create_engine_for(postgres_url, pool_size=4)
    yield engine
    tables = ", ".join(f'"{t.name}"' for t in metadata().sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


def make_container(engine: Engine, tmp_path: Path, **overrides: object) -> Container:
    options: dict[str, object] = {**FAST_ARGON2, **overrides}
    settings = Settings(data_dir=tmp_path, database_url=str(engine.url), **options)  # type: ignore[arg-type]
    return bootstrap(settings, engine=engine)


@pytest.fixture
def container(sqlite_engine: Engine, tmp_path: Path) -> Container:
    """A container on a fresh SQLite database."""
    return make_container(sqlite_engine, tmp_path)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_container(request: pytest.FixtureRequest, tmp_path: Path) -> Container:
    """The same test on SQLite and on PostgreSQL."""
    engine = request.getfixturevalue(f"{request.param}_engine")
    return make_container(engine, tmp_path)
