"""The console's card pages through HTTP: intake with captures, worklists, approve and reject, issuance,
a card's page with its faces, reporting it lost, and the campaign on the dashboard."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from citizenid.app import create_app
from citizenid.bootstrap import Container
from citizenid.cards.domain import ApplicationState
from tests.functional.conftest import PASSWORD, USERS
from tests.functional.web.test_console_pages import sign_in
from tests.integration.cards.conftest import (
    FACTORY,
    SUPERVISOR,
    add_people,
    approved,
    cards_container,
    fingerprint_png,
    person,
    photo_jpeg,
)

CARD_LINK = re.compile(r'href="/console/c/([A-Za-z0-9_-]+)"')


@pytest.fixture
def container(sqlite_engine: Engine, tmp_path: Path) -> Container:
    return cards_container(sqlite_engine, tmp_path)


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    for username, (role, province) in USERS.items():
        container.auth.add_user(username, PASSWORD, role=role, province_code=province)
    with TestClient(create_app(container), raise_server_exceptions=False) as test_client:
        yield test_client


def test_a_registrar_takes_an_application_step_by_step(client: TestClient, container: Container) -> None:
    [number] = add_people(container, person(residence_commune="00004"))
    csrf = sign_in(client, "canbo.hn")
    found = client.post("/console/applications/new", data={"csrf": csrf, "personal_number": number})
    assert found.status_code == 200, found.text
    ref = re.search(r'name="ref" value="([^"]+)"', found.text)
    key = re.search(r'name="key" value="([^"]+)"', found.text)
    assert ref is not None
    assert key is not None
    assert number not in ref.group(1)
    form = {"csrf": csrf, "ref": ref.group(1), "key": key.group(1), "reason": "first_card", "site": "CA-P.BaDinh",
            "family_name": "Sai Họ"}
    files = {"photo": ("anh.jpg", photo_jpeg(), "image/jpeg"),
             "finger_2": ("f2.png", fingerprint_png(2), "image/png"),
             "finger_7": ("f7.png", fingerprint_png(7), "image/png")}
    receipt = client.post("/console/applications/submit", data=form, files=files)
    assert receipt.status_code == 200, receipt.text
    application_id = re.search(r'data-testid="application-id"><a href="/console/a/([^"]+)"', receipt.text)
    assert application_id is not None
    again = client.post("/console/applications/submit", data=form, files=files)  # a double submission
    assert application_id.group(1) in again.text
    page = client.get(f"/console/a/{application_id.group(1)}")
    assert "Sai Họ" in page.text  # the declared family name, shown against the register's
    assert 'class="differs"' in page.text
    worklist = client.get("/console/applications", params={"state": "received"})
    assert application_id.group(1) in worklist.text


def test_bad_captures_are_refused_with_the_reason(client: TestClient, container: Container) -> None:
    [number] = add_people(container, person(residence_commune="00004"))
    csrf = sign_in(client, "canbo.hn")
    found = client.post("/console/applications/new", data={"csrf": csrf, "personal_number": number})
    ref = re.search(r'name="ref" value="([^"]+)"', found.text)
    assert ref is not None
    refused = client.post("/console/applications/submit", data={
        "csrf": csrf, "ref": ref.group(1), "reason": "first_card", "site": "CA-P.BaDinh"},
        files={"photo": ("anh.jpg", b"not an image", "image/jpeg")})
    assert refused.status_code == 400
    assert 'role="alert"' in refused.text
    assert container.cards.cards_of(SUPERVISOR, number) == []


def test_a_supervisor_approves_or_rejects_with_a_reason(client: TestClient, container: Container) -> None:
    from tests.integration.cards.conftest import apply  # noqa: PLC0415

    first, second = add_people(container, person(residence_commune="00004"), person(residence_commune="00004"))
    one = apply(container, first).application.application_id
    two = apply(container, second).application.application_id
    csrf = sign_in(client, "giamsat")
    page = client.get(f"/console/a/{one}")
    key = re.search(r'name="key" value="([^"]+)"', page.text)
    assert key is not None
    verify = client.post(f"/console/a/{one}/verify", data={"csrf": csrf, "key": key.group(1) + "v"})
    assert verify.status_code == 200, verify.text
    approve = client.post(f"/console/a/{one}/approve", data={"csrf": csrf, "key": key.group(1)})
    assert approve.status_code == 200, approve.text
    assert container.cards.get_application(SUPERVISOR, one).state == ApplicationState.APPROVED.value
    reject = client.post(f"/console/a/{two}/reject", data={"csrf": csrf, "reason": "ảnh không đúng quy cách"})
    assert reject.status_code == 200
    assert container.cards.get_application(SUPERVISOR, two).rejection_reason == "ảnh không đúng quy cách"
    client.cookies.clear()
    registrar_csrf = sign_in(client, "canbo.hn")
    refused = client.post(f"/console/a/{one}/approve", data={"csrf": registrar_csrf})
    assert refused.status_code == 403


def test_issue_then_report_the_card_lost(client: TestClient, container: Container) -> None:
    [number] = add_people(container, person(residence_commune="00004"))
    application_id = approved(container, number)
    batch = container.cards.create_batch(FACTORY)
    container.cards.run_batch(FACTORY, batch.batch_id)
    container.cards.dispatch_batch(FACTORY, batch.batch_id)
    csrf = sign_in(client, "canbo.hn")
    unconfirmed = client.post(f"/console/a/{application_id}/issue", data={"csrf": csrf})
    assert unconfirmed.status_code == 409
    issued = client.post(f"/console/a/{application_id}/issue", data={"csrf": csrf, "confirmed": "yes"})
    assert issued.status_code == 200, issued.text
    found = client.post("/console/cards", data={"csrf": csrf, "personal_number": number})
    [ref] = CARD_LINK.findall(found.text)
    card = client.get(f"/console/c/{ref}")
    assert card.status_code == 200
    assert 'data-testid="card-state">Đang sử dụng<' in card.text
    assert 'data-testid="card-front"' in card.text  # the rendered faces, inline, never by URL
    assert 'src="data:image/png;base64,' in card.text
    lost = client.post(f"/console/c/{ref}/revoke", data={"csrf": csrf, "reason": "lost", "note": "mất ví"})
    assert lost.status_code == 200, lost.text
    [view] = container.cards.cards_of(SUPERVISOR, number)
    assert view.state == "revoked"
    assert view.revoked_reason == "lost"


def test_the_dashboard_shows_the_campaign(client: TestClient, container: Container) -> None:
    container.cards.set_target(SUPERVISOR, milestone=ApplicationState.RECEIVED, target=1000,
                               due=dt.date(2027, 7, 1))
    csrf = sign_in(client, "giamsat")
    assert csrf
    page = client.get("/console")
    assert "Tiến độ chiến dịch so với chỉ tiêu" in page.text
    assert "1.000" in page.text
    assert "01/07/2027" in page.text


def test_production_batches_and_their_progress(client: TestClient, container: Container) -> None:
    [number] = add_people(container, person(residence_commune="00004"))
    approved(container, number)
    csrf = sign_in(client, "canbo.hn")
    assert client.post("/console/batches", data={"csrf": csrf, "limit": "10"}).status_code == 403
    client.cookies.clear()
    csrf = sign_in(client, "xuong")
    created = client.post("/console/batches", data={"csrf": csrf, "limit": "10"})
    assert created.status_code == 200, created.text
    [batch] = container.cards.batches(FACTORY)
    assert batch.size == 1
    assert batch.batch_id in created.text
    container.cards.run_batch(FACTORY, batch.batch_id)
    page = client.get("/console/batches")
    assert '<progress max="1" value="1"' in page.text
    client.cookies.clear()
    sign_in(client, "giamsat")
    dashboard = client.get("/console")
    assert "Số thẻ sản xuất mỗi ngày" in dashboard.text
    assert container.cards.produced_per_day(SUPERVISOR)[-1][1] == 1
