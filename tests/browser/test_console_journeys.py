"""The officer's main journeys in a real browser: sign in, find a person, read the record, record a move,
switch language, sign out; keyboard-only use and labelled controls; screenshots of each page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from citizenid.vntext import fold
from tests.browser.conftest import PASSWORD, Server
from tests.factories import HCMC_COMMUNE

pytestmark = [pytest.mark.xdist_group("browser"), pytest.mark.slow]


@pytest.fixture
def page(browser: Any, server: Server) -> Any:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


def sign_in(page: Any, server: Server, username: str = "giamsat") -> None:
    page.goto(server.url + "/")
    assert page.url.endswith("/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/console")


def unlabelled_controls(page: Any) -> list[str]:
    script = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
        .map(e => e.name || e.id)"""
    return list(page.evaluate(script))


CONTRAST_SCRIPT = """() => {
  const parse = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const worst = [];
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const style = getComputedStyle(el);
    if (!own || style.visibility === "hidden" || style.display === "none" || el.closest("svg")) continue;
    const [a, b] = [luminance(parse(style.color).slice(0, 3)), luminance(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const large = parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && +style.fontWeight >= 700);
    const text = el.textContent.trim().slice(0, 30);
    if (ratio < (large ? 3 : 4.5)) worst.push(`${el.tagName}: ${text} ${ratio.toFixed(2)}`);
  }
  return worst;
}"""


def low_contrast(page: Any) -> list[str]:
    """Text whose contrast with its background is below WCAG 2.1 AA (4.5:1, 3:1 for large text)."""
    return list(page.evaluate(CONTRAST_SCRIPT))


def test_officer_finds_a_person_and_records_a_move(page: Any, server: Server, artifacts: Path) -> None:
    someone = next(p for p in server.people if p["household_relationship"] == "head" and p["status"] == "living")
    sign_in(page, server)
    assert page.get_by_test_id("total").inner_text() == "300"
    assert page.locator("svg.chart rect").count() >= 1
    assert low_contrast(page) == []
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)

    page.get_by_role("link", name="Tra cứu công dân").click()
    page.get_by_label("Họ và tên (có thể gõ không dấu)").fill(fold(someone["full_name"]))
    page.get_by_label("Năm sinh").fill(someone["birth_date"][:4])
    page.get_by_role("button", name="Tìm kiếm").click()
    row = page.get_by_role("row").filter(has_text=someone["personal_number"])
    assert row.count() == 1
    page.screenshot(path=str(artifacts / "search.png"), full_page=True)
    assert someone["personal_number"] not in page.url
    row.get_by_role("link").click()

    page.wait_for_url("**/console/p/**")
    assert someone["personal_number"] not in page.url
    assert page.get_by_test_id("number").inner_text() == someone["personal_number"]
    assert unlabelled_controls(page) == []
    assert low_contrast(page) == []
    page.screenshot(path=str(artifacts / "person.png"), full_page=True)
    # the check itself can fail: pale grey text on white is caught
    page.evaluate("""() => { const p = document.createElement('p'); p.textContent = 'mờ'; p.style.color = '#bbb';
                             document.querySelector('main').append(p); }""")
    assert low_contrast(page) == ["P: mờ 1.80"]
    page.reload()

    page.get_by_label("Sự kiện").select_option("change_of_residence")
    assert page.get_by_label("Tên mới").is_hidden()  # the form shows only the chosen event's fields
    page.get_by_label("Mã xã/phường mới (5 chữ số)").fill(HCMC_COMMUNE)
    page.get_by_label("Số nhà, đường phố, thôn/xóm").fill("5 Nguyễn Huệ")
    page.get_by_label("Lý do").fill("chuyển nơi thường trú")
    page.get_by_label("Căn cứ pháp lý").fill("Luật Cư trú 2020, điều 22")
    page.get_by_role("button", name="Ghi nhận", exact=True).click()
    page.get_by_role("status").wait_for()
    assert "Đã ghi nhận sự kiện." in page.get_by_role("status").inner_text()
    assert "5 Nguyễn Huệ" in page.get_by_test_id("residence").inner_text()
    assert page.get_by_text("Thay đổi nơi thường trú").count() >= 1
    page.screenshot(path=str(artifacts / "person-after-move.png"), full_page=True)


def test_keyboard_only_sign_in_and_search(page: Any, server: Server, artifacts: Path) -> None:
    page.goto(server.url + "/login")
    assert unlabelled_controls(page) == []
    assert page.evaluate("document.activeElement.id") == "username"  # the form starts where typing starts
    page.keyboard.type("giamsat")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/console")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"  # first stop: skip to content
    page.goto(server.url + "/console/persons")
    page.get_by_label("Số định danh cá nhân").focus()
    page.keyboard.type(server.people[0]["personal_number"])
    page.keyboard.press("Enter")
    page.get_by_role("row").filter(has_text=server.people[0]["personal_number"]).wait_for()
    page.screenshot(path=str(artifacts / "search-keyboard.png"))


def test_english_on_a_tablet_then_sign_out(browser: Any, server: Server, artifacts: Path) -> None:
    context = browser.new_context(viewport={"width": 768, "height": 1024}, has_touch=True)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    try:
        sign_in(tab, server)
        tab.get_by_label("Ngôn ngữ").select_option("en")
        tab.wait_for_load_state()
        tab.get_by_role("heading", name="Persons by province of residence").wait_for()
        assert tab.evaluate("document.documentElement.lang") == "en"
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= 768, "the dashboard scrolls sideways on a tablet"
        tab.screenshot(path=str(artifacts / "dashboard-en-tablet.png"), full_page=True)
        tab.get_by_role("button", name="Sign out").click()
        tab.wait_for_url("**/login")
        tab.goto(server.url + "/console")
        assert tab.url.endswith("/login")
    finally:
        context.close()


def test_a_registrar_cannot_open_another_province(page: Any, server: Server) -> None:
    outside = next(p for p in server.people if not p["residence_commune"].startswith(("00", "01")))
    sign_in(page, server, "canbo.hn")
    page.goto(server.url + "/console/persons")
    page.get_by_label("Số định danh cá nhân").fill(outside["personal_number"])
    page.get_by_role("button", name="Tìm kiếm").click()
    page.get_by_role("alert").wait_for()
    assert outside["full_name"] not in page.content()
