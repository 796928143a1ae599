"""The start page as a client first sees it, in Chromium."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer


def test_start_page_leads_into_the_cabinet(page: Page, live_server: LiveServer, artifacts: Path) -> None:
    page.goto(live_server("/"))

    expect(page).to_have_title(re.compile("Жилищный портал"))
    entry = page.get_by_role("link", name="Личный кабинет клиентов АО «Казахстанская Жилищная Компания»")
    expect(entry).to_be_visible()
    expect(page.get_by_role("link", name="Первичная авторизация")).to_be_visible()
    page.screenshot(path=artifacts / "start-page-1280.png", full_page=True)

    page.set_viewport_size({"width": 360, "height": 740})
    expect(entry).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=artifacts / "start-page-360.png", full_page=True)

    entry.click()
    expect(page).to_have_url(live_server("/login"))


def test_language_switch_is_remembered(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server("/"))
    page.get_by_role("link", name="ENG").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(live_server("/faq"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
