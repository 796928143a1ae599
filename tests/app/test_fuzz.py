"""Bad input everywhere: random, oversized, binary, mixed-script, control-character and injection strings in
every form field and query parameter, signed in and out. Never a 5xx; never reflected unescaped."""

from __future__ import annotations

import itertools

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import AuthActions, csrf_token

pytestmark = pytest.mark.slow  # Hypothesis: dozens of generated requests a test

NASTY = st.sampled_from(
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "' OR '1'='1",
        "1; DROP TABLE clients;--",
        "\x00",
        "\x1b[31m",
        "\u202e1000000001",
        "Ａ１２３",
        "١٢٣٤٥٦٧٨٩٠١٢",
        "ДА-2023-00318\r\nSet-Cookie: x=1",
        "\ud7ff\ue000",
        "%00%0d%0a",
        "{{7*7}}",
        "${7*7}",
        "../../etc/passwd",
        "ＤＡ",
        "a" * 10_000,
        "1" * 100_000,
    ]
)
TEXT = st.one_of(
    NASTY,
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
)

FORMS = {
    "/login": ["account", "iin", "password"],
    "/register": ["account", "contract_number", "iin", "phone", "contract_date", "consent"],
    "/password/reset": ["account", "contract_number", "iin", "phone", "contract_date"],
    "/password/check": ["password", "confirmation"],
}
QUERIES = [
    "/faq?q={}",
    "/faq?page={}&per_page={}",
    "/schedule?year={}&page={}&per_page={}",
    "/history?from={}&to={}&page={}",
    "/contracts/{}",
    "/?lang={}",
    "/login?next={}",
]
_addresses = itertools.count(1)
# Derandomized: CI explores the same examples each run, so a red build always means a real regression.
FUZZ = settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def assert_safe(status: int, body: str, values: list[str]) -> None:
    assert status < 500, status
    for value in values:
        if "<" in value and len(value) > 3:
            assert value not in body, value


def fresh_address(client: FlaskClient) -> None:
    """Each example from its own address, so that the sign-in limits do not end the exploration early."""
    n = next(_addresses)
    client.environ_base["REMOTE_ADDR"] = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


@pytest.mark.parametrize("path", list(FORMS))
@FUZZ
@given(data=st.data())
def test_forms_take_any_input_without_a_server_error(client: FlaskClient, path: str, data: st.DataObject) -> None:
    fresh_address(client)
    values = {field: data.draw(TEXT, label=field) for field in FORMS[path]}
    values["csrf_token"] = csrf_token(client.get("/register").get_data(as_text=True))

    response = client.post(path, data=values)

    assert_safe(response.status_code, response.get_data(as_text=True), list(values.values()))


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("template", QUERIES)
@FUZZ
@given(data=st.data())
def test_query_values_never_break_a_page_signed_in(
    client: FlaskClient, auth: AuthActions, template: str, data: st.DataObject
) -> None:
    if client.get_cookie("session") is None or client.get("/profile").status_code != 200:
        fresh_address(client)
        auth.sign_in_as()
    values = [data.draw(TEXT, label=f"value{i}") for i in range(template.count("{}"))]
    from urllib.parse import quote

    response = client.get(template.format(*(quote(v, safe="") for v in values)))

    assert_safe(response.status_code, response.get_data(as_text=True), values)
    if template.startswith("/login?next="):
        assert not response.headers.get("Location", "/").startswith(("//", "http"))


@pytest.mark.parametrize("template", QUERIES)
@FUZZ
@given(data=st.data())
def test_query_values_never_break_a_page_signed_out(client: FlaskClient, template: str, data: st.DataObject) -> None:
    values = [data.draw(TEXT, label=f"value{i}") for i in range(template.count("{}"))]
    from urllib.parse import quote

    response = client.get(template.format(*(quote(v, safe="") for v in values)))

    assert_safe(response.status_code, response.get_data(as_text=True), values)
