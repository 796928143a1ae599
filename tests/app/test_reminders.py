"""`portal remind` and the reminders choice in Профиль: once per entry and reason, only registered clients who
want them, in the client's language, nothing in clear in the log."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

import pytest
from flask import Flask, current_app
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from portal.domain.reminders import Reason
from portal.extensions import db
from portal.models import AuditEvent, Client, ReminderSent, ScheduleEntry
from portal.reminders import _claim
from tests.app.test_cabinet import CRAFTED_IIN, load_crafted, sign_in_crafted
from tests.conftest import AuthActions, csrf_token

# The crafted client: July and August paid and debited, 50 000 paid in on 12.09; September due on 10.09.
BEFORE_SEPTEMBER = date(2022, 9, 8)  # two days before; the account holds 0 of September's 120 000
AFTER_SEPTEMBER = date(2022, 9, 11)  # due date passed uncovered: «Просрочено»


def sent(outbox: Path) -> list[dict[str, str]]:
    if not outbox.exists():
        return []
    return [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]


def remind(runner: FlaskCliRunner, app: Flask, day: date) -> str:
    # The command runs in the app context already pushed for the test body (the twin app's), as in production
    # it runs in its own.
    current_app.config["PORTAL_TODAY"] = app.config["PORTAL_TODAY"] = day
    result = runner.invoke(args=["portal", "remind"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def crafted() -> Client:
    return db.session.scalars(select(Client).where(Client.iin == CRAFTED_IIN)).one()


def test_a_payment_the_balance_will_not_cover_is_reminded_once(
    app: Flask, runner: FlaskCliRunner, outbox: Path
) -> None:
    load_crafted()

    assert remind(runner, app, date(2022, 9, 6)) == "Reminders sent: 0."  # four days before: not yet
    assert remind(runner, app, BEFORE_SEPTEMBER) == "Reminders sent: 1."
    assert remind(runner, app, BEFORE_SEPTEMBER) == "Reminders sent: 0."
    assert remind(runner, app, date(2022, 9, 9)) == "Reminders sent: 0."

    (message,) = sent(outbox)
    assert message["to"] == "+77071234567"
    assert message["text"] == (
        "Напоминание: по договору ДА-2022-00000 к оплате до 10.09.2022 123\xa0800,00\xa0₸, как в личном кабинете. "
        "Пополните лицевой счет."
    )
    (row,) = db.session.scalars(select(ReminderSent)).all()
    assert row.reason == "upcoming"


def test_a_missed_debit_is_reminded_once_besides_the_warning_before(
    app: Flask, runner: FlaskCliRunner, outbox: Path
) -> None:
    load_crafted()
    remind(runner, app, BEFORE_SEPTEMBER)

    assert remind(runner, app, AFTER_SEPTEMBER) == "Reminders sent: 1."
    assert remind(runner, app, AFTER_SEPTEMBER) == "Reminders sent: 0."
    assert remind(runner, app, date(2022, 9, 20)) == "Reminders sent: 0."

    texts = [message["text"] for message in sent(outbox)]
    assert len(texts) == 2
    assert texts[1] == (
        "Платеж по договору ДА-2022-00000 от 10.09.2022 не списан. Просрочено сейчас: 123\xa0800,00\xa0₸. "
        "Пополните лицевой счет."
    )
    # October: warned before it, then missed; the SMS says «Просрочено сейчас» as the cabinet does: September and
    # October, 3 800 of charges, less the 50 000 paid in on 12.09.
    assert remind(runner, app, date(2022, 10, 8)) == "Reminders sent: 1."
    assert remind(runner, app, date(2022, 10, 11)) == "Reminders sent: 1."
    assert "193\xa0800,00\xa0₸" in sent(outbox)[-1]["text"]
    assert {
        (r.reason, e.due_on) for r, e in db.session.execute(select(ReminderSent, ScheduleEntry).join(ScheduleEntry))
    } == {
        ("upcoming", date(2022, 9, 10)),
        ("missed", date(2022, 9, 10)),
        ("upcoming", date(2022, 10, 10)),
        ("missed", date(2022, 10, 10)),
    }


@pytest.mark.parametrize(
    ("language", "words"),
    [(None, "Напоминание: по"), ("ru", "Напоминание"), ("kk", "Еске салу: ДА-2022-00000"), ("en", "Reminder: ")],
)
def test_the_sms_speaks_the_clients_language(
    app: Flask, runner: FlaskCliRunner, outbox: Path, language: str | None, words: str
) -> None:
    load_crafted()
    crafted().language = language
    db.session.commit()

    remind(runner, app, BEFORE_SEPTEMBER)

    (message,) = sent(outbox)
    assert message["text"].startswith(words)
    if language == "en":
        assert "by 10 Sep 2022" in message["text"] and "₸123,800.00" in message["text"]


def test_nobody_unregistered_or_opted_out_is_reminded(app: Flask, runner: FlaskCliRunner, outbox: Path) -> None:
    load_crafted()
    crafted().reminders = False
    db.session.commit()
    assert remind(runner, app, BEFORE_SEPTEMBER) == "Reminders sent: 0."

    client = crafted()
    client.reminders, client.password_hash = True, None
    db.session.commit()
    assert remind(runner, app, BEFORE_SEPTEMBER) == "Reminders sent: 0."
    assert sent(outbox) == []


def test_a_reminder_claimed_by_another_run_is_not_sent_again(app: Flask) -> None:
    load_crafted()
    entry_id = db.session.scalar(select(ScheduleEntry.id).where(ScheduleEntry.due_on == date(2022, 9, 10)))
    moment = app.config["PORTAL_CLOCK"]()

    assert _claim(db.session, [entry_id], Reason.UPCOMING, moment) == [entry_id]
    assert _claim(db.session, [entry_id], Reason.UPCOMING, moment) == []  # ON CONFLICT DO NOTHING
    assert _claim(db.session, [entry_id], Reason.MISSED, moment) == [entry_id]


@pytest.mark.parametrize("app", [{"PORTAL_SMS_OUTBOX": "/proc/portal-no-such-dir/outbox.jsonl"}], indirect=True)
def test_a_reminder_the_gateway_refused_is_tried_again(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    load_crafted()
    with caplog.at_level(logging.INFO):
        assert remind(runner, app, BEFORE_SEPTEMBER) == "Reminders sent: 0."
    assert db.session.scalars(select(ReminderSent)).all() == []
    assert "+77071234567" not in caplog.text and "пополните" not in caplog.text
    assert "upcoming reminder to +7 707 *** ** 67 not sent" in caplog.text

    current_app.config["PORTAL_SMS_OUTBOX"] = str(tmp_path / "outbox.jsonl")
    with caplog.at_level(logging.INFO):
        assert remind(runner, app, BEFORE_SEPTEMBER) == "Reminders sent: 1."
    assert "+77071234567" not in caplog.text and "Напоминание" not in caplog.text


def test_the_client_turns_reminders_off_and_on_in_the_profile(
    client: FlaskClient, auth: AuthActions, runner: FlaskCliRunner, app: Flask, outbox: Path
) -> None:
    load_crafted()
    sign_in_crafted(auth)
    page = client.get("/profile").get_data(as_text=True)
    assert "Напоминания включены." in page and "Выключить напоминания" in page

    off = client.post("/profile/reminders", data={"csrf_token": csrf_token(page), "reminders": "off"})
    assert off.status_code == 303 and off.headers["Location"] == "/profile"
    assert crafted().reminders is False
    page = client.get("/profile").get_data(as_text=True)
    assert "Напоминания выключены." in page and "Включить напоминания" in page
    assert remind(runner, app, BEFORE_SEPTEMBER) == "Reminders sent: 0."

    on = client.post(
        "/profile/reminders",
        data={"reminders": "on"},
        headers={"HX-Request": "true", "HX-Target": "reminders", "X-CSRFToken": csrf_token(page)},
    )
    body = on.get_data(as_text=True)
    assert on.status_code == 200 and body.lstrip().startswith('<section id="reminders"')
    assert "Напоминания включены." in body and "HX-Request" in on.headers["Vary"]
    db.session.expire_all()
    assert crafted().reminders is True
    assert remind(runner, app, BEFORE_SEPTEMBER) == "Reminders sent: 1."
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.event == "reminders_changed")).all()
    assert [event.detail for event in events] == ["off", "on"]


def test_the_reminders_choice_needs_csrf_and_a_known_value(client: FlaskClient, auth: AuthActions) -> None:
    load_crafted()
    sign_in_crafted(auth)
    assert client.post("/profile/reminders", data={"reminders": "off"}).status_code == 400
    page = client.get("/profile").get_data(as_text=True)
    client.post("/profile/reminders", data={"csrf_token": csrf_token(page), "reminders": "maybe"})
    db.session.expire_all()
    assert crafted().reminders is True
