"""The cabinet's pages through the test client: figures, statuses, scoping, fragments, query counts, sizes."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.auth.passwords import hash_password
from portal.demo import add_months
from portal.extensions import db
from portal.models import Client, Contract
from tests import factories
from tests.conftest import AuthActions, QueryCounter

CRAFTED_IIN = "061211600012"
PASSWORD = "Crafted#Client2022"


def crafted_document(contracts: int = 1, entries: int = 6) -> dict[str, Any]:
    """A client with the manual's example as the first contract: due on the 10th, debited on the 25th."""
    made = []
    for n in range(contracts):
        schedule = []
        for month in range(entries):
            due = add_months(date(2022, 7, 10), month, 10)
            paid = n == 0 and month < 2
            schedule.append(
                {
                    "due_on": due.isoformat(),
                    "debit_on": (due + timedelta(days=15)).isoformat(),
                    "principal": "100000.00",
                    "interest": "20000.00",
                    "debited": "120000.00" if paid else "0.00",
                    "debited_on": (due + timedelta(days=15)).isoformat() if paid else None,
                }
            )
        made.append(
            {
                "number": f"ДА-2022-{n:05d}",
                "account": f"{3000000000 + n}",
                "kind": "rent_to_own",
                "signed_on": "2022-06-20",
                "ends_on": schedule[-1]["due_on"],
                "collateral": "Квартира",
                "address": "г. Астана, ул. Сыганак, д. 1, кв. 2",
                "amount": str(Decimal(100000 * entries)) + ".00",
                "payments": entries,
                "monthly_payment": "120000.00",
                "payment_day": 10,
                "penalty": "1500.00",
                "fine": "2000.00",
                "state_duty": "300.00",
                "schedule": schedule,
                "deposits": [
                    {"on": "2022-07-05", "amount": "120000.00"},
                    {"on": "2022-08-05", "amount": "120000.00"},
                    {"on": "2022-09-12", "amount": "50000.00"},
                ]
                if n == 0
                else [],
            }
        )
    return {
        "clients": [
            {
                "iin": CRAFTED_IIN,
                "last_name": "Тестова",
                "first_name": "Әсел",
                "middle_name": None,
                "gender": "F",
                "birth_date": "2006-12-11",
                "id_number": "012345678",
                "id_issued_on": "2022-01-10",
                "id_valid_until": "2032-01-09",
                "id_issuer": "МВД РК",
                "email": None,
                "phone": "+77071234567",
                "contracts": made,
            }
        ]
    }


def load_crafted(contracts: int = 1, entries: int = 6) -> list[int]:
    """The crafted client (crafted_document's, as rows): the manual's example as the first contract, due on the
    10th and debited on the 25th, July and August paid in and debited, 50 000 paid in on 12.09. The contracts' ids."""
    owner = factories.client(iin=CRAFTED_IIN, password_hash=hash_password(PASSWORD))
    ids = []
    for n in range(contracts):
        contract = factories.contract(
            owner,
            number=f"ДА-2022-{n:05d}",
            account=f"{3000000000 + n}",
            ends_on=add_months(date(2022, 7, 10), entries - 1, 10),
            amount=Decimal(100000 * entries),
            payments=entries,
            penalty=Decimal("1500.00"),
            fine=Decimal("2000.00"),
            state_duty=Decimal("300.00"),
        )
        factories.schedule(contract, entries, paid=2 if n == 0 else 0)
        if n == 0:
            for on, amount in (
                (date(2022, 7, 5), "120000.00"),
                (date(2022, 8, 5), "120000.00"),
                (date(2022, 9, 12), "50000.00"),
            ):
                factories.deposit(contract, on, amount)
        ids.append(contract.id)
    db.session.commit()
    return ids


def sign_in_crafted(auth: AuthActions) -> None:
    auth.sign_in_as("3000000000")


def field(page: str, label: str) -> str:
    match = re.search(rf"<dt>{re.escape(label)}</dt><dd>(.*?)</dd>", page, re.S)
    assert match, label
    return html.unescape(match.group(1)).replace("\xa0", " ").strip()


def statuses_on_page(page: str) -> list[str]:
    return re.findall(r'<span class="status-\w+">([^<]+)</span>', page)


