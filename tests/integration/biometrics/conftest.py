"""Containers with the reference biometrics (tests elsewhere default to format-only)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from citizenid.biometrics.domain import QualityThresholds
from citizenid.biometrics.engines import Engines, reference_engines
from citizenid.bootstrap import Container
from tests.conftest import make_container


@pytest.fixture(scope="session")
def engines() -> Engines:
    """The reference models, loaded once for the session (they are shared by every container anyway)."""
    return reference_engines(QualityThresholds())


@pytest.fixture
def bio_container(sqlite_engine: Engine, tmp_path: Path, engines: Engines) -> Container:
    return make_container(sqlite_engine, tmp_path, biometrics="reference")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_bio_container(request: pytest.FixtureRequest, tmp_path: Path, engines: Engines) -> Container:
    engine = request.getfixturevalue(f"{request.param}_engine")
    return make_container(engine, tmp_path, biometrics="reference")
