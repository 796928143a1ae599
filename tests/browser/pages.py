"""Page objects: what a client sees and does, by the labels of the manual."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.conftest import SEITKALI_FACTS


class SignIn:
    def __init__(self, page: Page, server: LiveServer, shots: Path, tag: str) -> None:
        self.page = page
        self.server = server
        self.shots = shots
        self.tag = tag

    def shot(self, name: str) -> None:
        self.page.screenshot(path=self.shots / f"{name}-{self.tag}.png", full_page=True)

    def open_login(self) -> None:
        self.page.goto(self.server("/"))
        self.page.get_by_role("link", name="Личный кабинет клиентов АО «Казахстанская Жилищная Компания»").click()
        expect(self.page.get_by_role("heading", name="Вход в Личный кабинет")).to_be_visible()

    def identify(self, account: str, iin: str) -> None:
        self.page.get_by_label("Номер счета").fill(account)
        self.page.get_by_label("ИИН").fill(iin)
        self.page.get_by_role("button", name="Войти").click()
        expect(self.page.get_by_label("Пароль")).to_be_visible()

    def password_with_enter(self, password: str) -> None:
        field = self.page.get_by_label("Пароль")
        field.fill(password)
        with self.page.expect_response(lambda r: r.request.method == "POST" and "/login" in r.url):
            field.press("Enter")

    def login(self, account: str, iin: str, password: str) -> None:
        self.open_login()
        self.identify(account, iin)
        self.password_with_enter(password)

    def fill_facts(self, account: str, number: str, iin: str, phone: str, day: str) -> None:
        self.page.get_by_label("Номер счета").fill(account)
        self.page.get_by_label("Номер договора").fill(number)
        self.page.get_by_label("ИИН").fill(iin)
        self.page.get_by_label("Мобильный номер").fill(phone)
        self.page.get_by_label("Дата договора").fill(day)

    def enter_code(self) -> None:
        expect(self.page.get_by_role("heading", name="Код из СМС")).to_be_visible()
        self.page.get_by_label("Код из СМС").fill(self.server.last_code())
        self.page.get_by_role("button", name="Продолжить").click()

    def create_password(self, password: str, button: str) -> None:
        expect(self.page.get_by_role("heading", name="Создание пароля")).to_be_visible()
        self.page.get_by_label("Пароль", exact=True).fill(password)
        self.page.get_by_label("Повторите пароль").fill(password)
        self.page.get_by_role("button", name=button).click()

    def expect_profile(self) -> None:
        expect(self.page.get_by_role("heading", name="Профиль")).to_be_visible()
        expect(self.page).to_have_url(self.server("/profile"))


SEITKALI = {name: value for name, value in SEITKALI_FACTS.items() if name != "consent"}


class ByFieldIds:
    """The same steps by the fields' ids, for walks through every language."""

    def __init__(self, page: Page, server: LiveServer) -> None:
        self.page = page
        self.server = server

    def submit_facts(self, **facts: str) -> None:
        for name, value in (SEITKALI | facts).items():
            self.page.locator(f"#{name}").fill(value)
        self.page.locator("#consent").check()
        self.page.locator("#facts-form button[type=submit]").click()

    def identify(self, account: str, iin: str) -> None:
        self.page.locator("#account").fill(account)
        self.page.locator("#iin").fill(iin)
        self.page.locator("#login-form button[type=submit]").click()

    def login(self, account: str, iin: str, password: str) -> None:
        self.page.goto(self.server("/login"))
        self.identify(account, iin)
        self.page.locator("#password").fill(password)
        self.page.locator("#password").press("Enter")

    def enter_code(self, code: str) -> None:
        self.page.locator("#code").fill(code)
        self.page.locator("#code").press("Enter")

    def create_password(self, password: str) -> None:
        self.page.locator("#password").fill(password)
        self.page.locator("#confirmation").fill(password)
        self.page.locator("#password-form button[type=submit]").click()
