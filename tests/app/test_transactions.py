"""Pages that write keep their transaction, so that a failure leaves no half of a change behind. A connection
that died in the pool (PostgreSQL restarted) costs no request: SQLAlchemy's pool_pre_ping replaces it before a
request uses it; when the database is really gone the client gets the page that says so."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

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


def test_a_language_chosen_on_a_page_is_saved(app: Flask, client: FlaskClient, contract_id: int) -> None:
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


def end_pooled_connections(app: Flask) -> None:
    """Every connection resting in the app's pool dies, as when PostgreSQL restarts: ended by the server
    (PostgreSQL), or closed under the pool (SQLite, which has no server)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(url, autocommit=True) as admin:
            ended = admin.execute(
                "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle'"
            ).fetchone()
        assert ended is not None and ended[0] >= 1
        return
    resting = [record for record in engine.pool._pool.queue]  # type: ignore[attr-defined]
    assert resting, "no connection rests in the pool"
    for record in resting:
        record.dbapi_connection.close()


def test_a_page_is_read_on_a_new_connection_when_its_pooled_one_died(client: FlaskClient, contract_id: int) -> None:
    panel = {"HX-Request": "true", "HX-Target": "contract-panel"}
    before = client.get(f"/contracts/{contract_id}", headers=panel).get_data(as_text=True)
    assert field(before, "Номер договора")
    end_pooled_connections(client.application)
    response = client.get(f"/contracts/{contract_id}", headers=panel)
    assert response.status_code == 200
    assert response.get_data(as_text=True) == before


def test_a_sign_out_on_a_died_connection_still_ends_the_session(
    app: Flask, client: FlaskClient, contract_id: int, auth: AuthActions
) -> None:
    token = auth.token()
    end_pooled_connections(app)
    with QueryCounter(app) as statements:
        response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert statements.count, "the logout wrote nothing"
    assert client.get(f"/contracts/{contract_id}").status_code == 302  # signed out: every session ended


def test_when_the_database_is_gone_the_client_gets_the_503_page(
    app: Flask, client: FlaskClient, contract_id: int
) -> None:
    assert client.get(f"/contracts/{contract_id}").status_code == 200  # a connection now rests in the pool
    end_pooled_connections(app)
    with app.app_context():
        engine = db.engine

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("connect", {}, Exception("the database is gone"))

    event.listen(engine, "do_connect", refuse)
    try:
        response = client.get(f"/contracts/{contract_id}")
    finally:
        event.remove(engine, "do_connect", refuse)
    assert response.status_code == 503
