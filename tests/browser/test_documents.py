"""Documents and «Как оплатить» in Chromium: a PDF and a workbook downloaded from Мои договора, the account
number copied with one click, the document's code checked on /verify, and the same without JavaScript."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.browser.conftest import LiveServer
from tests.browser.pages import SignIn


def shot(page: Page, artifacts: Path, name: str) -> None:
    page.screenshot(path=artifacts / f"{name}.png", full_page=True)


def signed_in(open_page: Callable[..., Page], live_server: LiveServer, artifacts: Path, **options: object) -> Page:
    page = open_page(**options)
    SignIn(page, live_server, artifacts, "documents").login("1000000001", "880515301238", "Demo2026!")
    expect(page.get_by_role("heading", name="Профиль")).to_be_visible()
    return page


def test_the_client_downloads_documents_copies_the_account_and_checks_the_code(
    open_page: Callable[..., Page], live_server: LiveServer, artifacts: Path
) -> None:
    page = signed_in(open_page, live_server, artifacts, permissions=["clipboard-read", "clipboard-write"])
    page.get_by_role("navigation", name="Навигационное меню").get_by_role("link", name="Мои договора").click()
    documents = page.get_by_role("region", name="Документы")
    expect(documents).to_be_visible()
    shot(page, artifacts, "documents-contracts-1280")

    with page.expect_download() as schedule_download:
        documents.get_by_role("link", name="График платежей (PDF)").click()
    download = schedule_download.value
    assert re.fullmatch(r"schedule-1000000001-\d{4}-\d\d-\d\d-\d{4}\.pdf", download.suggested_filename)
    reader = PdfReader(download.path())
    text = "\n".join(p.extract_text() for p in reader.pages).replace("\xa0", " ")
    assert "АО «Казахстанская Жилищная Компания»" in text
    assert "ДА-2023-00117" in text
    assert f"1 / {len(reader.pages)}" in text
    verify_url = re.search(r"http://127\.0\.0\.1:\d+/verify/[A-Z2-7]{16}", text)
    assert verify_url

    documents.get_by_label("Начало периода").fill("2025-01-01")
    with page.expect_download() as statement_download:
        documents.get_by_role("button", name="Выписка (XLSX)").click()
    workbook = load_workbook(io.BytesIO(statement_download.value.path().read_bytes()))  # the path has no .xlsx
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[1][0] == "Выписка по договору"
    assert any(row[0] == "Период" and str(row[1]).startswith("с 01.01.2025 по ") for row in rows)

    page.locator(".document-links").get_by_role("link", name="Как оплатить").click()
    expect(page.get_by_role("heading", name="Как оплатить", exact=True)).to_be_visible()
    expect(page.locator(".pay-qr img")).to_be_visible()
    page.wait_for_function(
        "() => { const qr = document.querySelector('.pay-qr img'); return qr.complete && qr.naturalWidth > 0; }"
    )
    copy = page.get_by_role("button", name="Копировать: Номер счета")
    copy.click()
    expect(page.get_by_role("status").filter(has_text="Скопировано")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == "1000000001"
    page.get_by_role("button", name="Копировать: ИИК (IBAN)").click()
    expect(page.get_by_role("status").filter(has_text="Скопировано")).to_have_count(2)
    assert re.fullmatch(r"KZ\d{2}[0-9A-Z]{16}", page.evaluate("navigator.clipboard.readText()"))
    shot(page, artifacts, "documents-pay-1280")
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()  # a phone opens with the menu folded
    expect(page.get_by_role("button", name="Меню")).to_have_attribute("aria-expanded", "false")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, artifacts, "documents-pay-360")

    stranger = open_page()
    stranger.goto(verify_url.group(0))
    expect(stranger.get_by_role("heading", name="Проверка документа")).to_be_visible()
    expect(stranger.locator(".field-row", has_text="Номер договора").locator("dd")).to_have_text("ДА-2023-00117")
    expect(stranger.get_by_text("Ахметов")).to_have_count(0)
    shot(stranger, artifacts, "documents-verify-1280")


def test_without_javascript_the_details_are_plain_text_and_the_statement_form_works(
    open_page: Callable[..., Page], live_server: LiveServer, artifacts: Path
) -> None:
    page = signed_in(open_page, live_server, artifacts, java_script_enabled=False)
    page.goto(live_server("/contracts"))
    page.locator(".document-links").get_by_role("link", name="Как оплатить").click()
    expect(page.get_by_role("button", name=re.compile("Копировать"))).to_have_count(0)
    expect(page.locator(".field-row", has_text="Номер счета").locator("dd")).to_contain_text("1000000001")
    shot(page, artifacts, "documents-pay-no-js")

    page.goto(live_server("/contracts"))
    with page.expect_download() as statement_download:
        page.get_by_role("button", name="Выписка (PDF)").click()
    assert statement_download.value.suggested_filename.startswith("statement-1000000001-")
