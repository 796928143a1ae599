"""Pages that only read run their statements without a transaction (two round trips fewer a page); pages that
write keep theirs, so that a failure leaves no half of a change behind (portal/transactions.py). A connection
that died in the pool (PostgreSQL restarted) costs no request: a page that only reads is read again, anything
else gets a pinged connection."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from portal.extensions import db
from portal.models import Client, Contract
from tests.app.test_cabinet import field, load_crafted, sign_in_crafted
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


class DeadConnections:
    """The next `count` connections the app's pool hands out are dead, as after PostgreSQL restarted: ended by
    the server (PostgreSQL). SQLite has no server: its connection is closed under the pool instead, as it is
    handed out (`at="checkout"`) or just before its first statement (`at="statement"`, for a page that only
    reads, whose connection is set to autocommit first, which a closed SQLite connection refuses)."""

    def __init__(self, app: Flask, count: int = 1, at: str = "statement") -> None:
        self.app = app
        self.left = count
        self.at = at

    def __enter__(self) -> DeadConnections:
        with self.app.app_context():
            self.engine = db.engine
        self.postgresql = self.engine.dialect.name == "postgresql"
        self.event = "checkout" if self.postgresql or self.at == "checkout" else "before_cursor_execute"
        event.listen(self.engine, self.event, self._end, insert=True)  # before the app's own listener
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, self.event, self._end)

    def _end(self, connection: Any, *args: Any) -> None:
        if self.left == 0:
            return
        self.left -= 1
        dbapi_connection = connection if self.event == "checkout" else connection.connection.dbapi_connection
        if self.postgresql:
            url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            with psycopg.connect(url, autocommit=True) as admin:
                pid = dbapi_connection.info.backend_pid
                assert admin.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchone() == (True,)
        else:
            dbapi_connection.close()


@pytest.mark.parametrize("app", [{"REDIS_URL": None}], indirect=True)  # read from the database, not the page cache
def test_a_page_that_only_reads_is_read_again_on_a_new_connection(
    app: Flask, client: FlaskClient, contract_id: int, caplog: pytest.LogCaptureFixture
) -> None:
    """No ping before a page that only reads: the dead connection fails its first statement, and the page is
    read again, whole and right, on a new one."""
    panel = {"HX-Request": "true", "HX-Target": "contract-panel"}
    before = client.get(f"/contracts/{contract_id}", headers=panel).get_data(as_text=True)
    assert field(before, "Номер договора")
    with caplog.at_level(logging.WARNING, logger="portal.transactions"), DeadConnections(app):
        response = client.get(f"/contracts/{contract_id}", headers=panel)
    assert response.status_code == 200
    assert response.get_data(as_text=True) == before
    assert [r.getMessage() for r in caplog.records if r.name == "portal.transactions"] == [
        "the database connection was gone; the page is read again on a new one"
    ]


def test_a_page_that_writes_gets_a_connection_that_answered(
    app: Flask, client: FlaskClient, contract_id: int, auth: AuthActions
) -> None:
    """A sign-in (a write) is never run twice: its connection is pinged when the pool hands it out, and a dead
    one swapped for a new one before anything is sent."""
    token = auth.token()
    with Statements(app) as statements, DeadConnections(app, at="checkout"):
        response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert statements.seen, "the logout wrote nothing"
    assert client.get(f"/contracts/{contract_id}").status_code == 302  # signed out: every session ended


def test_two_dead_connections_in_a_row_get_the_503_page(app: Flask, client: FlaskClient, contract_id: int) -> None:
    """Read again once, not forever: when the database is really gone the client gets the page that says so."""
    with DeadConnections(app, count=2):
        response = client.get(f"/contracts/{contract_id}")
    assert response.status_code == 503
