"""Biometrics over HTTP and from the console: real app, real SQLite, reference models, no mocks."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from citizenid.app import create_app
from citizenid.biometrics.cli import app as bio_cli
from citizenid.bootstrap import Container
from citizenid.chip.lds import encode_dg2
from tests.conftest import make_container
from tests.functional.conftest import PASSWORD, USERS, login
from tests.unit.biometrics import samples

ALICE, CAROL = "001190000001", "079195000003"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture
def bio(sqlite_engine: Engine, tmp_path: Path) -> Container:
    return make_container(sqlite_engine, tmp_path, biometrics="reference")


@pytest.fixture
def api(bio: Container) -> Iterator[TestClient]:
    for username, (role, province) in USERS.items():
        bio.auth.add_user(username, PASSWORD, role=role, province_code=province)
    with TestClient(create_app(bio), raise_server_exceptions=False) as client:
        yield client


def duplicate_case(bio: Container) -> None:
    bio.biometrics.screen_application("APP-A", ALICE, samples.portrait_bytes(), {})
    bio.biometrics.screen_application("APP-C", CAROL, samples.to_bytes(samples.augment(samples.portrait(), angle=4)),
                                      {})


def test_roles(api: TestClient) -> None:
    body = {"photo": b64(samples.portrait_bytes())}
    for user in ("kiemtoan", "xuong", "quantri"):  # auditor, production, administrator: no biometrics
        headers = login(api, user)
        for method, path, json in (("POST", "/api/v1/biometrics/quality", body),
                                   ("POST", "/api/v1/biometrics/match", {"first": "eA==", "second": "eA=="}),
                                   ("GET", "/api/v1/biometrics/adjudications", None),
                                   ("GET", "/api/v1/biometrics/adjudications/APP-C", None),
                                   ("POST", "/api/v1/biometrics/adjudications/APP-C/decision",
                                    {"candidate_personal_number": ALICE, "duplicate": True})):
            response = api.request(method, path, json=json, headers=headers)
            assert response.status_code == 403, (user, path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
    registrar = login(api, "canbo.hn")  # counter work yes, adjudication no
    assert api.get("/api/v1/biometrics/adjudications", headers=registrar).status_code == 403
    assert api.post("/api/v1/biometrics/adjudications/APP-C/decision", headers=registrar,
                    json={"candidate_personal_number": ALICE, "duplicate": True}).status_code == 403


def test_quality_and_match_at_the_counter(api: TestClient) -> None:
    headers = login(api, "canbo.hn")
    fingers = {"2": b64(samples.fingerprint_bytes(1)), "7": b64(samples.fingerprint_bytes(51))}
    good = api.post("/api/v1/biometrics/quality", headers=headers,
                    json={"photo": b64(samples.portrait_bytes()), "fingerprints": fingers})
    assert good.status_code == 200, good.text
    assert good.json() == {"ok": True, "reasons": []}
    dark = samples.to_bytes(samples.augment(samples.portrait(), exposure=0.3))
    refused = api.post("/api/v1/biometrics/quality", headers=headers,
                       json={"photo": b64(dark), "fingerprints": fingers})
    assert refused.json()["ok"] is False
    assert any(r.startswith("face.dark") for r in refused.json()["reasons"])
    live = samples.to_bytes(samples.augment(samples.portrait(), angle=5, noise=6))
    match = api.post("/api/v1/biometrics/match", headers=headers,
                     json={"first": b64(samples.portrait_bytes()), "second": b64(live)}).json()
    assert match["matched"] is True
    assert match["score"] >= match["threshold"]


def test_bad_input_is_a_problem_not_a_500(api: TestClient) -> None:
    headers = login(api, "canbo.hn")
    for body in ({"photo": "***"}, {"photo": b64(samples.portrait_bytes()), "fingerprints": {"2": "@@"}}):
        response = api.post("/api/v1/biometrics/quality", headers=headers, json=body)
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "BIO-002"
    # Bytes that are no image are a refused capture, with the reason, like any other.
    verdict = api.post("/api/v1/biometrics/quality", headers=headers, json={"photo": b64(b"not an image")}).json()
    assert verdict["ok"] is False
    assert "the photo is not a JPEG or PNG image" in verdict["reasons"]
    faceless = samples.to_bytes(samples.augment(samples.portrait(), angle=180))
    response = api.post("/api/v1/biometrics/match", headers=headers,
                        json={"first": b64(samples.portrait_bytes()), "second": b64(faceless)})
    assert response.status_code == 422
    assert "faces" in response.json()["detail"]
    assert api.post("/api/v1/biometrics/quality", headers=headers, json={"photo": ""}).status_code == 422


def test_supervisor_adjudicates_with_both_images(api: TestClient, bio: Container) -> None:
    duplicate_case(bio)
    headers = login(api, "giamsat")
    queue = api.get("/api/v1/biometrics/adjudications", headers=headers).json()["items"]
    assert [(q["application_id"], q["candidate_personal_number"]) for q in queue] == [("APP-C", ALICE)]
    assert "photo" not in queue[0]  # listings never carry images or templates
    case = api.get("/api/v1/biometrics/adjudications/APP-C", headers=headers).json()
    assert base64.b64decode(case["photo"])[:2] == b"\xff\xd8"
    assert base64.b64decode(case["candidates"][0]["photo"]) == samples.portrait_bytes()
    assert api.get("/api/v1/biometrics/adjudications/APP-A", headers=headers).json()["code"] == "BIO-020"
    ruled = api.post("/api/v1/biometrics/adjudications/APP-C/decision", headers=headers,
                     json={"candidate_personal_number": ALICE, "duplicate": True})
    assert ruled.json() == {"application_id": "APP-C", "status": "duplicate", "cleared": False}
    again = api.post("/api/v1/biometrics/adjudications/APP-C/decision", headers=headers,
                     json={"candidate_personal_number": ALICE, "duplicate": False})
    assert again.status_code == 409
    assert not bio.biometrics.application_cleared("APP-C")
    assert "biometrics:candidate:adjudicate" in [r.action for r in bio.audit.for_subject(CAROL)]


def test_console_show_and_decide(bio: Container, tmp_path: Path) -> None:
    duplicate_case(bio)
    runner = CliRunner()
    shown = runner.invoke(bio_cli, ["show", "APP-C", "--out", str(tmp_path / "case")], obj=bio.biometrics)
    assert shown.exit_code == 0, shown.output
    assert sorted(p.name for p in (tmp_path / "case").iterdir()) == ["APP-C-applicant.jpg",
                                                                      f"APP-C-candidate-{ALICE}.jpg"]
    queued = runner.invoke(bio_cli, ["queue"], obj=bio.biometrics)
    assert f"APP-C\t{CAROL}\t~ {ALICE}" in queued.output
    decided = runner.invoke(bio_cli, ["decide", "APP-C", ALICE, "--distinct"], obj=bio.biometrics)
    assert '"status": "clear"' in decided.output
    assert bio.biometrics.application_cleared("APP-C")


def test_console_error_is_one_line(tmp_path: Path) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(samples.portrait_bytes())
    env = {**os.environ, "CITIZENID_DATA_DIR": str(tmp_path), "CITIZENID_BIOMETRICS": "reference"}
    env.pop("CITIZENID_DATABASE_URL", None)
    missing = subprocess.run([sys.executable, "-m", "citizenid.cli", "bio", "match", str(photo),
                              str(tmp_path / "nope.jpg")], env=env, capture_output=True, text=True, timeout=120,
                             check=False)
    assert missing.returncode == 2
    assert missing.stderr.strip().startswith("error [BIO-002]")
    assert len(missing.stderr.strip().splitlines()) == 1


def test_console_check_and_match(bio: Container, tmp_path: Path) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(samples.portrait_bytes())
    live = tmp_path / "live.jpg"
    live.write_bytes(samples.to_bytes(samples.augment(samples.portrait(), angle=-4, exposure=1.1)))
    finger = tmp_path / "f.png"
    finger.write_bytes(samples.fingerprint_bytes(3))
    runner = CliRunner()
    matched = runner.invoke(bio_cli, ["match", str(photo), str(live)], obj=bio.biometrics)
    assert '"matched": true' in matched.output, matched.output
    dg2 = tmp_path / "dg2.bin"
    dg2.write_bytes(encode_dg2(samples.portrait_bytes(), 288, 368))
    from_chip = runner.invoke(bio_cli, ["verify-card", str(dg2), str(live)], obj=bio.biometrics)
    assert '"matched": true' in from_chip.output, from_chip.output
    checked = runner.invoke(bio_cli, ["check", str(photo), "--finger", f"2={finger}"], obj=bio.biometrics)
    assert checked.exit_code == 1  # refused: finger 7 is missing
    assert "missing fingerprints: 7" in checked.output