@pytest.mark.parametrize("app", [{"PORTAL_TODAY": date(2022, 10, 15)}], indirect=True)
def test_contract_figures_match_the_hand_computed_ones(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    # Six months of 100 000 principal + 20 000 interest. Paid in: 120 000 (05.07), 120 000 (05.08), 50 000 (12.09).
    # Debited: July and August on the 25th. On 15.10.2022: made 2, left 4; paid 240 000; principal left
    # 4 × 100 000; balance 290 000 − 240 000 = 50 000; September (past its debit day) and October (due 10.10,
    # when the account held 50 000 of the 240 000 owed) are overdue: 2 × 120 000 = 240 000;
    # with пеня 1 500, штраф 2 000 and госпошлина 300 the debt is 243 800.
    contract_id = load_crafted()[0]
    sign_in_crafted(auth)

    page = client.get(f"/contracts/{contract_id}").get_data(as_text=True)

    assert field(page, "Сумма договора") == "600 000,00 ₸"
    assert field(page, "Количество платежей, ед.") == "6"
    assert field(page, "Ежемесячный платеж") == "120 000,00 ₸"
    assert field(page, "Дата заключения") == "20.06.2022"
    assert field(page, "Дата завершения") == "10.12.2022"
    assert field(page, "Сумма внесенных платежей") == "240 000,00 ₸"
    assert field(page, "Кол-во внесенных платежей, ед.") == "2"
    assert field(page, "Остаток долга по договору") == "400 000,00 ₸"
    assert field(page, "Количество оставшихся платежей, ед.") == "4"
    assert field(page, "Остаток на счету") == "50 000,00 ₸"
    assert field(page, "По ежемесячным платежам") == "240 000,00 ₸"
    assert field(page, "Пеня") == "1 500,00 ₸"
    assert field(page, "Штраф") == "2 000,00 ₸"
    assert field(page, "Государственная пошлина") == "300,00 ₸"
    assert field(page, "Итого задолженность") == "243 800,00 ₸"
    schedule = client.get(f"/schedule/{contract_id}?year=all&per_page=12&page=1").get_data(as_text=True)
    assert statuses_on_page(schedule) == [
        "Погашено",
        "Погашено",
        "Просрочено",
        "Просрочено",
        "Ожидает списания",
        "Ожидает списания",
    ]


@pytest.mark.parametrize(
    ("app", "july"),
    [
        ({"PORTAL_TODAY": date(2022, 7, 9)}, "Ожидает списания"),
        ({"PORTAL_TODAY": date(2022, 7, 11)}, "Ожидает списания"),
        ({"PORTAL_TODAY": date(2022, 7, 24)}, "Ожидает списания"),
        ({"PORTAL_TODAY": date(2022, 7, 26)}, "Погашено"),
    ],
    indirect=["app"],
)
def test_the_manuals_example_through_the_rendered_page(client: FlaskClient, auth: AuthActions, july: str) -> None:
    # Due 10.07.2022, paid in on 05.07, debited on 25.07: «Ожидает списания» until the debit, «Погашено» after.
    contract_id = load_crafted()[0]
    sign_in_crafted(auth)

    page = client.get(f"/schedule/{contract_id}").get_data(as_text=True)

    rows = re.findall(r"<th>([\d.]+)</th>.*?<span class=\"status-\w+\">([^<]+)</span>", page, re.S)
    assert rows[0] == ("10.07.2022", july)


@pytest.mark.usefixtures("demo")
def test_another_clients_contract_answers_404_like_a_missing_one(client: FlaskClient, auth: AuthActions) -> None:
    auth.sign_in_as()
    someone_elses = db.session.scalar(select(Contract.id).where(Contract.account == "1000000003"))
    missing = 10**6

    for path in (
        f"/contracts/{someone_elses}",
        f"/schedule/{someone_elses}",
        f"/contracts/{missing}",
        f"/schedule/{missing}",
    ):
        response = client.get(path)
        assert response.status_code == 404
        assert "Страница не найдена" in response.get_data(as_text=True)
        assert "ДА-2023-00318" not in response.get_data(as_text=True)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize(
    "query",
    [
        "page=-1",
        "page=abc",
        "page=99999",
        "per_page=10000",
        "per_page=0",
        "per_page=13",
        "year=abc",
        "year=1900",
        "year=-5",
        "year=2024&page=9",
        "page=" + "9" * 40,
        "year=%00",
        "per_page=12&per_page=60",
    ],
)
def test_bad_query_values_fall_back_to_defaults(client: FlaskClient, auth: AuthActions, query: str) -> None:
    auth.sign_in_as()
    response = client.get(f"/schedule?{query}")
    assert response.status_code == 200
    assert len(statuses_on_page(response.get_data(as_text=True))) > 0


@pytest.mark.usefixtures("demo")
def test_without_parameters_the_schedule_opens_at_todays_page(client: FlaskClient, auth: AuthActions) -> None:
    auth.sign_in_as()
    page = client.get("/schedule").get_data(as_text=True)
    dates = [date(int(y), int(m), int(d)) for d, m, y in re.findall(r"<th>(\d\d)\.(\d\d)\.(\d{4})</th>", page)]
    assert len(dates) == 12
    assert dates[0] <= date(2026, 12, 10) <= dates[-1]  # the next payment after today (24.11.2026) is in view


@pytest.mark.usefixtures("demo")
def test_fragments_for_htmx_and_whole_pages_otherwise(client: FlaskClient, auth: AuthActions) -> None:
    auth.sign_in_as()
    loan = db.session.scalar(select(Contract.id).where(Contract.account == "1000000002"))

    panel = client.get(f"/contracts/{loan}", headers={"HX-Request": "true", "HX-Target": "contract-panel"})
    table = client.get(
        f"/schedule/{loan}?year=all&page=2", headers={"HX-Request": "true", "HX-Target": "schedule-table"}
    )
    tabs = client.get(f"/schedule/{loan}", headers={"HX-Request": "true", "HX-Target": "schedule-panel"})
    restore = client.get(f"/schedule/{loan}", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})

    assert panel.get_data(as_text=True).lstrip().startswith('<div id="contract-panel"')
    assert table.get_data(as_text=True).lstrip().startswith('<div id="schedule-table"')
    assert tabs.get_data(as_text=True).lstrip().startswith('<div id="schedule-panel"')
    assert "<html" in restore.get_data(as_text=True)
    for response in (panel, table, tabs, restore):
        assert "HX-Request" in response.headers["Vary"]
    assert 'hx-push-url="true"' in tabs.get_data(as_text=True)


