"""Failed passwords slow the guesser and never lock the client out: a wait per account and address, an SMS code
after the password once the account is under attack from everywhere, the same answers for a made-up account.

A sign-in hashes a password (about 0.6 s here), so earlier failures are counted straight into the database where
a test is about what comes after them."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

import portal.auth.service
from portal.auth.throttle import (
    STEP_UP_AFTER,
    address_key,
    claim_try,
    client_account,
    count_failure,
    wait_after,
)
from portal.clock import now
from portal.extensions import db
from portal.models import AuditEvent, SignInFailures
from tests.conftest import AuthActions, FakeClock

pytestmark = pytest.mark.usefixtures("demo")

AKHMETOV = ("1000000001", "880515301238")
WRONG = "Wrong#Guess2026"
GENERIC = "Неверный номер счета, ИИН или пароль."
ATTACKER = "203.0.113.7"
OWNER = "198.51.100.20"
BEHIND_NGINX = [{"PORTAL_PROXIES": 1}]


def text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def failed_earlier(account: str, iin: str, address: str, tries: int, clock: FakeClock | None = None) -> None:
    """Tries that failed from this address, counted as a sign-in counts them (without hashing a password); with a
    clock, each waits as long as it must."""
    for _ in range(tries):
        wait = claim_try(client_account(account, iin), address, now())
        if wait and clock is not None:
            clock.advance(seconds=wait.total_seconds())
            wait = claim_try(client_account(account, iin), address, now())
        assert not wait


def events(name: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.event == name).order_by(AuditEvent.id)))


def test_the_wait_starts_at_thirty_seconds_after_five_failures_and_doubles_to_fifteen_minutes() -> None:
    assert [wait_after(n).total_seconds() for n in range(1, 12)] == [0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900]
    assert wait_after(10_000) == timedelta(minutes=15)


def test_after_five_failures_the_address_waits_and_the_right_password_then_works(
    auth: AuthActions, clock: FakeClock
) -> None:
    failed_earlier(*AKHMETOV, "127.0.0.1", 4)
    assert GENERIC in text(auth.login(password=WRONG))  # the fifth

    throttled = auth.login()  # even the right password waits: the answer must not say it was right
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "30"
    assert "Слишком много неудачных попыток. Повторите через 30 с." in text(throttled)
    assert auth.client.get("/profile").status_code == 302

    clock.advance(seconds=30)
    assert GENERIC in text(auth.login(password=WRONG))  # the sixth: the next wait is twice as long
    assert "Повторите через 60 с." in text(auth.login())
    clock.advance(seconds=60)
    assert auth.login().status_code == 303  # no lock: the owner is in
    assert db.session.scalars(select(SignInFailures)).all() == []  # and the counts start again


@pytest.mark.parametrize(
    ("account", "iin", "password"),
    [
        (*AKHMETOV, WRONG),  # a client's real pair
        ("1000000009", "880515301238", "Demo2026!"),  # an account that does not exist
        ("1000000001", "921102404563", "Demo2026!"),  # a real account with another client's IIN
        ("1000000003", "921102404563", "Demo2026!"),  # a client who has no password yet
    ],
    ids=["real", "made-up", "mismatched", "not-registered"],
)
def test_a_made_up_account_gets_the_same_answers_as_a_real_one(
    auth: AuthActions, account: str, iin: str, password: str
) -> None:
    failed_earlier(account, iin, "127.0.0.1", 4)

    fifth = auth.login(account=account, iin=iin, password=password)
    sixth = auth.login(account=account, iin=iin, password=password)

    assert (fifth.status_code, sixth.status_code) == (200, 429)
    assert GENERIC in text(fifth)
    assert "Слишком много неудачных попыток. Повторите через 30 с." in text(sixth)
    assert sixth.headers["Retry-After"] == "30"


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("kk", "Сәтсіз әрекеттер тым көп. 30 секундтан кейін қайталап көріңіз."),
        ("en", "Too many failed attempts. Try again in 30 s."),
    ],
)
def test_the_wait_is_told_in_the_language_of_the_page(
    auth: AuthActions, client: FlaskClient, language: str, words: str
) -> None:
    failed_earlier("1000000009", "880515301238", "127.0.0.1", 5)
    client.get(f"/?lang={language}")

    assert words in text(auth.login(account="1000000009"))


def test_every_answer_checks_one_password_hash_so_that_its_time_tells_nothing(
    auth: AuthActions, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real = portal.auth.service.verify_password

    def counting(password_hash: str | None, password: str) -> bool:
        checked.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(portal.auth.service, "verify_password", counting)
    failed_earlier("1000000002", "880515301238", "127.0.0.1", 5)
    answers = {
        "made-up": auth.login(account="1000000009"),
        "not registered": auth.login(account="1000000003", iin="921102404563"),
        "wrong password": auth.login(password=WRONG),
        "throttled": auth.login(account="1000000002"),
    }

    assert [response.status_code for response in answers.values()] == [200, 200, 200, 429]
    assert len(checked) == len(answers)


@pytest.mark.parametrize("app", BEHIND_NGINX, indirect=True)
def test_the_client_signs_in_from_another_address_while_an_attacker_hammers_the_account(
    app: Flask, auth: AuthActions, clock: FakeClock, outbox: Path
) -> None:
    attacker = AuthActions(app.test_client(), outbox)
    failed_earlier(*AKHMETOV, ATTACKER, 10, clock)
    hammering = attacker.login(password=WRONG, **{"X-Forwarded-For": ATTACKER})
    assert hammering.status_code == 429 and "Повторите через 15 мин." in text(hammering)

    owner = auth.login(**{"X-Forwarded-For": OWNER})

    assert owner.status_code == 303 and owner.headers["Location"] == "/profile"
    assert auth.client.get("/profile").status_code == 200
    # The owner's sign-in did not lift the attacker's wait.
    assert attacker.login(password=WRONG, **{"X-Forwarded-For": ATTACKER}).status_code == 429


@pytest.mark.parametrize("app", BEHIND_NGINX, indirect=True)
def test_the_counts_keep_no_account_iin_or_address_in_clear(auth: AuthActions) -> None:
    auth.login(password=WRONG, **{"X-Forwarded-For": ATTACKER})

    rows = db.session.scalars(select(SignInFailures)).all()
    assert len(rows) == 2  # this address's count, and the count from every address
    stored = " ".join(f"{row.account} {row.address}" for row in rows)
    for secret in (*AKHMETOV, ATTACKER, "203.0.113", "+77011234567"):
        assert secret not in stored


def count_many_failures(account: str, iin: str, failures: int) -> None:
    """Failures from many addresses, as count_failure counts a wrong password (without hashing one)."""
    for _ in range(failures):
        count_failure(client_account(account, iin), now())
    db.session.commit()


@pytest.mark.parametrize("app", BEHIND_NGINX, indirect=True)
def test_fifty_failures_in_a_day_make_the_next_sign_in_ask_for_an_sms_code(
    auth: AuthActions, client: FlaskClient, clock: FakeClock
) -> None:
    count_many_failures(*AKHMETOV, STEP_UP_AFTER - 1)
    assert GENERIC in text(auth.login(password=WRONG, **{"X-Forwarded-For": ATTACKER}))  # the fiftieth
    assert [event.detail for event in events("login_code_required")] == ["50 failures in a day"]

    response = client.post(
        "/login?next=/schedule",
        data={"csrf_token": auth.token(), "account": AKHMETOV[0], "iin": AKHMETOV[1], "password": "Demo2026!"},
        headers={"X-Forwarded-For": OWNER},
    )

    assert response.status_code == 303 and response.headers["Location"] == "/login/code"
    assert client.get("/profile").status_code == 302  # not in before the code
    page = text(client.get("/login/code"))
    assert "подтвердите вход кодом из СМС" in page and "+7 701 *** ** 67" in page.replace("\xa0", " ")
    code = auth.last_code()
    wrong = "000000" if code != "000000" else "111111"
    assert "Неверный код. Осталось попыток: 4." in text(auth.submit_code(wrong, "/login/code"))

    signed_in = auth.submit_code(code, "/login/code")

    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/schedule"
    assert client.get("/profile").status_code == 200
    assert [event.detail for event in events("login_code_asked")] == ["password right"]
    assert events("login_succeeded")[-1].detail == "with sms code"
    assert events("code_sent")[-1].detail == "sign_in"
    auth.logout()
    clock.advance(seconds=61)
    assert auth.login(**{"X-Forwarded-For": OWNER}).headers["Location"] == "/profile"  # the count is cleared


def test_a_sign_in_code_is_good_once_and_only_for_signing_in(auth: AuthActions, client: FlaskClient) -> None:
    count_many_failures(*AKHMETOV, STEP_UP_AFTER)
    assert auth.login().headers["Location"] == "/login/code"
    code = auth.last_code()

    assert auth.submit_code(code, "/password/reset/code").headers["Location"] == "/password/reset"  # another flow
    assert auth.submit_code(code, "/login/code").headers["Location"] == "/profile"
    auth.logout()

    replayed = auth.submit_code(code, "/login/code")
    assert replayed.headers["Location"] == "/login"
    assert client.get("/profile").status_code == 302


def test_the_code_step_of_a_sign_in_asks_again_when_the_code_cannot_go_out(
    auth: AuthActions, client: FlaskClient, clock: FakeClock
) -> None:
    count_many_failures(*AKHMETOV, STEP_UP_AFTER)
    assert auth.login().headers["Location"] == "/login/code"

    again = auth.login()  # the client went back and signed in again within the minute
    assert again.headers["Location"] == "/login/code"  # the code sent a moment ago is still good
    resend = client.post("/login/code/resend", data={"csrf_token": auth.token()})
    assert "Повторно отправить код можно через" in text(resend)
    clock.advance(seconds=61)
    assert client.post("/login/code/resend", data={"csrf_token": auth.token()}).headers["Location"] == "/login/code"
    assert auth.submit_code(auth.last_code(), "/login/code").headers["Location"] == "/profile"


def test_a_failure_count_below_fifty_starts_again_after_a_day(clock: FakeClock) -> None:
    key = client_account(*AKHMETOV)
    for _ in range(STEP_UP_AFTER - 1):
        count_failure(key, now())
    clock.advance(days=1, seconds=1)

    assert count_failure(key, now()) == 1


def test_a_count_of_fifty_stays_until_a_sign_in_with_the_code(clock: FakeClock) -> None:
    key = client_account(*AKHMETOV)
    for _ in range(STEP_UP_AFTER):
        count_failure(key, now())
    clock.advance(days=3)

    assert count_failure(key, now()) == STEP_UP_AFTER + 1


def test_an_address_forgets_its_failures_after_a_quiet_day(clock: FakeClock) -> None:
    failed_earlier(*AKHMETOV, "127.0.0.1", 9, clock)
    clock.advance(days=1, seconds=1)

    failed_earlier(*AKHMETOV, "127.0.0.1", 5)  # five free tries again, none of them waits


def test_tries_that_race_from_one_address_get_no_more_than_five_through(app: Flask) -> None:
    key = client_account(*AKHMETOV)
    barrier = threading.Barrier(12)
    waits: list[timedelta] = []

    def attempt() -> None:
        with app.app_context():
            barrier.wait()
            waits.append(claim_try(key, "127.0.0.1", now()))
            db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(waits) == 12
    assert sum(1 for wait in waits if not wait) == 5


def test_counts_a_day_old_are_deleted_as_new_ones_begin_but_not_one_that_asks_for_a_code(clock: FakeClock) -> None:
    failed_earlier(*AKHMETOV, ATTACKER, 3)
    count_many_failures(*AKHMETOV, 3)
    count_many_failures("1000000002", "880515301238", STEP_UP_AFTER)
    clock.advance(days=1, seconds=1)

    failed_earlier("1000000009", "880515301238", ATTACKER, 1)  # a count begins elsewhere

    kept = {(row.account, row.address, row.failures) for row in db.session.scalars(select(SignInFailures))}
    assert kept == {
        (client_account("1000000002", "880515301238"), "", STEP_UP_AFTER),
        (client_account("1000000009", "880515301238"), address_key(ATTACKER), 1),
    }
