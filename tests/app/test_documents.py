"""Documents of a contract (schedule and statement, PDF and XLSX), their public check by code, and «Как оплатить»."""

from __future__ import annotations

import html
import io
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, Contract, IssuedDocument
from tests.app.test_cabinet import CRAFTED_IIN, load_crafted, sign_in_crafted
from tests.conftest import AuthActions, QueryCounter

COMPANY = "АО «Казахстанская Жилищная Компания»"
# The crafted contract on TODAY (24.11.2026): July and August 2022 paid, September to December overdue.
PAID = "240 000,00 ₸"
OVERDUE = "480 000,00 ₸"
DEBT = "483 800,00 ₸"  # + пеня 1 500, штраф 2 000, госпошлина 300
ISSUED = "24.11.2026, 11:00"  # the test clock: 06:00 UTC is 11:00 in Almaty


def pdf_text(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return text.replace("\xa0", " "), len(reader.pages)


def cells(data: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    # openpyxl reads date cells back as midnight datetimes.
    return [[v.date() if isinstance(v, datetime) else v for v in row] for row in sheet.iter_rows(values_only=True)]


def row_of(rows: list[list[object]], first: object) -> list[object]:
    found = [row for row in rows if row and row[0] == first]
    assert found, first
    return found[0]


def value_of(rows: list[list[object]], label: str) -> object:
    return row_of(rows, label)[1]


def codes() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(IssuedDocument.code).order_by(IssuedDocument.id)))


@pytest.fixture
def contract_id(auth: AuthActions) -> int:
    contract = load_crafted()[0]
    sign_in_crafted(auth)
    return contract


def test_the_schedule_pdf_carries_the_figures_the_time_of_issue_and_a_code(
    client: FlaskClient, contract_id: int
) -> None:
    response = client.get(f"/contracts/{contract_id}/schedule.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert re.fullmatch(
        r"attachment; filename=schedule-3000000000-2026-11-24-1100\.pdf", response.headers["Content-Disposition"]
    )
    text, pages = pdf_text(response.data)
    assert pages == 1
    for expected in (COMPANY, "График платежей", "ДА-2022-00000", "3000000000", "Тестова Әсел", ISSUED, "1 / 1"):
        assert expected in text, expected
    assert "10.07.2022" in text and "10.12.2022" in text
    assert text.count("120 000,00 ₸") >= 6
    assert "720 000,00 ₸" in text  # the total accrued
    assert text.count("Погашено") == 2 and text.count("Просрочено") == 4
    [code] = codes()
    assert re.fullmatch(r"[A-Z2-7]{16}", code)
    grouped = "-".join(code[i : i + 4] for i in range(0, 16, 4))
    assert grouped in text
    assert f"http://localhost/verify/{code}" in text


def test_the_statement_pdf_over_a_chosen_period(client: FlaskClient, contract_id: int) -> None:
    # From 01.07.2022 to 30.09.2022: paid in 120 000 + 120 000 + 50 000, debited July and August, due three months.
    response = client.get(f"/contracts/{contract_id}/statement.pdf?from=2022-07-01&to=2022-09-30")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    text, _pages = pdf_text(response.data)
    for expected in (
        COMPANY,
        "Выписка по договору",
        "ДА-2022-00000",
        "с 01.07.2022 по 30.09.2022",
        ISSUED,
        "1 / ",
        "Остаток на начало периода 0,00 ₸",
        "Поступило за период 290 000,00 ₸",
        "Списано за период 240 000,00 ₸",
        "Остаток на конец периода 50 000,00 ₸",
        "Начислено по графику за период 360 000,00 ₸",
        f"Сумма внесенных платежей {PAID}",
        f"По ежемесячным платежам {OVERDUE}",
        f"Итого задолженность {DEBT}",
        "Списание: платеж от 10.07.2022",
        "12.09.2022",
    ):
        assert expected in text, expected
    assert "25.09.2022" not in text  # September was never debited


def test_the_statement_defaults_to_the_last_twelve_months(client: FlaskClient, contract_id: int) -> None:
    text, _pages = pdf_text(client.get(f"/contracts/{contract_id}/statement.pdf").data)
    assert "с 24.11.2025 по 24.11.2026" in text
    assert "Операций за период не было." in text
    assert "Остаток на начало периода 50 000,00 ₸" in text


