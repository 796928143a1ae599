"""Admins manage the staff at /staff/members: the list with the last sign-in, adding a member (the TOTP secret shown
once), disabling, enabling, a new authenticator and new roles, each audited; the last active admin is kept."""

from __future__ import annotations

import re
import threading
import time

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from werkzeug.test import TestResponse

from portal.extensions import db
from portal.models import AuditEvent, Staff
from portal.sealing import unseal
from portal.staff.service import add_staff
from tests.app.test_staff import PASSWORD, StaffActions, text
from tests.conftest import FakeClock, QueryCounter, csrf_token

ADMIN = "erlan"
ADMIN_NAME = "Ерланов Ерлан"
MEMBER = "dana"
MEMBER_NAME = "Данова Дана"
MEMBER_PASSWORD = "Dana#Support2026"
GENERIC_ERROR = "Неверный логин, пароль или код."
ONCE = "Секрет показан один раз: больше его не покажут."
LAST_ADMIN_ROLE = "Нельзя снять роль администратора с последнего активного администратора."
LAST_ADMIN_DISABLE = "Нельзя отключить последнего активного администратора."


class AdminActions(StaffActions):
    """An admin at the members' pages, through the test client."""

    def token(self) -> str:
        return csrf_token(text(self.client.get("/staff/members/new")))

    def add(self, **typed: object) -> TestResponse:
        data = {"login": MEMBER, "full_name": MEMBER_NAME, "password": MEMBER_PASSWORD, "roles": ["support"], **typed}
        return self.client.post("/staff/members/new", data={"csrf_token": self.token(), **data})

    def act(self, member_id: int, action: str, **data: object) -> TestResponse:
        return self.client.post(f"/staff/members/{member_id}/{action}", data={"csrf_token": self.token(), **data})


@pytest.fixture
def admin(app: Flask, client: FlaskClient, clock: FakeClock) -> AdminActions:
    actions = AdminActions(client, add_staff(ADMIN, ADMIN_NAME, PASSWORD, ("admin",))[1], clock)
    assert actions.login(login=ADMIN).headers["Location"] == "/staff/imports"
    return actions


def member_signed_in(app: Flask, clock: FakeClock, secret: str, login: str = MEMBER) -> StaffActions:
    """The member, signed in in a browser of their own; a later step of the clock, so that the code is new."""
    clock.advance(seconds=30)
    actions = StaffActions(app.test_client(), secret, clock)
    assert actions.login(login=login, password=MEMBER_PASSWORD).status_code == 303
    return actions


def staff_row(login: str) -> Staff:
    db.session.expire_all()
    return db.session.scalars(select(Staff).where(Staff.login == login)).one()


def audit(event: str) -> list[tuple[int | None, str | None]]:
    rows = db.session.execute(
        select(AuditEvent.staff_id, AuditEvent.detail).where(AuditEvent.event == event).order_by(AuditEvent.id)
    )
    return [(staff_id, detail) for staff_id, detail in rows]


def shown_secret(page: str) -> str:
    found = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page)
    assert found, "the page shows no secret"
    return found.group(1).replace(" ", "")


# The list --------------------------------------------------------------------------------------------------------


def test_the_list_shows_every_member_and_their_last_sign_in_in_almaty_time(
    admin: AdminActions, app: Flask, clock: FakeClock, queries: QueryCounter
) -> None:
    add_staff(MEMBER, MEMBER_NAME, MEMBER_PASSWORD, ("support", "editor"))
    with queries:
        response = admin.client.get("/staff/members")
    page = text(response)

    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "Добавить сотрудника" in page and ADMIN_NAME in page and MEMBER_NAME in page
    assert "Поддержка, Редактор" in page and "Администратор" in page
    assert "24.11.2026 11:00" in page  # the admin signed in at 06:00 UTC
    assert "Не входил(а)" in page  # the member never did
    counted = queries.count
    for number in range(5):
        add_staff(f"more{number}", f"Сотрудник {number}", MEMBER_PASSWORD)
    with queries:
        admin.client.get("/staff/members")
    assert queries.count == counted <= 4, queries.statements  # the admin and roles, then the members and roles

    en = text(admin.client.get("/staff/members?lang=en"))
    assert "Add a staff member" in en and "Never signed in" in en and "Support, Editor" in en
    assert "Қызметкер қосу" in text(admin.client.get("/staff/members?lang=kk"))


