"""The supervisors' cleansing API: review queue, decisions, un-merge, report; other roles are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from citizenid.auth.domain import operator_principal
from citizenid.bootstrap import Container
from citizenid.cleansing.decide import Thresholds
from citizenid.cleansing.link import LinkageParameters
from citizenid.synth.legacy import generate_legacy
from tests.functional.conftest import login

OPERATOR = operator_principal("tester")
ROUTES = [
    ("GET", "/api/v1/cleansing/reviews"),
    ("GET", "/api/v1/cleansing/runs"),
    ("GET", "/api/v1/cleansing/report"),
    ("GET", "/api/v1/cleansing/runs/r/reviews/1"),
    ("POST", "/api/v1/cleansing/runs/r/reviews/1/decision"),
    ("GET", "/api/v1/cleansing/runs/r/merges"),
    ("POST", "/api/v1/cleansing/merges/m/unmerge"),
]


@pytest.mark.parametrize("username", ["canbo.hn", "xuong", "quantri"])
def test_only_supervisors_reach_the_queue(client: TestClient, username: str) -> None:
    headers = login(client, username)
    for method, path in ROUTES:
        response = client.request(method, path, headers=headers, json={"same_person": True, "reason": "x"})
        assert response.status_code == 403, (username, method, path, response.status_code)
        assert response.headers["content-type"] == "application/problem+json"


def test_supervisor_reviews_decides_unmerges_and_reads_the_report(
    client: TestClient, container: Container, tmp_path: Path
) -> None:
    data = generate_legacy(60, seed=8)
    data.write(tmp_path)
    for spec in data.specs:
        container.cleansing.ingest(OPERATOR, spec.name, tmp_path / spec.file_name, spec.columns)
    # A wide review band so that this small input surely puts pairs on the queue.
    run = container.cleansing.link(
        OPERATOR, parameters=LinkageParameters(thresholds=Thresholds(upper=25, lower=0), u_max_pairs=1e5, u_chunks=1)
    )
    headers = login(client, "giamsat")

    queue = client.get("/api/v1/cleansing/reviews", headers=headers, params={"limit": 5})
    assert queue.status_code == 200, queue.text
    items = queue.json()
    assert items
    first = items[0]
    assert first["left"]["original"]
    assert first["right"]["original"]
    assert set(first["evidence"]) >= {"giv", "fam", "dob", "address"}

    path = f"/api/v1/cleansing/runs/{first['run_id']}/reviews/{first['pair_no']}"
    assert client.get(path, headers=headers).json()["pair_no"] == first["pair_no"]
    decided = client.post(f"{path}/decision", headers=headers, json={"same_person": True, "note": "same person"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["review_status"] == "accepted"
    again = client.post(f"{path}/decision", headers=headers, json={"same_person": False})
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    bad = client.post(f"{path}/decision", headers=headers, json={"same_person": "perhaps"})
    assert bad.status_code in (400, 422)
    missing = client.get(f"/api/v1/cleansing/runs/{run.run_id}/reviews/999999", headers=headers)
    assert missing.status_code == 404

    merges = client.get(f"/api/v1/cleansing/runs/{run.run_id}/merges", headers=headers).json()
    assert merges
    target = merges[0]["merge_id"]
    undone = client.post(f"/api/v1/cleansing/merges/{target}/unmerge", headers=headers, json={"reason": "not one"})
    assert undone.status_code == 200, undone.text
    assert undone.json()["status"] == "undone"
    assert client.post(f"/api/v1/cleansing/merges/{target}/unmerge", headers=headers,
                       json={"reason": "again"}).status_code == 409

    report = client.get("/api/v1/cleansing/report", headers=headers).json()
    assert report["records"] == data.truth.num_rows
    assert report["reviews_pending"] == len(container.cleansing.reviews(OPERATOR, limit=100))
    assert set(report["by_source"]) == {"ho_khau", "ho_tich", "cu_tru"}
    assert client.get("/api/v1/cleansing/runs", headers=headers).json()[0]["run_id"] == run.run_id
