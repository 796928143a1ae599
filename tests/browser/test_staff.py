"""Support staff in Chromium: sign in with a TOTP code, find Ахметов, see his cabinet read-only under the banner;
then Ахметов signs in and reads in Профиль who looked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect

from portal.auth.throttle import STEP_UP_AFTER, client_account, count_failure
from portal.clock import now
from portal.extensions import db
from portal.staff.service import add_staff
from tests.browser.conftest import LiveServer
from tests.browser.pages import SignIn
from tests.browser.test_accessibility import violations

NAME = "Нурпеисова Айгуль"
BANNER = "Вы видите кабинет клиента Ахметов Данияр Серикович так, как его видит клиент. Изменения недоступны."


@pytest.fixture
def totp(live_server: LiveServer) -> pyotp.TOTP:
    with live_server.app.app_context():
        secret = add_staff("aigul", NAME, "Support#Desk2026")[1]
        db.session.remove()
    return pyotp.TOTP(secret)


def test_staff_find_the_client_see_the_cabinet_read_only_and_the_client_is_told(
    open_page: Callable[..., Page], live_server: LiveServer, totp: pyotp.TOTP, artifacts: Path
) -> None:
    shots = artifacts
    # axe-core is injected as a script, which the CSP rightly forbids: this context sets the CSP aside.
    page = open_page(bypass_csp=True)
    page.goto(live_server("/staff/login"))
    expect(page.get_by_role("heading", name="Вход для сотрудников поддержки")).to_be_visible()
    assert violations(page) == []
    page.get_by_label("Логин").fill("aigul")
    page.get_by_label("Пароль").fill("Support#Desk2026")
    page.get_by_label("Код из приложения-аутентификатора").fill(totp.now())
    page.screenshot(path=shots / "staff-1-staff-login.png", full_page=True)
    page.get_by_role("button", name="Войти").click()

    expect(page.get_by_role("heading", name="Поиск клиента")).to_be_visible()
    page.get_by_label("ИИН или номер счета").fill("880515301238")
    page.get_by_role("button", name="Найти").click()
    results = page.locator(".found-clients")
    expect(results).to_contain_text("Ахметов Данияр Серикович")
    assert violations(page) == []
    page.screenshot(path=shots / "staff-2-staff-search.png", full_page=True)

    results.get_by_role("link", name="Профиль").click()
    expect(page.get_by_role("heading", name="Профиль")).to_be_visible()
    banner = page.get_by_role("note")
    expect(banner).to_contain_text("Режим просмотра.")
    expect(banner).to_contain_text(BANNER)
    expect(page.locator(".field-row", has=page.get_by_text("ИИН", exact=True)).locator("dd")).to_have_text(
        "880515301238"
    )
    assert page.locator("form[method=post]").count() == 1  # the staff member's own logout, nothing of the client's
    assert violations(page) == []
    page.screenshot(path=shots / "staff-3-staff-profile.png", full_page=True)

    menu = page.get_by_role("navigation", name="Навигационное меню")
    menu.get_by_role("link", name="Мои договора").click()
    expect(page.get_by_role("heading", name="Мои договора")).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text(BANNER)
    tabs = page.get_by_role("navigation", name="Договоры").get_by_role("link")
    tabs.nth(1).click()
    expect(tabs.nth(1)).to_have_attribute("aria-current", "page")
    assert "/staff/clients/" in page.url and "/contracts/" in page.url
    assert violations(page) == []
    page.screenshot(path=shots / "staff-4-staff-contracts.png", full_page=True)

    menu.get_by_role("link", name="График платежей").click()
    expect(page.get_by_role("heading", name="График платежей")).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text(BANNER)
    expect(page.locator(".schedule-table tbody tr").first).to_be_visible()
    assert "/staff/clients/" in page.url
    assert violations(page) == []
    page.screenshot(path=shots / "staff-5-staff-schedule.png", full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    page.screenshot(path=shots / "staff-6-staff-schedule-360.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("button", name="Выйти").click()
    expect(page.get_by_role("heading", name="Вход для сотрудников поддержки")).to_be_visible()
    expect(page.get_by_text("Вы вышли из режима поддержки.")).to_be_visible()

    client_page = open_page()
    SignIn(client_page, live_server, artifacts, "staff").login("1000000001", "880515301238", "Demo2026!")
    expect(client_page.get_by_role("heading", name="Профиль")).to_be_visible()
    notice = client_page.locator(".staff-views")
    expect(notice).to_contain_text(f"Ваш кабинет просматривал сотрудник поддержки {NAME}, ")
    expect(client_page.get_by_role("note")).to_have_count(0)
    client_page.screenshot(path=shots / "staff-7-client-profile-notice.png", full_page=True)


def test_support_clears_a_clients_sign_in_restrictions_and_the_client_signs_in(
    open_page: Callable[..., Page], live_server: LiveServer, totp: pyotp.TOTP, artifacts: Path
) -> None:
    with live_server.app.app_context():  # fifty failed passwords from everywhere: the next sign-in asks for a code
        key = client_account("1000000001", "880515301238")
        for _ in range(STEP_UP_AFTER):
            count_failure(key, now())
        db.session.commit()
        db.session.remove()
    page = open_page(bypass_csp=True)
    page.goto(live_server("/staff/login"))
    page.get_by_label("Логин").fill("aigul")
    page.get_by_label("Пароль").fill("Support#Desk2026")
    page.get_by_label("Код из приложения-аутентификатора").fill(totp.now())
    page.get_by_role("button", name="Войти").click()
    page.get_by_label("ИИН или номер счета").fill("1000000001")
    page.get_by_role("button", name="Найти").click()
    results = page.locator(".found-clients")
    expect(results).to_contain_text("8805****1238")
    expect(results).not_to_contain_text("880515301238")

    results.get_by_role("link", name="Вход в кабинет").click()
    expect(page.get_by_role("heading", name="Вход в кабинет: Ахметов Данияр Серикович")).to_be_visible()
    expect(page.get_by_text("Следующий вход — с кодом из СМС")).to_be_visible()
    assert violations(page) == []
    page.screenshot(path=artifacts / "staff-signin-1-state-1280.png", full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    page.screenshot(path=artifacts / "staff-signin-2-state-360.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_label("Причина (например, номер обращения клиента)").fill("Обращение № 4512: клиент не может войти")
    page.get_by_role("button", name="Снять ограничения").click()
    expect(page.get_by_text("Ограничения входа сняты. Клиент увидит это в Профиле.")).to_be_visible()
    expect(page.get_by_text("Не нужен")).to_be_visible()
    page.screenshot(path=artifacts / "staff-signin-3-cleared-1280.png", full_page=True)
    page.get_by_role("button", name="Выйти").click()

    client_page = open_page()
    SignIn(client_page, live_server, artifacts, "staff-signin").login("1000000001", "880515301238", "Demo2026!")
    expect(client_page.get_by_role("heading", name="Профиль")).to_be_visible()  # no SMS code asked
    expect(client_page.locator(".staff-views")).to_contain_text(f"Сотрудник поддержки {NAME} снял ограничения входа, ")
    client_page.screenshot(path=artifacts / "staff-signin-4-client-profile-1280.png", full_page=True)
    client_page.set_viewport_size({"width": 360, "height": 740})
    client_page.screenshot(path=artifacts / "staff-signin-5-client-profile-360.png", full_page=True)
    assert client_page.evaluate("document.documentElement.scrollWidth") <= 360