def test_the_schedule_workbook_holds_numbers_and_dates(client: FlaskClient, contract_id: int) -> None:
    response = client.get(f"/contracts/{contract_id}/schedule.xlsx")

    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Cache-Control"] == "no-store"
    assert "schedule-3000000000-" in response.headers["Content-Disposition"]
    rows = cells(response.data)
    assert rows[0][0] == COMPANY
    assert rows[1][0] == "График платежей"
    assert value_of(rows, "Номер договора") == "ДА-2022-00000"
    assert value_of(rows, "Дата и время выдачи") == f"{ISSUED} по времени Алматы"
    assert value_of(rows, "Код проверки") == "-".join(codes()[0][i : i + 4] for i in range(0, 16, 4))
    assert value_of(rows, "Проверить подлинность") == f"http://localhost/verify/{codes()[0]}"
    july = row_of(rows, date(2022, 7, 10))
    assert [Decimal(str(v)) for v in july[1:5]] == [Decimal(120000), Decimal(100000), Decimal(20000), Decimal(120000)]
    assert july[5] == "Погашено"
    assert row_of(rows, date(2022, 9, 10))[5] == "Просрочено"
    total = row_of(rows, "Итого")
    assert Decimal(str(total[1])) == Decimal(720000) and Decimal(str(total[4])) == Decimal(240000)
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None
    money_cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, int | float) and c.value > 1000]
    assert money_cells and all(c.number_format == '#,##0.00 "₸"' for c in money_cells)


def test_the_statement_workbook(client: FlaskClient, contract_id: int) -> None:
    rows = cells(client.get(f"/contracts/{contract_id}/statement.xlsx?from=2022-07-01&to=2022-09-30").data)
    assert rows[1][0] == "Выписка по договору"
    assert value_of(rows, "Период") == "с 01.07.2022 по 30.09.2022"
    for label, amount in [
        ("Поступило за период", 290000),
        ("Списано за период", 240000),
        ("Остаток на конец периода", 50000),
        ("Итого задолженность", 483800),
    ]:
        assert Decimal(str(value_of(rows, label))) == Decimal(amount), label
    assert Decimal(str(row_of(rows, date(2022, 9, 12))[2])) == Decimal(50000)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("kk", ["«Қазақстан тұрғын үй компаниясы» АҚ", "Төлем кестесі", "Мерзімі өткен"]),
        ("en", ['JSC "Kazakhstan Housing Company"', "Payment schedule", "Overdue", "₸120,000.00", "24 Nov 2026"]),
    ],
)
def test_documents_come_in_the_chosen_language(
    client: FlaskClient, contract_id: int, language: str, words: list[str]
) -> None:
    client.get(f"/contracts?lang={language}")
    text, _pages = pdf_text(client.get(f"/contracts/{contract_id}/schedule.pdf").data)
    for word in words:
        assert word in text, word
    if language == "kk":
        assert set("әғқңөұүі") & set(text.lower()) >= set("әқңөұүі")
    workbook = cells(client.get(f"/contracts/{contract_id}/statement.xlsx").data)
    assert workbook[0][0] == words[0]


@pytest.mark.usefixtures("demo")
def test_another_clients_contract_answers_404(client: FlaskClient, auth: AuthActions) -> None:
    auth.sign_in_as()
    someone_elses = db.session.scalar(select(Contract.id).where(Contract.account == "1000000003"))
    for path in (
        f"/contracts/{someone_elses}/schedule.pdf",
        f"/contracts/{someone_elses}/schedule.xlsx",
        f"/contracts/{someone_elses}/statement.pdf",
        f"/contracts/{someone_elses}/statement.xlsx?from=2023-01-01",
        f"/contracts/{someone_elses}/pay",
        f"/contracts/{someone_elses}/pay.svg",
        "/contracts/1000000/schedule.pdf",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "ДА-2023-00318" not in response.get_data(as_text=True)
    assert codes() == []


@pytest.mark.usefixtures("demo")
def test_documents_and_payment_details_need_a_signed_in_client(client: FlaskClient) -> None:
    contract = db.session.scalar(select(Contract.id).where(Contract.account == "1000000001"))
    for path in (
        f"/contracts/{contract}/schedule.pdf",
        f"/contracts/{contract}/statement.xlsx",
        f"/contracts/{contract}/pay",
    ):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    assert codes() == []


@pytest.mark.parametrize(
    "query",
    [
        "from=abc&to=xyz",
        "from=2022-13-45",
        "to=2022-02-30",
        "from=2026-11-01&to=2025-01-01",
        "from=0001-01-01",
        "to=9999-12-31",
        "from=" + "9" * 400,
        "from=2022-07-01&from=2023-01-01",
        "from=%00",
    ],
)
def test_bad_dates_fall_back_to_defaults(client: FlaskClient, contract_id: int, query: str) -> None:
    for fmt in ("pdf", "xlsx"):
        response = client.get(f"/contracts/{contract_id}/statement.{fmt}?{query}")
        assert response.status_code == 200, (query, fmt)
    text, _pages = pdf_text(client.get(f"/contracts/{contract_id}/statement.pdf?{query}").data)
    assert re.search(r"с \d\d\.\d\d\.\d{4} по (24\.11\.2026|\d\d\.\d\d\.\d{4})", text)
    assert "по 31.12.9999" not in text


def test_each_document_issued_is_audited(client: FlaskClient, contract_id: int) -> None:
    client.get(f"/contracts/{contract_id}/schedule.pdf")
    client.get(f"/contracts/{contract_id}/statement.xlsx")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.event == "document_issued")).all()
    assert [e.detail.split()[0] for e in events if e.detail] == ["schedule.pdf", "statement.xlsx"]
    assert all(code in " ".join(e.detail or "" for e in events) for code in codes())


