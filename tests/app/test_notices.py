"""Notices for clients: an editor adds, changes, ends and deletes them (audited); every signed-in client sees the
ones of the moment on every page of the cabinet in the page's language, hides one for the session; no query added."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from portal.extensions import db
from portal.models import AuditEvent, Client, ClientNotice, Contract, Staff
from portal.staff.service import add_staff
from tests.app.test_staff import StaffActions
from tests.conftest import AuthActions, FakeClock, QueryCounter, csrf_token

pytestmark = pytest.mark.usefixtures("demo")

EDITOR = "erlan"
EDITOR_NAME = "Ерланов Ерлан"
PASSWORD = "Editor#Desk2026"
# The test's clock starts at 11:00 in Kazakhstan (06:00 UTC) on 24.11.2026.
NOTICE = {
    "text_ru": "Плановые работы 25 ноября с 01:00 до 03:00: кабинет может быть недоступен.",
    "text_kk": "25 қарашада 01:00-ден 03:00-ге дейін жоспарлы жұмыстар: кабинет қолжетімсіз болуы мүмкін.",
    "text_en": "Planned maintenance on 25 November from 01:00 to 03:00: the cabinet may be unavailable.",
    "starts_at": "2026-11-24T12:00",
    "ends_at": "2026-11-24T14:00",
}
TEXTS = {language: NOTICE[f"text_{language}"] for language in ("ru", "kk", "en")}


def text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


class EditorActions(StaffActions):
    """An editor at the notices' pages."""

    def token(self) -> str:
        return csrf_token(text(self.client.get("/staff/notices")))

    def add(self, **changes: str) -> TestResponse:
        return self.client.post("/staff/notices", data={"csrf_token": self.token(), **NOTICE, **changes})


@pytest.fixture
def editor(client: FlaskClient, clock: FakeClock) -> EditorActions:
    editor = EditorActions(client, add_staff(EDITOR, EDITOR_NAME, PASSWORD, ("editor",))[1], clock)
    assert editor.login(login=EDITOR, password=PASSWORD).headers["Location"] == "/staff/imports"
    return editor


@pytest.fixture
def visitor(app: Flask) -> FlaskClient:
    """A second browser: the client's, while the editor keeps theirs."""
    return app.test_client()


def notice_ids() -> list[int]:
    return list(db.session.scalars(select(ClientNotice.id).order_by(ClientNotice.id)))


