"""Support staff: accounts from the command line, sign-in with a password and a TOTP code, the client search,
the client's cabinet seen read-only and audited, and the notice the client then finds in the profile."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from cryptography.fernet import Fernet
from flask import Flask, current_app
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy import text as text_sql
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from portal.auth.passwords import verify_password
from portal.auth.throttle import STEP_UP_AFTER, claim_try, client_account, count_failure, staff_account
from portal.clock import now
from portal.extensions import db
from portal.faq.editing import TEXT_FIELDS, Change, keep_version
from portal.models import (
    AuditEvent,
    Client,
    ClientNotice,
    Contract,
    Deposit,
    FaqEntry,
    ImportRun,
    OneTimeCode,
    ScheduleEntry,
    SignInFailures,
    Staff,
    StaffRole,
)
from portal.sealing import unseal
from portal.staff.service import add_staff
from tests.conftest import AuthActions, FakeClock, QueryCounter, csrf_token

pytestmark = pytest.mark.usefixtures("demo")

LOGIN = "aigul"
NAME = "Нурпеисова Айгуль"
PASSWORD = "Support#Desk2026"
AKHMETOV_IIN = "880515301238"
GENERIC_ERROR = "Неверный логин, пароль или код."
BANNER = "Режим просмотра."


class StaffActions:
    """What a support staff member does, through the test client, with a TOTP code of the test's clock."""

    def __init__(self, client: FlaskClient, secret: str, clock: FakeClock) -> None:
        self.client = client
        self.totp = pyotp.TOTP(secret)
        self.clock = clock

    def code(self, steps: int = 0) -> str:
        return self.totp.at(self.clock.current, counter_offset=steps)

    def login(self, login: str = LOGIN, password: str = PASSWORD, code: str | None = None) -> TestResponse:
        token = csrf_token(self.client.get("/staff/login").get_data(as_text=True))
        data = {"csrf_token": token, "login": login, "password": password, "code": code or self.code()}
        return self.client.post("/staff/login", data=data)

    def token(self) -> str:
        return csrf_token(self.client.get("/staff").get_data(as_text=True))

    def logout(self) -> TestResponse:
        return self.client.post("/staff/logout", data={"csrf_token": self.token()})

    def search(self, typed: str) -> TestResponse:
        return self.client.post("/staff", data={"csrf_token": self.token(), "q": typed})


@pytest.fixture
def secret(app: Flask) -> str:
    return add_staff(LOGIN, NAME, PASSWORD)[1]


@pytest.fixture
def staff(client: FlaskClient, secret: str, clock: FakeClock) -> StaffActions:
    return StaffActions(client, secret, clock)


@pytest.fixture
def signed_in(staff: StaffActions) -> StaffActions:
    assert staff.login().headers["Location"] == "/staff"
    return staff


def akhmetov() -> Client:
    return db.session.scalars(select(Client).where(Client.iin == AKHMETOV_IIN)).one()


def views() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.event == "staff_viewed_client")))


def text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


# Accounts from the command line -------------------------------------------------------------------------------


def test_staff_add_asks_twice_and_prints_the_totp_uri_and_secret_once(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["portal", "staff", "add", "Daulet.K", "--name", "Кенжебаев Даулет"],
        input="Support#Desk2026\nSupport#Desk2026\n",
    )

    assert result.exit_code == 0, result.output
    staff = db.session.scalars(select(Staff).where(Staff.login == "daulet.k")).one()
    assert staff.full_name == "Кенжебаев Даулет" and staff.active
    assert staff.password_hash != PASSWORD and verify_password(staff.password_hash, "Support#Desk2026")
    uri = re.search(r"otpauth://totp/\S+", result.output)
    assert uri is not None
    secret = unseal(runner.app.config, staff.totp_sealed)
    assert pyotp.parse_uri(uri.group(0)).secret == secret
    assert "issuer=Housing%20Portal" in uri.group(0) and "daulet.k" in uri.group(0)
    assert f"TOTP secret: {secret}" in result.output
    listed = runner.invoke(args=["portal", "staff", "list"]).output
    assert "daulet.k" in listed and "Кенжебаев Даулет" in listed and secret not in listed


def test_staff_add_takes_the_password_from_the_environment_or_stdin(runner: FlaskCliRunner) -> None:
    from_env = runner.invoke(
        args=["portal", "staff", "add", "one", "--name", "Один"], env={"PORTAL_STAFF_PASSWORD": "Env#Password2026"}
    )
    from_stdin = runner.invoke(
        args=["portal", "staff", "add", "two", "--name", "Два", "--password-stdin"], input="Stdin#Password2026\n"
    )

    assert from_env.exit_code == 0 and from_stdin.exit_code == 0, (from_env.output, from_stdin.output)
    hashes = {login: hashed for login, hashed in db.session.execute(select(Staff.login, Staff.password_hash))}
    assert verify_password(hashes["one"], "Env#Password2026")
    assert verify_password(hashes["two"], "Stdin#Password2026")


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Sh0rt!", "at least 8 characters"),
        ("nouppercase#2026", "an uppercase letter"),
        ("NOLOWERCASE#2026", "a lowercase letter"),
        ("NoDigits#Here", "a digit"),
        ("NoSymbol2026", "a symbol"),
        ("Password1!", "too common"),
        ("Aigul.Support#1", "contains the login"),
    ],
)
def test_staff_add_enforces_the_manuals_password_rules(runner: FlaskCliRunner, password: str, problem: str) -> None:
    result = runner.invoke(
        args=["portal", "staff", "add", "aigul.support", "--name", NAME], env={"PORTAL_STAFF_PASSWORD": password}
    )

    assert result.exit_code == 1
    assert problem in result.output
    assert "otpauth" not in result.output
    assert db.session.scalar(select(func.count()).select_from(Staff)) == 0