def test_the_menu_shows_the_members_to_admins_only(admin: AdminActions, app: Flask, clock: FakeClock) -> None:
    assert 'href="/staff/members"' in text(admin.client.get("/staff/imports"))

    member = member_signed_in(app, clock, add_staff(MEMBER, MEMBER_NAME, MEMBER_PASSWORD)[1])

    assert 'href="/staff/members"' not in text(member.client.get("/staff"))
    assert member.client.get("/staff/members").status_code == 403
    assert member.client.get(f"/staff/members/{staff_row(ADMIN).id}").status_code == 403


# Adding a member ----------------------------------------------------------------------------------------------------


def test_an_added_member_is_shown_the_secret_once_and_signs_in_with_it(
    admin: AdminActions, app: Flask, clock: FakeClock
) -> None:
    response = admin.add(login=" Dana ", roles=["support", "editor"])

    page = text(response)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "Сотрудник добавлен: dana" in page and ONCE in page
    assert '<svg width="' in page and 'class="totp-qr"' in page  # the QR code, inline (the CSP has no data: images)
    assert "style=" not in page and "<style" not in page and "<script>" not in page and "data:" not in page
    secret = shown_secret(page)
    assert re.search(r'<code id="totp-secret">(\w{4} )+\w{1,4}</code>', page)  # in groups of four
    member = staff_row(MEMBER)
    assert member.full_name == MEMBER_NAME and member.role_names == {"support", "editor"} and member.active
    assert secret not in member.totp_sealed and unseal(app.config, member.totp_sealed) == secret
    assert audit("staff_added") == [(None, "erlan: admin"), (staff_row(ADMIN).id, "dana: editor,support")]

    for path in ("/staff/members", f"/staff/members/{member.id}", f"/staff/members/{member.id}?lang=en"):
        again = text(admin.client.get(path))
        assert secret not in again and ONCE not in again and "totp-qr" not in again

    signed_in = member_signed_in(app, clock, secret)
    assert "Поиск клиента" in text(signed_in.client.get("/staff"))


def test_the_secret_page_speaks_the_admins_language(admin: AdminActions) -> None:
    admin.client.get("/staff/members?lang=en")

    page = text(admin.add())

    assert "Staff member added: dana" in page and "will not be shown again" in page
    assert "Or type the secret in by hand:" in page


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"login": ADMIN}, "login", "Этот логин уже занят."),
        ({"login": "да на"}, "login", "Логин: от 2 до 50 знаков из a–z, 0–9"),
        ({"password": "Sh0rt!"}, "password", "Пароль не выполняет условия: минимум 8 значений."),
        ({"password": "nouppercase#2026"}, "password", "Пароль не выполняет условия: минимум 1 заглавная буква."),
        ({"password": "Password1!"}, "password", "Этот пароль слишком распространен или содержит логин."),
        (
            {"login": "dana.support", "password": "Dana.Support#1"},
            "password",
            "Этот пароль слишком распространен или содержит логин.",
        ),
        ({"roles": []}, "roles", "Выберите хотя бы одну роль."),
        ({"full_name": "  "}, "full_name", "Заполните это поле."),
    ],
    ids=["taken", "bad-login", "short", "no-uppercase", "common", "login-inside", "no-role", "no-name"],
)
def test_bad_input_is_named_beside_its_field_and_the_typed_values_stay(
    admin: AdminActions, typed: dict[str, object], field: str, message: str
) -> None:
    response = admin.add(**typed)

    page = text(response)
    assert response.status_code == 200 and ONCE not in page
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]+)</p>', page)
    assert error and error.group(1).startswith(message), page
    if field != "full_name":
        assert f'value="{MEMBER_NAME}"' in page
    if field != "login":
        assert f'value="{typed.get("login", MEMBER)}"' in page
    if field != "roles":
        assert re.search(r'<input checked id="roles-0" name="roles" type="checkbox" value="support">', page)
    assert MEMBER_PASSWORD not in page  # a password is never sent back
    assert len(db.session.scalars(select(Staff)).all()) == 1
    assert audit("staff_added") == [(None, "erlan: admin")]