def notice_events() -> list[tuple[str, str | None, int | None, int | None]]:
    rows = db.session.execute(
        select(AuditEvent.event, AuditEvent.detail, AuditEvent.staff_id, AuditEvent.client_id)
        .where(AuditEvent.event.like("notice_%"))
        .order_by(AuditEvent.id)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


def editor_id() -> int:
    return db.session.scalars(select(Staff.id).where(Staff.login == EDITOR)).one()


def add_directly(ru: str = "Сейчас", hours: tuple[float, float] = (-1, 1), clock: FakeClock | None = None) -> int:
    """A notice shown from `hours[0]` to `hours[1]` hours around the test's start (11:00 in Kazakhstan)."""
    start = (clock or FakeClock()).current
    notice = ClientNotice(
        text_ru=ru,
        text_kk=f"{ru} (kk)",
        text_en=f"{ru} (en)",
        starts_at=start + timedelta(hours=hours[0]),
        ends_at=start + timedelta(hours=hours[1]),
        created_at=start,
        updated_at=start,
    )
    db.session.add(notice)
    db.session.commit()
    return notice.id


def banner(page: str) -> list[str]:
    """The notices' texts at the top of <main>, as the client reads them."""
    main = page[page.index('<main id="main"') :]
    return [html.unescape(found) for found in re.findall(r'<p class="client-notice-text">([^<]*)</p>', main)]


def akhmetov_contract() -> int:
    return db.session.scalars(select(Contract.id).where(Contract.account == "1000000001")).one()


def client_pages() -> list[str]:
    contract = akhmetov_contract()
    return [
        "/profile",
        "/contracts",
        f"/contracts/{contract}",
        "/schedule",
        f"/schedule/{contract}?year=all&per_page=24",
        "/history",
        f"/contracts/{contract}/pay",
        f"/contracts/{contract}/early",
        "/faq",
        "/profile/password",
    ]


# The editor's side --------------------------------------------------------------------------------------------------


def test_an_editor_adds_a_notice_audited_and_the_board_shows_it_in_kazakhstan_time(editor: EditorActions) -> None:
    board = editor.client.get("/staff/notices")
    assert board.status_code == 200 and board.headers["Cache-Control"] == "no-store"
    page = text(board)
    assert "Объявления для клиентов" in page and 'aria-current="page"' in page  # the staff's menu
    assert 'type="datetime-local"' in page and 'value="2026-11-24T11:00"' in page  # the start: now, by default
    assert "Сейчас клиенты не видят ни одного объявления." in page

    added = editor.add(starts_at="2026-11-24T10:30")

    assert added.status_code == 303 and added.headers["Location"] == "/staff/notices"
    [notice_id] = notice_ids()
    notice = db.session.get(ClientNotice, notice_id)
    assert notice is not None
    assert (notice.starts_at.hour, notice.starts_at.minute, notice.ends_at.hour) == (5, 30, 9)  # UTC
    assert notice.created_by == editor_id()
    assert notice_events() == [("notice_added", str(notice_id), editor_id(), None)]
    page = text(editor.client.get("/staff/notices"))
    assert "Объявление добавлено." in page
    shown_now = page[page.index("Сейчас показываются") : page.index("Запланированы")]
    assert all(html.escape(words, quote=False) in shown_now for words in TEXTS.values())
    assert "С 24.11.2026 10:30 до 24.11.2026 14:00" in shown_now and "Снять сейчас" in shown_now


def test_the_board_groups_the_notices_and_keeps_the_last_twenty_ended(editor: EditorActions) -> None:
    add_directly("Идет сейчас", (-1, 1))
    add_directly("Будет завтра", (24, 26))
    for n in range(22):
        add_directly(f"Прошло {n:02d}", (-30 - n, -29 - n))

    page = text(editor.client.get("/staff/notices"))

    now_part = page[page.index("Сейчас показываются") : page.index("Запланированы")]
    planned = page[page.index("Запланированы") : page.index("Завершены")]
    ended = page[page.index("Завершены") : page.index("Новое объявление")]
    assert "Идет сейчас" in now_part and "Будет завтра" not in now_part
    assert "Будет завтра" in planned and "С 25.11.2026 11:00 до 25.11.2026 13:00" in planned
    assert "Снять сейчас" not in planned and "Снять сейчас" not in ended
    assert ended.index("Прошло 00") < ended.index("Прошло 19")  # the latest first
    assert "Прошло 19" in ended and "Прошло 20" not in ended and "(последние 20)" in ended
    kk = text(editor.client.get("/staff/notices?lang=kk"))
    en = text(editor.client.get("/staff/notices?lang=en"))
    assert "Клиенттерге арналған хабарландырулар" in kk and "Қазір көрсетілуде" in kk and "Жоспарланғандар" in kk
    assert "Notices for clients" in en and "Shown now" in en and "Planned" in en and "Ended" in en


def test_an_editor_changes_ends_and_deletes_a_notice_each_audited(
    editor: EditorActions, visitor: FlaskClient, outbox: Path
) -> None:
    notice_id = add_directly("Старый текст", (-1, 5))
    form = text(editor.client.get(f"/staff/notices/{notice_id}"))
    assert "Старый текст" in form and 'value="2026-11-24T10:00"' in form and 'value="2026-11-24T16:00"' in form

    token = editor.token()
    changed = editor.client.post(
        f"/staff/notices/{notice_id}", data={"csrf_token": token, **NOTICE, "starts_at": "2026-11-24T10:00"}
    )
    assert changed.status_code == 303 and changed.headers["Location"] == "/staff/notices"
    assert "Объявление изменено." in text(editor.client.get("/staff/notices"))
    client_auth = AuthActions(visitor, outbox)
    client_auth.sign_in_as()
    assert banner(text(visitor.get("/profile"))) == [NOTICE["text_ru"]]

    ended = editor.client.post(f"/staff/notices/{notice_id}/end", data={"csrf_token": token})
    assert ended.status_code == 303
    assert "Объявление снято: клиенты его больше не видят." in text(editor.client.get("/staff/notices"))
    assert banner(text(visitor.get("/profile"))) == []
    again = editor.client.post(f"/staff/notices/{notice_id}/end", data={"csrf_token": token})
    assert again.status_code == 303
    assert "Объявление сейчас не показывается: снимать нечего." in text(editor.client.get("/staff/notices"))
    board = text(editor.client.get("/staff/notices"))
    assert NOTICE["text_ru"] in board[board.index("Завершены") :]

    deleted = editor.client.post(f"/staff/notices/{notice_id}/delete", data={"csrf_token": token})
    assert deleted.status_code == 303 and notice_ids() == []
    assert "Объявление удалено." in text(editor.client.get("/staff/notices"))
    assert editor.client.post(f"/staff/notices/{notice_id}/delete", data={"csrf_token": token}).status_code == 404
    assert editor.client.get(f"/staff/notices/{notice_id}").status_code == 404
    staff_id = editor_id()
    assert notice_events() == [
        ("notice_changed", str(notice_id), staff_id, None),
        ("notice_ended", str(notice_id), staff_id, None),
        ("notice_deleted", str(notice_id), staff_id, None),
    ]


def test_the_notices_routes_change_nothing_without_the_csrf_token(editor: EditorActions) -> None:
    notice_id = add_directly()
    for path in ("/staff/notices", f"/staff/notices/{notice_id}"):
        assert editor.client.post(path, data=NOTICE).status_code == 400
    for path in (f"/staff/notices/{notice_id}/end", f"/staff/notices/{notice_id}/delete"):
        assert editor.client.post(path).status_code == 400
    assert notice_ids() == [notice_id] and notice_events() == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"text_ru": "  "}, "text_ru", "Введите текст объявления на русском языке."),
        ({"text_kk": ""}, "text_kk", "Введите текст объявления на казахском языке."),
        ({"text_en": "\n"}, "text_en", "Введите текст объявления на английском языке."),
        ({"text_ru": "ы" * 301}, "text_ru", "Не больше 300 символов."),
        ({"ends_at": "2026-11-24T11:59"}, "ends_at", "Окончание показа должно быть позже начала."),
        ({"ends_at": "2026-11-24T12:00"}, "ends_at", "Окончание показа должно быть позже начала."),
        ({"starts_at": "завтра"}, "starts_at", "Введите дату и время, например 01.12.2026 09:00."),
        ({"ends_at": "2026-02-30T10:00"}, "ends_at", "Введите дату и время, например 01.12.2026 09:00."),
        ({"starts_at": ""}, "starts_at", "Заполните это поле."),
    ],
    ids=["no-ru", "no-kk", "no-en", "too-long", "end-before-start", "end-at-start", "word", "no-such-day", "no-start"],
)
def test_a_bad_notice_is_refused_next_to_its_field_with_the_typed_values_kept(
    editor: EditorActions, changes: dict[str, str], field: str, message: str
) -> None:
    response = editor.add(**changes)

    page = text(response)
    assert response.status_code == 200
    assert re.search(rf'<p class="field-error" id="{field}-error">{re.escape(message)}</p>', page), page
    assert f'id="{field}"' in page and 'aria-invalid="true"' in page
    for name, value in {**NOTICE, **changes}.items():
        if value.strip():
            assert value in page, name  # as typed, the wrong one too
    assert notice_ids() == [] and notice_events() == []


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ru", "Введите текст объявления на казахском языке."),
        ("kk", "Хабарландырудың қазақ тіліндегі мәтінін енгізіңіз."),
        ("en", "Enter the text of the notice in Kazakh."),
    ],
)
def test_the_missing_language_is_named_in_the_editors_language(
    editor: EditorActions, language: str, message: str
) -> None:
    data = {"csrf_token": editor.token(), **NOTICE, "text_kk": ""}
    response = editor.client.post(f"/staff/notices?lang={language}", data=data)

    assert html.escape(message) in text(response)
    assert notice_ids() == []