def test_staff_add_refuses_mismatched_entries_a_taken_login_and_a_bad_one(runner: FlaskCliRunner) -> None:
    mismatched = runner.invoke(
        args=["portal", "staff", "add", "aigul", "--name", NAME], input="Support#Desk2026\nSupport#Desk2027\n"
    )
    assert mismatched.exit_code != 0 and "do not match" in mismatched.output

    env = {"PORTAL_STAFF_PASSWORD": PASSWORD}
    assert runner.invoke(args=["portal", "staff", "add", "aigul", "--name", NAME], env=env).exit_code == 0
    taken = runner.invoke(args=["portal", "staff", "add", "AIGUL", "--name", "Другая"], env=env)
    assert taken.exit_code == 1 and "taken" in taken.output
    bad = runner.invoke(args=["portal", "staff", "add", "ай гуль", "--name", NAME], env=env)
    assert bad.exit_code == 1 and "login" in bad.output
    assert db.session.scalar(select(func.count()).select_from(Staff)) == 1


def test_disable_ends_the_sessions_and_the_sign_ins(
    signed_in: StaffActions, runner: FlaskCliRunner, clock: FakeClock
) -> None:
    assert signed_in.client.get("/staff").status_code == 200

    result = runner.invoke(args=["portal", "staff", "disable", LOGIN])

    assert result.exit_code == 0
    assert signed_in.client.get("/staff").headers["Location"] == "/staff/login"
    clock.advance(seconds=30)
    assert GENERIC_ERROR in text(signed_in.login())
    assert "disabled" in runner.invoke(args=["portal", "staff", "list"]).output
    assert runner.invoke(args=["portal", "staff", "disable", "nobody"]).exit_code == 1


# Sign-in ------------------------------------------------------------------------------------------------------


def test_sign_in_with_password_and_code_opens_the_search(staff: StaffActions) -> None:
    response = staff.login(login=" Aigul ")

    assert response.status_code == 303 and response.headers["Location"] == "/staff"
    page = text(staff.client.get("/staff"))
    assert "Поиск клиента" in page and NAME in page
    assert 'action="/staff/logout"' in page and 'action="/logout"' not in page


@pytest.mark.parametrize(
    "wrong",
    [
        {"password": "Support#Desk2025"},
        {"login": "nobody"},
        {"code": "wrong"},  # replaced by a wrong code of 6 digits below
    ],
    ids=["password", "login", "code"],
)
def test_a_wrong_password_login_or_code_gets_one_generic_message(staff: StaffActions, wrong: dict[str, str]) -> None:
    if "code" in wrong:
        wrong = {"code": f"{(int(staff.code()) + 1) % 1_000_000:06d}"}

    response = staff.login(**wrong)

    assert response.status_code == 200
    assert GENERIC_ERROR in text(response)
    assert staff.client.get("/staff").headers["Location"] == "/staff/login"


def test_the_code_must_be_six_digits(staff: StaffActions) -> None:
    assert "Код состоит из 6 цифр." in text(staff.login(code="12345"))


def earlier_failures(login: str, address: str = "127.0.0.1") -> None:
    """Five tries that failed from this address, counted as a sign-in counts them (without hashing a password)."""
    for _ in range(5):
        assert not claim_try(staff_account(login), address, now())


@pytest.mark.parametrize("login", [LOGIN, "nosuchstaff"])
def test_five_failures_make_the_address_wait_for_a_real_login_as_for_a_made_up_one(
    staff: StaffActions, clock: FakeClock, login: str
) -> None:
    earlier_failures(login)

    throttled = staff.login(login=login)

    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "30"
    assert "Слишком много неудачных попыток. Повторите через 30 с." in text(throttled)
    assert staff.client.get("/staff").status_code == 302
    failure = "staff_login_throttled"
    assert db.session.scalars(select(AuditEvent.detail).where(AuditEvent.event == failure)).all() == ["wait 30 s"]
    clock.advance(seconds=30)
    assert staff.login(login=login).status_code == (303 if login == LOGIN else 200)  # no lock


@pytest.mark.parametrize("app", [{"PORTAL_PROXIES": 1}], indirect=True)
def test_a_staff_member_signs_in_from_another_address_while_one_is_made_to_wait(staff: StaffActions) -> None:
    earlier_failures(LOGIN, "203.0.113.7")
    token = csrf_token(text(staff.client.get("/staff/login")))
    data = {"csrf_token": token, "login": LOGIN, "password": PASSWORD, "code": staff.code()}

    assert staff.client.post("/staff/login", data=data, headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 429
    assert staff.client.post("/staff/login", data=data, headers={"X-Forwarded-For": "198.51.100.20"}).status_code == 303


def test_a_code_is_accepted_once_and_only_near_its_time(staff: StaffActions, clock: FakeClock) -> None:
    code = staff.code()
    assert staff.login(code=code).status_code == 303
    staff.logout()

    replayed = staff.login(code=code)
    assert GENERIC_ERROR in text(replayed)

    clock.advance(seconds=30)
    assert GENERIC_ERROR in text(staff.login(code=staff.code(-1)))  # the step used already: still refused
    assert GENERIC_ERROR in text(staff.login(code=staff.code(-3)))  # too old
    assert staff.login(code=staff.code(1)).status_code == 303  # the next step: clocks drift
    failures = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.event == "staff_login_failed")).all()
    assert failures.count("code used before") == 2