def test_verify_confirms_kind_time_and_contract_number_only(app: Flask, client: FlaskClient, contract_id: int) -> None:
    client.get(f"/contracts/{contract_id}/statement.pdf?from=2022-07-01&to=2022-09-30")
    [code] = codes()
    stranger = app.test_client()  # whoever holds the paper: not signed in

    for shown in (code, code.lower(), "-".join(code[i : i + 4] for i in range(0, 16, 4))):
        response = stranger.get(f"/verify/{shown}")
        page = response.get_data(as_text=True).replace("\xa0", " ")
        assert response.status_code == 200, shown
        assert "Выписка по договору" in page
        assert "ДА-2022-00000" in page
        assert ISSUED in page
        for secret in ("Тестова", "Әсел", CRAFTED_IIN, "3000000000", "50 000", "120 000", "Сыганак"):
            assert secret not in page, secret
        assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("code", ["AAAAAAAAAAAAAAAA", "nope", "A" * 200, "%00", "ABCD-EFGH"])
def test_an_unknown_code_is_a_clear_404_in_the_users_language(client: FlaskClient, code: str) -> None:
    response = client.get(f"/verify/{code}")
    assert response.status_code == 404
    assert "Документ с таким кодом не найден" in response.get_data(as_text=True)
    kazakh = client.get(f"/verify/{code}?lang=kk")
    assert kazakh.status_code == 404
    assert '<html lang="kk">' in kazakh.get_data(as_text=True)
    assert "Документ с таким кодом не найден" not in kazakh.get_data(as_text=True)


def test_the_contract_page_offers_the_documents_and_the_statement_form(client: FlaskClient, contract_id: int) -> None:
    page = client.get(f"/contracts/{contract_id}").get_data(as_text=True)
    assert f'href="/contracts/{contract_id}/schedule.pdf"' in page
    assert f'href="/contracts/{contract_id}/schedule.xlsx"' in page
    assert f'href="/contracts/{contract_id}/pay"' in page
    assert f'<form method="get" action="/contracts/{contract_id}/statement.pdf"' in page
    assert f'formaction="/contracts/{contract_id}/statement.xlsx"' in page
    assert 'name="from" value="2025-11-24"' in page and 'name="to" value="2026-11-24"' in page
    assert "График платежей (PDF)" in page
    schedule = client.get(f"/schedule/{contract_id}").get_data(as_text=True)
    assert f'href="/contracts/{contract_id}/schedule.xlsx"' in schedule
    assert codes() == []  # showing the links issues nothing


def test_how_to_pay_shows_the_payee_and_the_personal_account(client: FlaskClient, contract_id: int) -> None:
    from tests.app.test_cabinet import field

    response = client.get(f"/contracts/{contract_id}/pay")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field(page, "Получатель") == COMPANY
    assert '<span class="copy-value">070540004123</span>' in field(page, "БИН получателя")
    assert 'data-copy="070540004123"' in page
    assert field(page, "БИК") == "HSBKKZKX"
    assert field(page, "КНП (код назначения платежа)") == "421"
    assert "KZ18 6010 0012 3456 7890" in field(page, "ИИК (IBAN)")
    assert 'data-copy="KZ186010001234567890"' in page
    assert '<span class="copy-value">3000000000</span>' in page
    assert 'data-copy="3000000000"' in page
    assert " hidden>" in page  # the copy buttons show only when the script can use the clipboard
    assert "<script>" not in page and "style=" not in page
    assert f'src="/contracts/{contract_id}/pay.svg"' in page

    qr = client.get(f"/contracts/{contract_id}/pay.svg")
    assert qr.status_code == 200
    assert qr.mimetype == "image/svg+xml"
    assert qr.headers["Cache-Control"] == "no-store"
    assert qr.data.lstrip().startswith(b"<?xml") and b"<svg" in qr.data


