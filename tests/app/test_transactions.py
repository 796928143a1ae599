"""Pages that only read run their statements without a transaction (two round trips fewer a page); pages that
write keep theirs, so that a failure leaves no half of a change behind (portal/transactions.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.models import Client, Contract
from tests.app.test_cabinet import load_crafted, sign_in_crafted
from tests.conftest import AuthActions, QueryCounter


@dataclass(frozen=True)
class Statement:
    sql: str
    autocommit: bool  # sent in the connection's autocommit mode
    left_open: bool  # the driver's own word: a transaction is open once the statement has run


def driver_transaction_open(dbapi_connection: Any) -> bool:
    """Whether the driver holds a transaction open. psycopg says so for every statement; sqlite3 opens one only
    for a write, so for a read there it says nothing."""
    info = getattr(dbapi_connection, "info", None)
    if info is not None and hasattr(info, "transaction_status"):
        from psycopg.pq import TransactionStatus

        return bool(info.transaction_status != TransactionStatus.IDLE)
    return bool(dbapi_connection.in_transaction)


class Statements(QueryCounter):
    """The statements a request sends, each with whether it ran inside a transaction, read once it has run."""

    EVENT = "after_cursor_execute"

    def __enter__(self) -> Statements:
        self.seen: list[Statement] = []
        super().__enter__()
        return self

    def _record(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        super()._record(conn, cursor, statement, *args)
        autocommit = conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
        self.seen.append(Statement(statement, autocommit, driver_transaction_open(conn.connection.dbapi_connection)))


@pytest.fixture
def contract_id(auth: AuthActions) -> int:
    contract = load_crafted(contracts=2)[0]
    sign_in_crafted(auth)
    return contract


READ_PAGES = [
    "/profile",
    "/contracts",
    "/contracts/{id}",
    "/contracts/{id}/pay",
    "/contracts/{id}/pay.svg",
    "/schedule/{id}?year=all&per_page=60&page=1",
    "/history/{id}",
    "/faq?q=пароль",
]


@pytest.mark.parametrize("path", READ_PAGES)
def test_a_page_that_only_reads_opens_no_transaction(
    app: Flask, client: FlaskClient, contract_id: int, path: str
) -> None:
    with Statements(app) as statements:
        response = client.get(path.format(id=contract_id))
    seen = statements.seen

    assert response.status_code == 200
    assert seen, path
    for statement in seen:
        assert statement.autocommit and not statement.left_open, (path, statement.sql)


def test_a_language_chosen_on_a_page_that_only_reads_is_saved(
    app: Flask, client: FlaskClient, contract_id: int
) -> None:
    with Statements(app) as statements:
        assert '<html lang="kk">' in client.get("/profile?lang=kk").get_data(as_text=True)
    seen = statements.seen

    assert [s.sql.split()[0] for s in seen].count("UPDATE") == 1
    db.session.expire_all()
    owner = db.session.scalars(select(Client).join(Contract).where(Contract.id == contract_id)).one()
    assert owner.language == "kk"


@pytest.mark.parametrize("path", ["/contracts/{id}/schedule.pdf", "/contracts/{id}/statement.xlsx"])
def test_a_download_writes_its_code_and_audit_row_in_one_transaction(
    app: Flask, client: FlaskClient, contract_id: int, path: str
) -> None:
    with Statements(app) as statements:
        assert client.get(path.format(id=contract_id)).status_code == 200
    seen = statements.seen

    writes = [s for s in seen if s.sql.lstrip().upper().startswith("INSERT")]
    assert len(writes) == 2
    for statement in seen:
        assert not statement.autocommit, statement.sql
    for statement in writes:
        assert statement.left_open, statement.sql
