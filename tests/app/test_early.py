"""Досрочное погашение / Выкуп: a page per contract with the amount that would close it on a chosen day, part
by part, and what a partial amount would do. The crafted contract (tests/app/test_cabinet.py): six months of
100 000 + 20 000 ₸ due on the 10th from 10.07.2022, signed 20.06.2022, rent-to-own, 3 800 ₸ of charges."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from flask.testing import FlaskClient

from tests.app.test_cabinet import load_crafted, sign_in_crafted
from tests.conftest import AuthActions

OCTOBER = {"PORTAL_TODAY": date(2022, 10, 15)}


def fields(page: str) -> dict[str, str]:
    return {
        html.unescape(label): " ".join(html.unescape(value).replace("\xa0", " ").split())
        for label, value in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page, re.S)
    }


@pytest.mark.parametrize("app", [OCTOBER], indirect=True)
def test_the_whole_amount_part_by_part_on_a_chosen_day(client: FlaskClient, auth: AuthActions) -> None:
    contract_id = load_crafted()[0]
    sign_in_crafted(auth)
    # On 25.10.2022: September and October unpaid (240 000); November and December's principal (200 000);
    # 15 of the 31 days from 10.10 to 10.11 of November's 20 000 reward (9 677.42); 3 800 of charges; less 50 000.
    page = client.get(f"/contracts/{contract_id}/early?on=2022-10-25").get_data(as_text=True)
    assert "<h1>Выкуп</h1>" in page  # rent-to-own
    assert "Сумма выкупа на 25.10.2022" in page
    shown = fields(page)
    assert shown["Остаток основного долга"] == "200 000,00 ₸"
    assert shown["Вознаграждение за текущий период (по дням)"] == "9 677,42 ₸"
    assert shown["Неоплаченные платежи, срок которых наступил"] == "240 000,00 ₸"
    assert shown["Пеня, штраф и государственная пошлина"] == "3 800,00 ₸"
    assert shown["Минус остаток на счету"] == "−50 000,00 ₸"
    assert shown["Итого"] == "403 477,42 ₸"
    assert "предварительный расчет" in page


@pytest.mark.parametrize("app", [OCTOBER], indirect=True)
def test_a_partial_amount_shortens_the_term_or_lowers_the_payment(client: FlaskClient, auth: AuthActions) -> None:
    contract_id = load_crafted(entries=12)[0]
    sign_in_crafted(auth)
    page = client.get(f"/contracts/{contract_id}/early?on=2022-10-15&amount=200 000,00").get_data(as_text=True)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\xa0", " ").split())
    assert "Если внести 200 000,00 ₸ досрочно" in text
    # Eight months of 100 000 principal left (November to June) at the schedule's 20 000 / 800 000 = 2.5 % a month.
    assert "останется 6 ежемесячных платежей вместо 8" in text
    # 600 000 × 0.025 / (1 − 1.025⁻⁸) = 83 680.41.
    assert "Или платеж уменьшится до 83 680,41 ₸ в месяц, срок прежний — 8 платежей." in text


@pytest.mark.parametrize("app", [OCTOBER], indirect=True)
@pytest.mark.parametrize(
    ("query", "shown_day", "message"),
    [
        ("on=2021-01-01", "15.10.2022", "показан расчет на 15.10.2022"),
        ("on=2030-01-01", "15.10.2022", "показан расчет на 15.10.2022"),
        ("on=not-a-date", "15.10.2022", "показан расчет на 15.10.2022"),
        ("amount=two%20hundred", "15.10.2022", "Введите сумму в тенге"),
        ("amount=-5", "15.10.2022", "Введите сумму в тенге"),
        ("amount=" + "9" * 40, "15.10.2022", "Введите сумму в тенге"),
    ],
)
def test_bad_values_get_a_clear_message_and_todays_estimate(
    client: FlaskClient, auth: AuthActions, query: str, shown_day: str, message: str
) -> None:
    contract_id = load_crafted()[0]
    sign_in_crafted(auth)
    response = client.get(f"/contracts/{contract_id}/early?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"Сумма выкупа на {shown_day}" in page
    assert message in page


@pytest.mark.parametrize("app", [OCTOBER], indirect=True)
def test_the_result_alone_for_htmx_and_another_clients_contract_is_404(client: FlaskClient, auth: AuthActions) -> None:
    contract_id = load_crafted(contracts=2)[0]
    sign_in_crafted(auth)
    fragment = client.get(
        f"/contracts/{contract_id}/early?on=2022-10-25", headers={"HX-Request": "true", "HX-Target": "early-result"}
    )
    assert fragment.get_data(as_text=True).lstrip().startswith('<div id="early-result">')
    assert "HX-Request" in fragment.headers["Vary"]
    assert client.get("/contracts/999999/early").status_code == 404


@pytest.mark.parametrize("app", [OCTOBER], indirect=True)
def test_the_contract_page_links_to_it(client: FlaskClient, auth: AuthActions) -> None:
    contract_id = load_crafted()[0]
    sign_in_crafted(auth)
    page = client.get(f"/contracts/{contract_id}").get_data(as_text=True)
    assert f'href="/contracts/{contract_id}/early">Выкуп</a>' in page
