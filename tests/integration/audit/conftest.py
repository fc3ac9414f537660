from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from citizenid.bootstrap import Container, bootstrap
from citizenid.config import Settings
from tests.conftest import FAST_ARGON2


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def audited(request: pytest.FixtureRequest, tmp_path: Path) -> Container:
    """A container on SQLite and on PostgreSQL whose key store can make the checkpoint key."""
    engine = request.getfixturevalue(f"{request.param}_engine")
    settings = Settings(data_dir=tmp_path, database_url=str(engine.url), keystore_passphrase="audit-test-passphrase",
                        argon2_memory_kib=FAST_ARGON2["argon2_memory_kib"],
                        argon2_time_cost=FAST_ARGON2["argon2_time_cost"])
    return bootstrap(settings, engine=engine)


@pytest.fixture
def container_with_keys(sqlite_engine: Engine, tmp_path: Path) -> Container:
    settings = Settings(data_dir=tmp_path, database_url=str(sqlite_engine.url),
                        keystore_passphrase="audit-test-passphrase")
    return bootstrap(settings, engine=sqlite_engine)