@pytest.mark.parametrize(
    ("language", "typed", "message"),
    [
        ("kk", {"password": "Sh0rt!"}, "Құпиясөз мына талаптарға сай емес: кемінде 8 таңба."),
        ("en", {"password": "Sh0rt!"}, "The password does not meet these rules: at least 8 characters."),
        ("kk", {"login": ADMIN}, "Бұл логин бос емес."),
        ("en", {"login": ADMIN}, "This login is already taken."),
        ("kk", {"roles": []}, "Кем дегенде бір рөлді таңдаңыз."),
        ("en", {"roles": []}, "Choose at least one role."),
    ],
)
def test_bad_input_is_refused_in_the_users_language(
    admin: AdminActions, language: str, typed: dict[str, object], message: str
) -> None:
    admin.client.get(f"/staff/members?lang={language}")

    assert message in text(admin.add(**typed))


def test_adding_needs_the_csrf_token(admin: AdminActions) -> None:
    data = {"login": MEMBER, "full_name": MEMBER_NAME, "password": MEMBER_PASSWORD, "roles": "support"}

    assert ONCE not in text(admin.client.post("/staff/members/new", data=data))
    assert len(db.session.scalars(select(Staff)).all()) == 1


# Disabling and enabling -------------------------------------------------------------------------------------------


def test_a_disabled_member_is_signed_out_at_once_and_an_enabled_one_signs_in_again(
    admin: AdminActions, app: Flask, clock: FakeClock
) -> None:
    secret = add_staff(MEMBER, MEMBER_NAME, MEMBER_PASSWORD)[1]
    member = member_signed_in(app, clock, secret)
    member_id = staff_row(MEMBER).id
    assert member.client.get("/staff").status_code == 200

    disabled = admin.act(member_id, "disable")

    assert disabled.status_code == 303 and disabled.headers["Location"] == f"/staff/members/{member_id}"
    page = text(admin.client.get(disabled.headers["Location"]))
    assert "Учетная запись dana отключена" in page and "Отключен: войти не может" in page
    assert member.client.get("/staff").headers["Location"] == "/staff/login"  # the next request
    clock.advance(seconds=30)
    assert GENERIC_ERROR in text(member.login(login=MEMBER, password=MEMBER_PASSWORD))
    assert not staff_row(MEMBER).active

    enabled = admin.act(member_id, "enable")

    assert enabled.status_code == 303
    assert "Учетная запись dana включена" in text(admin.client.get(enabled.headers["Location"]))
    clock.advance(seconds=30)
    assert member.login(login=MEMBER, password=MEMBER_PASSWORD).headers["Location"] == "/staff"
    admin_id = staff_row(ADMIN).id
    assert audit("staff_disabled") == [(admin_id, MEMBER)]
    assert audit("staff_enabled") == [(admin_id, MEMBER)]


def test_actions_need_the_csrf_token_and_a_known_member(admin: AdminActions) -> None:
    member_id = add_staff(MEMBER, MEMBER_NAME, MEMBER_PASSWORD)[0].id

    for action in ("disable", "enable", "authenticator"):
        assert admin.client.post(f"/staff/members/{member_id}/{action}").status_code == 400
    assert admin.client.post(f"/staff/members/{member_id}/roles", data={"roles": "admin"}).status_code == 400
    assert staff_row(MEMBER).active and staff_row(MEMBER).role_names == {"support"}
    assert admin.client.get("/staff/members/9999").status_code == 404
    assert admin.act(9999, "disable").status_code == 404
    assert admin.client.get(f"/staff/members/{member_id}/disable").status_code == 405


# A new authenticator ------------------------------------------------------------------------------------------------


def test_a_new_authenticator_is_shown_once_and_ends_the_old_codes_and_sessions(
    admin: AdminActions, app: Flask, clock: FakeClock
) -> None:
    old_secret = add_staff(MEMBER, MEMBER_NAME, MEMBER_PASSWORD)[1]
    member = member_signed_in(app, clock, old_secret)
    member_id = staff_row(MEMBER).id
    assert staff_row(MEMBER).totp_last_step is not None

    response = admin.act(member_id, "authenticator")

    page = text(response)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "Новый аутентификатор: dana" in page and ONCE in page and 'class="totp-qr"' in page
    new_secret = shown_secret(page)
    assert new_secret != old_secret
    row = staff_row(MEMBER)
    assert row.totp_last_step is None and unseal(app.config, row.totp_sealed) == new_secret
    assert new_secret not in text(admin.client.get(f"/staff/members/{member_id}"))
    assert member.client.get("/staff").headers["Location"] == "/staff/login"
    clock.advance(seconds=30)
    assert GENERIC_ERROR in text(member.login(login=MEMBER, password=MEMBER_PASSWORD))  # the old app's code
    assert member.login(login=MEMBER, password=MEMBER_PASSWORD, code=pyotp.TOTP(new_secret).at(clock.current))
    assert member.client.get("/staff").status_code == 200
    assert audit("staff_totp_reset") == [(staff_row(ADMIN).id, MEMBER)]


