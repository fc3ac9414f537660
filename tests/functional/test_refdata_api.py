from __future__ import annotations

from fastapi.testclient import TestClient

from tests.functional.conftest import login


def test_code_lists_for_forms(client: TestClient) -> None:
    headers = login(client, "canbo.hn")
    current = client.get("/api/v1/refdata/provinces", headers=headers).json()
    legacy = client.get("/api/v1/refdata/provinces", params={"scheme": "legacy"}, headers=headers).json()
    assert (len(current), len(legacy)) == (34, 63)
    hanoi = client.get("/api/v1/refdata/provinces/01/communes", headers=headers).json()
    assert "Phường Ba Đình" in [c["name"] for c in hanoi]
    assert len(client.get("/api/v1/refdata/ethnic-groups", headers=headers).json()) == 54
    assert client.get("/api/v1/refdata/religions", headers=headers).json()[0]["code"] == "00"


def test_a_legacy_commune_names_its_successors(client: TestClient) -> None:
    headers = login(client, "canbo.hn")
    phuc_xa = client.get("/api/v1/refdata/communes/00001", params={"scheme": "legacy"}, headers=headers).json()
    assert phuc_xa["name"] == "Phường Phúc Xá"
    assert phuc_xa["current"]
    assert all(c["province_code"] == "01" for c in phuc_xa["current"])
    unknown = client.get("/api/v1/refdata/communes/99999", headers=headers)
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
