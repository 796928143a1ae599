"""«К оплате до …» and «Просрочено сейчас» on Мои договора, Как оплатить and Профиль, for crafted exports on
chosen days: the crafted contract (tests/app/test_cabinet.py) is six months of 100 000 + 20 000 ₸ due on the
10th from 10.07.2022 and debited on the 25th, with 1 500 пеня, 2 000 штраф and 300 госпошлина."""

from __future__ import annotations

import html
import json
import re
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.auth.passwords import hash_password
from portal.extensions import db
from portal.importer import import_document, parse_document
from portal.models import Client, Contract
from tests.app.test_cabinet import CRAFTED_IIN, PASSWORD, crafted_document, sign_in_crafted
from tests.conftest import AuthActions


def load(change: dict[str, Any] | None = None) -> int:
    document = crafted_document()
    document["clients"][0]["contracts"][0].update(change or {})
    import_document(db.session, parse_document(json.dumps(document)))
    client = db.session.scalars(select(Client).where(Client.iin == CRAFTED_IIN)).one()
    client.password_hash = hash_password(PASSWORD)
    db.session.commit()
    return db.session.scalars(select(Contract.id).where(Contract.client_id == client.id)).one()


def due_lines(page: str) -> list[str]:
    """The amount-due block's lines as a client reads them."""
    block = re.search(r'<section class="panel amount-due.*?</section>', page, re.S)
    assert block, "no amount-due block"
    paragraphs = re.findall(r"<p[ >].*?</p>", block.group(0), re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", p)).replace("\xa0", " ").split()) for p in paragraphs]


NO_CHARGES = {"penalty": "0.00", "fine": "0.00", "state_duty": "0.00"}
CASES = [
    # September and October overdue; November next: 3 × 120 000 + 3 800 − the 50 000 on the account.
    (date(2022, 10, 15), None, ["К оплате до 10.11.2022 313 800,00 ₸", "Просрочено сейчас 193 800,00 ₸"]),
    # July paid in on 05.07 waits for its debit on 25.07: the balance covers it; the charges are owed now.
    (date(2022, 7, 15), None, ["К оплате до 10.08.2022 123 800,00 ₸", "Просрочено сейчас 3 800,00 ₸"]),
    # The same day without charges: nothing is overdue, so that line is not shown.
    (date(2022, 7, 15), NO_CHARGES, ["К оплате до 10.08.2022 120 000,00 ₸"]),
    # One deposit covering two months: August is paid for too.
    (
        date(2022, 7, 15),
        {**NO_CHARGES, "deposits": [{"on": "2022-07-05", "amount": "240000.00"}]},
        ["К оплате до 10.08.2022 0,00 ₸", "Платить не нужно: средств на счете достаточно"],
    ),
    # An overpaid account with charges: they are paid from it too.
    (
        date(2022, 10, 15),
        {"deposits": [{"on": "2022-07-05", "amount": "900000.00"}]},
        ["К оплате до 10.11.2022 0,00 ₸", "Платить не нужно: средств на счете достаточно"],
    ),
    # After the last due date everything unpaid is owed now, with no date.
    (date(2023, 2, 1), NO_CHARGES, ["К оплате 430 000,00 ₸", "Просрочено сейчас 430 000,00 ₸"]),
]


@pytest.mark.parametrize(("today", "change", "expected"), CASES)
def test_the_amount_due_is_the_same_on_the_contract_the_pay_page_and_the_profile(
    app: Flask, client: FlaskClient, auth: AuthActions, today: date, change: dict[str, Any] | None, expected: list[str]
) -> None:
    app.config["PORTAL_TODAY"] = today
    contract_id = load(change)
    sign_in_crafted(auth)
    for path in (f"/contracts/{contract_id}", f"/contracts/{contract_id}/pay", "/profile"):
        page = client.get(path).get_data(as_text=True)
        assert [line for line in due_lines(page) if line != "Как оплатить"] == expected, path


def test_the_button_to_pay_stands_beside_what_is_due_but_not_on_the_pay_page(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    app.config["PORTAL_TODAY"] = date(2022, 10, 15)
    contract_id = load()
    sign_in_crafted(auth)
    pay = f'href="/contracts/{contract_id}/pay"'
    assert pay in re.search(r"amount-due.*?</section>", client.get("/profile").get_data(as_text=True), re.S).group(0)  # type: ignore[union-attr]
    assert "Как оплатить" in due_lines(client.get(f"/contracts/{contract_id}").get_data(as_text=True))
    assert "Как оплатить" not in due_lines(client.get(f"/contracts/{contract_id}/pay").get_data(as_text=True))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("kk", ["10.11.2022 дейін төлеуге 313 800,00 ₸", "Қазір мерзімі өткен 193 800,00 ₸"]),
        ("en", ["To pay by 10 Nov 2022 ₸313,800.00", "Overdue now ₸193,800.00"]),
    ],
)
def test_the_amount_due_speaks_the_pages_language(
    app: Flask, client: FlaskClient, auth: AuthActions, language: str, expected: list[str]
) -> None:
    app.config["PORTAL_TODAY"] = date(2022, 10, 15)
    contract_id = load()
    sign_in_crafted(auth)
    page = client.get(f"/contracts/{contract_id}?lang={language}").get_data(as_text=True)
    assert due_lines(page)[:2] == expected


def test_the_pay_page_gives_the_ways_to_pay_and_what_to_do_when_a_payment_does_not_show(
    app: Flask, client: FlaskClient, auth: AuthActions, runner: Any, tmp_path: Any
) -> None:
    app.config["PORTAL_TODAY"] = date(2022, 10, 15)
    contract_id = load()
    sign_in_crafted(auth)
    page = " ".join(html.unescape(client.get(f"/contracts/{contract_id}/pay").get_data(as_text=True)).split())
    for channel in (
        "Kaspi.kz",
        "Halyk Homebank",
        "Otbasy bank",
        "Перевод из любого банка по реквизитам",
        "Касса банка",
    ):
        assert f"<summary>{channel}</summary>" in page
    assert "Платеж появится в кабинете обычно в течение 3 раб. дн." in page  # a transfer, by default
    assert 'data-copy="313800.00"' in page  # the amount due, to copy
    assert "Последнее поступление, которое видит кабинет: 12.09.2022, 50 000,00 ₸." in page
    assert "Данные из учетной системы Компании еще не загружались." in page  # loaded by the test, not imported
    assert "заполнятся сами" not in page and "Приложения банков сами его не заполняют" in page

    # `portal import` records when the data came: the page says so, in Kazakhstan's time.
    export = tmp_path / "export.json"
    export.write_text(json.dumps(crafted_document()), encoding="utf-8")
    result = runner.invoke(args=["portal", "import", str(export)])
    assert result.exit_code == 0, result.output
    history = " ".join(html.unescape(client.get(f"/history/{contract_id}").get_data(as_text=True)).split())
    assert "Данные из учетной системы Компании обновлены 24.11.2026 в 11:00." in history
    assert "Kaspi.kz — до 1 раб. дн." in history


@pytest.mark.parametrize("app", [{"PORTAL_POSTING_DAYS": "kaspi=2,halyk=2,otbasy=4,transfer=5,cash=0"}], indirect=True)
def test_the_posting_days_are_the_operators(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    contract_id = load()
    sign_in_crafted(auth)
    page = client.get(f"/history/{contract_id}").get_data(as_text=True)
    assert "Otbasy bank — до 4 раб. дн." in page and "касса банка — до 0 раб. дн." in page
