"""Biometric adjudication in the console: the applicant's photo beside the enrolled person's, and a
supervisor's ruling that blocks or clears the application."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from citizenid.app import create_app
from citizenid.bootstrap import Container
from citizenid.cards.errors import NotCleared
from tests.conftest import make_container
from tests.functional.conftest import PASSWORD, USERS
from tests.functional.web.test_console_pages import sign_in
from tests.integration.biometrics.test_card_pipeline import take
from tests.integration.cards.conftest import SUPERVISOR, add_people, person
from tests.unit.biometrics import samples


@pytest.fixture
def container(sqlite_engine: Engine, tmp_path: Path) -> Container:
    return make_container(sqlite_engine, tmp_path, keystore_passphrase="bio-pages", biometrics="reference")


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    for username, (role, province) in USERS.items():
        container.auth.add_user(username, PASSWORD, role=role, province_code=province)
    with TestClient(create_app(container), raise_server_exceptions=False) as test_client:
        yield test_client


def test_a_supervisor_rules_on_a_face_seen_under_another_number(client: TestClient, container: Container) -> None:
    first, second = add_people(container, person(given="An"), person(given="Bình", birth_date="1985-02-03"))
    original = take(container, first, samples.portrait_bytes())
    container.cards.approve(SUPERVISOR, original)
    again = take(container, second, samples.to_bytes(samples.augment(samples.portrait(), angle=5, noise=5)))
    csrf = sign_in(client, "giamsat")
    queue = client.get("/console/adjudications")
    assert queue.status_code == 200
    assert f"/console/adjudications/{again}" in queue.text
    case = client.get(f"/console/adjudications/{again}")
    assert case.text.count('src="data:image/') == 2  # both photos, inline
    assert first not in str(case.url)
    ruled = client.post(f"/console/adjudications/{again}", data={"csrf": csrf, "candidate": first,
                                                                 "ruling": "duplicate"})
    assert ruled.status_code == 200, ruled.text
    assert 'data-testid="screening">Trùng lặp: hồ sơ bị chặn<' in ruled.text
    with pytest.raises(NotCleared):
        container.cards.approve(SUPERVISOR, again)
    client.cookies.clear()
    sign_in(client, "canbo.hn")
    assert client.get("/console/adjudications").status_code == 403