def test_logout_ends_every_session_of_the_staff_member(signed_in: StaffActions, app: Flask) -> None:
    cookie = signed_in.client.get_cookie("session")
    assert cookie is not None
    other = app.test_client()
    other.set_cookie("session", cookie.value)
    assert other.get("/staff").status_code == 200

    response = signed_in.logout()

    assert response.headers["Location"] == "/staff/login"
    assert other.get("/staff").headers["Location"] == "/staff/login"
    assert signed_in.client.get("/staff").headers["Location"] == "/staff/login"


def test_staff_sessions_end_after_fifteen_idle_minutes(signed_in: StaffActions, clock: FakeClock) -> None:
    clock.advance(minutes=14)
    assert signed_in.client.get("/staff").status_code == 200
    clock.advance(minutes=15, seconds=1)

    response = signed_in.client.get("/staff")

    assert response.headers["Location"] == "/staff/login"
    assert "вы не были активны 15 минут" in text(signed_in.client.get("/staff/login"))


def test_staff_sign_in_is_limited_per_address_with_the_clients_sign_in(staff: StaffActions, auth: AuthActions) -> None:
    token = csrf_token(text(staff.client.get("/staff/login")))
    statuses = [
        staff.client.post("/staff/login", data={"csrf_token": token, "login": "x", "password": "y", "code": "1"})
        for _ in range(60)
    ]
    assert {r.status_code for r in statuses} == {200}
    assert staff.login().status_code == 429
    assert auth.login().status_code == 429  # one budget across the sign-in endpoints


# One session is a client's or a staff member's, never both -------------------------------------------------------


CABINET = ["/profile", "/contracts", "/schedule"]


def test_a_staff_member_is_never_the_cabinets_client(signed_in: StaffActions) -> None:
    with signed_in.client.session_transaction() as session:
        assert "_user_id" not in session and session["staff_id"]

    for path in CABINET:
        response = signed_in.client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path


def test_a_staff_id_that_is_also_a_clients_id_opens_no_cabinet(signed_in: StaffActions) -> None:
    with signed_in.client.session_transaction() as session:
        session["_user_id"] = str(akhmetov().id)  # as if a cookie held both (it cannot without the key)

    for path in [*CABINET, "/staff"]:
        assert signed_in.client.get(path).status_code == 302, path


def test_a_client_is_never_a_staff_member(client: FlaskClient, auth: AuthActions, secret: str) -> None:
    auth.login()
    assert client.get("/profile").status_code == 200
    client_id = akhmetov().id

    for path in ["/staff", f"/staff/clients/{client_id}/profile", f"/staff/clients/{client_id}/schedule"]:
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/staff/login", path
    with client.session_transaction() as session:
        session["staff_id"] = db.session.scalar(select(Staff.id))  # the cookie both ways: neither
    assert client.get("/staff").status_code == 302
    assert client.get("/profile").status_code == 302
    assert views() == []


def test_signing_in_as_staff_signs_the_client_out_and_back(
    client: FlaskClient, auth: AuthActions, staff: StaffActions, clock: FakeClock
) -> None:
    auth.login()
    assert staff.login().status_code == 303
    assert client.get("/profile").status_code == 302

    auth.login()
    assert client.get("/profile").status_code == 200
    assert client.get("/staff").status_code == 302


# Finding a client ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", [AKHMETOV_IIN, "8805 1530 1238", "1000000001", "1000000002"])
def test_search_by_iin_or_account_finds_the_client(signed_in: StaffActions, typed: str) -> None:
    page = text(signed_in.search(typed))

    assert "Ахметов Данияр Серикович" in page
    assert f'href="/staff/clients/{akhmetov().id}/profile"' in page
    assert "Сейткали" not in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("921102404564", "ИИН указан с ошибкой"),
        ("100000000", "Клиент не найден"),
        ("990101300013", "Клиент не найден"),  # a valid IIN that is no client's
        ("88051530123", "Клиент не найден"),  # no partial matches
        ("Ахметов", "Введите ИИН (12 цифр) или номер счета"),
        ("", "Заполните это поле."),
    ],
)
def test_search_says_clearly_what_is_wrong_or_missing(signed_in: StaffActions, typed: str, message: str) -> None:
    page = text(signed_in.search(typed))

    assert message in page
    assert "Ахметов Данияр" not in page


# The client's cabinet, read-only and audited -----------------------------------------------------------------


def staff_pages(client_id: int, contract_id: int) -> list[str]:
    base = f"/staff/clients/{client_id}"
    return [
        f"{base}/profile",
        f"{base}/contracts",
        f"{base}/contracts/{contract_id}",
        f"{base}/schedule",
        f"{base}/schedule/{contract_id}?year=all&per_page=24&page=2",
        f"{base}/history",
        f"{base}/history/{contract_id}?per_page=12",
        f"{base}/contracts/{contract_id}/pay",
    ]


def second_contract() -> Contract:
    return db.session.scalars(select(Contract).where(Contract.account == "1000000002")).one()


