"""Admins in Chromium: an admin signs in with a TOTP code, adds a support member, reads the secret shown once, and
the new member signs in with a code from it in a browser of their own and reaches the client search."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.staff.service import add_staff
from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import violations

ADMIN_NAME = "Ерланов Ерлан"
MEMBER_NAME = "Данова Дана"


class StaffSignIn:
    """The staff's sign-in page, by its labels."""

    def __init__(self, page: Page, server: LiveServer) -> None:
        self.page = page
        self.server = server

    def sign_in(self, login: str, password: str, totp: pyotp.TOTP) -> None:
        self.page.goto(self.server("/staff/login"))
        self.page.get_by_label("Логин").fill(login)
        self.page.get_by_label("Пароль").fill(password)
        self.page.get_by_label("Код из приложения-аутентификатора").fill(totp.now())
        self.page.get_by_role("button", name="Войти").click()


@pytest.fixture
def admin_totp(live_server: LiveServer) -> pyotp.TOTP:
    with live_server.app.app_context():
        secret = add_staff("erlan", ADMIN_NAME, "Admin#Desk2026", ("admin",))[1]
        db.session.remove()
    return pyotp.TOTP(secret)


def shots_at_two_widths(page: Page, path: Path, name: str) -> None:
    page.screenshot(path=path / f"members-{name}-1280.png", full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    page.screenshot(path=path / f"members-{name}-360.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 800})


def test_an_admin_adds_a_support_member_who_signs_in_with_the_secret_shown_once(
    open_page: Callable[..., Page], live_server: LiveServer, admin_totp: pyotp.TOTP, artifacts: Path
) -> None:
    page = open_page(bypass_csp=True)  # axe-core is injected as a script, which the CSP rightly forbids
    StaffSignIn(page, live_server).sign_in("erlan", "Admin#Desk2026", admin_totp)
    expect(page.get_by_role("heading", name="Загрузки данных")).to_be_visible()

    page.get_by_role("navigation", name="Разделы для сотрудников").get_by_role("link", name="Сотрудники").click()
    expect(page.get_by_role("heading", name="Сотрудники")).to_be_visible()
    expect(page.locator(".members-table")).to_contain_text(ADMIN_NAME)
    page.get_by_role("link", name="Добавить сотрудника").click()
    expect(page.get_by_role("heading", name="Добавить сотрудника")).to_be_visible()
    page.get_by_label("Логин").fill("dana")
    page.get_by_label("ФИО").fill(MEMBER_NAME)
    page.get_by_label("Поддержка — клиенты: поиск, кабинет, проблемы входа").check()
    page.get_by_label("Начальный пароль").fill("short")
    page.get_by_role("button", name="Добавить сотрудника").click()
    expect(page.get_by_text("Пароль не выполняет условия:")).to_be_visible()
    expect(page.get_by_label("Логин")).to_have_value("dana")  # the typed values stay
    expect(page.get_by_label("Поддержка — клиенты: поиск, кабинет, проблемы входа")).to_be_checked()
    assert violations(page) == []
    shots_at_two_widths(page, artifacts, "0-new-refused")
    page.get_by_label("Начальный пароль").fill("Dana#Support2026")
    page.get_by_role("button", name="Добавить сотрудника").click()

    expect(page.get_by_role("heading", name="Сотрудник добавлен: dana")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Секрет показан один раз: больше его не покажут.")
    expect(page.locator("svg.totp-qr")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    assert len(secret) == 32
    assert violations(page) == []
    shots_at_two_widths(page, artifacts, "2-secret")

    page.get_by_role("link", name="Готово: к странице сотрудника").click()
    expect(page.get_by_role("heading", name="Сотрудник dana")).to_be_visible()
    expect(page.locator("#totp-secret")).to_have_count(0)  # never again
    assert violations(page) == []
    shots_at_two_widths(page, artifacts, "3-member")

    member = open_page()  # a browser of the member's own
    StaffSignIn(member, live_server).sign_in("dana", "Dana#Support2026", pyotp.TOTP(secret))
    expect(member.get_by_role("heading", name="Поиск клиента")).to_be_visible()
    expect(member.get_by_role("link", name="Сотрудники")).to_have_count(0)

    page.get_by_role("link", name="К списку сотрудников").click()
    rows = page.locator(".members-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="dana")).not_to_contain_text("Не входил(а)")  # her sign-in, just now
    expect(rows.filter(has_text="erlan")).to_contain_text("Администратор")
    assert violations(page) == []
    shots_at_two_widths(page, artifacts, "1-list")
    page.get_by_role("link", name="ҚАЗ").click()
    expect(page.get_by_role("heading", name="Қызметкерлер")).to_be_visible()
    shots_at_two_widths(page, artifacts, "1-list-kk")
