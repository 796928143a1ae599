"""WCAG 2.1 AA: axe-core finds nothing on every page and state, in every language; the keyboard reaches
everything in a sensible order; on a 360 px phone nothing scrolls sideways and every control is a 44 px target."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.pages import ByFieldIds, SignIn

AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe-4.14.1.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LANGUAGES = ["ru", "kk", "en"]


@pytest.fixture
def audit_page(open_page: Callable[..., Page]) -> Page:
    """axe-core is injected as a script, which the CSP rightly forbids: the audit's context sets it aside."""
    return open_page(bypass_csp=True)


def violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async (tags) => (await axe.run(document, {runOnly: tags})).violations", WCAG)
    return [f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in found]


def states(server: LiveServer, language: str) -> list[tuple[str, Callable[[Page], None]]]:
    """Each page and state a client meets, reached as the client reaches it."""

    def go(path: str) -> Callable[[Page], None]:
        return lambda page: page.goto(server(path)) and None

    def login_error(page: Page) -> None:
        ByFieldIds(page, server).login("1000000001", "880515301238", "Wrong#2026")
        expect(page.get_by_role("alert")).to_be_visible()

    def register_errors(page: Page) -> None:
        page.goto(server("/register"))
        page.locator("#facts-form button[type=submit]").click()
        expect(page.locator(".field-error").first).to_be_visible()

    def code_error(page: Page) -> None:
        page.goto(server("/register"))
        ByFieldIds(page, server).submit_facts()
        page.wait_for_url(server("/register/code"))
        ByFieldIds(page, server).enter_code("000000" if server.last_code() != "000000" else "111111")
        expect(page.get_by_role("alert")).to_be_visible()

    def password_problems(page: Page) -> None:
        ByFieldIds(page, server).enter_code(server.last_code())
        ByFieldIds(page, server).create_password("Qwerty123!")
        expect(page.get_by_role("alert")).to_be_visible()

    def faq_open(page: Page) -> None:
        page.goto(server("/faq"))
        page.locator("#faq-results summary").first.click()

    def debt_open(page: Page) -> None:
        page.goto(server("/contracts"))
        page.locator(".debt-why summary").first.click()
        expect(page.locator(".overdue-list")).to_be_visible()

    def signed_in(page: Page) -> None:
        ByFieldIds(page, server).login("1000000001", "880515301238", "Demo2026!")
        page.wait_for_url(server("/profile"))

    def menu_expanded(page: Page) -> None:
        page.locator(".menu-toggle").click()
        expect(page.locator(".menu-toggle")).to_have_attribute("aria-expanded", "true")

    def how_to_pay(page: Page) -> None:
        page.goto(server("/contracts"))
        page.locator(".document-links a[href$='/pay']").click()
        expect(page.locator(".pay-qr img")).to_be_visible()

    return [
        ("start", go(f"/?lang={language}")),
        ("login", go("/login")),
        ("login-error", login_error),
        ("register-errors", register_errors),
        ("reset", go("/password/reset")),
        ("code-error", code_error),
        ("password-problems", password_problems),
        ("faq-answer-open", faq_open),
        ("not-found", go("/no-such-page")),
        ("profile-menu-collapsed", signed_in),
        ("profile-menu-expanded", menu_expanded),
        ("contracts", go("/contracts")),
        ("schedule", go("/schedule")),
        ("how-to-pay", how_to_pay),
        ("verify-unknown-code", go("/verify/AAAAAAAAAAAAAAAA")),
        ("history", go("/history")),
        ("contracts-debt-explained", debt_open),
        ("faq-signed-in", faq_open),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_axe_finds_no_violation_on_any_page_or_state(audit_page: Page, live_server: LiveServer, language: str) -> None:
    from portal.extensions import db
    from portal.faq.loader import load_faq

    with live_server.app.app_context():
        load_faq(db.session, Path(__file__).resolve().parents[2] / "portal" / "data" / "faq.json")
        db.session.remove()
    found = {}
    for name, reach in states(live_server, language):
        reach(audit_page)
        expect(audit_page.locator("html")).to_have_attribute("lang", language)
        problems = violations(audit_page)
        if problems:
            found[name] = problems
    assert found == {}


def test_keyboard_alone_signs_in_and_walks_the_cabinet(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server("/"))
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Перейти к содержимому")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(
        page.get_by_role("link", name="Личный кабинет клиентов АО «Казахстанская Жилищная Компания»")
    ).to_be_focused()
    page.keyboard.press("Enter")

    page.wait_for_url(live_server("/login"))
    focus_until(page, lambda: page.get_by_label("Номер счета"))
    page.keyboard.type("1000000001")
    page.keyboard.press("Tab")
    expect(page.get_by_label("ИИН")).to_be_focused()
    page.keyboard.type("880515301238")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Пароль")).to_be_focused()  # the field that appeared takes the focus
    page.keyboard.type("Demo2026!")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server("/profile"))

    toggle = page.get_by_role("button", name="Меню")
    focus_until(page, lambda: toggle)
    assert (
        "outline" in page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        or page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    )
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(
        page.get_by_role("navigation", name="Навигационное меню").get_by_role("link", name="Мои договора")
    ).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(live_server("/contracts"))
    expect(page.get_by_role("heading", name="Мои договора")).to_be_visible()


def focus_until(page: Page, target: Callable[[], Any], limit: int = 30) -> None:
    """Tab forward until the target has the focus, as a keyboard user does; fail if it is never reached."""
    for _ in range(limit):
        if target().evaluate("e => e === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError("never reached by Tab")


TAP_TARGETS = (
    "button, input:not([type=hidden]), select, summary, .menu-item, .tab, .pagination a, .page-size, .language, .button"
)


@pytest.mark.parametrize("language", LANGUAGES)
def test_on_a_phone_nothing_scrolls_sideways_and_targets_are_44_px(
    page: Page, live_server: LiveServer, artifacts: Path, language: str
) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    SignIn(page, live_server, artifacts, language).login("1000000001", "880515301238", "Demo2026!")
    page.wait_for_url(live_server("/profile"))
    for path in ["/profile", "/contracts", "/schedule", "/history", "/faq", "/"]:
        page.goto(live_server(f"{path}?lang={language}"))
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        small = page.evaluate(
            """(selector) => [...document.querySelectorAll(selector)]
                 .filter(e => e.offsetParent !== null)
                 .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height])
                 .filter(([, h]) => h < 44)""",
            TAP_TARGETS,
        )
        assert small == [], (path, small)
        name = re.sub(r"\W", "", path) or "start"
        page.screenshot(path=artifacts / f"phone-{name}-{language}.png", full_page=True)
