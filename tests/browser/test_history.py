"""История платежей, the debt explanations and the reminders choice in Chromium, with screenshots."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.pages import SignIn
from tests.browser.test_cabinet import menu

SHOTS = Path("/tmp/shots-history")  # noqa: S108  (where the reviewers look at them; only screenshots)


@pytest.fixture
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture
def signed_in(page: Page, live_server: LiveServer, artifacts: Path) -> Page:
    SignIn(page, live_server, artifacts, "history").login("1000000001", "880515301238", "Demo2026!")
    expect(page.get_by_role("heading", name="Профиль")).to_be_visible()
    return page


def test_history_period_and_pages_swap_the_table_and_back_returns(signed_in: Page, shots: Path) -> None:
    page = signed_in
    menu(page).get_by_role("link", name="История платежей").click()
    expect(page.get_by_role("heading", name="История платежей", exact=True)).to_be_visible()
    rows = page.locator("table.history-table tbody tr")
    expect(rows).to_have_count(12)
    expect(rows.first.locator("td").nth(0)).to_have_text(re.compile("Пополнение счета|Списание"))
    page.screenshot(path=shots / "history-1280.png", full_page=True)

    page.evaluate("window.marker = 'no reload'")
    page.get_by_label("С", exact=True).fill("2024-01-01")
    page.get_by_label("По", exact=True).fill("2024-12-31")
    page.get_by_role("button", name="Показать").click()
    expect(page).to_have_url(re.compile(r"from=2024-01-01&to=2024-12-31"))
    expect(rows).to_have_count(12)
    expect(rows.first.locator("th")).to_have_text(re.compile(r"\.12\.2024$"))
    page.get_by_role("navigation", name="Страницы истории").get_by_role("link", name="Страница 2", exact=True).click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(rows.last.locator("th")).to_have_text(re.compile(r"\.01\.2024$"))
    assert page.evaluate("window.marker") == "no reload"
    page.screenshot(path=shots / "history-2024-page-2.png", full_page=True)

    page.go_back()
    expect(page).not_to_have_url(re.compile(r"page=2"))
    expect(rows.first.locator("th")).to_have_text(re.compile(r"\.12\.2024$"))
    page.get_by_role("link", name="За все время").click()
    expect(page).not_to_have_url(re.compile(r"from="))
    expect(page.get_by_label("С", exact=True)).to_have_value("")

    page.get_by_role("link", name=re.compile("^ЗМ-")).click()
    expect(page.get_by_role("heading", name=re.compile("ЗМ-"))).to_be_visible()
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=shots / "history-360.png", full_page=True)


def test_history_filter_works_without_javascript(
    open_page: Callable[..., Page], live_server: LiveServer, artifacts: Path, shots: Path
) -> None:
    page = open_page(java_script_enabled=False)
    SignIn(page, live_server, artifacts, "history-nojs").login("1000000001", "880515301238", "Demo2026!")
    page.goto(live_server("/history"))
    page.get_by_label("С", exact=True).fill("2025-03-01")
    page.get_by_label("По", exact=True).fill("2025-03-31")
    page.get_by_role("button", name="Показать").click()
    expect(page).to_have_url(re.compile(r"from=2025-03-01&to=2025-03-31"))
    expect(page.locator("table.history-table tbody tr")).to_have_count(2)  # March's deposit and its debit
    page.screenshot(path=shots / "history-nojs-march-2025.png", full_page=True)


def test_a_debt_line_opens_its_explanation(signed_in: Page, shots: Path) -> None:
    page = signed_in
    menu(page).get_by_role("link", name="Мои договора").click()
    monthly = page.locator(".field-row", has=page.get_by_text("По ежемесячным платежам", exact=True))
    explanation = monthly.locator(".debt-why")
    expect(explanation.locator(".overdue-list")).to_be_hidden()

    explanation.get_by_text("Подробнее").click()

    expect(explanation.locator(".overdue-list li").first).to_have_text(
        re.compile(r"^Платеж от \d\d\.\d\d\.\d{4}: не оплачено")
    )
    expect(explanation).to_contain_text("Задолженность идет с")
    penalty = page.locator(".field-row", has=page.get_by_text("Пеня", exact=True))
    penalty.get_by_text("Подробнее").click()
    expect(penalty).to_contain_text("за каждый день просрочки")
    page.screenshot(path=shots / "contracts-debt-explained-1280.png", full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()  # a phone opens with the menu closed
    page.locator(".debt-why summary").first.click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=shots / "contracts-debt-explained-360.png", full_page=True)


def test_reminders_are_turned_off_and_on_in_the_profile(signed_in: Page, live_server: LiveServer, shots: Path) -> None:
    page = signed_in
    section = page.locator("#reminders")
    expect(section.get_by_role("status")).to_have_text("Напоминания включены.")
    page.evaluate("window.marker = 'no reload'")

    section.get_by_role("button", name="Выключить напоминания").click()

    expect(page.locator("#reminders").get_by_role("status")).to_have_text("Напоминания выключены.")
    assert page.evaluate("window.marker") == "no reload"  # swapped in place
    page.screenshot(path=shots / "profile-reminders-off.png", full_page=True)
    page.reload()
    expect(page.locator("#reminders").get_by_role("button", name="Включить напоминания")).to_be_visible()
    page.locator("#reminders").get_by_role("button", name="Включить напоминания").click()
    expect(page.locator("#reminders").get_by_role("status")).to_have_text("Напоминания включены.")


def test_reminders_choice_works_without_javascript(
    open_page: Callable[..., Page], live_server: LiveServer, artifacts: Path
) -> None:
    page = open_page(java_script_enabled=False)
    SignIn(page, live_server, artifacts, "reminders-nojs").login("1000000001", "880515301238", "Demo2026!")
    page.goto(live_server("/profile"))
    page.get_by_role("button", name="Выключить напоминания").click()
    expect(page).to_have_url(live_server("/profile"))
    expect(page.locator("#reminders").get_by_role("status")).to_have_text("Напоминания выключены.")