def test_staff_see_the_clients_pages_with_the_banner_and_no_client_forms(signed_in: StaffActions) -> None:
    client = akhmetov()
    contract = second_contract()
    for path in staff_pages(client.id, contract.id):
        response = signed_in.client.get(path)
        page = text(response)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store"
        assert BANNER in page and "Ахметов Данияр Серикович" in page and "Изменения недоступны." in page
        assert re.findall(r'<form[^>]*method="post"[^>]*>', page) == [
            '<form method="post" action="/staff/logout" class="logout">'
        ], path
        for own in ("/profile", "/contracts", "/schedule", "/history"):
            assert f'href="{own}"' not in page and f'href="{own}/' not in page, (path, own)
        assert "/pay.svg" not in page or f"/staff/clients/{client.id}/contracts/" in page
        assert f'href="/staff/clients/{client.id}/schedule"' in page  # the menu stays in the staff's view

    contracts = text(signed_in.client.get(f"/staff/clients/{client.id}/contracts/{contract.id}"))
    assert contract.number in contracts and f'href="/staff/clients/{client.id}/contracts/{contract.id}"' in contracts
    schedule = text(signed_in.client.get(f"/staff/clients/{client.id}/schedule/{contract.id}"))
    assert f'action="/staff/clients/{client.id}/schedule/{contract.id}"' in schedule  # the year filter (GET)
    profile = text(signed_in.client.get(f"/staff/clients/{client.id}/profile"))
    assert "041234567" in profile and "+7 701 123 45 67" in profile


def test_an_htmx_tab_swap_in_the_staff_view_is_a_fragment_with_staff_links(signed_in: StaffActions) -> None:
    client = akhmetov()
    contract = second_contract()

    response = signed_in.client.get(
        f"/staff/clients/{client.id}/contracts/{contract.id}",
        headers={"HX-Request": "true", "HX-Target": "contract-panel"},
    )

    page = text(response)
    assert page.lstrip().startswith('<div id="contract-panel"')
    assert f"/staff/clients/{client.id}/schedule/{contract.id}" in page or "Смотреть график" not in page
    assert 'href="/contracts/' not in page
    assert len(views()) == 1


def test_unknown_clients_and_other_clients_contracts_answer_404_unaudited(signed_in: StaffActions) -> None:
    client = akhmetov()
    other = db.session.scalars(select(Contract).where(Contract.account == "1000000003")).one()

    assert signed_in.client.get("/staff/clients/999999/profile").status_code == 404
    assert signed_in.client.get(f"/staff/clients/{client.id}/contracts/{other.id}").status_code == 404
    assert signed_in.client.get(f"/staff/clients/{client.id}/schedule/{other.id}").status_code == 404
    assert views() == []


def test_every_page_staff_see_is_audited(signed_in: StaffActions, runner: FlaskCliRunner) -> None:
    client = akhmetov()
    pages = staff_pages(client.id, second_contract().id)

    for path in pages:
        assert signed_in.client.get(path).status_code == 200
    signed_in.search(AKHMETOV_IIN)  # a search shows no cabinet, only a name

    found = db.session.scalars(select(AuditEvent).where(AuditEvent.event == "staff_found_client")).one()
    assert (found.client_id, found.detail) == (client.id, "search")
    rows = views()
    assert len(rows) == len(pages)
    staff_id = db.session.scalar(select(Staff.id).where(Staff.login == LOGIN))
    assert {(row.staff_id, row.client_id, row.address) for row in rows} == {(staff_id, client.id, "127.0.0.1")}
    assert [row.detail for row in rows] == pages
    shown = runner.invoke(args=["portal", "audit", "--staff", LOGIN]).output
    assert shown.count("staff_viewed_client") == len(pages)
    assert "8805****1238" in shown and f"{LOGIN} " in shown and "/staff/clients/" in shown
    assert "staff_login_succeeded" in shown


def snapshot() -> dict[str, list[Any]]:
    """Every client fact, as the database holds it."""
    found = {}
    for model in (Client, Contract, ScheduleEntry, Deposit, OneTimeCode):
        rows = db.session.execute(select(model.__table__)).all()
        found[model.__tablename__] = sorted(tuple(row) for row in rows)
    db.session.rollback()
    return found


def test_staff_cannot_change_the_clients_data(signed_in: StaffActions, app: Flask) -> None:
    client = akhmetov()
    contract = second_contract()
    before = snapshot()
    token = signed_in.token()

    for path in staff_pages(client.id, contract.id):
        bare = path.split("?")[0]
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            response = signed_in.client.open(bare, method=method, data={"csrf_token": token})
            assert response.status_code == 405, (method, bare)
        assert signed_in.client.post(bare).status_code == 405

    posts = sorted(
        (rule.rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ()) and not rule.arguments),
        key=lambda rule: rule == "/logout",  # the client's logout last: it ends the staff's session too
    )
    staff_rules = [rule for rule in posts if rule.startswith("/staff")]
    supports = {"/staff", "/staff/login", "/staff/logout"}  # the search posts, and writes nothing
    assert supports <= set(staff_rules)
    for rule in set(staff_rules) - supports:  # the editors' and admins' forms are not support's
        assert signed_in.client.post(rule, data={"csrf_token": token}).status_code == 403, rule
    client_posts = [rule for rule in posts if not rule.startswith("/staff")]
    assert {"/logout", "/login", "/register", "/password/reset", "/password/check"} <= set(client_posts)
    for rule in client_posts:
        fields = {"csrf_token": token, "account": "1000000001", "iin": AKHMETOV_IIN}
        response = signed_in.client.post(rule, data=fields)
        assert response.status_code in (200, 302, 303, 400), (rule, response.status_code)
        assert signed_in.client.get("/profile").status_code == 302, rule  # never the client
        if rule != "/logout":
            assert signed_in.client.get(f"/staff/clients/{client.id}/profile").status_code == 200, rule

    assert snapshot() == before


