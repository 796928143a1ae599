"""An editor in Chromium changes an answer of the FAQ, previews it, saves it, and a client's FAQ search finds the new
words; then the editor brings the earlier version back and the client's search no longer does."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.faq.loader import load_faq
from portal.staff.service import add_staff
from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import violations

SHIPPED = Path(__file__).resolve().parents[2] / "portal" / "data" / "faq.json"
QUESTION = "Что такое Личный кабинет?"
NEW_WORDS = "Кабинет открыт круглосуточно, даже в Наурыз."


@pytest.fixture
def editor_totp(live_server: LiveServer) -> pyotp.TOTP:
    with live_server.app.app_context():
        load_faq(db.session, SHIPPED)
        secret = add_staff("aliya", "Садыкова Алия", "Editor#Desk2026", ("editor",))[1]
        db.session.remove()
    return pyotp.TOTP(secret)


def at_both_widths(page: Page, artifacts: Path, name: str) -> None:
    page.screenshot(path=artifacts / f"{name}-1280.png", full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    page.screenshot(path=artifacts / f"{name}-360.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
    page.set_viewport_size({"width": 1280, "height": 800})


def test_an_editor_changes_an_answer_and_a_clients_search_finds_the_new_words(
    open_page: Callable[..., Page], live_server: LiveServer, editor_totp: pyotp.TOTP, artifacts: Path
) -> None:
    client = open_page()
    client.goto(live_server("/faq?q=Наурыз"))
    expect(client.get_by_text("Ничего не найдено. Попробуйте другие слова.")).to_be_visible()

    page = open_page(bypass_csp=True)  # axe-core is injected as a script, which the CSP rightly forbids
    page.goto(live_server("/staff/login"))
    page.get_by_label("Логин").fill("aliya")
    page.get_by_label("Пароль").fill("Editor#Desk2026")
    page.get_by_label("Код из приложения-аутентификатора").fill(editor_totp.now())
    page.get_by_role("button", name="Войти").click()
    page.get_by_role("navigation", name="Разделы для сотрудников").get_by_role("link", name="Вопросы и ответы").click()
    expect(page.get_by_role("heading", name="Вопросы и ответы", level=1)).to_be_visible()
    expect(page.get_by_text("Всего вопросов: 56")).to_be_visible()
    assert violations(page) == []
    at_both_widths(page, artifacts, "faq-editor-1-list")

    page.get_by_label("Поиск по словам на любом языке").fill("Жеке кабинет")
    page.get_by_role("button", name="Найти", exact=True).click()
    page.get_by_role("link", name=QUESTION).click()
    expect(page.get_by_role("heading", name=f"Вопрос: {QUESTION}")).to_be_visible()
    russian = page.get_by_role("group", name="Русский")
    answer = russian.get_by_label("Ответ")
    answer.fill(f"{answer.input_value()} {NEW_WORDS}")
    page.get_by_role("button", name="Предпросмотр").click()
    preview = page.get_by_role("region", name="Предпросмотр: так вопрос увидят клиенты")
    expect(preview.locator('[lang="ru"] details[open] > div')).to_contain_text(NEW_WORDS)
    expect(answer).to_have_value(re.compile(f" {re.escape(NEW_WORDS)}$"))  # the typed words stay in the form
    assert violations(page) == []
    at_both_widths(page, artifacts, "faq-editor-2-preview")

    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Изменения сохранены.")).to_be_visible()
    versions = page.get_by_role("region", name="Версии")
    expect(versions.locator("li")).to_have_count(2)
    expect(versions.locator("li").first).to_contain_text("Садыкова Алия: изменен")
    at_both_widths(page, artifacts, "faq-editor-3-versions")

    client.goto(live_server("/faq"))
    client.get_by_role("searchbox", name="Поиск по ключевым словам").fill("наурызе")  # another form of the word
    expect(client.locator("#faq-results summary")).to_have_text([QUESTION])
    client.locator("#faq-results summary").click()
    expect(client.locator("#faq-results mark")).to_have_text(["Наурыз"])
    client.screenshot(path=artifacts / "faq-editor-4-client-finds-1280.png", full_page=True)

    versions.locator("li").nth(1).get_by_role("button", name="Вернуть эту версию").click()
    expect(page.get_by_text("Прежняя версия вопроса возвращена.")).to_be_visible()
    client.goto(live_server("/faq?q=Наурыз"))
    expect(client.get_by_text("Ничего не найдено. Попробуйте другие слова.")).to_be_visible()
