"""История платежей and the debt block's explanations through the test client: figures, period, paging,
fragments, scoping, query counts and sizes."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.models import Client, Contract
from tests.app.test_cabinet import load_crafted, sign_in_crafted
from tests.conftest import AuthActions, QueryCounter

ROW = re.compile(r"<tr><th>([^<]+)</th><td>([^<]+)</td><td class=\"amount-\w+\">([^<]+)</td><td>([^<]+)</td></tr>")


def operations(page: str) -> list[tuple[str, str, str, str]]:
    return [
        tuple(html.unescape(cell).replace("\xa0", " ") for cell in row)  # type: ignore[misc]
        for row in ROW.findall(page)
    ]


@pytest.mark.parametrize("app", [{"PORTAL_TODAY": date(2022, 10, 15)}], indirect=True)
def test_history_of_the_crafted_client_newest_first_with_the_balance(client: FlaskClient, auth: AuthActions) -> None:
    # Paid in 120 000 (05.07), 120 000 (05.08), 50 000 (12.09); July and August debited on the 25th.
    contract_id = load_crafted()[0]
    sign_in_crafted(auth)

    page = client.get(f"/history/{contract_id}").get_data(as_text=True)

    assert operations(page) == [
        ("12.09.2022", "Пополнение счета", "+50 000,00 ₸", "50 000,00 ₸"),
        ("25.08.2022", "Списание: платеж от 10.08.2022", "−120 000,00 ₸", "0,00 ₸"),
        ("05.08.2022", "Пополнение счета", "+120 000,00 ₸", "120 000,00 ₸"),
        ("25.07.2022", "Списание: платеж от 10.07.2022", "−120 000,00 ₸", "0,00 ₸"),
        ("05.07.2022", "Пополнение счета", "+120 000,00 ₸", "120 000,00 ₸"),
    ]
    # The same balance as «Остаток на счету» of Мои договора.
    assert "Остаток на счету: <strong>50\xa0000,00\xa0₸</strong>" in page
    assert len(operations(client.get("/history").get_data(as_text=True))) == 5  # the first contract by default

    august = client.get(f"/history/{contract_id}?from=2022-08-01&to=2022-08-31").get_data(as_text=True)
    assert [row[0] for row in operations(august)] == ["25.08.2022", "05.08.2022"]
    assert 'value="2022-08-01"' in august and 'value="2022-08-31"' in august
    backwards = client.get(f"/history/{contract_id}?from=2022-08-31&to=2022-08-01").get_data(as_text=True)
    assert operations(backwards) == operations(august)
    since = client.get(f"/history/{contract_id}?from=2022-09-01").get_data(as_text=True)
    assert [row[0] for row in operations(since)] == ["12.09.2022"]
    empty = client.get(f"/history/{contract_id}?from=2023-01-01").get_data(as_text=True)
    assert operations(empty) == [] and "Нет операций за выбранный период." in empty


@pytest.mark.usefixtures("demo")
def test_paging_and_the_period_swap_only_the_table_and_carry_each_other(client: FlaskClient, auth: AuthActions) -> None:
    auth.sign_in_as()
    rent = db.session.scalar(select(Contract.id).where(Contract.account == "1000000001"))

    first = operations(client.get(f"/history/{rent}").get_data(as_text=True))
    second = client.get(f"/history/{rent}?page=2", headers={"HX-Request": "true", "HX-Target": "history-table"})
    body = second.get_data(as_text=True)

    assert len(first) == 12
    assert body.lstrip().startswith('<div id="history-table"') and "<html" not in body
    assert "HX-Request" in second.headers["Vary"]
    assert 'hx-push-url="true"' in body
    rows = operations(body)
    assert len(rows) == 12 and rows[0] != first[0]
    newest_day = date(*map(int, reversed(first[0][0].split("."))))
    oldest_day = date(*map(int, reversed(rows[-1][0].split("."))))
    assert oldest_day <= newest_day
    # The period is kept by the page links, and a page link keeps the period.
    filtered = client.get(
        f"/history/{rent}?from=2024-01-01&to=2024-12-31&per_page=24",
        headers={"HX-Request": "true", "HX-Target": "history-table"},
    ).get_data(as_text=True)
    assert all(row[0].endswith(".2024") for row in operations(filtered))
    assert len(operations(filtered)) == 24  # twelve deposits and twelve debits in 2024
    assert f"/history/{rent}?from=2024-01-01&amp;to=2024-12-31&amp;per_page=12" in filtered
    tabs = client.get(f"/history/{rent}", headers={"HX-Request": "true", "HX-Target": "history-panel"})
    assert tabs.get_data(as_text=True).lstrip().startswith('<div id="history-panel"')
    restore = client.get(f"/history/{rent}", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize(
    "query",
    [
        "page=-1",
        "page=abc",
        "page=99999",
        "per_page=0",
        "per_page=10000",
        "from=abc",
        "from=2024-02-30",
        "to=-1",
        "from=99999-01-01",
        "from=%00&to=%00",
        "from=2024-01-01T00:00",
        "page=" + "9" * 40,
        "from=" + "2" * 400,
    ],
)
def test_bad_query_values_fall_back_to_defaults(client: FlaskClient, auth: AuthActions, query: str) -> None:
    auth.sign_in_as()
    response = client.get(f"/history?{query}")
    assert response.status_code == 200
    assert len(operations(response.get_data(as_text=True))) > 0


@pytest.mark.usefixtures("demo")
def test_another_clients_contract_answers_404(client: FlaskClient, auth: AuthActions) -> None:
    auth.sign_in_as()
    someone_elses = db.session.scalar(select(Contract.id).where(Contract.account == "1000000003"))
    for path in (f"/history/{someone_elses}", f"/history/{10**6}", f"/history/{someone_elses}?page=2"):
        response = client.get(path, headers={"HX-Request": "true", "HX-Target": "history-table"})
        assert response.status_code == 404
        assert "ДА-2023-00318" not in response.get_data(as_text=True)


def test_history_needs_a_signed_in_client(client: FlaskClient) -> None:
    assert client.get("/history").headers["Location"].startswith("/login")


PAGES = ["/history", "/history/{id}?from=2022-01-01&to=2050-12-31&per_page=60&page=1", "/contracts/{id}"]


def measure(client: FlaskClient, queries: QueryCounter, contract_id: int) -> dict[str, tuple[int, int]]:
    found = {}
    for template in PAGES:
        with queries:
            response = client.get(template.format(id=contract_id))
        assert response.status_code == 200, template
        found[template] = (queries.count, len(response.data))
    return found


def paid_everything(contract_ids: list[int]) -> None:
    """Every entry of every contract paid in and debited: the history holds two operations a month."""
    from portal.models import Deposit, ScheduleEntry

    for entry in db.session.scalars(select(ScheduleEntry).where(ScheduleEntry.contract_id.in_(contract_ids))):
        entry.debited, entry.debited_on = entry.accrued, entry.debit_on
        db.session.add(Deposit(contract_id=entry.contract_id, paid_on=entry.due_on, seq=1, amount=entry.accrued))
    db.session.commit()


@pytest.mark.parametrize("app", [{"PORTAL_TODAY": date(2060, 1, 1)}], indirect=True)
def test_at_most_three_queries_whatever_the_size(
    app: Flask, client: FlaskClient, auth: AuthActions, queries: QueryCounter
) -> None:
    small_ids = load_crafted(contracts=1, entries=12)
    paid_everything(small_ids)
    sign_in_crafted(auth)
    small = measure(client, queries, small_ids[0])
    auth.logout()
    db.session.execute(Contract.__table__.delete())
    db.session.execute(Client.__table__.delete())
    db.session.commit()

    big_ids = load_crafted(contracts=5, entries=300)
    paid_everything(big_ids)
    sign_in_crafted(auth)
    big = measure(client, queries, big_ids[0])

    for page in PAGES:
        assert small[page][0] <= 3, (page, small[page])  # DESIGN §4
        assert big[page][0] == small[page][0], (page, small[page], big[page])
        assert big[page][1] <= 40_000, (page, big[page])
    with queries:
        table = client.get(
            f"/history/{big_ids[0]}?per_page=24&page=3", headers={"HX-Request": "true", "HX-Target": "history-table"}
        )
    assert len(operations(table.get_data(as_text=True))) == 24
    assert len(table.data) <= 8_192
    assert queries.count == 2, queries.statements  # the client with the tabs, the contract's facts; no import time


@pytest.mark.parametrize("app", [{"PORTAL_TODAY": date(2022, 10, 15)}], indirect=True)
def test_each_debt_line_explains_itself(client: FlaskClient, auth: AuthActions, queries: QueryCounter) -> None:
    # On 15.10.2022 September (120 000 unpaid) and October are overdue; пеня, штраф and госпошлина are charged.
    contract_id = load_crafted()[0]
    sign_in_crafted(auth)
    with queries:
        page = client.get(f"/contracts/{contract_id}").get_data(as_text=True)
    text = html.unescape(page).replace("\xa0", " ")

    assert queries.count <= 4
    assert text.count('<dd class="debt-why"><details><summary>Подробнее') == 4
    assert "Задолженность идет с 10.09.2022." in text
    assert re.findall(r"<li>(Платеж от [^<]+)</li>", text) == [
        "Платеж от 10.09.2022: не оплачено 120 000,00 ₸",
        "Платеж от 10.10.2022: не оплачено 120 000,00 ₸",
    ]
    for words in ("за каждый день просрочки", "Разовая неустойка", "уплатила в суд"):
        assert words in text


@pytest.mark.parametrize("app", [{"PORTAL_TODAY": date(2022, 8, 1)}], indirect=True)
def test_a_line_of_0_00_offers_no_explanation(client: FlaskClient, auth: AuthActions) -> None:
    """«Подробнее» stands only under a debt line above zero: nothing overdue, no пеня, and so on (issue 21)."""
    contract_id = load_crafted()[0]
    sign_in_crafted(auth)
    page = client.get(f"/contracts/{contract_id}").get_data(as_text=True)
    rows = re.findall(r'<div class="field-row"><dt>([^<]+)</dt><dd>([^<]+)</dd>(.*?)</div>', page, re.S)
    debt = {html.unescape(label): (value.replace("\xa0", " "), "Подробнее" in rest) for label, value, rest in rows}
    assert debt["По ежемесячным платежам"] == ("0,00 ₸", False)
    assert "<li>Платеж от" not in page


def test_a_long_arrear_lists_the_oldest_months_and_counts_the_rest(client: FlaskClient, auth: AuthActions) -> None:
    ids = load_crafted(contracts=5, entries=300)  # the other contracts: nothing paid since 2022
    sign_in_crafted(auth)
    panel = client.get(f"/contracts/{ids[4]}", headers={"HX-Request": "true", "HX-Target": "contract-panel"})
    text = html.unescape(panel.get_data(as_text=True)).replace("\xa0", " ")
    assert len(re.findall(r"<li>Платеж от", text)) == 6
    assert re.search(r"<li>и еще \d+</li>", text)
    assert len(panel.data) <= 8_192


@pytest.mark.usefixtures("demo")
def test_a_contract_tab_swapped_in_says_that_contracts_last_deposit(client: FlaskClient, auth: AuthActions) -> None:
    """«Я оплатил, а платежа нет» belongs to the contract shown: a tab switch by htmx brings the new contract's."""
    from portal.models import Deposit

    auth.sign_in_as()
    for account in ("1000000001", "1000000002"):
        contract = db.session.scalars(select(Contract).where(Contract.account == account)).one()
        newest_first = (Deposit.paid_on.desc(), Deposit.seq.desc())
        deposits = select(Deposit).where(Deposit.contract_id == contract.id)
        latest = db.session.scalars(deposits.order_by(*newest_first)).first()
        assert latest is not None
        said = f"Последнее поступление, которое видит кабинет: {latest.paid_on:%d.%m.%Y}"

        panel = client.get(
            f"/history/{contract.id}", headers={"HX-Request": "true", "HX-Target": "history-panel"}
        ).get_data(as_text=True)
        page = client.get(f"/history/{contract.id}").get_data(as_text=True)

        assert said in panel and said in page, account
        assert page.count("Я оплатил, а платежа нет") == 1
