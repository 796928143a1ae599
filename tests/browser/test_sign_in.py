"""The manual's ways in, walked in Chromium with JavaScript and without, with screenshots."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.pages import ByFieldIds, SignIn


def test_first_time_authorization_of_the_unregistered_demo_client(
    any_page: Page, live_server: LiveServer, artifacts: Path, javascript: bool
) -> None:
    mode = "js" if javascript else "no-js"
    flow = SignIn(any_page, live_server, artifacts, mode)
    any_page.goto(live_server("/"))
    any_page.get_by_role("link", name="Первичная авторизация").click()
    expect(any_page.get_by_role("heading", name="Первичная авторизация")).to_be_visible()

    flow.fill_facts("1000000003", "ДА-2023-00318", "92110240456", "+7 701 765 43 21", "2023-03-15")
    any_page.get_by_role("button", name="Продолжить").click()
    expect(any_page.get_by_text("ИИН состоит из 12 цифр.")).to_be_visible()
    expect(any_page.get_by_label("Номер договора")).to_have_value("ДА-2023-00318")
    expect(any_page.get_by_text("Без согласия на обработку персональных данных")).to_be_visible()
    flow.shot("register-errors")

    any_page.get_by_label("ИИН").fill("921102404563")
    any_page.get_by_label("Я даю согласие").check()
    flow.shot("register-facts")
    any_page.get_by_role("button", name="Продолжить").click()

    expect(any_page.get_by_text("+7 701 *** ** 21")).to_be_visible()
    expect(any_page.get_by_text(f"Код для демо-доступа: {live_server.last_code()}")).to_be_visible()
    resend = any_page.get_by_role("button", name="Отправить код повторно")
    if mode == "js":
        expect(resend).to_be_disabled()
    flow.shot("register-code")
    flow.enter_code()

    expect(any_page.get_by_role("heading", name="Создание пароля")).to_be_visible()
    any_page.get_by_label("Пароль", exact=True).fill("Ainur#Home2027")
    if mode == "js":  # the checklist ticks as the client types
        expect(any_page.locator(".rule-met")).to_have_count(5)
        any_page.get_by_label("Повторите пароль").fill("Ainur#Home2027")
        expect(any_page.locator(".rule-met")).to_have_count(6)
    else:
        any_page.get_by_label("Повторите пароль").fill("Ainur#Home2027")
    flow.shot("register-password")
    any_page.get_by_role("button", name="Завершить первичную авторизацию").click()

    flow.expect_profile()
    expect(any_page.get_by_text("Первичная авторизация завершена")).to_be_visible()
    flow.shot("register-done")


def test_login_in_two_steps_with_enter_then_logout(
    any_page: Page, live_server: LiveServer, artifacts: Path, javascript: bool
) -> None:
    mode = "js" if javascript else "no-js"
    flow = SignIn(any_page, live_server, artifacts, mode)
    flow.open_login()
    flow.identify("1000000001", "880515301238")
    if mode == "js":
        expect(any_page).to_have_url(live_server("/login"))  # the password field appeared in place
    flow.shot("login-password-step")
    flow.password_with_enter("Demo2026!")

    flow.expect_profile()
    expect(any_page.get_by_text("Демо", exact=True)).to_be_visible()
    any_page.get_by_role("button", name="Выйти").click()
    expect(any_page.get_by_text("Вы вышли из Личного кабинета.")).to_be_visible()
    any_page.goto(live_server("/profile"))
    expect(any_page.get_by_role("heading", name="Вход в Личный кабинет")).to_be_visible()


def test_a_wrong_password_then_the_wait(
    any_page: Page, live_server: LiveServer, artifacts: Path, javascript: bool
) -> None:
    mode = "js" if javascript else "no-js"
    flow = SignIn(any_page, live_server, artifacts, mode)
    flow.login("1000000001", "880515301238", "Wrong#2026")
    expect(any_page.get_by_text("Неверный номер счета, ИИН или пароль.")).to_be_visible()
    flow.shot("login-wrong-password")

    for _ in range(5):
        flow.password_with_enter("Wrong#2026")
        # The answer has replaced the form (its password field is empty again) before the next attempt.
        expect(any_page.get_by_label("Пароль")).to_have_value("")
    expect(any_page.get_by_text("Слишком много неудачных попыток. Повторите через 30 с.")).to_be_visible()
    flow.shot("login-throttled")


def test_password_reset(any_page: Page, live_server: LiveServer, artifacts: Path, javascript: bool) -> None:
    mode = "js" if javascript else "no-js"
    flow = SignIn(any_page, live_server, artifacts, mode)
    with live_server.app.app_context():
        from sqlalchemy import select

        from portal.extensions import db
        from portal.models import Contract

        number, signed_on = db.session.execute(
            select(Contract.number, Contract.signed_on).where(Contract.account == "1000000001")
        ).one()
        db.session.remove()
    flow.open_login()
    any_page.get_by_role("link", name="Забыли пароль?").click()
    expect(any_page.get_by_role("heading", name="Восстановление пароля")).to_be_visible()
    flow.fill_facts("1000000001", number, "880515301238", "87011234567", signed_on.isoformat())
    any_page.get_by_role("button", name="Продолжить").click()
    flow.enter_code()
    flow.create_password("Danik#Astana2027", "Сохранить новый пароль")

    flow.expect_profile()
    flow.shot("reset-done")


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_without_javascript_the_flows_complete_in_each_language(
    open_page: Callable[..., Page], live_server: LiveServer, artifacts: Path, language: str
) -> None:
    page = open_page(java_script_enabled=False)
    steps = ByFieldIds(page, live_server)
    page.goto(live_server(f"/register?lang={language}"))
    steps.submit_facts()
    page.wait_for_url(live_server("/register/code"))
    steps.enter_code(live_server.last_code())
    page.wait_for_url(live_server("/register/password"))
    steps.create_password("Ainur#Home2027")
    page.wait_for_url(live_server("/profile"))
    expect(page.locator("html")).to_have_attribute("lang", language)

    page.locator("form.logout button").click()
    steps.login("1000000003", "921102404563", "Ainur#Home2027")
    page.wait_for_url(live_server("/profile"))

    page.locator(".menu-item[href='/schedule']").click()
    page.locator(".pagination a[rel=next]").click()
    expect(page).to_have_url(re.compile(r"page="))
    page.locator(".page-size", has_text="24").click()
    expect(page.locator("table.schedule-table tbody tr")).to_have_count(24)
    page.locator("#year").select_option(index=1)
    page.locator("form.year-filter button[type=submit]").click()  # «Показать», shown when scripts are off
    expect(page).to_have_url(re.compile(r"year=20\d\d"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.screenshot(path=artifacts / f"no-js-schedule-{language}.png", full_page=True)
