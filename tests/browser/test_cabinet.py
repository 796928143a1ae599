"""The signed-in client's cabinet in Chromium: the menu, Профиль, Мои договора, График платежей."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from portal.demo import add_months
from tests.browser.conftest import LiveServer
from tests.browser.pages import SignIn
from tests.conftest import TODAY


def menu(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Навигационное меню")


@pytest.fixture
def signed_in(page: Page, live_server: LiveServer, artifacts: Path) -> Page:
    SignIn(page, live_server, artifacts, "cabinet").login("1000000001", "880515301238", "Demo2026!")
    expect(page.get_by_role("heading", name="Профиль")).to_be_visible()
    return page


def test_the_menu_expands_and_leads_everywhere(signed_in: Page, live_server: LiveServer, artifacts: Path) -> None:
    page = signed_in
    toggle = page.get_by_role("button", name="Меню")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(menu(page).get_by_role("link", name="Мои договора")).to_be_visible()  # the icon rail, named for readers
    page.screenshot(path=artifacts / "menu-collapsed-1280.png")

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".menu-label", has_text="Часто задаваемые вопросы")).to_be_visible()
    page.screenshot(path=artifacts / "menu-expanded-1280.png")

    for item, heading in [
        ("Часто задаваемые вопросы", "Часто задаваемые вопросы"),
        ("Мои договора", "Мои договора"),
        ("График платежей", "График платежей"),
        ("Профиль", "Профиль"),
    ]:
        menu(page).get_by_role("link", name=item).click()
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="Меню")).to_have_attribute("aria-expanded", "true")  # remembered

    page.get_by_role("button", name="Меню").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Меню")).to_have_attribute("aria-expanded", "false")


def test_profile_shows_the_twelve_fields(signed_in: Page, artifacts: Path) -> None:
    page = signed_in
    for label, value in [
        ("Фамилия", "Ахметов"),
        ("Имя", "Данияр"),
        ("Отчество", "Серикович"),
        ("Пол", "Мужской"),
        ("Дата рождения", "15.05.1988"),
        ("ИИН", "880515301238"),
        ("Номер удостоверения", "041234567"),
        ("Дата выпуска удостоверения", "01.06.2019"),
        ("Срок действия удостоверения", "31.05.2029"),
        ("Орган выдачи", "МВД РК"),
        ("Электронная почта", "d.akhmetov@example.kz"),
        ("Мобильный номер", "+7 701 123 45 67"),
    ]:
        row = page.locator(".field-row", has=page.get_by_text(label, exact=True))
        expect(row.locator("dd")).to_have_text(value)
    page.screenshot(path=artifacts / "profile-1280.png", full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=artifacts / "profile-360.png", full_page=True)


def test_contract_tabs_swap_the_panel_and_push_the_url(
    signed_in: Page, live_server: LiveServer, artifacts: Path
) -> None:
    page = signed_in
    menu(page).get_by_role("link", name="Мои договора").click()
    expect(page.get_by_text("Информация по задолженности")).to_be_visible()
    expect(page.locator(".field-row", has_text="Пеня").locator("dd").first).to_have_text(re.compile(r"12\s345,67\s₸"))
    page.screenshot(path=artifacts / "contracts-1280.png", full_page=True)

    loans = page.get_by_role("link", name=re.compile("^ЗМ-"))
    page.evaluate("window.marker = 'no reload'")
    loans.click()
    expect(loans).to_have_attribute("aria-current", "page")
    expect(page).to_have_url(re.compile(r"/contracts/\d+$"))
    assert page.evaluate("window.marker") == "no reload"  # only the panel was swapped
    expect(page.get_by_text("Заем", exact=True)).to_be_visible()

    page.go_back()
    expect(page.get_by_role("link", name=re.compile("^ДА-"))).to_have_attribute("aria-current", "page")
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=artifacts / "contracts-360.png", full_page=True)


def test_schedule_year_page_size_and_pages(signed_in: Page, live_server: LiveServer, artifacts: Path) -> None:
    page = signed_in
    menu(page).get_by_role("link", name="График платежей").click()
    table = page.locator("table.schedule-table tbody tr")
    expect(table).to_have_count(12)
    expect(page.locator("[class^=status-]", has_text="Просрочено").first).to_be_visible()
    expect(page.locator("[class^=status-]", has_text="Ожидает списания").first).to_be_visible()
    page.screenshot(path=artifacts / "schedule-1280.png", full_page=True)

    page.evaluate("window.marker = 'no reload'")
    page.get_by_label("Год").select_option("2024")
    expect(page).to_have_url(re.compile(r"year=2024"))
    expect(table).to_have_count(12)
    expect(table.first.locator("th")).to_have_text("10.01.2024")
    expect(page.locator("[class^=status-]", has_text="Погашено")).to_have_count(12)

    page.get_by_label("Год").select_option("all")
    expect(page).to_have_url(re.compile(r"year=all"))
    page.get_by_role("group", name="Записей на странице").get_by_role("link", name="24").click()
    expect(page).to_have_url(re.compile(r"per_page=24"))
    expect(table).to_have_count(24)
    page.get_by_role("navigation", name="Страницы графика").get_by_role("link", name="Страница 1", exact=True).click()
    expect(page).to_have_url(re.compile(r"page=1"))
    first_due = add_months(TODAY, -40, 10).strftime("%d.%m.%Y")  # the demo contract's first payment
    expect(table.first.locator("th")).to_have_text(first_due)
    assert page.evaluate("window.marker") == "no reload"

    page.go_back()
    expect(page).not_to_have_url(re.compile(r"page=1"))
    expect(table.first.locator("th")).not_to_have_text(first_due)
    page.reload()
    expect(table).to_have_count(24)

    page.get_by_role("link", name=re.compile("^ЗМ-")).click()
    expect(page.get_by_role("heading", name=re.compile("ЗМ-"))).to_be_visible()
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=artifacts / "schedule-360.png", full_page=True)


def test_on_a_phone_the_menu_opens_on_demand_over_the_page(signed_in: Page, artifacts: Path) -> None:
    page = signed_in
    page.get_by_role("button", name="Меню").click()  # expanded on a wide screen: remembered
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    toggle = page.get_by_role("button", name="Меню")
    expect(toggle).to_have_attribute("aria-expanded", "false")  # a phone never opens onto a covered page
    content_left = page.locator("main").bounding_box()["x"]  # type: ignore[index]

    toggle.click()

    expect(toggle).to_have_attribute("aria-expanded", "true")
    menu_box = page.locator("#side-menu").bounding_box()
    assert menu_box is not None and menu_box["width"] > content_left  # it lies over the content…
    assert page.locator("main").bounding_box()["x"] == content_left  # type: ignore[index]  # …which stays put
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=artifacts / "menu-expanded-360.png")
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")


def test_when_the_session_is_gone_a_page_link_leads_to_the_login_page(signed_in: Page, live_server: LiveServer) -> None:
    page = signed_in
    menu(page).get_by_role("link", name="График платежей").click()
    expect(page.locator("table.schedule-table tbody tr")).to_have_count(12)
    with live_server.app.app_context():  # the client signs out on another device: this session ends too
        from sqlalchemy import select

        from portal.auth.session import end_every_session
        from portal.extensions import db
        from portal.models import Client

        end_every_session(db.session.scalars(select(Client).where(Client.iin == "880515301238")).one())
        db.session.commit()
        db.session.remove()

    page.get_by_role("navigation", name="Страницы графика").get_by_role("link", name="Страница 1", exact=True).click()

    expect(page).to_have_url(re.compile(r"/login\?next=%2Fschedule"))
    expect(page.get_by_role("heading", name="Вход в Личный кабинет")).to_be_visible()
    expect(page.locator("table.schedule-table")).to_have_count(0)
