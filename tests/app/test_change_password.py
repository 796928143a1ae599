"""Профиль → Сменить пароль: the current password, then a new one under the manual's rules; every other session
ends, this one goes on, and an SMS tells the client."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent
from tests.conftest import WATCH, AuthActions, csrf_token

pytestmark = pytest.mark.usefixtures("demo")
NEW = "Novyi#Parol2026"


def change(client: FlaskClient, current: str, new: str, confirmation: str | None = None) -> str:
    WATCH.watch_password(new)
    token = csrf_token(client.get("/profile/password").get_data(as_text=True))
    data = {"csrf_token": token, "current": current, "password": new, "confirmation": confirmation or new}
    response = client.post("/profile/password", data=data, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_password_changes_every_other_session_ends_and_an_sms_tells_the_client(
    app: Flask, client: FlaskClient, auth: AuthActions, outbox: Path
) -> None:
    auth.login()
    elsewhere = app.test_client()
    assert AuthActions(elsewhere, outbox).login().status_code == 303
    assert "Сменить пароль" in client.get("/profile").get_data(as_text=True)

    page = change(client, "Demo2026!", NEW)

    assert "Пароль изменен. Все другие сеансы завершены." in page
    assert client.get("/profile").status_code == 200  # this session goes on
    assert elsewhere.get("/profile").status_code == 302  # the other one ended
    (sms,) = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    assert sms["to"] == "+77011234567" and "Пароль от Личного кабинета изменен" in sms["text"]
    fresh = AuthActions(app.test_client(), outbox)
    assert fresh.login(password="Demo2026!").status_code == 200  # the old password no longer opens it
    assert fresh.login(password=NEW).status_code == 303


def test_a_wrong_current_password_changes_nothing(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login()
    page = change(client, "Wrong#Pass2026", NEW)
    assert "Текущий пароль указан неверно." in page
    assert client.get("/profile").status_code == 200
    assert AuthActions(app.test_client(), Path("unused")).login().status_code == 303  # Demo2026! still works
    refused = db.session.scalars(select(AuditEvent).where(AuditEvent.event == "password_change_refused")).all()
    assert len(refused) == 1


@pytest.mark.parametrize(
    ("new", "confirmation", "problem"),
    [
        ("short1!", None, "Пароль не выполняет условия"),
        (NEW, "Other#Parol2026", "Пароль не выполняет условия"),
        ("Password1!", None, "слишком распространен"),
    ],
)
def test_a_new_password_under_the_rules_only(
    client: FlaskClient, auth: AuthActions, new: str, confirmation: str | None, problem: str
) -> None:
    auth.login()
    page = change(client, "Demo2026!", new, confirmation)
    assert problem in page
    assert "Смена пароля" in page


def test_signed_out_it_asks_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/profile/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