# What the client sees of it ------------------------------------------------------------------------------------


def test_the_client_sees_who_looked_at_the_cabinet_in_the_profile(
    signed_in: StaffActions, client: FlaskClient, auth: AuthActions, clock: FakeClock, queries: QueryCounter
) -> None:
    client_id = akhmetov().id
    for page in ("profile", "contracts", "schedule"):
        signed_in.client.get(f"/staff/clients/{client_id}/{page}")
    signed_in.logout()

    auth.login()
    with queries:
        page = text(client.get("/profile"))

    assert queries.count <= 3, queries.statements  # the client, the visits, the contracts' figures
    notices = re.findall(r"Ваш кабинет просматривал сотрудник поддержки ([^<]+)</li>", page)
    assert notices == [f"{NAME}, 24.11.2026 11:00"]  # one visit of three pages, in Almaty's time
    assert BANNER not in page
    kk = text(client.get("/profile?lang=kk"))
    assert NAME in kk and "24.11.2026 11:00" in kk


def test_visits_older_than_thirty_days_are_not_shown_and_separate_visits_are(
    signed_in: StaffActions, client: FlaskClient, auth: AuthActions, clock: FakeClock, queries: QueryCounter
) -> None:
    client_id = akhmetov().id
    signed_in.client.get(f"/staff/clients/{client_id}/profile")
    for minutes in (31 * 24 * 60, 60):  # a month later, then an hour after that: two visits; the first too old
        clock.advance(minutes=minutes)
        signed_in.login()
        signed_in.client.get(f"/staff/clients/{client_id}/schedule")

    auth.login()
    with queries:
        page = text(client.get("/profile"))

    assert queries.count <= 3
    notices = re.findall(r"Ваш кабинет просматривал сотрудник поддержки ([^<]+)</li>", page)
    assert notices == [f"{NAME}, 25.12.2026 12:00", f"{NAME}, 25.12.2026 11:00"]


def test_a_profile_without_staff_visits_has_no_notice_and_three_queries(
    client: FlaskClient, auth: AuthActions, queries: QueryCounter
) -> None:
    auth.login()
    with queries:
        page = text(client.get("/profile"))

    assert queries.count <= 3
    assert "сотрудник поддержки" not in page


def test_staff_pages_are_never_cached_and_speak_every_language(signed_in: StaffActions) -> None:
    client_id = akhmetov().id
    for path in ("/staff", "/staff?q=1000000001", f"/staff/clients/{client_id}/profile"):
        assert signed_in.client.get(path).headers["Cache-Control"] == "no-store", path
    signed_in.client.post("/staff/logout", data={"csrf_token": signed_in.token()})
    assert signed_in.client.get("/staff/login").headers["Cache-Control"] == "no-store"
    signed_in.clock.advance(seconds=30)
    signed_in.login()

    kk = text(signed_in.client.get(f"/staff/clients/{client_id}/profile?lang=kk"))
    en = text(signed_in.client.get(f"/staff/clients/{client_id}/profile?lang=en"))

    assert "Қарау режимі." in kk and "Ахметов Данияр Серикович" in kk
    assert "View-only mode." in en and "Changes are not available." in en
    assert "Your cabinet was viewed by support staff member Нурпеисова Айгуль" in en


def test_support_sees_the_history_and_how_to_pay_of_a_client_audited(signed_in: StaffActions) -> None:
    """«Я оплатил, а платежа нет»: the page that answers it, and the payment details, as the client sees them."""
    client = akhmetov()
    contract = second_contract()
    base = f"/staff/clients/{client.id}"

    history = text(signed_in.client.get(f"{base}/history/{contract.id}"))
    assert "История платежей" in history and "Последнее поступление, которое видит кабинет" in history
    assert f'action="{base}/history/{contract.id}"' in history  # the period filter stays in the staff's view
    pay = text(signed_in.client.get(f"{base}/contracts/{contract.id}/pay"))
    assert contract.account in pay and "Способы оплаты" in pay
    assert f'src="{base}/contracts/{contract.id}/pay.svg"' in pay
    assert signed_in.client.get(f"{base}/contracts/{contract.id}/pay.svg").mimetype == "image/svg+xml"
    assert [view.detail for view in views()] == [f"{base}/history/{contract.id}", f"{base}/contracts/{contract.id}/pay"]


def test_the_search_shows_each_clients_sign_in_state(signed_in: StaffActions) -> None:
    from portal.auth.throttle import STEP_UP_AFTER, client_account, count_failure
    from portal.clock import now

    found = text(signed_in.search(AKHMETOV_IIN))
    assert "Зарегистрирован с 24.11.2026" in found and "с кодом из СМС" not in found
    assert "Не прошел первичную авторизацию" in text(signed_in.search("921102404563"))

    for _ in range(STEP_UP_AFTER):  # fifty failed passwords from everywhere
        count_failure(client_account("1000000002", AKHMETOV_IIN), now())
    db.session.commit()
    assert "следующий вход — с кодом из СМС: много неудачных попыток" in text(signed_in.search(AKHMETOV_IIN))


# Roles -------------------------------------------------------------------------------------------------------------


