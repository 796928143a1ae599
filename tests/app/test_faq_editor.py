"""Editors keep the FAQ in /staff/faq: add, preview, publish only in three languages, change, roll back, reorder,
hide, delete and bring back; each change a version and an audit row, and clients' FAQ follows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from portal.extensions import db
from portal.models import AuditEvent, FaqEntry, FaqVersion
from portal.staff.service import add_staff
from tests.app.test_staff import StaffActions
from tests.conftest import FakeClock, csrf_token

EDITOR = "aliya"
EDITOR_NAME = "Садыкова Алия"
PASSWORD = "Editor#Desk2026"
SHIPPED = Path(__file__).resolve().parents[2] / "portal" / "data" / "faq.json"

NEW = {
    "topic": "payments",
    "question_ru": "Можно ли оплатить через терминал Qiwi?",
    "answer_ru": "Да, терминалы Qiwi принимают платежи по номеру лицевого счета.",
    "question_kk": "Qiwi терминалы арқылы төлеуге бола ма?",
    "answer_kk": "Иә, Qiwi терминалдары дербес шот нөмірі бойынша төлем қабылдайды.",
    "question_en": "Can I pay at a Qiwi terminal?",
    "answer_en": "Yes, Qiwi terminals take payments by the personal account number.",
}


def text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


class Editor(StaffActions):
    def token(self) -> str:
        return csrf_token(text(self.client.get("/staff/faq")))

    def post(self, path: str, **data: str) -> TestResponse:
        response = self.client.post(path, data={"csrf_token": self.token(), **data})
        db.session.expire_all()  # the test's session reads what the request wrote
        return response

    def save(self, path: str, words: dict[str, str], publish: bool, action: str = "save", **extra: str) -> TestResponse:
        data = {**words, "action": action, **extra}
        if publish:
            data["published"] = "y"
        return self.post(path, **data)


@pytest.fixture
def editor(app: Flask, client: FlaskClient, clock: FakeClock, runner: FlaskCliRunner) -> Editor:
    assert runner.invoke(args=["portal", "faq", str(SHIPPED)]).exit_code == 0
    secret = add_staff(EDITOR, EDITOR_NAME, PASSWORD, ("editor",))[1]
    editor = Editor(client, secret, clock)
    assert editor.login(EDITOR, PASSWORD).headers["Location"] == "/staff/imports"
    return editor


def events(kind: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.event == kind).order_by(AuditEvent.id)))


def entry_by(question_ru: str) -> FaqEntry:
    return db.session.scalars(select(FaqEntry).where(FaqEntry.question_ru == question_ru)).one()


def client_faq(client: FlaskClient, query: str, language: str = "ru") -> str:
    return text(client.get("/faq", query_string={"q": query, "lang": language}))


def form_value(page: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\r?\n?(.*?)</textarea>', page, re.S)
    assert match, name
    return match.group(1)


def test_an_editor_adds_a_question_that_clients_then_find(editor: Editor, client: FlaskClient) -> None:
    assert "Найдено вопросов: 0" in client_faq(client, "Qiwi")

    added = editor.save("/staff/faq/new", NEW, publish=True)

    assert added.status_code == 303
    entry = entry_by(NEW["question_ru"])
    assert entry.published and entry.position == db.session.scalar(select(func.max(FaqEntry.position)))
    assert entry.slug == "can-i-pay-at-a-qiwi-terminal"
    found = client_faq(client, "терминалом")  # a word form of «терминал»
    assert "Найдено вопросов: 1" in found and "Да, <mark>терминалы</mark> Qiwi" in found, found[-800:]
    assert "<mark>Qiwi</mark> терминалы арқылы" in client_faq(client, "Qiwi", "kk")
    assert "Can I pay at a Qiwi <mark>terminal</mark>?" in client_faq(client, "terminals", "en")
    [event] = events("faq_added")
    assert event.detail == entry.slug and event.staff_id is not None and event.client_id is None
    [version] = db.session.scalars(select(FaqVersion).where(FaqVersion.slug == entry.slug)).all()
    assert version.change == "added" and version.published and version.question_kk == NEW["question_kk"]


@pytest.mark.parametrize(
    ("language", "message", "missing"),
    [
        ("ru", "Чтобы опубликовать вопрос, заполните вопрос и ответ на всех трех языках. Не заполнено: Қазақша.", "kk"),
        ("kk", "Сұрақты жариялау үшін сұрақ пен жауапты үш тілде де толтырыңыз. Толтырылмаған: English.", "en"),
        (
            "en",
            "To publish a question, fill in the question and the answer in all three languages. Missing: Русский.",
            "ru",
        ),
    ],
)
def test_a_question_with_a_language_missing_is_not_published_and_the_typed_words_stay(
    editor: Editor, client: FlaskClient, language: str, message: str, missing: str
) -> None:
    words = {**NEW, f"answer_{missing}": ""}

    refused = editor.save(f"/staff/faq/new?lang={language}", words, publish=True)

    assert refused.status_code == 200
    page = text(refused)
    assert message in page
    assert form_value(page, "answer_ru") == words["answer_ru"] and form_value(page, "question_en") == NEW["question_en"]
    assert db.session.scalar(select(func.count()).select_from(FaqEntry).where(FaqEntry.topic == "payments")) == 8
    assert not events("faq_added")


def test_a_draft_is_kept_hidden_until_every_language_is_there(editor: Editor, client: FlaskClient) -> None:
    draft = {**NEW, "question_kk": "", "answer_kk": ""}
    assert editor.save("/staff/faq/new", draft, publish=False).status_code == 303
    entry = entry_by(NEW["question_ru"])
    assert not entry.published and "Найдено вопросов: 0" in client_faq(client, "Qiwi")
    listed = text(editor.client.get("/staff/faq?q=qiwi"))
    assert "Найдено вопросов: 1" in listed and "Скрыт" in listed and "Нет перевода: KK" in listed

    refused = editor.post(f"/staff/faq/{entry.id}/visibility", published="1")
    assert "Не заполнено: Қазақша" in text(editor.client.get(refused.headers["Location"]))
    assert not entry_by(NEW["question_ru"]).published

    page = text(editor.client.get(f"/staff/faq/{entry.id}"))
    based_on = re.search(r'name="based_on" type="hidden" value="(\d+)"', page) or re.search(
        r'name="based_on" value="(\d+)"', page
    )
    assert based_on
    assert editor.save(f"/staff/faq/{entry.id}", NEW, publish=True, based_on=based_on.group(1)).status_code == 303
    assert entry_by(NEW["question_ru"]).published and "Найдено вопросов: 1" in client_faq(client, "Qiwi")
    assert [v.change for v in db.session.scalars(select(FaqVersion).where(FaqVersion.slug == entry.slug))] == [
        "added",
        "changed",
    ]


def based_on(editor: Editor, entry_id: int) -> str:
    page = text(editor.client.get(f"/staff/faq/{entry_id}"))
    match = re.search(r'id="based_on" name="based_on" type="hidden" value="(\d*)"', page)
    assert match, "the form carries the version it shows"
    return match.group(1)


def test_a_change_keeps_the_previous_version_which_can_be_brought_back(editor: Editor, client: FlaskClient) -> None:
    entry = db.session.scalars(select(FaqEntry).order_by(FaqEntry.position)).first()
    assert entry is not None
    before = {name: getattr(entry, name) for name in NEW if name != "topic"}
    words = {**before, "topic": entry.topic, "answer_ru": "Личный кабинет показывает договоры и платежи семьи."}

    editor.save(f"/staff/faq/{entry.id}", words, publish=True, based_on=based_on(editor, entry.id))

    assert "договоры и платежи <mark>семьи</mark>" in client_faq(client, "семьи")
    page = text(editor.client.get(f"/staff/faq/{entry.id}"))
    assert "Садыкова Алия: изменен" in page and "— загружен из файла" in page
    versions = list(db.session.scalars(select(FaqVersion).where(FaqVersion.slug == entry.slug).order_by(FaqVersion.id)))
    assert [v.change for v in versions] == ["file", "changed"]

    back = editor.post(f"/staff/faq/{entry.id}/versions/{versions[0].id}", back="entry")

    assert back.headers["Location"] == f"/staff/faq/{entry.id}"
    assert "Прежняя версия вопроса возвращена." in text(editor.client.get(back.headers["Location"]))
    assert entry_by(before["question_ru"]).answer_ru == before["answer_ru"]
    assert "<mark>семьи</mark>" not in client_faq(client, "семьи")
    assert [e.detail for e in events("faq_changed")] == [entry.slug]
    assert [e.detail for e in events("faq_rolled_back")] == [entry.slug]


def test_a_save_over_another_editors_newer_change_is_refused_and_the_typed_words_stay(editor: Editor) -> None:
    entry = db.session.scalars(select(FaqEntry).order_by(FaqEntry.position)).first()
    assert entry is not None
    opened = based_on(editor, entry.id)
    words = {name: getattr(entry, name) for name in NEW}
    mine = {**words, "answer_en": "My words."}
    editor.save(f"/staff/faq/{entry.id}", {**words, "answer_en": "Their words."}, publish=True, based_on=opened)

    refused = editor.save(f"/staff/faq/{entry.id}", mine, publish=True, based_on=opened)

    assert refused.status_code == 200
    assert (
        "этот вопрос изменил другой редактор" in text(refused) and form_value(text(refused), "answer_en") == "My words."
    )
    assert db.session.get(FaqEntry, entry.id).answer_en == "Their words."


def test_the_preview_shows_the_words_as_clients_see_them_and_saves_nothing(editor: Editor) -> None:
    versions_before = db.session.scalar(select(func.count()).select_from(FaqVersion))
    words = {**NEW, "answer_en": "<b>bold</b> & plain"}

    preview = text(editor.save("/staff/faq/new", words, publish=True, action="preview"))

    assert "Предпросмотр: так вопрос увидят клиенты" in preview
    assert (
        "<details open><summary>Can I pay at a Qiwi terminal?</summary><div>&lt;b&gt;bold&lt;/b&gt; &amp; plain</div>"
        "</details>" in preview
    )
    assert '<div lang="kk">' in preview and NEW["answer_kk"] in preview
    assert form_value(preview, "answer_en") == "&lt;b&gt;bold&lt;/b&gt; &amp; plain"
    assert db.session.scalar(select(func.count()).select_from(FaqVersion)) == versions_before
    assert not db.session.scalars(
        select(FaqEntry).where(FaqEntry.topic == "payments", FaqEntry.question_en.contains("Qiwi"))
    ).all()


def test_reorder_hide_delete_and_bring_back(editor: Editor, client: FlaskClient) -> None:
    first, second = db.session.scalars(select(FaqEntry).order_by(FaqEntry.position).limit(2)).all()
    first_id, first_slug, first_question, second_question = first.id, first.slug, first.question_ru, second.question_ru

    assert editor.post(f"/staff/faq/{first_id}/move", direction="down").status_code == 303
    shown = client_faq(client, "")
    assert shown.index(second_question) < shown.index(first_question.replace("?", ""))
    assert [e.detail for e in events("faq_moved")] == [f"{first_slug} down"]

    editor.post(f"/staff/faq/{first_id}/visibility", published="0")
    assert "Вопрос скрыт от клиентов." in text(editor.client.get("/staff/faq"))
    assert first_question not in client_faq(client, "")

    deleted = editor.post(f"/staff/faq/{first_id}/delete")
    assert deleted.headers["Location"] == "/staff/faq"
    listed = text(editor.client.get("/staff/faq"))
    assert "Вопрос удален." in listed and "Удаленные вопросы" in listed and first_question in listed
    assert db.session.get(FaqEntry, first_id) is None
    last = db.session.scalars(
        select(FaqVersion).where(FaqVersion.slug == first_slug).order_by(FaqVersion.id.desc())
    ).first()
    assert last is not None and last.change == "deleted"

    restored = editor.post(f"/staff/faq/deleted/{last.id}")
    assert "Вопрос восстановлен как черновик" in text(editor.client.get(restored.headers["Location"]))
    back = entry_by(first_question)
    assert not back.published and first_question not in client_faq(client, "")
    assert [v.change for v in db.session.scalars(select(FaqVersion).where(FaqVersion.slug == back.slug))] == [
        "file",
        "hidden",
        "deleted",
        "restored",
    ]
    assert [len(events(kind)) for kind in ("faq_hidden", "faq_deleted", "faq_restored")] == [1, 1, 1]
    again = editor.post(f"/staff/faq/deleted/{last.id}")  # twice: there is nothing to bring back any more
    assert "Такого вопроса или версии больше нет." in text(editor.client.get(again.headers["Location"]))


def test_the_editors_list_finds_words_in_any_language(editor: Editor) -> None:
    for query, expected in (
        ("выписку", "Как получить выписку"),
        ("Үзінді", "Как получить выписку"),
        ("statement", "Как получить выписку"),
    ):
        listed = text(editor.client.get("/staff/faq", query_string={"q": query}))
        assert expected in listed, query
        assert "Всего вопросов" not in listed
    assert "Ничего не найдено" in text(editor.client.get("/staff/faq?q=абракадабра"))
    assert editor.client.get("/staff/faq").headers["Cache-Control"].startswith("no-store")


def test_a_bulk_replace_from_a_file_keeps_versions_that_an_editor_can_roll_back(
    editor: Editor, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    document = json.loads(SHIPPED.read_text(encoding="utf-8"))
    first = document["entries"][0]
    original = first["answer"]["ru"]
    first["answer"]["ru"] = "Новый текст из файла."
    path = tmp_path / "faq.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")

    assert runner.invoke(args=["portal", "faq", str(path)]).exit_code == 0

    entry = db.session.scalars(select(FaqEntry).where(FaqEntry.slug == first["slug"])).one()
    versions = list(db.session.scalars(select(FaqVersion).where(FaqVersion.slug == entry.slug).order_by(FaqVersion.id)))
    assert [(v.change, v.staff_id) for v in versions] == [("file", None), ("file", None)]
    assert db.session.scalar(select(func.count()).select_from(FaqVersion)) == len(document["entries"]) + 1
    editor.post(f"/staff/faq/{entry.id}/versions/{versions[0].id}")
    db.session.expire_all()
    assert db.session.get(FaqEntry, entry.id).answer_ru == original


def test_a_support_member_cannot_edit_the_faq(app: Flask, client: FlaskClient, clock: FakeClock) -> None:
    support = StaffActions(client, add_staff("dana", "Дана", PASSWORD)[1], clock)
    support.login("dana", PASSWORD)

    assert client.get("/staff/faq").status_code == 403
    token = csrf_token(text(client.get("/staff")))
    assert client.post("/staff/faq/new", data={"csrf_token": token, **NEW, "published": "y"}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(FaqEntry)) == 0


def test_the_editors_list_reads_the_entries_and_their_newest_versions_once(editor: Editor, app: Flask) -> None:
    from tests.conftest import QueryCounter

    first = db.session.scalars(select(FaqEntry).order_by(FaqEntry.position)).first()
    assert first is not None
    question = first.question_ru
    editor.post(f"/staff/faq/{first.id}/delete")  # a deleted entry too: its newest version comes in the same read
    queries = QueryCounter(app)

    with queries:
        listed = text(editor.client.get("/staff/faq"))

    assert "Удаленные вопросы" in listed and question in listed
    versions_read = [sql for sql in queries.statements if "FROM faq_versions" in sql]
    assert len(versions_read) == 1, versions_read
