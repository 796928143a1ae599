"""Races a double click or a script can start: exactly one request wins, nothing is written twice, no 500.
Threads hit the app at the same moment, on whichever database the suite runs (CI runs PostgreSQL too)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from portal.auth.passwords import verify_password
from portal.extensions import db
from portal.models import AuditEvent, Client, OneTimeCode
from tests.conftest import SEITKALI_FACTS, AuthActions, csrf_token

pytestmark = pytest.mark.usefixtures("demo")


def at_once(app: Flask, cookie: str, requests: list[Callable[[FlaskClient], TestResponse]]) -> list[TestResponse]:
    """Send the requests from one browser session (the same cookie), all released at the same moment."""
    barrier = threading.Barrier(len(requests))
    responses: list[TestResponse | BaseException] = [RuntimeError("no answer")] * len(requests)

    def run(index: int) -> None:
        client = app.test_client()
        client.set_cookie("session", cookie)
        barrier.wait()
        try:
            responses[index] = requests[index](client)
        except BaseException as error:
            responses[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for response in responses:
        if isinstance(response, BaseException):
            raise response
    return responses  # type: ignore[return-value]


def cookie_of(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def count(model: type) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_same_registration_submitted_twice_at_once_sends_one_code(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    token = csrf_token(client.get("/register").get_data(as_text=True))
    facts = {**SEITKALI_FACTS, "csrf_token": token}

    responses = at_once(app, cookie_of(client), [lambda c: c.post("/register", data=facts)] * 2)

    assert sorted(r.status_code for r in responses) == [200, 303]
    assert count(OneTimeCode) == 1
    assert len(auth.outbox.read_text(encoding="utf-8").splitlines()) == 1


def test_the_same_code_verified_twice_at_once_is_accepted_once(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.submit_facts()
    data = {"csrf_token": auth.token(), "code": auth.last_code()}

    responses = at_once(app, cookie_of(client), [lambda c: c.post("/register/code", data=data)] * 2)

    accepted = [r for r in responses if r.headers.get("Location") == "/register/password"]
    assert len(accepted) == 1
    assert all(r.status_code < 500 for r in responses)
    assert "уже использован" in next(r for r in responses if r not in accepted).get_data(as_text=True)


def test_two_passwords_set_at_once_with_one_code_only_one_is_kept(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.submit_facts()
    auth.submit_code(auth.last_code())
    token = auth.token()
    cookie = cookie_of(client)

    def set_password(password: str) -> Callable[[FlaskClient], TestResponse]:
        return lambda c: c.post(
            "/register/password", data={"csrf_token": token, "password": password, "confirmation": password}
        )

    responses = at_once(app, cookie, [set_password("Ainur#Home2027"), set_password("Other#Home2027")])

    won = [r for r in responses if r.headers.get("Location") == "/profile"]
    assert len(won) == 1
    assert all(r.status_code < 500 for r in responses)
    client_row = db.session.scalars(select(Client).where(Client.iin == "921102404563")).one()
    db.session.refresh(client_row)
    assert verify_password(client_row.password_hash, "Ainur#Home2027") != verify_password(
        client_row.password_hash, "Other#Home2027"
    )
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.event == "password_set")) == 1
    )
