"""Three languages: complete catalogues, every page in ru, kk and en, the choice remembered, SMS in the
client's language, money and dates by locale."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask.testing import FlaskClient, FlaskCliRunner
from flask_babel import force_locale
from sqlalchemy import select

from portal import create_app
from portal.extensions import db
from portal.i18n import money
from portal.models import Client, Contract
from tests.conftest import AuthActions

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "portal" / "translations"
LANGUAGES = ("ru", "kk", "en")


def catalogue(language: str) -> dict[str, str]:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return {message.id: message.string for message in read_po(handle) if message.id}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalogue_translates_every_message_and_nothing_is_fuzzy(language: str) -> None:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        messages = [message for message in read_po(handle) if message.id]
    assert messages
    assert [m.id for m in messages if not m.string] == []
    assert [m.id for m in messages if "fuzzy" in m.flags] == []
    for message in messages:
        assert sorted(re.findall(r"%\(\w+\)\w", message.id)) == sorted(re.findall(r"%\(\w+\)\w", message.string))


def test_the_catalogues_hold_every_string_of_the_code(tmp_path: Path) -> None:
    extracted = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "-o",
            str(extracted),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with extracted.open("rb") as handle:
        in_code = {message.id for message in read_po(handle) if message.id}
    for language in LANGUAGES:
        missing = in_code - set(catalogue(language))
        assert not missing, f"{language}: run `make translations-update` and translate {sorted(missing)[:5]}"


def test_kazakh_uses_its_own_letters() -> None:
    kazakh = " ".join(catalogue("kk").values())
    for letter in "әғқңөұүі":
        assert letter in kazakh
    assert catalogue("kk")["График платежей"] == "Төлем кестесі"
    assert catalogue("kk")["Мои договора"] == "Менің шарттарым"
    assert catalogue("kk")["Часто задаваемые вопросы"] == "Жиі қойылатын сұрақтар"


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def data_values() -> set[str]:
    """Names, addresses and other facts from the core system: shown as they are, in any language."""
    values: set[str] = set()
    for client in db.session.scalars(select(Client)):
        values |= {client.last_name, client.first_name, client.middle_name or "", client.id_issuer}
    for contract in db.session.scalars(select(Contract)):
        values |= {contract.number, contract.address, contract.collateral}
    return {value for value in values if value}


def pages_of(client: FlaskClient, language: str) -> dict[str, str]:
    loan = db.session.scalar(select(Contract.id).where(Contract.account == "1000000002"))
    paths = [
        "/profile",
        "/contracts",
        f"/contracts/{loan}",
        "/schedule",
        f"/schedule/{loan}?year=all&page=2",
        "/history",
        f"/history/{loan}?from=2025-01-01&page=2",
        "/faq",
        "/no-such-page",
    ]
    return {
        path: client.get(f"{path}{'&' if '?' in path else '?'}lang={language}").get_data(as_text=True) for path in paths
    }


def signed_out_pages(client: FlaskClient, language: str) -> dict[str, str]:
    return {
        path: client.get(f"{path}?lang={language}").get_data(as_text=True)
        for path in ("/", "/login", "/register", "/password/reset", "/faq")
    }


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("language", ["kk", "en"])
def test_no_untranslated_russian_on_kazakh_and_english_pages(
    client: FlaskClient, auth: AuthActions, runner: FlaskCliRunner, language: str
) -> None:
    runner.invoke(args=["portal", "faq", str(ROOT / "portal" / "data" / "faq.json")])
    pages = signed_out_pages(client, language)
    auth.sign_in_as()
    pages |= pages_of(client, language)
    translated = {russian for russian, text in catalogue(language).items() if text != russian and len(russian) > 3}
    allowed = data_values()

    for path, page in pages.items():
        assert f'<html lang="{language}">' in page, path
        text = visible_text(page)
        left = [russian for russian in translated if russian in text and not any(russian in v for v in allowed)]
        assert not left, (path, left[:5])
        if language == "en":
            for value in sorted(allowed, key=len, reverse=True):
                text = text.replace(value, " ")
            text = text.replace("РУС", " ").replace("ҚАЗ", " ")  # the language switch names each language in itself
            assert not re.findall(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]{2,}", text), (path, text[:300])


@pytest.mark.usefixtures("demo")
def test_the_choice_is_remembered_in_the_browser_and_for_the_client(
    client: FlaskClient, auth: AuthActions, app: object
) -> None:
    auth.login()
    assert '<html lang="kk">' in client.get("/profile?lang=kk").get_data(as_text=True)
    assert '<html lang="kk">' in client.get("/contracts").get_data(as_text=True)
    stored = db.session.scalars(select(Client).where(Client.iin == "880515301238")).one()
    db.session.refresh(stored)
    assert stored.language == "kk"

    other_browser = app.test_client()  # type: ignore[attr-defined]
    AuthActions(other_browser, auth.outbox).login()
    assert '<html lang="kk">' in other_browser.get("/profile").get_data(as_text=True)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize(("language", "words"), [("ru", "Код для входа"), ("kk", "кіру коды"), ("en", "code")])
def test_the_sms_is_written_in_the_language_of_the_page(
    client: FlaskClient, auth: AuthActions, language: str, words: str
) -> None:
    client.get(f"/register?lang={language}")
    auth.submit_facts()
    import json

    text = json.loads(auth.outbox.read_text(encoding="utf-8").splitlines()[-1])["text"]
    assert words in text


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize(
    ("language", "money", "date"),
    [("ru", "12 345,67 ₸", "20.06.2023"), ("kk", "12 345,67 ₸", "20.06.2023"), ("en", "₸12,345.67", "20 Jun 2023")],
)
def test_money_and_dates_follow_the_language(
    client: FlaskClient, auth: AuthActions, language: str, money: str, date: str
) -> None:
    auth.sign_in_as()
    page = client.get(f"/contracts?lang={language}").get_data(as_text=True).replace("\xa0", " ")
    assert money in page
    assert date in page


# A request context is all money() needs: the page's language.
APP = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test"})


@pytest.mark.parametrize(
    ("language", "value", "written"),
    [
        ("ru", Decimal("1234567.89"), "1\xa0234\xa0567,89\xa0₸"),
        ("kk", Decimal("1234567.89"), "1\xa0234\xa0567,89\xa0₸"),
        ("en", Decimal("1234567.89"), "₸1,234,567.89"),
        ("ru", Decimal("0"), "0,00\xa0₸"),
        ("ru", Decimal("-151234.5"), "-151\xa0234,50\xa0₸"),
    ],
)
def test_money_is_written_as_the_language_writes_it(language: str, value: Decimal, written: str) -> None:
    with APP.test_request_context("/"), force_locale(language):
        assert money(value) == written


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize(
    ("language", "collateral", "issuer", "bank"),
    [
        ("ru", "Квартира", "МВД РК", "АО «Народный Банк Казахстана»"),
        ("kk", "Пәтер", "ҚР ІІМ", "«Қазақстан Халық Банкі» АҚ"),
        ("en", "Apartment", "Ministry of Internal Affairs of Kazakhstan", "Halyk Bank of Kazakhstan JSC"),
    ],
)
def test_data_values_speak_the_pages_language(
    client: FlaskClient, auth: AuthActions, language: str, collateral: str, issuer: str, bank: str
) -> None:
    """The core system sends «Квартира» and «МВД РК»; the bank's name comes from configuration in three languages."""
    from tests.app.test_cabinet import field

    auth.login()
    contracts = client.get(f"/contracts?lang={language}").get_data(as_text=True)
    labels = {"ru": "Тип залога", "kk": "Кепіл түрі", "en": "Collateral type"}
    assert collateral in contracts
    assert issuer in client.get("/profile").get_data(as_text=True)
    contract_id = re.search(r'href="/contracts/(\d+)/pay"', contracts)
    assert contract_id is not None
    assert bank in html.unescape(client.get(f"/contracts/{contract_id.group(1)}/pay").get_data(as_text=True))
    assert field(contracts, labels[language]) == collateral


def test_a_value_the_cabinet_does_not_know_is_shown_as_it_came() -> None:
    from portal.values import collateral

    with APP.test_request_context("/"), force_locale("en"):
        assert collateral("Гараж") == "Гараж"
        assert collateral("  квартира ") == "Apartment"
        assert collateral("apartment") == "Apartment"
