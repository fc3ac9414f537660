from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from citizenid.app import create_app
from citizenid.bootstrap import Container

PASSWORD = "mat-khau-rat-dai-2025"
USERS = {
    "quantri": ("administrator", None),
    "giamsat": ("supervisor", None),
    "canbo.hn": ("registrar", "01"),
    "canbo.hcm": ("registrar", "79"),
    "kiemtoan": ("auditor", None),
    "xuong": ("production_operator", None),
}


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    for username, (role, province) in USERS.items():
        container.auth.add_user(username, PASSWORD, role=role, province_code=province)
    with TestClient(create_app(container), raise_server_exceptions=False) as test_client:
        yield test_client


def login(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
