"""More journeys in a real browser: a registrar takes a card application with captures, a supervisor
approves it, the card is issued at the counter and later reported lost; a citizen signs in to the portal
with a one-time code and sees their data and who accessed it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from citizenid.auth.domain import Principal, Role
from tests.browser.conftest import Server
from tests.browser.test_console_journeys import low_contrast, sign_in, unlabelled_controls
from tests.integration.cards.conftest import fingerprint_png, photo_jpeg

pytestmark = [pytest.mark.xdist_group("browser"), pytest.mark.slow]
FACTORY = Principal("xuong", Role.PRODUCTION_OPERATOR)


@pytest.fixture
def page(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def test_a_card_from_application_to_lost(page: Any, server: Server, artifacts: Path, tmp_path: Path) -> None:
    applicant = next(p for p in server.people if p["status"] == "living" and p["residence_commune"] < "01"
                     and p["birth_date"] < "2010")
    (tmp_path / "anh.jpg").write_bytes(photo_jpeg())
    for finger in (2, 7):
        (tmp_path / f"f{finger}.png").write_bytes(fingerprint_png(finger))

    sign_in(page, server, "canbo.hn")
    page.get_by_role("link", name="Hồ sơ cấp thẻ").click()
    page.get_by_role("link", name="Tiếp nhận hồ sơ mới").click()
    page.get_by_label("Số định danh cá nhân của người đề nghị").fill(applicant["personal_number"])
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_label("Nơi tiếp nhận (mã đơn vị)").fill("CA-P.BaDinh")
    page.get_by_label("Ảnh chân dung (JPEG hoặc PNG)").set_input_files(str(tmp_path / "anh.jpg"))
    page.get_by_label("Vân tay ngón trỏ phải").set_input_files(str(tmp_path / "f2.png"))
    page.get_by_label("Vân tay ngón trỏ trái").set_input_files(str(tmp_path / "f7.png"))
    page.locator("#photo-preview").wait_for(state="visible")  # the preview shows before sending
    assert unlabelled_controls(page) == []
    assert low_contrast(page) == []
    page.screenshot(path=str(artifacts / "intake.png"), full_page=True)
    page.get_by_role("button", name="Ghi nhận hồ sơ").click()
    application_id = page.get_by_test_id("application-id").inner_text()
    page.screenshot(path=str(artifacts / "receipt.png"), full_page=True)
    page.get_by_test_id("application-id").get_by_role("link").click()
    page.get_by_role("button", name="Xác minh với cơ sở dữ liệu").click()
    assert page.get_by_test_id("state").inner_text() == "Đã xác minh"

    page.context.clear_cookies()
    sign_in(page, server, "giamsat")
    page.goto(f"{server.url}/console/applications?state=verified")
    page.get_by_role("link", name=application_id).click()
    page.get_by_role("button", name="Phê duyệt").click()
    assert page.get_by_test_id("state").inner_text() == "Đã phê duyệt"
    page.screenshot(path=str(artifacts / "application-approved.png"), full_page=True)

    container = server.container()  # the production centre, behind the counter
    batch = container.cards.create_batch(FACTORY)
    container.cards.run_batch(FACTORY, batch.batch_id)
    container.cards.dispatch_batch(FACTORY, batch.batch_id)
    container.close()

    page.context.clear_cookies()
    sign_in(page, server, "canbo.hn")
    page.goto(f"{server.url}/console/a/{application_id}")
    page.get_by_label("Tôi đã kiểm tra nhân thân người nhận thẻ").check()
    page.get_by_role("button", name="Trả thẻ").click()
    page.get_by_role("status").wait_for()
    page.get_by_role("link", name="Thẻ căn cước").click()
    page.get_by_label("Số định danh của người được cấp thẻ").fill(applicant["personal_number"])
    page.get_by_role("button", name="Tìm kiếm").click()
    page.get_by_role("row").nth(1).get_by_role("link").click()
    assert page.get_by_test_id("card-state").inner_text() == "Đang sử dụng"
    assert applicant["personal_number"] not in page.url
    page.screenshot(path=str(artifacts / "card.png"), full_page=True)
    page.get_by_label("Lý do", exact=True).select_option("lost")
    page.get_by_role("button", name="Thu hồi thẻ").click()
    assert page.get_by_test_id("card-state").inner_text() == "Đã thu hồi"


def test_a_citizen_signs_in_with_a_code_and_sees_who_looked(page: Any, server: Server, artifacts: Path) -> None:
    citizen = next(p for p in server.people if p["status"] == "living")
    page.goto(f"{server.url}/portal")
    assert page.url.endswith("/portal/login")
    page.get_by_label("Số định danh cá nhân").fill(citizen["personal_number"])
    page.get_by_role("button", name="Gửi mã cho tôi").click()
    page.get_by_label("Mã xác nhận một lần").fill(server.last_code(citizen["personal_number"]))
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/portal")
    assert page.get_by_test_id("name").inner_text() == citizen["full_name"]
    assert page.get_by_role("heading", name="Ai đã truy cập dữ liệu của tôi").is_visible()
    assert page.get_by_text("exchange:citizen:login").count() >= 1
    assert unlabelled_controls(page) == []
    assert low_contrast(page) == []
    page.screenshot(path=str(artifacts / "portal.png"), full_page=True)
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/portal/login")
    page.goto(f"{server.url}/portal")
    assert page.url.endswith("/portal/login")
