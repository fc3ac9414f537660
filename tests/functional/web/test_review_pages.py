"""The duplicate review queue in the console: pairs side by side with the differences and the evidence, a
supervisor's answer, un-merge, and the clean share on the dashboard."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from citizenid.auth.domain import operator_principal
from citizenid.bootstrap import Container
from citizenid.cleansing.link import LinkageParameters
from citizenid.synth.legacy import generate_legacy
from tests.functional.web.test_console_pages import sign_in

OPERATOR = operator_principal("tester")
PAIR_LINK = re.compile(r'href="/console/reviews/([^/"]+)/(\d+)"')


@pytest.fixture
def linked(container: Container, tmp_path: Path) -> str:
    generate_legacy(120, seed=4).write(tmp_path / "legacy")
    mapping = json.loads((tmp_path / "legacy" / "mapping.json").read_text("utf-8"))
    for source, spec in sorted(mapping.items()):
        container.cleansing.ingest(OPERATOR, source, tmp_path / "legacy" / spec["file"], spec["columns"])
    run = container.cleansing.link(OPERATOR, parameters=LinkageParameters(u_max_pairs=2e5, u_chunks=2))
    return str(run.run_id)


def test_a_supervisor_reviews_a_pair_and_undoes_a_merge(client: TestClient, container: Container,
                                                        linked: str) -> None:
    csrf = sign_in(client, "giamsat")
    dashboard = client.get("/console")
    assert "Tỷ lệ dữ liệu sạch theo tỉnh" in dashboard.text
    queue = client.get("/console/reviews")
    assert queue.status_code == 200
    pairs = PAIR_LINK.findall(queue.text)
    assert pairs, "the legacy sample (seed 4) always leaves pairs for review"
    run_id, pair_no = pairs[0]
    page = client.get(f"/console/reviews/{run_id}/{pair_no}")
    assert page.status_code == 200
    assert "giv" in page.text  # the evidence
    decided = client.post(f"/console/reviews/{run_id}/{pair_no}", data={"csrf": csrf, "answer": "different",
                                                                         "note": "hai người"})
    assert decided.status_code == 200, decided.text
    again = client.post(f"/console/reviews/{run_id}/{pair_no}", data={"csrf": csrf, "answer": "same"})
    assert again.status_code == 409
    merges = client.get(f"/console/runs/{linked}/merges")
    assert merges.status_code == 200
    merge_id = re.search(r'/merges/([^/"]+)/unmerge', merges.text)
    assert merge_id is not None
    undone = client.post(f"/console/runs/{linked}/merges/{merge_id.group(1)}/unmerge",
                         data={"csrf": csrf, "reason": "hai người khác nhau"})
    assert undone.status_code == 200, undone.text
    assert "Đã hủy gộp" in undone.text


def test_registrars_cannot_review(client: TestClient, container: Container, linked: str) -> None:
    csrf = sign_in(client, "canbo.hn")
    assert client.get("/console/reviews").status_code == 403
    assert client.post(f"/console/runs/{linked}/merges/x/unmerge", data={"csrf": csrf, "reason": "x"}).status_code \
        == 403
