"""Часто задаваемые вопросы in Chromium: accordion by mouse and keyboard, live search, page size, pages, Back."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from portal.extensions import db
from portal.faq.loader import load_faq
from portal.faq.search import Query
from tests.browser.conftest import LiveServer
from tests.browser.pages import SignIn

SHIPPED = Path(__file__).resolve().parents[2] / "portal" / "data" / "faq.json"
ENTRIES = json.loads(SHIPPED.read_text(encoding="utf-8"))["entries"]
QUESTIONS = [entry["question"]["ru"] for entry in ENTRIES]
ANSWERS = [entry["answer"]["ru"] for entry in ENTRIES]


def found(query: str) -> int:
    """How many questions the search finds for the query (what the page must then show)."""
    return len(Query(query).rank(list(zip(QUESTIONS, ANSWERS, strict=True))))


@pytest.fixture
def faq_server(live_server: LiveServer) -> LiveServer:
    """The live server with the shipped FAQ loaded."""
    with live_server.app.app_context():
        load_faq(db.session, SHIPPED)
        db.session.remove()
    return live_server


class Faq:
    """The FAQ page as a client uses it, by its labels."""

    def __init__(self, page: Page, server: LiveServer) -> None:
        self.page = page
        self.server = server

    def open(self, path: str = "/faq") -> None:
        self.page.goto(self.server(path))
        expect(self.page.get_by_role("heading", name="Часто задаваемые вопросы", level=1)).to_be_visible()

    @property
    def entries(self) -> Locator:
        return self.page.locator("#faq-results details")

    def question(self, text: str) -> Locator:
        return self.page.locator("#faq-results summary").filter(has_text=text)

    def answer(self, text: str) -> Locator:
        return self.page.get_by_text(text, exact=True)

    @property
    def search_box(self) -> Locator:
        return self.page.get_by_role("searchbox", name="Поиск по ключевым словам")

    def page_size(self, size: int) -> Locator:
        return self.page.get_by_role("group", name="Количество вопросов на странице").get_by_role(
            "link", name=str(size)
        )

    def page_link(self, number: int) -> Locator:
        return self.page.get_by_role("navigation", name="Страницы вопросов").get_by_role(
            "link", name=f"Страница {number}"
        )

    def mark_document(self) -> None:
        """Tag the loaded document: the tag survives htmx swaps and vanishes with a page load."""
        self.page.evaluate("window.faqDocument = 'kept'")

    def expect_same_document(self) -> None:
        assert self.page.evaluate("window.faqDocument") == "kept", "the page was loaded again"

    def expect_questions(self, first: int, count: int) -> None:
        expect(self.entries).to_have_count(count)
        expect(self.entries.first.locator("summary")).to_have_text(QUESTIONS[first])


def expect_query(page: Page, /, **args: str) -> None:
    """Wait until the address bar shows /faq with exactly these query arguments (in any order), and until no
    request is still under way (a search typed a moment ago may still answer and swap the list again)."""

    def shown(url: str) -> bool:
        parts = urlsplit(url)
        return parts.path == "/faq" and parse_qs(parts.query) == {name: [value] for name, value in args.items()}

    page.wait_for_url(shown)
    page.wait_for_load_state("networkidle")


def test_a_question_opens_and_closes_its_answer_by_mouse_and_keyboard(
    page: Page, faq_server: LiveServer, artifacts: Path
) -> None:
    faq = Faq(page, faq_server)
    faq.open()
    faq.expect_questions(0, 10)
    expect(faq.answer(ANSWERS[0])).to_be_hidden()

    faq.question(QUESTIONS[0]).get_by_text(QUESTIONS[0]).click()
    expect(faq.answer(ANSWERS[0])).to_be_visible()
    faq.question(QUESTIONS[0]).get_by_text(QUESTIONS[0]).click()
    expect(faq.answer(ANSWERS[0])).to_be_hidden()

    # The +/− icon sits at the right end of the question; a click there toggles the answer, and the icon turns.
    summary = faq.question(QUESTIONS[1])
    icon = "e => getComputedStyle(e, '::after').backgroundImage"
    box = summary.bounding_box()
    assert box is not None
    assert "plus.svg" in summary.evaluate(icon)
    page.mouse.click(box["x"] + box["width"] - 24, box["y"] + box["height"] / 2)
    expect(faq.answer(ANSWERS[1])).to_be_visible()
    assert "minus.svg" in summary.evaluate(icon)
    page.mouse.click(box["x"] + box["width"] - 24, box["y"] + box["height"] / 2)
    expect(faq.answer(ANSWERS[1])).to_be_hidden()

    faq.question(QUESTIONS[2]).focus()
    page.keyboard.press("Enter")
    expect(faq.answer(ANSWERS[2])).to_be_visible()
    page.keyboard.press("Space")
    expect(faq.answer(ANSWERS[2])).to_be_hidden()

    faq.question(QUESTIONS[0]).click()
    page.mouse.move(0, 0)
    page.screenshot(path=artifacts / "faq-1280.png", full_page=True)


def test_typing_narrows_the_list_in_place_and_the_url_follows(
    page: Page, faq_server: LiveServer, artifacts: Path
) -> None:
    faq = Faq(page, faq_server)
    faq.open()
    faq.mark_document()

    faq.search_box.press_sequentially("смс", delay=50)

    expect_query(page, q="смс")
    expect(page.get_by_text(f"Найдено вопросов: {found('смс')}")).to_be_visible()
    expect(faq.entries).to_have_count(10)
    expect(faq.entries.first.locator("mark").first).to_have_text("SMS")
    faq.expect_same_document()
    faq.question(QUESTIONS[10]).click()
    page.mouse.move(0, 0)
    page.screenshot(path=artifacts / "faq-search-1280.png", full_page=True)

    faq.search_box.fill("абракадабра")
    expect(page.get_by_text("Ничего не найдено. Попробуйте другие слова.")).to_be_visible()
    expect(faq.entries).to_have_count(0)
    expect_query(page, q="абракадабра")
    expect(faq.search_box).to_be_focused()
    faq.expect_same_document()

    page.go_back()
    expect_query(page, q="смс")
    expect(faq.entries).to_have_count(10)
    expect(faq.search_box).to_have_value("смс")

    faq.search_box.fill("абракадабра")
    page.get_by_role("link", name="Показать все вопросы").click()
    expect_query(page)
    faq.expect_questions(0, 10)
    expect(faq.search_box).to_have_value("")


def test_enter_in_the_search_box_searches_without_a_page_load(page: Page, faq_server: LiveServer) -> None:
    faq = Faq(page, faq_server)
    faq.open()
    faq.mark_document()

    faq.search_box.fill("пеня штраф")
    faq.search_box.press("Enter")

    expect_query(page, q="пеня штраф")
    expect(page.get_by_text(f"Найдено вопросов: {found('пеня штраф')}")).to_be_visible()
    faq.expect_same_document()


def test_page_size_and_pages_swap_the_list_push_the_url_and_back_returns(page: Page, faq_server: LiveServer) -> None:
    faq = Faq(page, faq_server)
    faq.open()
    faq.mark_document()

    faq.page_size(25).click()
    expect_query(page, per_page="25")
    faq.expect_questions(0, 25)

    faq.page_link(2).click()
    expect_query(page, per_page="25", page="2")
    faq.expect_questions(25, 25)
    faq.expect_same_document()

    faq.search_box.fill("пароль")
    expect_query(page, per_page="25", q="пароль")
    expect(faq.entries).to_have_count(found("пароль"))

    page.go_back()
    expect_query(page, per_page="25", page="2")
    faq.expect_questions(25, 25)
    expect(faq.search_box).to_have_value("")
    page.go_back()
    expect_query(page, per_page="25")
    faq.expect_questions(0, 25)
    page.go_back()
    expect_query(page)
    faq.expect_questions(0, 10)


def test_search_page_size_and_answers_work_without_javascript(
    any_page: Page, faq_server: LiveServer, javascript: bool
) -> None:
    faq = Faq(any_page, faq_server)
    faq.open()

    faq.search_box.fill("пароль")
    any_page.get_by_role("button", name="Найти").click()
    expect_query(any_page, q="пароль")
    expect(any_page.get_by_text(f"Найдено вопросов: {found('пароль')}")).to_be_visible()

    faq.page_link(2).click()
    expect_query(any_page, q="пароль", page="2")
    expect(faq.entries).to_have_count(found("пароль") - 10)

    faq.page_size(25).click()
    expect_query(any_page, q="пароль", per_page="25")
    expect(faq.entries).to_have_count(found("пароль"))
    faq.entries.first.locator("summary").click()
    expect(faq.entries.first.locator("div")).to_be_visible()

    faq.search_box.fill("штраф")
    any_page.get_by_role("button", name="Найти").click()
    expect_query(any_page, q="штраф", per_page="25")
    expect(any_page.get_by_text(f"Найдено вопросов: {found('штраф')}")).to_be_visible()


def test_the_faq_fits_a_phone_screen(page: Page, faq_server: LiveServer, artifacts: Path) -> None:
    faq = Faq(page, faq_server)
    page.set_viewport_size({"width": 360, "height": 740})
    faq.open()
    faq.question(QUESTIONS[3]).click()
    expect(faq.answer(ANSWERS[3])).to_be_visible()
    page.mouse.move(0, 0)

    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=artifacts / "faq-360.png", full_page=True)

    faq.search_box.fill("пароль")
    expect(page.get_by_text(f"Найдено вопросов: {found('пароль')}")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_signed_in_client_reads_the_faq_inside_the_cabinet(
    page: Page, faq_server: LiveServer, artifacts: Path
) -> None:
    SignIn(page, faq_server, artifacts, "faq").login("1000000001", "880515301238", "Demo2026!")
    page.get_by_role("link", name="Часто задаваемые вопросы").click()

    faq = Faq(page, faq_server)
    expect_query(page)
    expect(page.get_by_role("navigation", name="Навигационное меню")).to_be_visible()
    faq.expect_questions(0, 10)

    page.set_viewport_size({"width": 360, "height": 740})
    menu = page.get_by_role("button", name="Меню")
    if menu.get_attribute("aria-expanded") == "true":  # the menu item expanded it; on a phone it covers the page
        menu.click()
    expect(menu).to_have_attribute("aria-expanded", "false")
    faq.search_box.fill("пеня")
    expect(page.get_by_text(f"Найдено вопросов: {found('пеня')}")).to_be_visible()
    faq.entries.first.locator("summary").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=artifacts / "faq-cabinet-360.png", full_page=True)
