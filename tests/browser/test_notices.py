"""Notices for clients in Chromium: an editor signs in with a TOTP code and adds a notice (a language left out first);
Ахметов signs in, reads it over his cabinet, hides it (htmx, under the CSP), and it stays hidden on the next page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect

from portal.clock import now
from portal.domain.clock import kazakhstan_now
from portal.extensions import db
from portal.models import ClientNotice
from portal.staff.service import add_staff
from tests.browser.conftest import LiveServer
from tests.browser.pages import SignIn
from tests.browser.test_accessibility import violations

TEXTS = {
    "ru": "8 декабря с 01:00 до 03:00 плановые работы: кабинет может быть недоступен.",
    "kk": "8 желтоқсанда 01:00-ден 03:00-ге дейін жоспарлы жұмыстар: кабинет қолжетімсіз болуы мүмкін.",
    "en": "Planned maintenance on 8 December from 01:00 to 03:00: the cabinet may be unavailable.",
}


@pytest.fixture
def totp(live_server: LiveServer) -> pyotp.TOTP:
    with live_server.app.app_context():
        secret = add_staff("erlan", "Ерланов Ерлан", "Editor#Desk2026", ("editor",))[1]
        db.session.remove()
    return pyotp.TOTP(secret)


def shoot(page: Page, path: Path, width: int) -> None:
    """A full-page screenshot at this width, which must not scroll sideways."""
    page.set_viewport_size({"width": width, "height": 800 if width > 400 else 740})
    page.screenshot(path=path, full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, path.name
    page.set_viewport_size({"width": 1280, "height": 800})


def add_the_notice(page: Page, server: LiveServer, totp: pyotp.TOTP, artifacts: Path) -> None:
    page.goto(server("/staff/login"))
    page.get_by_label("Логин").fill("erlan")
    page.get_by_label("Пароль").fill("Editor#Desk2026")
    page.get_by_label("Код из приложения-аутентификатора").fill(totp.now())
    page.get_by_role("button", name="Войти").click()
    page.get_by_role("navigation", name="Разделы для сотрудников").get_by_role(
        "link", name="Объявления для клиентов"
    ).click()
    expect(page.get_by_role("heading", name="Объявления для клиентов", level=1)).to_be_visible()
    expect(page.get_by_text("Сейчас клиенты не видят ни одного объявления.")).to_be_visible()
    start = page.get_by_label("Начало показа")
    expect(start).not_to_have_value("")  # now, by default
    end = kazakhstan_now() + timedelta(hours=2)

    page.get_by_label("Текст на русском").fill(TEXTS["ru"])
    page.get_by_label("Текст на английском").fill(TEXTS["en"])
    page.get_by_label("Окончание показа").fill(end.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Добавить объявление").click()
    expect(page.get_by_text("Введите текст объявления на казахском языке.")).to_be_visible()
    expect(page.get_by_label("Текст на русском")).to_have_value(TEXTS["ru"])  # kept
    assert violations(page) == []
    shoot(page, artifacts / "notice-1-staff-missing-language-1280.png", 1280)

    page.get_by_label("Текст на казахском").fill(TEXTS["kk"])
    page.get_by_role("button", name="Добавить объявление").click()
    expect(page.get_by_text("Объявление добавлено.")).to_be_visible()
    shown_now = page.get_by_role("region", name="Сейчас показываются")
    for words in TEXTS.values():
        expect(shown_now).to_contain_text(words)
    expect(shown_now.get_by_role("button", name="Снять сейчас")).to_be_visible()
    assert violations(page) == []
    shoot(page, artifacts / "notice-2-staff-board-1280.png", 1280)
    shoot(page, artifacts / "notice-3-staff-board-360.png", 360)
    shown_now.get_by_role("link", name="Изменить").click()
    expect(page.get_by_role("heading", name="Изменить объявление")).to_be_visible()
    expect(page.get_by_label("Текст на казахском")).to_have_value(TEXTS["kk"])
    expect(page.get_by_label("Окончание показа")).to_have_value(end.strftime("%Y-%m-%dT%H:%M"))
    assert violations(page) == []
    shoot(page, artifacts / "notice-3-staff-edit-360.png", 360)
    page.get_by_role("button", name="Выйти").click()


def test_an_editor_adds_a_notice_and_the_client_reads_it_then_hides_it(
    open_page: Callable[..., Page], live_server: LiveServer, totp: pyotp.TOTP, artifacts: Path
) -> None:
    # axe-core is injected as a script, which the CSP rightly forbids: the editor's context sets the CSP aside.
    add_the_notice(open_page(bypass_csp=True), live_server, totp, artifacts)

    page = open_page()  # the client's browser keeps the CSP: htmx must work under it
    SignIn(page, live_server, artifacts, "notice").login("1000000001", "880515301238", "Demo2026!")
    expect(page.get_by_role("heading", name="Профиль")).to_be_visible()
    notice = page.get_by_role("status").filter(has_text=TEXTS["ru"])
    expect(notice).to_be_visible()
    shoot(page, artifacts / "notice-4-client-profile-1280.png", 1280)
    shoot(page, artifacts / "notice-5-client-profile-360.png", 360)
    page.goto(live_server("/profile?lang=kk"))
    expect(page.get_by_role("status").filter(has_text=TEXTS["kk"])).to_be_visible()
    expect(page.get_by_role("button", name="Жасыру")).to_be_visible()
    shoot(page, artifacts / "notice-5-client-profile-kk-360.png", 360)
    page.goto(live_server("/profile?lang=ru"))

    with page.expect_response(lambda response: "/dismiss" in response.url):
        notice.get_by_role("button", name="Скрыть").click()
    expect(notice).to_have_count(0)
    assert page.url == live_server("/profile?lang=ru")  # htmx removed it in place

    page.get_by_role("navigation", name="Навигационное меню").get_by_role("link", name="График платежей").click()
    expect(page.get_by_role("heading", name="График платежей")).to_be_visible()
    expect(page.get_by_text(TEXTS["ru"])).to_have_count(0)
    shoot(page, artifacts / "notice-6-client-schedule-hidden-1280.png", 1280)


def test_without_javascript_hide_brings_the_client_back_to_the_page_without_the_notice(
    open_page: Callable[..., Page], live_server: LiveServer, artifacts: Path
) -> None:
    with live_server.app.app_context():
        moment = now()
        db.session.add(
            ClientNotice(
                **{f"text_{language}": words for language, words in TEXTS.items()},
                starts_at=moment - timedelta(minutes=5),
                ends_at=moment + timedelta(hours=1),
                created_at=moment,
                updated_at=moment,
            )
        )
        db.session.commit()
        db.session.remove()

    page = open_page(java_script_enabled=False)
    SignIn(page, live_server, artifacts, "notice-no-js").login("1000000001", "880515301238", "Demo2026!")
    page.goto(live_server("/faq?q=пароль"))
    notice = page.get_by_role("status").filter(has_text=TEXTS["ru"])
    expect(notice).to_be_visible()
    shoot(page, artifacts / "notice-7-client-faq-360-no-js.png", 360)

    notice.get_by_role("button", name="Скрыть").click()

    expect(page.get_by_role("heading", name="Часто задаваемые вопросы")).to_be_visible()
    assert page.url == live_server("/faq?q=%D0%BF%D0%B0%D1%80%D0%BE%D0%BB%D1%8C")
    expect(page.get_by_text(TEXTS["ru"])).to_have_count(0)
