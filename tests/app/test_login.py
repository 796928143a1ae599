"""Login in two steps (Номер счета + ИИН, then the password), the generic error, a safe `next`, logout.

Failed passwords and what they lead to (a wait, an SMS code) are in test_throttle.py."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from portal.auth.views import safe_next
from tests.conftest import AuthActions, csrf_token

pytestmark = pytest.mark.usefixtures("demo")


def test_first_step_asks_for_the_password_in_place(client: FlaskClient, auth: AuthActions) -> None:
    response = client.post(
        "/login",
        data={"csrf_token": auth.token(), "account": "1000000001", "iin": "880515301238"},
        headers={"HX-Request": "true"},
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.lstrip().startswith('<form id="login-form"')  # only the form, swapped in place
    assert 'name="password"' in page and 'type="password"' in page
    assert "<html" not in page
    assert "HX-Request" in response.headers["Vary"]


def test_first_step_without_javascript_is_a_second_page(client: FlaskClient, auth: AuthActions) -> None:
    response = client.post("/login", data={"csrf_token": auth.token(), "account": "1000000001", "iin": "880515301238"})

    page = response.get_data(as_text=True)
    assert "<html" in page
    assert 'name="password"' in page
    assert "1000000001" in page


@pytest.mark.parametrize("account", ["1000000001", "1000000002"])
def test_any_account_of_the_client_signs_in_and_lands_on_profile(auth: AuthActions, account: str) -> None:
    response = auth.login(account=account)

    assert response.status_code == 303
    assert response.headers["Location"] == "/profile"
    assert auth.client.get("/profile").status_code == 200


def test_htmx_login_leaves_the_page_with_hx_redirect(auth: AuthActions) -> None:
    response = auth.login(**{"HX-Request": "true"})

    assert response.headers["HX-Redirect"] == "/profile"


@pytest.mark.parametrize(
    ("account", "iin", "password"),
    [
        ("1000000001", "880515301238", "Wrong2026!"),
        ("1000000003", "880515301238", "Demo2026!"),  # another client's account
        ("1000000009", "880515301238", "Demo2026!"),  # no such account
        ("1000000001", "921102404563", "Demo2026!"),  # another client's IIN
        ("1000000003", "921102404563", "Demo2026!"),  # a client without a password yet
    ],
)
def test_every_wrong_combination_gets_the_same_generic_error(
    auth: AuthActions, account: str, iin: str, password: str
) -> None:
    response = auth.login(account=account, iin=iin, password=password)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Неверный номер счета, ИИН или пароль." in page
    assert auth.client.get("/profile").status_code == 302


@pytest.mark.parametrize(
    ("account", "iin", "message"),
    [
        ("", "880515301238", "Заполните это поле."),
        ("1000000001", "", "Заполните это поле."),
        ("10000 0000 1", "8805 1530 1238", None),  # spaces as copied from a document are fine
        ("100000000١", "880515301238", "Номер счета состоит только из цифр."),
        ("счет", "880515301238", "Номер счета состоит только из цифр."),
        ("1000000001", "8805153012381", "ИИН состоит из 12 цифр."),
        ("1000000001", "88051530123", "ИИН состоит из 12 цифр."),
        ("1000000001", "880515301239", "ИИН указан с ошибкой"),
        ("1000000001", "88O515301238", "ИИН состоит из 12 цифр."),
        ("1" * 5000, "880515301238", "Номер счета"),
    ],
)
def test_bad_input_at_the_first_step_is_explained_beside_the_field_and_kept(
    client: FlaskClient, auth: AuthActions, account: str, iin: str, message: str | None
) -> None:
    response = client.post("/login", data={"csrf_token": auth.token(), "account": account, "iin": iin})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    if message is None:
        assert 'name="password"' in page
    else:
        assert message in page
        assert 'aria-invalid="true"' in page
        assert 'name="password"' not in page
        if account and len(account) < 100:
            assert f'value="{account}"' in page.replace("&#39;", "'")


def test_next_page_is_kept_and_stays_on_this_site(client: FlaskClient, auth: AuthActions) -> None:
    assert client.get("/schedule").headers["Location"] == "/login?next=%2Fschedule"
    data = {"csrf_token": auth.token(), "account": "1000000001", "iin": "880515301238", "password": "Demo2026!"}

    assert client.post("/login?next=/schedule", data=data).headers["Location"] == "/schedule"
    auth.logout()
    data["csrf_token"] = auth.token()
    for hostile in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        assert client.post(f"/login?next={hostile}", data=data).headers["Location"] == "/profile"
        auth.logout()
        data["csrf_token"] = auth.token()


HOSTILE_NEXT = [
    "/%0d%0aSet-Cookie:%20x=1",  # CR LF: a header of the attacker's in our answer
    "/%0aX:1",
    "/%0dX:1",
    "/profile%09",  # tab
    "/profile%00",  # NUL
    "/pro%20file",  # a space
    "/%e2%80%a8",  # LINE SEPARATOR
    "//evil.example/",
    "/\\evil.example",
    "/%5cevil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "profile",
    "/ok//evil.example",
]


def test_a_signed_in_client_sent_to_a_hostile_next_lands_on_the_profile(client: FlaskClient, auth: AuthActions) -> None:
    auth.login()  # once: a sign-in hashes a password

    for hostile in HOSTILE_NEXT:
        response = client.get(f"/login?next={hostile}")

        assert response.status_code == 302, hostile
        assert response.headers["Location"] == "/profile", hostile
        assert "X" not in response.headers and client.get_cookie("x") is None, hostile


@pytest.mark.parametrize("hostile", ["/%0d%0aSet-Cookie:%20x=1", "/%0aX:1", "/%09evil", "/%00evil"])
def test_signing_in_with_a_control_character_in_next_lands_on_the_profile(
    client: FlaskClient, auth: AuthActions, hostile: str
) -> None:
    page = client.get(f"/login?next={hostile}").get_data(as_text=True)
    assert 'action="/login"' in page  # the refused `next` is not carried into the form

    data = {"csrf_token": auth.token(), "account": "1000000001", "iin": "880515301238", "password": "Demo2026!"}
    response = client.post(f"/login?next={hostile}", data=data)

    assert response.status_code == 303
    assert response.headers["Location"] == "/profile"
    assert client.get("/profile").status_code == 200


@pytest.mark.parametrize(
    ("target", "kept"),
    [
        ("/schedule", "/schedule"),
        ("/schedule/3?year=2025&page=2", "/schedule/3?year=2025&page=2"),
        ("/faq?q=пароль", "/faq?q=пароль"),
        ("", None),
        (None, None),
        ("/\r\nSet-Cookie: x=1", None),
        ("/\nX:1", None),
        ("/a\tb", None),
        ("/a\x00b", None),
        ("/a\x7fb", None),
        ("/a\u2028b", None),
        ("/a b", None),
        ("//evil.example", None),
        ("///evil.example", None),
        ("/\\evil.example", None),
        ("\\evil.example", None),
        ("https://evil.example/", None),
        ("https:/evil.example", None),
        ("evil.example", None),
    ],
)
def test_next_is_a_plain_path_on_this_site(target: str | None, kept: str | None) -> None:
    assert safe_next(target) == kept


def test_logout_is_a_post_with_csrf(client: FlaskClient, auth: AuthActions) -> None:
    auth.login()
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/profile").status_code == 200

    response = auth.logout()

    assert response.status_code == 303
    assert client.get("/profile").status_code == 302
    assert "Вы вышли из Личного кабинета." in client.get("/").get_data(as_text=True)


def test_login_form_has_the_manuals_labels(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    for label in ("Номер счета", "ИИН", "Войти", "Первичная авторизация", "Забыли пароль?"):
        assert label in page
    assert csrf_token(page)
