"""Page objects: what a client sees and does, by the labels of the manual."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer


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
