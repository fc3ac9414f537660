"""Fixtures for the card pipeline: a container with an initialised PKI, people in the register, captures."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from PIL import Image
from skimage import data as skdata
from sqlalchemy import Engine

from citizenid.auth.domain import Principal, Role, operator_principal
from citizenid.bootstrap import Container, bootstrap
from citizenid.cards.domain import Reason
from citizenid.cards.service import Receipt
from citizenid.config import Settings
from tests.conftest import FAST_ARGON2
from tests.factories import person_record

REGISTRAR = Principal("canbo.hn", Role.REGISTRAR, "01")
REGISTRAR_HCM = Principal("canbo.hcm", Role.REGISTRAR, "79")
SUPERVISOR = Principal("giamsat", Role.SUPERVISOR)
FACTORY = Principal("xuong", Role.PRODUCTION_OPERATOR)
OPERATOR = operator_principal("test")


@cache
def photo_jpeg(size: tuple[int, int] = (360, 480)) -> bytes:
    """A real face: scikit-image's astronaut, cropped to a portrait and encoded as JPEG."""
    image = Image.fromarray(skdata.astronaut()).crop((120, 0, 420, 400)).resize(size)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


@cache
def fingerprint_png(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    ridges = (np.sin(np.linspace(0, 40, 256))[:, None] * np.cos(np.linspace(0, 30, 256))[None, :] * 127 + 128)
    noise = rng.integers(0, 30, (256, 256))
    out = io.BytesIO()
    Image.fromarray(np.clip(ridges + noise, 0, 255).astype(np.uint8), "L").save(out, "PNG")
    return out.getvalue()


def fingerprints(*positions: int) -> dict[int, bytes]:
    return {p: fingerprint_png(p) for p in (positions or range(1, 11))}


def cards_container(engine: Engine, tmp_path: Path) -> Container:
    # The card pipeline's own tests take the format-only gate: biometrics tests its reference gate itself.
    settings = Settings(data_dir=tmp_path, database_url=str(engine.url), keystore_passphrase="cards-tests",
                        biometrics="format-only", **FAST_ARGON2)
    container = bootstrap(settings, engine=engine)
    container.pki.init()
    return container


@pytest.fixture
def cards(sqlite_engine: Engine, tmp_path: Path) -> Container:
    return cards_container(sqlite_engine, tmp_path)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_cards(request: pytest.FixtureRequest, tmp_path: Path) -> Container:
    engine = request.getfixturevalue(f"{request.param}_engine")
    return cards_container(engine, tmp_path)


def add_people(container: Container, *records: dict[str, Any]) -> list[str]:
    container.registry.load_table(OPERATOR, pa.Table.from_pylist(list(records)))
    return [r["personal_number"] for r in records]


def person(**overrides: Any) -> dict[str, Any]:
    return person_record(**overrides)


def apply(container: Container, number: str, *, reason: Reason = Reason.FIRST_CARD, key: str | None = None,
          declared: dict[str, Any] | None = None, principal: Principal = REGISTRAR) -> Receipt:
    return container.cards.take_application(
        principal, number, reason=reason, site="CA-P.BaDinh", declared=declared or {},
        photo=photo_jpeg(), fingerprints=fingerprints(), idempotency_key=key)


def approved(container: Container, number: str) -> str:
    receipt = apply(container, number)
    application_id = receipt.application.application_id
    container.cards.verify(REGISTRAR, application_id)
    container.cards.approve(SUPERVISOR, application_id)
    return application_id