def test_an_admin_resetting_their_own_authenticator_stays_signed_in_here(
    admin: AdminActions, app: Flask, clock: FakeClock
) -> None:
    elsewhere = AdminActions(app.test_client(), admin.totp.secret, clock)
    clock.advance(seconds=30)
    assert elsewhere.login(login=ADMIN).status_code == 303

    secret = shown_secret(text(admin.act(staff_row(ADMIN).id, "authenticator")))

    assert admin.client.get("/staff/members").status_code == 200  # this browser's session goes on
    assert elsewhere.client.get("/staff/members").headers["Location"] == "/staff/login"  # every other one ended
    clock.advance(seconds=30)
    assert elsewhere.login(login=ADMIN, code=pyotp.TOTP(secret).at(clock.current)).status_code == 303


# Roles ---------------------------------------------------------------------------------------------------------------


def test_new_roles_change_what_the_member_may_open_and_are_audited_old_to_new(
    admin: AdminActions, app: Flask, clock: FakeClock
) -> None:
    member = member_signed_in(app, clock, add_staff(MEMBER, MEMBER_NAME, MEMBER_PASSWORD)[1])
    member_id = staff_row(MEMBER).id
    assert member.client.get("/staff").status_code == 200
    assert member.client.get("/staff/members").status_code == 403

    changed = admin.act(member_id, "roles", roles=["admin", "editor"])

    assert changed.status_code == 303
    assert "Роли сотрудника dana изменены." in text(admin.client.get(changed.headers["Location"]))
    assert member.client.get("/staff").status_code == 403
    assert member.client.get("/staff/members").status_code == 200
    assert audit("staff_roles_changed") == [(staff_row(ADMIN).id, "dana: support → admin,editor")]
    assert admin.act(member_id, "roles", roles=["admin", "editor"]).status_code == 303  # the same: nothing written
    assert len(audit("staff_roles_changed")) == 1


def test_the_roles_need_at_least_one(admin: AdminActions) -> None:
    member_id = add_staff(MEMBER, MEMBER_NAME, MEMBER_PASSWORD)[0].id

    page = text(admin.act(member_id, "roles"))

    assert "Выберите хотя бы одну роль." in page
    assert staff_row(MEMBER).role_names == {"support"} and audit("staff_roles_changed") == []


# The last admin ----------------------------------------------------------------------------------------------------


def test_the_last_active_admin_keeps_the_role_and_the_account(admin: AdminActions, app: Flask) -> None:
    admin_id = staff_row(ADMIN).id

    kept = admin.act(admin_id, "roles", roles=["support"])

    assert kept.status_code == 409 and LAST_ADMIN_ROLE in text(kept)
    assert staff_row(ADMIN).role_names == {"admin"}
    unconfirmed = admin.act(admin_id, "disable")
    assert "Отметьте, что вы отключаете свою учетную запись." in text(unconfirmed)
    refused = admin.act(admin_id, "disable", confirm="y")
    assert refused.status_code == 409 and LAST_ADMIN_DISABLE in text(refused)
    assert staff_row(ADMIN).active and admin.client.get("/staff/members").status_code == 200
    assert audit("staff_roles_changed") == [] and audit("staff_disabled") == []

    admin.client.get("/staff/members?lang=kk")
    assert "Соңғы белсенді әкімшіден әкімші рөлін алып тастауға болмайды." in text(
        admin.act(admin_id, "roles", roles=["support"])
    )
    admin.client.get("/staff/members?lang=en")
    assert "The last active administrator cannot be disabled." in text(admin.act(admin_id, "disable", confirm="y"))


def test_a_disabled_admin_does_not_count_as_the_other_admin(admin: AdminActions) -> None:
    other = add_staff("bolat", "Болатов Болат", MEMBER_PASSWORD, ("admin",))[0]
    assert admin.act(other.id, "disable").status_code == 303

    refused = admin.act(staff_row(ADMIN).id, "roles", roles=["support"])

    assert refused.status_code == 409 and LAST_ADMIN_ROLE in text(refused)


