"""Первичная авторизация: five facts, an SMS code to the number on file, a password; and the password reset."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.auth.passwords import verify_password
from portal.extensions import db
from portal.models import Client, OneTimeCode
from tests.conftest import AuthActions, FakeClock, csrf_token

pytestmark = pytest.mark.usefixtures("demo")
GENERIC = "Данные не совпадают с данными договора."


def seitkali() -> Client:
    client = db.session.scalars(select(Client).where(Client.iin == "921102404563")).one()
    db.session.refresh(client)
    return client


def codes_sent() -> int:
    return int(db.session.scalar(select(func.count()).select_from(OneTimeCode)) or 0)


def test_the_whole_first_time_authorization(auth: AuthActions, client: FlaskClient, outbox: Path) -> None:
    facts = auth.submit_facts()
    assert facts.status_code == 303
    assert facts.headers["Location"] == "/register/code"

    code_page = client.get("/register/code").get_data(as_text=True)
    assert "+7 701 *** ** 67" not in code_page  # Сейткали's number ends in 21
    assert "+7 701 *** ** 21" in code_page
    assert "Отправить код повторно" in code_page
    message = json.loads(outbox.read_text(encoding="utf-8").splitlines()[-1])
    assert message["to"] == "+77017654321"
    assert auth.last_code() in code_page  # a demo client sees the code on the page

    assert auth.submit_code(auth.last_code()).headers["Location"] == "/register/password"
    page = client.get("/register/password").get_data(as_text=True)
    for rule in (
        "Минимум 8 значений",
        "Минимум 1 строчная буква",
        "Минимум 1 заглавная буква",
        "Минимум 1 цифра",
        "Минимум 1 символ",
        "Пароли должны совпадать",
        "Завершить первичную авторизацию",
    ):
        assert rule in page

    done = auth.submit_password("Ainur#Home2027")
    assert done.headers["Location"] == "/profile"
    assert client.get("/profile").status_code == 200
    registered = seitkali()
    assert verify_password(registered.password_hash, "Ainur#Home2027")
    assert registered.activated_at is not None
    assert registered.consent_at is not None and registered.consent_version == "2026-11"


def test_the_code_goes_only_to_the_number_on_file(auth: AuthActions, outbox: Path) -> None:
    response = auth.submit_facts(phone="+7 702 000 00 00")

    assert GENERIC in response.get_data(as_text=True)
    assert not outbox.exists()
    assert codes_sent() == 0


@pytest.mark.parametrize(
    "wrong",
    [
        {"account": "1000000001"},
        {"contract_number": "ДА-2023-00319"},
        {"iin": "880515301238"},
        {"phone": "+7 701 765 43 22"},
        {"contract_date": "2023-03-16"},
        {"iin": "061211600012"},  # a valid IIN of nobody here
    ],
)
def test_any_wrong_fact_gets_one_generic_message(auth: AuthActions, wrong: dict[str, str]) -> None:
    response = auth.submit_facts(**wrong)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert GENERIC in page
    assert 'aria-invalid="true"' not in page  # nothing points at the wrong field
    assert codes_sent() == 0


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ({"account": ""}, "Заполните это поле."),
        ({"iin": "92110240456"}, "ИИН состоит из 12 цифр."),
        ({"iin": "9211024045631"}, "ИИН состоит из 12 цифр."),
        ({"iin": "921102404564"}, "ИИН указан с ошибкой"),
        ({"iin": "92110240456З"}, "ИИН состоит из 12 цифр."),  # a Cyrillic З for a 3
        ({"phone": "12345"}, "Введите казахстанский мобильный номер"),
        ({"phone": "+7 916 123 45 67"}, "Введите казахстанский мобильный номер"),
        ({"phone": "+7 701 abc 45 67"}, "Введите казахстанский мобильный номер"),
        ({"contract_date": "31.02.2023"}, "Введите существующую дату в формате дд.мм.гггг."),
        ({"contract_date": "2023-13-01"}, "Введите существующую дату в формате дд.мм.гггг."),
        ({"contract_date": "вчера"}, "Введите существующую дату в формате дд.мм.гггг."),
        ({"contract_number": "Д" * 51}, "Не больше 50 символов."),
        ({"consent": ""}, "Без согласия на обработку персональных данных регистрация невозможна."),
    ],
)
def test_a_bad_field_is_explained_beside_it_and_every_value_is_kept(
    auth: AuthActions, facts: dict[str, str], message: str
) -> None:
    response = auth.submit_facts(**facts)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert 'aria-invalid="true"' in page
    typed = {
        "account": "1000000003",
        "contract_number": "ДА-2023-00318",
        "iin": "921102404563",
        "phone": "+7 701 765 43 21",
        "contract_date": "2023-03-15",
    } | facts
    for name, value in typed.items():
        if name != "consent" and value:
            assert f'value="{value}"' in page, name
    assert codes_sent() == 0


def test_the_date_may_be_typed_as_the_manual_writes_it(auth: AuthActions) -> None:
    assert auth.submit_facts(contract_date="15.03.2023").status_code == 303


def test_contract_number_in_lower_case_and_spaced_digits_are_accepted(auth: AuthActions) -> None:
    response = auth.submit_facts(contract_number="да-2023-00318", account="100 000 0003", phone="87017654321")
    assert response.status_code == 303


def test_a_registered_client_is_sent_to_login_or_reset(auth: AuthActions) -> None:
    response = auth.submit_facts(
        account="1000000001",
        contract_number=db.session.scalar(select(Client.id).where(Client.iin == "880515301238")) and _akhmetov_number(),
        iin="880515301238",
        phone="+77011234567",
        contract_date=_akhmetov_signed_on(),
    )

    page = response.get_data(as_text=True)
    assert "Вы уже прошли первичную авторизацию" in page
    assert 'href="/password/reset"' in page
    assert codes_sent() == 0


def _akhmetov_number() -> str:
    from portal.models import Contract

    return str(db.session.scalar(select(Contract.number).where(Contract.account == "1000000001")))


def _akhmetov_signed_on() -> str:
    from portal.models import Contract

    signed = db.session.scalar(select(Contract.signed_on).where(Contract.account == "1000000001"))
    assert signed is not None
    return signed.isoformat()


def test_a_wrong_code_costs_an_attempt_and_five_void_the_code(auth: AuthActions) -> None:
    auth.submit_facts()
    right = auth.last_code()
    wrong = "000000" if right != "000000" else "111111"

    for left in (4, 3, 2, 1):
        assert f"Неверный код. Осталось попыток: {left}." in auth.submit_code(wrong).get_data(as_text=True)
    assert "5 неверных попыток" in auth.submit_code(wrong).get_data(as_text=True)

    assert "5 неверных попыток" in auth.submit_code(right).get_data(as_text=True)
    assert auth.client.get("/register/password").status_code == 303  # not allowed on


def test_a_code_expires_after_five_minutes(auth: AuthActions, clock: FakeClock) -> None:
    auth.submit_facts()
    code = auth.last_code()

    clock.advance(minutes=5, seconds=1)

    assert "Срок действия кода истек" in auth.submit_code(code).get_data(as_text=True)


def test_a_code_works_until_its_fifth_minute_ends(auth: AuthActions, clock: FakeClock) -> None:
    auth.submit_facts()
    clock.advance(minutes=4, seconds=59)
    assert auth.submit_code(auth.last_code()).headers["Location"] == "/register/password"


def test_a_code_is_single_use(auth: AuthActions) -> None:
    auth.submit_facts()
    code = auth.last_code()
    assert auth.submit_code(code).status_code == 303

    assert "уже использован" in auth.submit_code(code).get_data(as_text=True)


def test_resend_waits_sixty_seconds_and_then_sends_a_new_code(
    auth: AuthActions, client: FlaskClient, clock: FakeClock
) -> None:
    auth.submit_facts()
    first = auth.last_code()
    assert "через 60 с" in client.get("/register/code").get_data(as_text=True)

    clock.advance(seconds=30)
    early = client.post("/register/code/resend", data={"csrf_token": auth.token()})
    assert "Повторно отправить код можно через 30 с." in early.get_data(as_text=True)
    assert codes_sent() == 1

    clock.advance(seconds=30)
    resent = client.post("/register/code/resend", data={"csrf_token": auth.token()})
    assert resent.headers["Location"] == "/register/code"
    assert codes_sent() == 2
    assert "Новый код отправлен" in client.get("/register/code").get_data(as_text=True)

    newest = auth.last_code()
    if newest != first:
        assert "Неверный код" in auth.submit_code(first).get_data(as_text=True)  # the old code is not this flow's
    assert auth.submit_code(newest).status_code == 303


def test_at_most_five_codes_per_phone_per_hour(auth: AuthActions, client: FlaskClient, clock: FakeClock) -> None:
    auth.submit_facts()
    for _ in range(4):
        clock.advance(seconds=61)
        client.post("/register/code/resend", data={"csrf_token": auth.token()})
    assert codes_sent() == 5

    clock.advance(seconds=61)
    sixth = client.post("/register/code/resend", data={"csrf_token": auth.token()})
    assert "За последний час на этот номер отправлено 5 кодов" in sixth.get_data(as_text=True)
    assert codes_sent() == 5
    clock.advance(seconds=61)
    again = auth.submit_facts()  # starting over does not get round the cap
    assert "За последний час на этот номер отправлено 5 кодов" in again.get_data(as_text=True)

    clock.advance(minutes=60)
    assert auth.submit_facts().status_code == 303


@pytest.mark.parametrize(
    ("password", "confirmation", "message"),
    [
        ("short1A!", "short1A", "пароли должны совпадать"),
        ("Sh0rt!", "Sh0rt!", "минимум 8 значений"),
        ("nouppercase1!", "nouppercase1!", "минимум 1 заглавная буква"),
        ("NOLOWERCASE1!", "NOLOWERCASE1!", "минимум 1 строчная буква"),
        ("NoDigitsHere!", "NoDigitsHere!", "минимум 1 цифра"),
        ("NoSymbols123", "NoSymbols123", "минимум 1 символ"),
        ("Qwerty123!", "Qwerty123!", "слишком распространен"),
        ("Password1!", "Password1!", "слишком распространен"),
        ("Me921102404563!a", "Me921102404563!a", "не должен содержать ваш ИИН"),
        ("Born02.11.1992!a", "Born02.11.1992!a", "не должен содержать ваш ИИН, дату рождения"),
        ("Ph7017654321!a", "Ph7017654321!a", "номер телефона"),
        ("Acc1000000003!a", "Acc1000000003!a", "номер счета"),
        ("Aa1!" + "x" * 125, "Aa1!" + "x" * 125, "не должен быть длиннее 128 символов"),
    ],
)
def test_a_password_that_breaks_a_rule_is_refused_with_the_reason(
    auth: AuthActions, password: str, confirmation: str, message: str
) -> None:
    auth.submit_facts()
    auth.submit_code(auth.last_code())

    response = auth.submit_password(password, confirmation)

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert seitkali().password_hash is None


def test_a_long_pasted_password_of_128_characters_is_kept_whole(auth: AuthActions) -> None:
    password = "Aa1!" + "ключ-" * 24 + "1234"
    assert len(password) == 128
    auth.submit_facts()
    auth.submit_code(auth.last_code())

    assert auth.submit_password(password).headers["Location"] == "/profile"
    assert verify_password(seitkali().password_hash, password)
    assert not verify_password(seitkali().password_hash, password[:127])


@pytest.mark.parametrize("app", [{"PORTAL_PASSWORD_HASH": "argon2id"}], indirect=True)
def test_the_password_is_hashed_with_argon2id(auth: AuthActions) -> None:
    auth.submit_facts()
    auth.submit_code(auth.last_code())
    auth.submit_password("Ainur#Home2027")

    assert seitkali().password_hash.startswith("$argon2id$")  # type: ignore[union-attr]
    # RFC 9106's second recommended set, as production hashes (the other tests hash at the cheapest cost)
    assert seitkali().password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")  # type: ignore[union-attr]


def test_the_live_checklist_ticks_the_rules_met(client: FlaskClient, auth: AuthActions) -> None:
    response = client.post(
        "/password/check",
        data={"csrf_token": auth.token(), "password": "abcDEF12", "confirmation": "abc"},
        headers={"HX-Request": "true"},
    )

    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<ul id="password-rules"')
    met = page.split("rule-met").__len__() - 1
    assert met == 4  # length, lowercase, uppercase, digit; not symbol, not match
    assert "Минимум 1 символ" in page


def test_the_password_step_needs_a_verified_code(client: FlaskClient, auth: AuthActions) -> None:
    assert client.get("/register/password").status_code == 303
    auth.submit_facts()
    assert client.get("/register/password").status_code == 303


def test_the_flow_expires(auth: AuthActions, client: FlaskClient, clock: FakeClock) -> None:
    auth.submit_facts()
    auth.submit_code(auth.last_code())
    clock.advance(minutes=31)

    assert client.get("/register/password").status_code == 303


def test_a_provider_failure_leaves_nothing_half_made(
    auth: AuthActions, monkeypatch: pytest.MonkeyPatch, outbox: Path
) -> None:
    from portal.sms import gateways

    def broken(self: object, to: str, text: str) -> None:
        raise gateways.SmsError("provider down")

    monkeypatch.setattr(gateways.OutboxGateway, "send", broken)

    response = auth.submit_facts()

    assert "Не удалось отправить код, попробуйте позже." in response.get_data(as_text=True)
    assert codes_sent() == 0
    assert seitkali().password_hash is None
    monkeypatch.undo()
    assert auth.submit_facts().status_code == 303


def test_password_reset_with_the_five_facts_and_a_code(auth: AuthActions, client: FlaskClient) -> None:
    from portal.models import Contract

    contract = db.session.scalars(select(Contract).where(Contract.account == "1000000001")).one()
    response = auth.submit_facts(
        "/password/reset",
        account="1000000001",
        contract_number=contract.number,
        iin="880515301238",
        phone="+7 701 123 45 67",
        contract_date=contract.signed_on.strftime("%d.%m.%Y"),
        consent="",
    )
    assert response.headers["Location"] == "/password/reset/code"
    assert auth.submit_code(auth.last_code(), "/password/reset/code").headers["Location"] == "/password/reset/password"

    assert auth.submit_password("Danik#Astana2027", path="/password/reset/password").headers["Location"] == "/profile"
    auth.logout()
    assert auth.login(password="Demo2026!").status_code == 200
    assert auth.login(password="Danik#Astana2027").status_code == 303


def test_reset_for_a_client_without_a_password_points_to_first_time_authorization(auth: AuthActions) -> None:
    page = auth.submit_facts("/password/reset").get_data(as_text=True)
    assert "Вы еще не прошли первичную авторизацию" in page
    assert codes_sent() == 0


def test_codes_are_stored_hashed(auth: AuthActions) -> None:
    auth.submit_facts()
    stored = db.session.scalars(select(OneTimeCode)).one()
    assert auth.last_code() not in stored.code_hash
    assert stored.expires_at - stored.created_at == timedelta(minutes=5)


def test_the_checklist_answers_with_the_list_even_without_htmx(client: FlaskClient, auth: AuthActions) -> None:
    response = client.post("/password/check", data={"csrf_token": auth.token(), "password": "x", "confirmation": ""})
    assert response.status_code == 200
    assert response.get_data(as_text=True).lstrip().startswith('<ul id="password-rules"')


@pytest.mark.parametrize(
    ("path", "kept"),
    [
        ("/register", ["1000000003", "ДА-2023-00318", "921102404563", "+7 701 765 43 21", "2023-03-15"]),
        ("/password/reset", ["1000000003", "ДА-2023-00318", "921102404563"]),
        ("/login", ["1000000001", "880515301238"]),
    ],
)
def test_a_stale_form_comes_back_filled_in_with_a_fresh_token(client: FlaskClient, path: str, kept: list[str]) -> None:
    typed = {
        "account": kept[0],
        "iin": kept[2] if len(kept) > 2 else kept[1],
        "password": "Secret#2027",
        "contract_number": "ДА-2023-00318",
        "phone": "+7 701 765 43 21",
        "contract_date": "2023-03-15",
    }

    response = client.post(path, data={**typed, "csrf_token": "stale-token-from-an-old-tab"})

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Форма устарела, поэтому данные не отправлены." in page
    for value in kept:
        assert f'value="{value}"' in page
    assert "Secret#2027" not in page
    resent = client.post(path, data={**typed, "csrf_token": csrf_token(page)})
    assert resent.status_code in (200, 303)
    assert "Форма устарела" not in resent.get_data(as_text=True)


@pytest.mark.parametrize("typed", ["DA-2023-00318", "da 2023 00318", "ДА–2023–00318"])
def test_a_contract_number_typed_in_latin_letters_or_with_other_dashes_is_accepted(
    auth: AuthActions, typed: str
) -> None:
    facts = auth.submit_facts(contract_number=typed)
    assert facts.status_code == 303
    assert facts.headers["Location"] == "/register/code"


def test_the_hint_says_latin_letters_are_fine(client: FlaskClient) -> None:
    page = client.get("/register").get_data(as_text=True)
    assert "Можно латиницей (DA-2023-00318), с пробелами или без дефисов." in page