def test_the_payment_qr_text_names_the_payee_and_the_account(app: Flask) -> None:
    """Plain labelled lines that any phone's camera shows for copying: no banking format is claimed."""
    from portal.cabinet.views import payment_qr_text

    contract = Contract(number="ДА-1", account="3000000000")
    text = payment_qr_text(
        contract,
        {"iban": "KZ186010001234567890", "bank": "Банк", "bic": "HSBKKZKX", "bin": "070540004123", "knp": "421"},
    )
    assert text.splitlines() == [
        "Получатель: АО «Казахстанская Жилищная Компания»",
        "БИН: 070540004123",
        "Банк: Банк",
        "ИИК (IBAN): KZ186010001234567890",
        "БИК: HSBKKZKX",
        "КНП: 421",
        "Лицевой счет: 3000000000",
        "Назначение: Оплата по договору ДА-1, лицевой счет 3000000000",
    ]
    assert "ST00012" not in text


def test_pages_with_documents_and_payment_details_stay_within_four_queries(
    client: FlaskClient, contract_id: int, queries: QueryCounter
) -> None:
    for path in (f"/contracts/{contract_id}", f"/schedule/{contract_id}", f"/contracts/{contract_id}/pay"):
        with queries:
            response = client.get(path)
        assert response.status_code == 200
        assert queries.count <= 4, (path, queries.statements)
    with queries:
        client.get("/verify/AAAAAAAAAAAAAAAA")
    assert queries.count <= 2
    # A download reads as the contract page does, then writes the issued document and its audit event.
    for path in (f"/contracts/{contract_id}/schedule.pdf", f"/contracts/{contract_id}/statement.xlsx"):
        with queries:
            assert client.get(path).status_code == 200
        writes = [s for s in queries.statements if s.lstrip().upper().startswith("INSERT")]
        assert queries.count - len(writes) <= 4 and len(writes) == 2, (path, queries.statements)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"PORTAL_PAYEE_IBAN": "KZ87125KZT5004100100"}, "PORTAL_PAYEE_IBAN"),
        ({"PORTAL_PAYEE_BIN": "12345"}, "PORTAL_PAYEE_BIN"),
    ],
)
def test_payee_details_that_cannot_be_paid_to_are_refused(settings: dict[str, str], message: str) -> None:
    from portal import create_app
    from portal.config import ConfigError

    with pytest.raises(ConfigError, match=message):
        create_app({"SECRET_KEY": "k", **settings})


def test_payee_details_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from portal import create_app

    monkeypatch.setenv("PORTAL_PAYEE_IBAN", "KZ86 125K ZT50 0410 0100")
    monkeypatch.setenv("PORTAL_PAYEE_BIC", "KCJBKZKX")
    app = create_app({"SECRET_KEY": "k"})
    assert app.config["PORTAL_PAYEE_IBAN"] == "KZ86125KZT5004100100"
    assert app.config["PORTAL_PAYEE_BIC"] == "KCJBKZKX"


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_documents_say_what_the_pages_say(client: FlaskClient, contract_id: int, language: str) -> None:
    """The same «—» for nothing debited, whole statuses, the page's words for a deposit (issue 21 item 6)."""
    page = client.get(f"/schedule/{contract_id}?lang={language}&per_page=12").get_data(as_text=True)
    labels = re.findall(r'<span class="status-\w+">([^<]+)</span>', page)
    text, _pages = pdf_text(client.get(f"/contracts/{contract_id}/schedule.pdf").data)
    lines = text.splitlines()
    for label in set(labels):
        assert any(label in line for line in lines), f"«{label}» is broken over two lines"
    september = next(line for line in lines if line.startswith(("10.09.2022", "10 Sep 2022")))
    assert "—" in september  # nothing debited, as on the page

    rows = cells(client.get(f"/contracts/{contract_id}/schedule.xlsx").data)
    assert row_of(rows, date(2022, 9, 10))[4] == "—"
    history = client.get(f"/history/{contract_id}").get_data(as_text=True)
    deposit = re.search(r'<td>([^<]+)</td><td class="amount-in">', history)
    assert deposit is not None
    statement, _pages = pdf_text(
        client.get(f"/contracts/{contract_id}/statement.pdf?from=2022-07-01&to=2022-09-30").data
    )
    assert html.unescape(deposit.group(1)) in statement