def test_a_notice_changed_wrongly_is_refused_and_left_as_it_was(editor: EditorActions) -> None:
    notice_id = add_directly("Как было", (-1, 1))

    response = editor.client.post(
        f"/staff/notices/{notice_id}",
        data={"csrf_token": editor.token(), **NOTICE, "ends_at": "2026-11-24T09:00"},
    )

    assert response.status_code == 200 and "Окончание показа должно быть позже начала." in text(response)
    assert NOTICE["text_en"] in text(response)
    assert db.session.scalars(select(ClientNotice.text_ru)).one() == "Как было" and notice_events() == []


@pytest.mark.parametrize("roles", [("support",), ("admin",)])
def test_only_editors_reach_the_notices(client: FlaskClient, clock: FakeClock, roles: tuple[str, ...]) -> None:
    staff = StaffActions(client, add_staff("other", "Другой сотрудник", PASSWORD, roles)[1], clock)
    staff.login(login="other", password=PASSWORD)
    notice_id = add_directly()
    token = csrf_token(text(client.get("/staff/imports")))

    assert client.get("/staff/notices").status_code == 403
    assert client.post("/staff/notices", data={"csrf_token": token, **NOTICE}).status_code == 403
    assert client.post(f"/staff/notices/{notice_id}/delete", data={"csrf_token": token}).status_code == 403
    assert "Объявления для клиентов" not in text(client.get("/staff/imports"))  # not in their menu
    assert notice_ids() == [notice_id]