def test_staff_add_takes_roles_and_the_list_shows_them(runner: FlaskCliRunner) -> None:
    env = {"PORTAL_STAFF_PASSWORD": PASSWORD}
    both = runner.invoke(
        args=["portal", "staff", "add", "erlan", "--name", "Ерлан", "--role", "editor", "--role", "admin"], env=env
    )
    default = runner.invoke(args=["portal", "staff", "add", "dana", "--name", "Дана"], env=env)
    unknown = runner.invoke(args=["portal", "staff", "add", "olzhas", "--name", "Олжас", "--role", "boss"], env=env)

    assert both.exit_code == 0 and default.exit_code == 0, (both.output, default.output)
    assert unknown.exit_code != 0 and "boss" in unknown.output
    listed = runner.invoke(args=["portal", "staff", "list"]).output.splitlines()
    assert any(line.startswith("erlan") and "admin,editor" in line for line in listed), listed
    assert any(line.startswith("dana") and "support" in line for line in listed), listed
    assert not any(line.startswith("olzhas") for line in listed)


MEMBERS = (
    "staff.members",
    "staff.new_member",
    "staff.member",
    "staff.disable_member",
    "staff.enable_member",
    "staff.reset_member_authenticator",
    "staff.member_roles",
)
ROLE_NEEDED: dict[str, str | None] = {
    "staff.login": None,
    "staff.logout": None,
    "staff.imports": "any",
    **dict.fromkeys(MEMBERS, "admin"),
}  # every other: support, or editor for the FAQ's and the notices'
EDITOR_ENDPOINTS = ("staff.faq_", "staff.notice")
# A notice as an editor's form posts it (the walk's posts to the notices' routes then succeed).
NOTICE_POSTED = {
    "text_ru": "Плановые работы",
    "text_kk": "Жоспарлы жұмыстар",
    "text_en": "Planned maintenance",
    "starts_at": "2026-11-24T10:00",
    "ends_at": "2026-11-24T12:00",
}


def role_needed(endpoint: str) -> str | None:
    if endpoint.startswith(EDITOR_ENDPOINTS):
        return "editor"
    return ROLE_NEEDED.get(endpoint, "support")


def route_values(app: Flask) -> dict[str, int]:
    """An id for each URL argument of the staff's routes: a client, a contract, an FAQ entry and its version, a
    notice shown now (changed, ended and, last of its routes, deleted), and the member the admins' actions act on."""
    moment = now()
    notice = ClientNotice(
        text_ru="Текст",
        text_kk="Мәтін",
        text_en="Text",
        starts_at=moment - timedelta(hours=1),
        ends_at=moment + timedelta(hours=1),
        created_at=moment,
        updated_at=moment,
    )
    db.session.add(notice)
    entry = FaqEntry(slug="walk", position=0, topic="t", published=True)
    for name in TEXT_FIELDS:
        setattr(entry, name, "Текст")
    db.session.add(entry)
    version = keep_version(db.session(), entry, Change.FILE, None)
    db.session.commit()
    other = add_staff("dana", "Дана", PASSWORD, ("support",))[0]
    return {
        "client_id": akhmetov().id,
        "contract_id": second_contract().id,
        "entry_id": entry.id,
        "version_id": version.id,
        "member_id": other.id,
        "notice_id": notice.id,
    }


def walk_order(rule: Rule) -> tuple[bool, bool]:
    """Logout last, and before it the FAQ entry's deletion (the routes before it need the entry)."""
    return rule.endpoint == "staff.logout", rule.endpoint == "staff.faq_delete"


@pytest.mark.parametrize(
    "roles", [("support",), ("editor",), ("admin",), ()], ids=["support", "editor", "admin", "none"]
)
def test_every_staff_route_checks_its_role(
    app: Flask, client: FlaskClient, clock: FakeClock, roles: tuple[str, ...]
) -> None:
    secret = add_staff(LOGIN, NAME, PASSWORD, roles or ("support",))[1]
    if not roles:  # a member whose roles were all taken away
        db.session.execute(StaffRole.__table__.delete())
        db.session.commit()
    staff = StaffActions(client, secret, clock)
    assert staff.login().status_code == 303
    token = csrf_token(text(client.get("/staff/login?lang=ru", follow_redirects=True)))
    values = route_values(app)
    posted = {
        "csrf_token": token,
        "q": AKHMETOV_IIN,
        "reason": "Обращение 123",
        **NOTICE_POSTED,
        **{"login": "walk.member", "full_name": "Обход Маршрутов", "password": "Walk#Member2026", "roles": "support"},
    }
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("staff.")]
    assert {"staff.client_sign_in", "staff.imports", "staff.search", "staff.faq_edit", *MEMBERS} <= {
        rule.endpoint for rule in rules
    }
    checked = 0
    for rule in sorted(rules, key=walk_order):
        path = rule.build({name: values[name] for name in rule.arguments})[1]
        needed = role_needed(rule.endpoint)
        allowed = needed is None or (needed == "any" and bool(roles)) or needed in roles
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, data=posted if method == "POST" else None)
            checked += 1
            if allowed:
                assert response.status_code in (200, 303), (method, path, roles, response.status_code)
            else:
                assert response.status_code == 403, (method, path, roles, response.status_code)
                assert "Доступ запрещен" in text(response) and "У вас нет доступа к этой странице." in text(response)
    assert checked >= len(rules)
    en = client.get(f"/staff/clients/{values['client_id']}/profile?lang=en")
    assert en.status_code in (302, 403)  # signed out by the walk's logout, or refused in English


def test_a_role_refusal_speaks_the_users_language(app: Flask, client: FlaskClient, clock: FakeClock) -> None:
    staff = StaffActions(client, add_staff(LOGIN, NAME, PASSWORD, ("editor",))[1], clock)
    assert staff.login().headers["Location"] == "/staff/imports"  # an editor starts at the imports

    refused = client.get("/staff?lang=kk")

    assert refused.status_code == 403 and "Кіруге тыйым салынған" in text(refused)
    assert client.get("/staff?lang=en").status_code == 403
    assert "Access denied" in text(client.get("/staff?lang=en"))


