"""The page cache in Chromium, with Redis as in production: tabs, pages and the way back are shown again from the
page cache exactly as the app first showed them, with and without JavaScript; after logout neither this browser
nor one holding a copy of its cookie sees them again."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, serving
from tests.browser.pages import SignIn


@pytest.fixture
def cached_server(migrated: str, tmp_path: Path, redis_url: str) -> Iterator[LiveServer]:
    with serving(migrated, tmp_path, REDIS_URL=redis_url) as server:
        yield server


@pytest.fixture
def served_from_cache() -> Iterator[list[str]]:
    """The paths the page cache served, from the server's request log lines."""
    served: list[str] = []

    class Watch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if getattr(record, "page_cache", None) == "hit":
                served.append(record.getMessage().split()[1])

    requests = logging.getLogger("portal.requests")
    watch = Watch()
    previous = requests.level
    requests.setLevel(logging.INFO)
    requests.addHandler(watch)
    yield served
    requests.removeHandler(watch)
    requests.setLevel(previous)


def panel_text(page: Page) -> str:
    return page.locator("#contract-panel").inner_text()


def test_tabs_and_pages_seen_again_come_from_the_page_cache_as_first_shown(
    any_page: Page, javascript: bool, cached_server: LiveServer, artifacts: Path, served_from_cache: list[str]
) -> None:
    page = any_page
    tag = "js" if javascript else "no-js"
    SignIn(page, cached_server, artifacts, tag).login("1000000001", "880515301238", "Demo2026!")
    expect(page.get_by_role("heading", name="Профиль")).to_be_visible()

    page.goto(cached_server("/contracts"))
    rent = page.get_by_role("link", name=re.compile("^ДА-"))
    loan = page.get_by_role("link", name=re.compile("^ЗМ-"))
    rent.click()
    expect(rent).to_have_attribute("aria-current", "page")
    first_shown = panel_text(page)
    loan.click()
    expect(page.get_by_text("Заём", exact=True)).to_be_visible()
    rent.click()
    expect(rent).to_have_attribute("aria-current", "page")

    assert panel_text(page) == first_shown
    assert any(path.startswith("/contracts/") for path in served_from_cache), served_from_cache
    page.screenshot(path=artifacts / f"page-cache-contracts-{tag}.png", full_page=True)

    page.goto(cached_server("/schedule"))
    rows = page.locator("table.schedule-table tbody tr")
    expect(rows).to_have_count(12)
    first_rows = rows.all_inner_texts()
    first_due = rows.first.locator("th").inner_text()
    pages = page.get_by_role("navigation", name="Страницы графика")
    pages.get_by_role("link", name="Страница 1", exact=True).click()
    expect(page).to_have_url(re.compile(r"page=1"))
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"page=1"))
    pages.get_by_role("link", name="Страница 1", exact=True).click()
    expect(page).to_have_url(re.compile(r"page=1"))
    page.go_back()
    expect(rows.first.locator("th")).to_have_text(first_due)  # the page restored, not the one left
    assert rows.all_inner_texts() == first_rows
    assert any(path.startswith("/schedule") for path in served_from_cache), served_from_cache
    page.screenshot(path=artifacts / f"page-cache-schedule-{tag}.png", full_page=True)

    cookie = next(c for c in page.context.cookies() if c["name"] == "session")
    page.get_by_role("button", name="Выйти").click()
    expect(page.get_by_text("Вы вышли из Личного кабинета.")).to_be_visible()

    page.goto(cached_server("/schedule"))
    expect(page.get_by_role("heading", name="Вход в Личный кабинет")).to_be_visible()
    page.context.add_cookies([cookie])  # a copy of the session cookie, taken before logout
    page.goto(cached_server("/contracts"))
    expect(page.get_by_role("heading", name="Вход в Личный кабинет")).to_be_visible()
    expect(page.locator("#contract-panel")).to_have_count(0)