def test_with_another_admin_an_admin_may_give_up_the_role_or_disable_themself(
    admin: AdminActions, app: Flask, clock: FakeClock
) -> None:
    add_staff("bolat", "Болатов Болат", MEMBER_PASSWORD, ("admin",))
    admin_id = staff_row(ADMIN).id
    page = text(admin.client.get(f"/staff/members/{admin_id}"))
    assert "Это ваша учетная запись: после отключения вы сразу выйдете" in page

    gone = admin.act(admin_id, "disable", confirm="y")

    assert gone.status_code == 303 and gone.headers["Location"] == "/staff/login"
    assert "Ваша учетная запись отключена." in text(admin.client.get("/staff/login"))
    assert admin.client.get("/staff/members").headers["Location"] == "/staff/login"
    assert audit("staff_disabled") == [(admin_id, ADMIN)]

    other = AdminActions(app.test_client(), add_staff("aliya", "Алиева Алия", MEMBER_PASSWORD, ("admin",))[1], clock)
    assert other.login(login="aliya", password=MEMBER_PASSWORD).status_code == 303
    aliya_id = staff_row("aliya").id
    given_up = other.act(aliya_id, "roles", roles=["support"])
    assert given_up.status_code == 303 and given_up.headers["Location"] == "/staff/imports"
    assert other.client.get("/staff/members").status_code == 403
    assert audit("staff_roles_changed") == [(aliya_id, "aliya: admin → support")]


def test_two_admins_disabling_each_other_at_the_same_moment_leave_one_admin(
    admin: AdminActions, app: Flask, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last-admin rule holds under a race: each request locks the admins' rows before it counts them. The count
    is made to take a moment, so that without the lock both requests would count before either commits."""
    from portal.staff import service

    counted = service.active_admins

    def slow_count() -> int:
        time.sleep(0.3)
        return counted()

    monkeypatch.setattr(service, "active_admins", slow_count)
    other = AdminActions(app.test_client(), add_staff("bolat", "Болатов Болат", MEMBER_PASSWORD, ("admin",))[1], clock)
    clock.advance(seconds=30)
    assert other.login(login="bolat", password=MEMBER_PASSWORD).status_code == 303
    ids = {login: staff_row(login).id for login in (ADMIN, "bolat")}
    posts = [(admin, ids["bolat"], admin.token()), (other, ids[ADMIN], other.token())]
    barrier = threading.Barrier(len(posts))
    answers: list[int] = []

    def disable(actor: AdminActions, member_id: int, token: str) -> None:
        barrier.wait()
        answers.append(actor.client.post(f"/staff/members/{member_id}/disable", data={"csrf_token": token}).status_code)

    threads = [threading.Thread(target=disable, args=post) for post in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(answers) in ([303, 409], [302, 303], [303, 403]), answers  # one wins; the other is refused or out
    assert sum(staff_row(login).active for login in (ADMIN, "bolat")) == 1
    assert len(audit("staff_disabled")) == 1


# The CLI stays -----------------------------------------------------------------------------------------------------


def test_the_cli_adds_the_first_admin_audited_and_enables_a_member(runner: FlaskCliRunner) -> None:
    env = {"PORTAL_STAFF_PASSWORD": PASSWORD}
    added = runner.invoke(args=["portal", "staff", "add", ADMIN, "--name", ADMIN_NAME, "--role", "admin"], env=env)
    assert added.exit_code == 0, added.output
    assert audit("staff_added") == [(None, "erlan: admin")]

    refused = runner.invoke(args=["portal", "staff", "disable", ADMIN])
    assert refused.exit_code == 1 and "last active admin" in refused.output
    assert staff_row(ADMIN).active

    runner.invoke(args=["portal", "staff", "add", MEMBER, "--name", MEMBER_NAME], env=env)
    assert runner.invoke(args=["portal", "staff", "disable", MEMBER]).exit_code == 0
    enabled = runner.invoke(args=["portal", "staff", "enable", MEMBER])
    assert enabled.exit_code == 0 and "dana enabled" in enabled.output
    assert staff_row(MEMBER).active
    assert audit("staff_disabled") == [(None, MEMBER)] and audit("staff_enabled") == [(None, MEMBER)]
    assert runner.invoke(args=["portal", "staff", "enable", "nobody"]).exit_code == 1