# The imports at a glance -------------------------------------------------------------------------------------------


def test_the_imports_page_lists_the_last_twenty_in_almaty_time(signed_in: StaffActions, clock: FakeClock) -> None:
    for hours in range(25):
        db.session.add(
            ImportRun(
                finished_at=clock.current - timedelta(hours=hours, minutes=5),
                source=f"export-{hours:02d}.json",
                clients=1000 + hours,
                rows=50000 + hours,
                changed=hours,
            )
        )
    db.session.commit()

    page = text(signed_in.client.get("/staff/imports"))

    assert "Загрузки данных" in page
    assert "export-00.json" in page and "export-18.json" in page and "export-19.json" not in page  # and the demo
    assert "24.11.2026 10:55" in page  # 05:55 UTC
    assert "50000" in page and "1000" in page
    assert "не загружались больше суток" not in page
    assert not re.search(r"\b\d{12}\b", page)


def test_the_staff_home_warns_when_no_import_ran_for_a_day(signed_in: StaffActions, clock: FakeClock) -> None:
    assert "не загружались больше суток" not in text(signed_in.client.get("/staff"))  # the demo loaded just now

    db.session.execute(ImportRun.__table__.delete())
    db.session.commit()
    never = text(signed_in.client.get("/staff"))
    assert "Данные из учетной системы не загружались больше суток: последняя загрузка — ни разу." in never

    db.session.add(ImportRun(finished_at=clock.current - timedelta(hours=25), source="old.json"))
    db.session.commit()
    stale = text(signed_in.client.get("/staff"))
    assert "Данные из учетной системы не загружались больше суток: последняя загрузка 23.11.2026 10:00." in stale
    assert "Data from the accounting system" in text(signed_in.client.get("/staff?lang=en"))


def test_the_search_results_mask_the_iin(signed_in: StaffActions) -> None:
    page = text(signed_in.search("1000000001"))
    results = page[page.index('id="search-results"') :]

    assert "8805****1238" in results and AKHMETOV_IIN not in results
    assert f'href="/staff/clients/{akhmetov().id}/sign-in"' in results


# Sign-in problems --------------------------------------------------------------------------------------------------


def seitkali() -> Client:
    return db.session.scalars(select(Client).where(Client.iin == "921102404563")).one()


def mismatches() -> list[tuple[int | None, str | None]]:
    rows = db.session.execute(
        select(AuditEvent.client_id, AuditEvent.detail).where(AuditEvent.event == "facts_mismatch")
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_a_failed_registration_records_which_facts_did_not_match_and_no_values(auth: AuthActions) -> None:
    generic = "Данные не совпадают с данными договора."
    assert generic in text(auth.submit_facts(phone="+7 701 765 43 22"))
    assert generic in text(auth.submit_facts(contract_date="2023-03-16", contract_number="ДА-2023-00319"))
    assert generic in text(auth.submit_facts(iin="990101300013"))  # an IIN that is nobody's: by the account
    assert generic in text(auth.submit_facts("/password/reset", account="1999999999", iin="990101300013"))

    owner = seitkali().id
    assert mismatches() == [
        (owner, "register: phone"),
        (owner, "register: contract_number contract_date"),
        (owner, "register: iin"),
        (None, "reset: no client"),
    ]
    details = " ".join(detail or "" for _, detail in mismatches())
    assert "7657" not in details and "921102" not in details and "9901" not in details


def test_support_sees_the_sign_in_state_and_the_facts_that_did_not_match(
    signed_in: StaffActions, auth: AuthActions, client: FlaskClient
) -> None:
    other = signed_in.client.application.test_client()
    other_auth = AuthActions(other, auth.outbox)
    other_auth.submit_facts(phone="+7 701 765 43 22")
    other_auth.submit_facts()  # the right facts: a code goes out
    client_id = seitkali().id

    page = text(signed_in.client.get(f"/staff/clients/{client_id}/sign-in"))

    assert "Не прошел первичную авторизацию" in page and "921102404563" in page  # the client's own page
    assert "номер телефона не совпадает с указанным в Компании" in page
    assert "+7 701 *** ** 21" in page and "отправлен" in page and "765 43 21" not in page
    assert "Никто не ждет" in page and "Не входил" in page
    assert signed_in.client.get(f"/staff/clients/{client_id}/sign-in").headers["Cache-Control"] == "no-store"
    assert "did not match" not in page
    en = text(signed_in.client.get(f"/staff/clients/{client_id}/sign-in?lang=en"))
    assert "the phone number differs from the one on file with the Company" in en


def restricted(address: str = "203.0.113.7") -> list[str]:
    """Akhmetov's accounts: fifty failed passwords from everywhere, and one address made to wait."""
    keys = [client_account(account, AKHMETOV_IIN) for account in ("1000000001", "1000000002")]
    for _ in range(STEP_UP_AFTER):
        count_failure(keys[0], now())
    db.session.commit()
    for _ in range(6):
        claim_try(keys[1], address, now())
    return keys


def test_support_clears_the_restrictions_with_a_reason_and_the_client_is_told(
    signed_in: StaffActions, client: FlaskClient, clock: FakeClock
) -> None:
    keys = restricted()
    client_id = akhmetov().id
    path = f"/staff/clients/{client_id}/sign-in"
    page = text(signed_in.client.get(path))
    assert "Следующий вход — с кодом из СМС" in page
    assert "Адресов, которые ждут: 1, до 24.11.2026 11:00" in page

    token = signed_in.token()
    assert "Заполните это поле." in text(signed_in.client.post(path, data={"csrf_token": token, "reason": "  "}))
    too_long = text(signed_in.client.post(path, data={"csrf_token": token, "reason": "ы" * 201}))
    assert "200" in too_long
    assert signed_in.client.post(path, data={"reason": "без токена"}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(SignInFailures)) == 2

    cleared = signed_in.client.post(path, data={"csrf_token": token, "reason": "Обращение № 4512, звонок клиента"})

    assert cleared.status_code == 303 and cleared.headers["Location"] == path
    assert (
        db.session.scalar(select(func.count()).select_from(SignInFailures).where(SignInFailures.account.in_(keys))) == 0
    )
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.event == "staff_cleared_sign_in")).one()
    staff_id = db.session.scalar(select(Staff.id).where(Staff.login == LOGIN))
    assert (event.client_id, event.staff_id, event.detail) == (client_id, staff_id, "Обращение № 4512, звонок клиента")
    after = text(signed_in.client.get(path))
    assert "Ограничения входа сняты." in after and "Никто не ждет" in after and "Не нужен" in after
    signed_in.logout()

    auth = AuthActions(client, signed_in.client.application.config["PORTAL_SMS_OUTBOX"])
    assert auth.login().headers["Location"] == "/profile"  # no SMS code asked any more
    profile = text(client.get("/profile"))
    assert f"Сотрудник поддержки {NAME} снял ограничения входа, 24.11.2026 11:00" in profile
    assert "Обращение" not in profile
    assert NAME in text(client.get("/profile?lang=kk"))


