"""The cache of a contract's derived view: a page never shows figures older than the data or the day.

Whatever changes a contract's entries or deposits (a new import, an operator's fix by hand) changes its revision
in the database, and the next page shows the change; the next day's page shows the next day's statuses; the
view is shared by the workers through Redis, and a page is right without Redis too."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from portal import shared_cache
from portal.extensions import db
from portal.importer import import_document, parse_document
from portal.models import Contract
from tests.app.test_cabinet import crafted_document, field, load_crafted, sign_in_crafted, statuses_on_page
from tests.conftest import AuthActions, QueryCounter, empty_tables, make_app, running

# The crafted contract on 15.10.2022 (test_cabinet): July and August paid, September and October overdue.
OCTOBER = {"PORTAL_TODAY": date(2022, 10, 15)}
BEFORE = ["Погашено", "Погашено", "Просрочено", "Просрочено", "Ожидает списания", "Ожидает списания"]


def schedule(client: FlaskClient, contract_id: int) -> list[str]:
    return statuses_on_page(client.get(f"/schedule/{contract_id}?year=all&per_page=12").get_data(as_text=True))


def revision(contract_id: int) -> int:
    db.session.expire_all()
    return db.session.scalars(select(Contract.revision).where(Contract.id == contract_id)).one()


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


def test_only_a_change_of_the_contracts_own_rows_gives_it_a_new_revision(app: Flask) -> None:
    first, second = load_crafted(contracts=2)
    before = revision(first), revision(second)

    import_document(db.session, parse_document(json.dumps(crafted_document(contracts=2))))  # the same file
    db.session.commit()
    assert (revision(first), revision(second)) == before

    db.session.execute(text("UPDATE schedule_entries SET interest = 20000.01 WHERE contract_id = :id"), {"id": second})
    db.session.commit()
    assert revision(first) == before[0]
    assert revision(second) != before[1]


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


def test_the_workers_share_the_view_through_redis(migrated: str, redis_url: str, tmp_path: Path) -> None:
    """Two apps on one database and one Redis, as two gunicorn workers: what the first worked out, the second
    reads, with one query fewer and the same statuses."""
    workers = [make_app(migrated, REDIS_URL=redis_url, PORTAL_TODAY=date(2022, 10, 15)) for _ in range(2)]
    assert workers[0].config["CACHE_TYPE"] == "RedisCache"
    with running(make_app(migrated)):
        contract_id = load_crafted()[0]
        try:
            found = []
            for worker in workers:
                browser = worker.test_client()
                sign_in_crafted(AuthActions(browser, tmp_path / "outbox.jsonl"))
                with QueryCounter(worker) as queries:
                    page = browser.get(f"/schedule/{contract_id}?year=all&per_page=12").get_data(as_text=True)
                found.append((statuses_on_page(page), queries.count))
            (worked_out, asked_first), (read, asked_second) = found
            assert worked_out == read == BEFORE
            assert asked_second == asked_first - 1
        finally:
            empty_tables()
            for worker in workers:
                with worker.app_context():
                    db.engine.dispose()


@pytest.mark.parametrize("app", [{**OCTOBER, "REDIS_URL": "redis://127.0.0.1:9/0"}], indirect=True)
def test_without_redis_the_page_is_right_and_the_failure_logged(
    client: FlaskClient, auth: AuthActions, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shared_cache, "_paused_until", 0.0)
    contract_id = load_crafted()[0]
    sign_in_crafted(auth)
    with caplog.at_level(logging.WARNING, logger="portal.shared_cache"):
        assert schedule(client, contract_id) == BEFORE
        assert schedule(client, contract_id) == BEFORE
    warnings = [r for r in caplog.records if r.name == "portal.shared_cache"]
    assert len(warnings) == 1  # then left alone for a while, not asked on every page
    assert "does not answer" in warnings[0].getMessage()