def test_a_client_reaches_no_notice_route(client: FlaskClient, auth: AuthActions) -> None:
    auth.sign_in_as()
    assert client.get("/staff/notices").headers["Location"] == "/staff/login"


# The client's side --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_the_notice_is_on_every_client_page_in_its_language_only_between_its_moments(
    editor: EditorActions, visitor: FlaskClient, clock: FakeClock, outbox: Path, language: str
) -> None:
    editor.add()
    client_auth = AuthActions(visitor, outbox)
    client_auth.sign_in_as()
    visitor.get(f"/profile?lang={language}")  # the language chosen, and remembered
    assert banner(text(visitor.get("/profile"))) == []  # 11:00: not yet

    for minutes, shown in ((59, False), (1, True), (119, True), (1, False)):  # 11:59, 12:00, 13:59, 14:00
        clock.advance(minutes=minutes)
        client_auth.sign_in_as()  # the clock moved past the idle timeout
        for path in client_pages():
            response = visitor.get(path)
            assert response.status_code == 200, path
            assert banner(text(response)) == ([TEXTS[language]] if shown else []), (clock.current, path)


def test_the_banner_opens_main_as_a_status_and_the_start_page_has_none(
    editor: EditorActions, visitor: FlaskClient, outbox: Path
) -> None:
    editor.add(starts_at="2026-11-24T11:00")
    assert banner(text(visitor.get("/"))) == [] and banner(text(visitor.get("/faq"))) == []  # nobody signed in

    AuthActions(visitor, outbox).sign_in_as()
    page = text(visitor.get("/profile"))

    main = page[page.index('<main id="main"') :]
    assert main.index('class="client-notices"') < main.index("<h1")
    assert re.search(r'<div class="client-notice" id="client-notice-\d+" role="status">', main)
    assert "Скрыть" in main
    assert "Hide" in text(visitor.get("/profile?lang=en")) and "Жасыру" in text(visitor.get("/profile?lang=kk"))


def test_the_text_is_shown_as_text(editor: EditorActions, visitor: FlaskClient, outbox: Path) -> None:
    editor.add(starts_at="2026-11-24T11:00", text_ru='<script>alert("x")</script> <b>жирный</b>')
    AuthActions(visitor, outbox).sign_in_as()

    page = text(visitor.get("/profile"))
    board = text(editor.client.get("/staff/notices"))

    for shown in (page, board):
        assert "<script>alert" not in shown and "<b>жирный" not in shown
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &lt;b&gt;жирный&lt;/b&gt;" in shown
    assert banner(page) == ['<script>alert("x")</script> <b>жирный</b>']


def test_several_notices_show_in_the_order_they_started(visitor: FlaskClient, auth: AuthActions) -> None:
    add_directly("Второе", (-1, 1))
    add_directly("Первое", (-2, 1))
    add_directly("Кончилось", (-2, 0))
    AuthActions(visitor, auth.outbox).sign_in_as()

    assert banner(text(visitor.get("/schedule"))) == ["Первое", "Второе"]


def test_the_notices_come_with_the_session_check_at_no_extra_query(
    client: FlaskClient, auth: AuthActions, queries: QueryCounter
) -> None:
    auth.sign_in_as()
    pages = ["/profile", "/contracts", "/schedule", "/history", "/faq"]
    before = {}
    for path in pages:
        with queries:
            client.get(path)
        before[path] = queries.count
    for n in range(3):
        add_directly(f"Объявление {n}", (-1, 1 + n))

    for path in pages:
        with queries:
            page = text(client.get(path))
        assert len(banner(page)) == 3, path
        assert queries.count == before[path] <= 3, (path, queries.statements)
        first = queries.statements[0].lower()
        assert "from clients" in first and "contracts" in first and "client_notices" in first