@pytest.mark.usefixtures("demo")
def test_profile_shows_the_manuals_twelve_fields_in_order(client: FlaskClient, auth: AuthActions) -> None:
    auth.sign_in_as()
    page = client.get("/profile").get_data(as_text=True)
    labels = re.findall(r"<dt>([^<]+)</dt>", page)
    assert labels == [
        "Фамилия",
        "Имя",
        "Отчество",
        "Пол",
        "Дата рождения",
        "ИИН",
        "Номер удостоверения",
        "Дата выпуска удостоверения",
        "Срок действия удостоверения",
        "Орган выдачи",
        "Электронная почта",
        "Мобильный номер",
    ]
    assert field(page, "Мобильный номер") == "+7 701 123 45 67"
    assert field(page, "Дата рождения") == "15.05.1988"


PAGES = ["/profile", "/contracts", "/contracts/{id}", "/schedule", "/schedule/{id}?year=all&per_page=60&page=1"]


def measure(client: FlaskClient, queries: QueryCounter, contract_id: int) -> dict[str, tuple[int, int]]:
    found = {}
    for template in PAGES:
        path = template.format(id=contract_id)
        with queries:
            response = client.get(path)
        assert response.status_code == 200, path
        found[template] = (queries.count, len(response.data))
    return found


def test_query_count_is_at_most_three_and_does_not_grow_with_the_data(
    app: Flask, client: FlaskClient, auth: AuthActions, queries: QueryCounter
) -> None:
    small_id = load_crafted(contracts=1, entries=12)[0]
    sign_in_crafted(auth)
    small = measure(client, queries, small_id)
    auth.logout()
    db.session.execute(Contract.__table__.delete())
    db.session.execute(Client.__table__.delete())
    db.session.commit()

    big_id = load_crafted(contracts=5, entries=300)[0]
    sign_in_crafted(auth)
    big = measure(client, queries, big_id)

    for page in PAGES:
        assert small[page][0] <= 3, (page, small[page])  # DESIGN §4
        assert big[page][0] == small[page][0], (page, small[page], big[page])
        assert big[page][1] <= 40_000, (page, big[page])


def test_the_session_check_reads_the_client_and_the_contracts_in_one_statement(
    client: FlaskClient, auth: AuthActions, queries: QueryCounter
) -> None:
    ids = load_crafted(contracts=2, entries=12)
    sign_in_crafted(auth)

    for path in ("/profile", f"/contracts/{ids[1]}"):
        with queries:
            page = client.get(path)
        assert page.status_code == 200
        first = queries.statements[0].lower()
        assert "from clients" in first and "contracts" in first, "the client and the tabs' contracts in one statement"
    numbers = db.session.scalars(select(Contract.number).where(Contract.id.in_(ids))).all()
    assert len(numbers) == 2
    for number in numbers:  # both tabs
        assert number in page.get_data(as_text=True)


def test_fragment_and_page_sizes_with_five_contracts_of_300_entries(client: FlaskClient, auth: AuthActions) -> None:
    ids = load_crafted(contracts=5, entries=300)
    sign_in_crafted(auth)
    for language in ("kk", "en", "ru"):  # Kazakh's words are the longest; Russian stays for the panels below
        for per_page in (12, 24):
            table = client.get(
                f"/schedule/{ids[4]}?per_page={per_page}&page=3&lang={language}",
                headers={"HX-Request": "true", "HX-Target": "schedule-table"},
            )
            assert len(table.data) <= 8_192, (language, per_page, len(table.data))
    panel = client.get(f"/schedule/{ids[4]}", headers={"HX-Request": "true", "HX-Target": "schedule-panel"})
    contract = client.get(f"/contracts/{ids[4]}", headers={"HX-Request": "true", "HX-Target": "contract-panel"})
    assert len(panel.data) <= 8_192
    assert len(contract.data) <= 8_192
    whole = client.get(f"/schedule/{ids[4]}?per_page=60")
    assert len(whole.data) <= 40_000
