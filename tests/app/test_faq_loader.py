"""`portal faq FILE`: the FAQ shipped in the repository, in three languages."""

from __future__ import annotations

import json
from pathlib import Path

from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import FaqEntry

SHIPPED = Path(__file__).resolve().parents[2] / "portal" / "data" / "faq.json"


def test_the_shipped_faq_loads_with_at_least_30_questions_in_three_languages(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["portal", "faq", str(SHIPPED)])

    assert result.exit_code == 0, result.output
    entries = db.session.scalars(select(FaqEntry).order_by(FaqEntry.position)).all()
    assert len(entries) >= 30
    for entry in entries:
        for language in ("ru", "kk", "en"):
            assert entry.question(language).strip() and entry.answer(language).strip()


def test_reloading_replaces_the_faq_in_the_files_order(runner: FlaskCliRunner, tmp_path: Path) -> None:
    def entry(slug: str) -> dict[str, object]:
        texts = {"ru": f"Вопрос {slug}", "kk": f"Сұрақ {slug}", "en": f"Question {slug}"}
        return {"slug": slug, "topic": "cabinet", "question": texts, "answer": texts}

    path = tmp_path / "faq.json"
    path.write_text(json.dumps({"version": 1, "entries": [entry("a"), entry("b")]}), encoding="utf-8")
    assert runner.invoke(args=["portal", "faq", str(path)]).exit_code == 0
    path.write_text(json.dumps({"version": 1, "entries": [entry("c"), entry("a")]}), encoding="utf-8")

    assert runner.invoke(args=["portal", "faq", str(path)]).exit_code == 0

    assert db.session.scalars(select(FaqEntry.slug).order_by(FaqEntry.position)).all() == ["c", "a"]


def test_a_faq_file_with_a_missing_translation_is_refused(runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = tmp_path / "faq.json"
    texts = {"ru": "Вопрос", "kk": "Сұрақ"}
    path.write_text(
        json.dumps({"version": 1, "entries": [{"slug": "a", "topic": "x", "question": texts, "answer": texts}]}),
        encoding="utf-8",
    )

    result = runner.invoke(args=["portal", "faq", str(path)])

    assert result.exit_code == 1
    assert "entries[0].question.en: missing" in result.output
    assert db.session.scalar(select(func.count()).select_from(FaqEntry)) == 0


def test_the_faq_page_lists_the_questions_in_the_chosen_language(runner: FlaskCliRunner, client: FlaskClient) -> None:
    runner.invoke(args=["portal", "faq", str(SHIPPED)])
    first = db.session.scalars(select(FaqEntry).order_by(FaqEntry.position)).first()
    assert first is not None

    assert first.question("ru") in client.get("/faq").get_data(as_text=True)
    assert first.question("en") in client.get("/faq?lang=en").get_data(as_text=True)