def test_the_sign_in_page_needs_support_and_answers_404_for_no_client(signed_in: StaffActions) -> None:
    assert signed_in.client.get("/staff/clients/999999/sign-in").status_code == 404
    token = signed_in.token()
    assert (
        signed_in.client.post("/staff/clients/999999/sign-in", data={"csrf_token": token, "reason": "x"}).status_code
        == 404
    )


# TOTP secrets sealed at rest ---------------------------------------------------------------------------------------


def stored_secret() -> str:
    return db.session.scalars(select(Staff.totp_sealed).where(Staff.login == LOGIN)).one()


def use_keys(app: Flask, keys: str) -> None:
    """PORTAL_TOTP_KEY for the app's requests and for the commands, which run in the test body's app context."""
    app.config["PORTAL_TOTP_KEY"] = keys
    current_app.config["PORTAL_TOTP_KEY"] = keys


def test_the_database_holds_the_totp_secret_sealed_and_sign_in_still_works(
    staff: StaffActions, secret: str, app: Flask
) -> None:
    stored = stored_secret()

    assert secret not in stored and re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert unseal(app.config, stored) == secret
    assert staff.login().status_code == 303


def test_rotate_key_seals_again_under_the_new_first_key_and_sign_in_goes_on(
    staff: StaffActions, runner: FlaskCliRunner, app: Flask, clock: FakeClock
) -> None:
    old_key = app.config["PORTAL_TOTP_KEY"]
    before = stored_secret()
    new_key = Fernet.generate_key().decode()
    use_keys(app, f"{new_key},{old_key}")
    assert staff.login().status_code == 303  # the old seal still opens
    staff.logout()

    result = runner.invoke(args=["portal", "staff", "rotate-key"])

    assert result.exit_code == 0 and "TOTP secrets sealed again under the first key: 1." in result.output
    after = stored_secret()
    assert after != before
    assert Fernet(new_key).decrypt(after.encode()) == Fernet(old_key).decrypt(before.encode())
    use_keys(app, new_key)  # the old key dropped
    clock.advance(seconds=30)
    assert staff.login().status_code == 303


def test_rotate_key_changes_nothing_when_a_secret_opens_under_no_key(
    staff: StaffActions, runner: FlaskCliRunner
) -> None:
    before = stored_secret()
    use_keys(runner.app, Fernet.generate_key().decode())

    result = runner.invoke(args=["portal", "staff", "rotate-key"])

    assert result.exit_code == 1 and "nothing was changed" in result.output
    assert stored_secret() == before


def test_the_migration_seals_the_plain_secrets_and_opens_them_on_the_way_down(app: Flask, secret: str) -> None:
    from flask_migrate import downgrade, upgrade

    db.session.commit()
    downgrade(revision="b5e2f0a9c613")
    plain = db.session.execute(text_sql("SELECT totp_secret FROM staff")).scalar_one()
    db.session.commit()
    upgrade()

    assert plain == secret
    assert unseal(app.config, stored_secret()) == secret and secret not in stored_secret()


def test_a_secret_that_does_not_open_under_the_key_refuses_the_sign_in_without_a_500(
    app: Flask, staff: StaffActions, caplog: pytest.LogCaptureFixture
) -> None:
    """An operator who set the wrong PORTAL_TOTP_KEY: the staff member gets the generic error, the log says why."""
    from cryptography.fernet import Fernet

    app.config["PORTAL_TOTP_KEY"] = Fernet.generate_key().decode()
    with caplog.at_level("ERROR", logger="portal.staff.service"):
        response = staff.login()
    assert response.status_code == 200
    assert GENERIC_ERROR in text(response)
    assert "does not open under PORTAL_TOTP_KEY" in caplog.text