def test_hide_keeps_the_notice_hidden_for_the_session_only(
    client: FlaskClient, auth: AuthActions, clock: FakeClock
) -> None:
    kept, hidden = add_directly("Остается", (-1, 1)), add_directly("Скрывается", (-1, 1))
    auth.login()
    page = text(client.get("/schedule?year=all"))
    assert banner(page) == ["Остается", "Скрывается"]
    assert f'action="/notices/{hidden}/dismiss"' in page and 'name="next" value="/schedule?year=all"' in page

    response = client.post(
        f"/notices/{hidden}/dismiss", data={"csrf_token": csrf_token(page), "next": "/schedule?year=all"}
    )

    assert response.status_code == 303 and response.headers["Location"] == "/schedule?year=all"
    for path in client_pages():
        assert banner(text(client.get(path))) == ["Остается"], path
    assert db.session.get(ClientNotice, hidden) is not None and notice_events() == []  # the session's own choice

    auth.logout()
    auth.login()
    assert banner(text(client.get("/profile"))) == ["Остается", "Скрывается"]  # a new session shows it again
    assert kept != hidden


def test_hide_with_htmx_answers_nothing_for_the_banner_to_vanish(client: FlaskClient, auth: AuthActions) -> None:
    notice_id = add_directly()
    auth.sign_in_as()
    page = text(client.get("/profile"))
    assert f'hx-post="/notices/{notice_id}/dismiss"' in page and f'hx-target="#client-notice-{notice_id}"' in page

    response = client.post(
        f"/notices/{notice_id}/dismiss",
        data={"csrf_token": csrf_token(page), "next": "/profile"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200 and response.get_data() == b""
    assert "HX-Request" in response.headers["Vary"]
    assert banner(text(client.get("/profile"))) == []


@pytest.mark.parametrize(
    "next_page", ["https://evil.example/", "//evil.example/profile", "/\\evil.example", "", "profile", "/a\r\nb"]
)
def test_hide_goes_back_only_to_a_page_of_this_site(client: FlaskClient, auth: AuthActions, next_page: str) -> None:
    notice_id = add_directly()
    auth.sign_in_as()
    token = csrf_token(text(client.get("/profile")))

    response = client.post(f"/notices/{notice_id}/dismiss", data={"csrf_token": token, "next": next_page})

    assert response.status_code == 303 and response.headers["Location"] == "/profile"


def test_hide_needs_a_signed_in_client_and_the_csrf_token(client: FlaskClient, auth: AuthActions) -> None:
    notice_id = add_directly()
    anonymous = client.post(f"/notices/{notice_id}/dismiss", data={"csrf_token": auth.token(), "next": "/profile"})
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")

    auth.sign_in_as()
    assert client.post(f"/notices/{notice_id}/dismiss", data={"next": "/profile"}).status_code == 400
    assert banner(text(client.get("/profile"))) == ["Сейчас"]


def test_hiding_a_notice_not_shown_keeps_nothing_in_the_session(client: FlaskClient, auth: AuthActions) -> None:
    planned = add_directly("Позже", (2, 3))
    auth.sign_in_as()
    token = csrf_token(text(client.get("/profile")))

    for notice_id in (planned, 999_999):
        assert client.post(f"/notices/{notice_id}/dismiss", data={"csrf_token": token}).status_code == 303

    with client.session_transaction() as session:
        assert not session.get("dismissed_notices")


def test_support_sees_the_notice_over_a_clients_cabinet_without_the_button(
    client: FlaskClient, clock: FakeClock
) -> None:
    add_directly("Смена реквизитов", (-1, 1))
    support = StaffActions(client, add_staff("aigul", "Нурпеисова Айгуль", "Support#Desk2026")[1], clock)
    support.login()
    client_id = db.session.scalars(select(Client.id).where(Client.iin == "880515301238")).one()

    page = text(client.get(f"/staff/clients/{client_id}/profile?lang=en"))

    assert banner(page) == ["Смена реквизитов (en)"]
    assert "/dismiss" not in page and ">Hide</button>" not in page
    assert banner(text(client.get("/staff"))) == []  # the staff's own pages have none
