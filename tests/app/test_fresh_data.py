"""A page never shows figures older than the data or the day: whatever changes a contract's entries or deposits
(a new import, an operator's fix by hand) shows on the next page, the next day's page shows the next day's
statuses, and a page is right with Redis down too."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from portal.extensions import db
from portal.importer import import_document, parse_document
from tests.app.test_cabinet import crafted_document, field, load_crafted, sign_in_crafted, statuses_on_page
from tests.conftest import AuthActions

# The crafted contract on 15.10.2022 (test_cabinet): July and August paid, September and October overdue.
OCTOBER = {"PORTAL_TODAY": date(2022, 10, 15)}
BEFORE = ["Погашено", "Погашено", "Просрочено", "Просрочено", "Ожидает списания", "Ожидает списания"]


def schedule(client: FlaskClient, contract_id: int) -> list[str]:
    return statuses_on_page(client.get(f"/schedule/{contract_id}?year=all&per_page=12").get_data(as_text=True))


def september_paid() -> dict[str, Any]:
    """The crafted file again, with September's 120 000 paid in on 20.09 and debited on 25.09."""
    document = crafted_document()
    contract = document["clients"][0]["contracts"][0]
    contract["deposits"].append({"on": "2022-09-20", "amount": "120000.00"})
    contract["schedule"][2].update(debited="120000.00", debited_on="2022-09-25")
    return document


@pytest.mark.parametrize("app", [OCTOBER], indirect=True)
def test_a_new_import_shows_on_the_next_page(client: FlaskClient, auth: AuthActions) -> None:
    contract_id = load_crafted()[0]
    sign_in_crafted(auth)
    assert schedule(client, contract_id) == BEFORE
    assert schedule(client, contract_id) == BEFORE  # now from the cache

    import_document(db.session, parse_document(json.dumps(september_paid())))
    db.session.commit()

    assert schedule(client, contract_id) == ["Погашено"] * 3 + BEFORE[3:]
    page = client.get(f"/contracts/{contract_id}").get_data(as_text=True)
    assert field(page, "Кол-во внесенных платежей, ед.") == "3"
    assert field(page, "Сумма внесенных платежей") == "360 000,00 ₸"


@pytest.mark.parametrize("app", [OCTOBER], indirect=True)
def test_an_operators_fix_by_hand_shows_on_the_next_page(client: FlaskClient, auth: AuthActions) -> None:
    contract_id = load_crafted()[0]
    sign_in_crafted(auth)
    assert schedule(client, contract_id) == BEFORE

    # Straight SQL, as an operator would correct the bank's record: the database changes the revision itself.
    db.session.execute(
        text(
            "UPDATE schedule_entries SET debited = 120000, debited_on = '2022-09-25' "
            "WHERE contract_id = :id AND due_on = '2022-09-10'"
        ),
        {"id": contract_id},
    )
    db.session.execute(
        text("INSERT INTO deposits (contract_id, paid_on, seq, amount) VALUES (:id, '2022-09-20', 0, 120000)"),
        {"id": contract_id},
    )
    db.session.commit()
    assert schedule(client, contract_id) == ["Погашено"] * 3 + BEFORE[3:]

    db.session.execute(
        text("DELETE FROM deposits WHERE contract_id = :id AND paid_on = '2022-09-20'"), {"id": contract_id}
    )
    db.session.execute(
        text(
            "UPDATE schedule_entries SET debited = 0, debited_on = NULL "
            "WHERE contract_id = :id AND due_on = '2022-09-10'"
        ),
        {"id": contract_id},
    )
    db.session.commit()
    assert schedule(client, contract_id) == BEFORE


@pytest.mark.parametrize("app", [OCTOBER], indirect=True)
def test_an_operator_emptying_the_tables_by_hand_shows_on_the_next_page(client: FlaskClient, auth: AuthActions) -> None:
    contract_id = load_crafted()[0]
    sign_in_crafted(auth)
    assert schedule(client, contract_id) == BEFORE

    # PostgreSQL's TRUNCATE fires no row trigger, only triggers of its own; SQLite has none, and empties a table
    # with a DELETE without a WHERE.
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("TRUNCATE schedule_entries, deposits CASCADE"))
    else:
        db.session.execute(text("DELETE FROM schedule_entries"))
        db.session.execute(text("DELETE FROM deposits"))
    db.session.commit()

    assert schedule(client, contract_id) == []
    page = client.get(f"/contracts/{contract_id}").get_data(as_text=True)
    assert field(page, "Кол-во внесенных платежей, ед.") == "0"
    assert field(page, "Остаток на счету") == "0,00 ₸"


@pytest.mark.parametrize("app", [OCTOBER], indirect=True)
def test_the_next_day_shows_the_next_days_statuses(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    contract_id = load_crafted()[0]
    sign_in_crafted(auth)
    assert schedule(client, contract_id)[4] == "Ожидает списания"  # November, due 10.11, debited 25.11

    app.config["PORTAL_TODAY"] = date(2022, 11, 26)
    assert schedule(client, contract_id)[4] == "Просрочено"


@pytest.mark.parametrize("app", [OCTOBER], indirect=True)
def test_the_number_of_payments_is_part_of_the_view(client: FlaskClient, auth: AuthActions) -> None:
    contract_id = load_crafted()[0]
    sign_in_crafted(auth)
    assert (
        field(client.get(f"/contracts/{contract_id}").get_data(as_text=True), "Количество оставшихся платежей, ед.")
        == "4"
    )

    db.session.execute(text("UPDATE contracts SET payments = 8 WHERE id = :id"), {"id": contract_id})
    db.session.commit()
    assert (
        field(client.get(f"/contracts/{contract_id}").get_data(as_text=True), "Количество оставшихся платежей, ед.")
        == "6"
    )


@pytest.mark.parametrize("app", [{**OCTOBER, "REDIS_URL": "redis://127.0.0.1:9/0"}], indirect=True)
def test_without_redis_the_page_is_right(client: FlaskClient, auth: AuthActions) -> None:
    contract_id = load_crafted()[0]
    sign_in_crafted(auth)
    assert schedule(client, contract_id) == BEFORE
    assert schedule(client, contract_id) == BEFORE
