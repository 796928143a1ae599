"""A 360 px phone: every row of График платежей and История платежей is a card with each value named, the status
badge whole and on screen, and nothing scrolls sideways, in ru, kk and en (screenshots in tests/artifacts)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.pages import SignIn

WIDTH = 360
PENDING = {"ru": "Ожидает списания", "kk": "Есептен шығаруды күтуде", "en": "Awaiting debit"}
ACCRUED = {"ru": "Начисленный платеж", "kk": "Есептелген төлем", "en": "Accrued payment"}
OPERATION = {"ru": "Операция", "kk": "Операция", "en": "Transaction"}


@pytest.fixture
def phone(page: Page, live_server: LiveServer, artifacts: Path) -> Page:
    page.set_viewport_size({"width": WIDTH, "height": 800})
    SignIn(page, live_server, artifacts, "phone").login("1000000001", "880515301238", "Demo2026!")
    expect(page.get_by_role("heading", name="Профиль")).to_be_visible()
    return page


def fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, "the page scrolls sideways"


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_the_schedule_is_a_card_per_month_with_the_status_whole(
    phone: Page, live_server: LiveServer, artifacts: Path, language: str
) -> None:
    phone.goto(live_server(f"/schedule?lang={language}"))
    badge = phone.locator(".status-pending").first
    expect(badge).to_have_text(PENDING[language])
    box = badge.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, "the badge is whole on screen"
    label = phone.evaluate(
        "getComputedStyle(document.querySelector('.schedule-table.payments td'), '::before').content"
    )
    assert label == f'"{ACCRUED[language]}"'
    fits(phone)
    phone.screenshot(path=artifacts / f"phone-schedule-{language}-360.png", full_page=True)


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_the_history_is_a_card_per_operation_with_the_amount_in_view(
    phone: Page, live_server: LiveServer, artifacts: Path, language: str
) -> None:
    phone.goto(live_server(f"/history?lang={language}"))
    amount = phone.locator(".history-table .amount-in").first
    expect(amount).to_be_visible()
    box = amount.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
    label = phone.evaluate("getComputedStyle(document.querySelector('.history-table td'), '::before').content")
    assert label == f'"{OPERATION[language]}"'
    fits(phone)
    phone.screenshot(path=artifacts / f"phone-history-{language}-360.png", full_page=True)


def test_a_desktop_shows_the_tables_as_tables_without_the_card_labels(
    page: Page, live_server: LiveServer, artifacts: Path
) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    SignIn(page, live_server, artifacts, "desktop").login("1000000001", "880515301238", "Demo2026!")
    expect(page.get_by_role("heading", name="Профиль")).to_be_visible()
    for path, selector in (("/schedule", ".schedule-table.payments td"), ("/history", ".history-table td")):
        page.goto(live_server(path))
        label = page.evaluate(f"getComputedStyle(document.querySelector('{selector}'), '::before').content")
        assert label in ("none", "normal"), (path, label)
        assert page.evaluate("document.querySelector('.table-scroll').scrollWidth") <= page.evaluate(
            "document.querySelector('.table-scroll').clientWidth"
        ), path


def test_without_javascript_the_menu_opens_and_closes_as_a_link(
    open_page: Callable[..., Page], live_server: LiveServer, artifacts: Path
) -> None:
    page = open_page(java_script_enabled=False)
    SignIn(page, live_server, artifacts, "no-js-menu").login("1000000001", "880515301238", "Demo2026!")
    expect(page.get_by_role("heading", name="Профиль")).to_be_visible()
    menu = page.get_by_role("navigation", name="Навигационное меню")
    label = menu.locator(".menu-item .menu-label", has_text="Мои договора")
    assert label.bounding_box() is None or label.bounding_box()["width"] <= 1  # type: ignore[index]

    menu.get_by_role("link", name="Меню").click()
    expect(label).to_be_visible()
    assert label.bounding_box()["width"] > 1  # type: ignore[index]
    page.screenshot(path=artifacts / "no-js-menu-open.png")
    menu.get_by_role("link", name="Скрыть меню").click()
    assert label.bounding_box() is None or label.bounding_box()["width"] <= 1  # type: ignore[index]


def test_a_collapsed_menu_icon_names_itself_on_hover_and_focus(
    page: Page, live_server: LiveServer, artifacts: Path
) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    SignIn(page, live_server, artifacts, "menu-names").login("1000000001", "880515301238", "Demo2026!")
    expect(page.get_by_role("heading", name="Профиль")).to_be_visible()
    menu = page.get_by_role("navigation", name="Навигационное меню")
    expect(page.get_by_role("button", name="Меню")).to_have_attribute("aria-expanded", "false")
    item = menu.get_by_role("link", name="Мои договора")
    label = item.locator(".menu-label")
    item.hover()
    expect(label).to_be_visible()
    box = label.bounding_box()
    assert box is not None and box["width"] > 40, "the name shows beside the icon"
    page.screenshot(path=artifacts / "menu-name-on-hover.png")
    page.mouse.move(900, 700)
    menu.get_by_role("link", name="График платежей").focus()
    page.keyboard.press("Tab")  # keyboard focus (focus-visible) on the next item
    focused = menu.get_by_role("link", name="История платежей").locator(".menu-label").bounding_box()
    assert focused is not None and focused["width"] > 40


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_without_javascript_every_cabinet_page_fits_a_phone(
    open_page: Callable[..., Page], live_server: LiveServer, artifacts: Path, language: str
) -> None:
    """Without JavaScript the filters carry their own «Показать» buttons: they wrap, the page does not scroll."""
    page = open_page(java_script_enabled=False)
    page.set_viewport_size({"width": WIDTH, "height": 800})
    SignIn(page, live_server, artifacts, f"no-js-phone-{language}").login("1000000001", "880515301238", "Demo2026!")
    for path in ("/profile", "/contracts", "/schedule", "/history", "/faq"):
        page.goto(live_server(f"{path}?lang={language}"))
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, (path, language)
    page.goto(live_server(f"/schedule?lang={language}"))
    page.screenshot(path=artifacts / f"no-js-phone-schedule-{language}-360.png", full_page=True)
