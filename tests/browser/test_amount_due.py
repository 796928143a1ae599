"""The amount due, first, as the demo client sees it in Chromium: on Мои договора above the figures, on Как
оплатить and on Профиль, at a desktop's and a phone's width, in three languages (screenshots in tests/artifacts)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.pages import SignIn

DUE = {"ru": "К оплате до", "kk": "дейін төлеуге", "en": "To pay by"}
OVERDUE = {"ru": "Просрочено сейчас", "kk": "Қазір мерзімі өткен", "en": "Overdue now"}
PAY = {"ru": "Как оплатить", "kk": "Қалай төлеуге болады", "en": "How to pay"}


@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_the_amount_due_comes_first_and_leads_to_paying(
    page: Page, live_server: LiveServer, artifacts: Path, language: str, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    SignIn(page, live_server, artifacts, "due").login("1000000001", "880515301238", "Demo2026!")
    expect(page.get_by_role("heading", name="Профиль")).to_be_visible()
    page.goto(live_server(f"/contracts?lang={language}"))

    due = page.locator(".amount-due").first
    expect(due).to_contain_text(DUE[language])
    expect(due).to_contain_text(OVERDUE[language])  # the demo's first contract has a debt
    box, figures = due.bounding_box(), page.locator(".fields").first.bounding_box()
    assert box is not None and figures is not None and box["y"] < figures["y"], "the amount due stands above"
    assert box["x"] + box["width"] <= width, "the block fits the screen"
    page.screenshot(path=artifacts / f"due-contracts-{language}-{width}.png", full_page=True)

    due.get_by_role("link", name=PAY[language]).click()
    expect(page.locator(".amount-due")).to_contain_text(DUE[language])
    page.screenshot(path=artifacts / f"due-pay-{language}-{width}.png", full_page=True)

    page.goto(live_server("/profile"))
    expect(page.locator(".amount-due")).to_have_count(2)  # a block per contract
    page.screenshot(path=artifacts / f"due-profile-{language}-{width}.png", full_page=True)


EARLY = {"ru": "Досрочное погашение", "kk": "Мерзімінен бұрын өтеу", "en": "Early repayment"}
CALCULATE = {"ru": "Рассчитать", "kk": "Есептеу", "en": "Calculate"}
PARTIAL = {"ru": "Если внести", "kk": "енгізсеңіз", "en": "If you pay"}


@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_an_early_repayment_is_worked_out_for_a_partial_amount(
    page: Page, live_server: LiveServer, artifacts: Path, language: str, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    SignIn(page, live_server, artifacts, "early").login("1000000002", "880515301238", "Demo2026!")
    expect(page.get_by_role("heading", name="Профиль")).to_be_visible()
    page.goto(live_server(f"/contracts?lang={language}"))
    page.get_by_role("link", name="ЗМ-2025-00542").click()
    page.get_by_role("link", name=EARLY[language]).click()
    expect(page.get_by_role("heading", name=EARLY[language], exact=True)).to_be_visible()

    page.get_by_label(re.compile("₸")).fill("500 000")
    page.get_by_role("button", name=CALCULATE[language]).click()
    expect(page.locator(".early-partial")).to_contain_text(PARTIAL[language])
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "nothing scrolls sideways"
    page.screenshot(path=artifacts / f"early-{language}-{width}.png", full_page=True)
