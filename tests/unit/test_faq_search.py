"""FAQ search over plain strings: matching ignores case and ё/е, every word must occur, matches are marked safely."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from portal.faq.search import MAX_QUERY_LENGTH, Query, clean_query


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("смс", "Не приходит СМС-код."),
        ("СМС", "Не приходит смс-код."),
        ("SMS", "Request a new sms code"),
        ("еще", "Остался ещё вопрос"),
        ("ЕЩЕ", "Остался ещё вопрос"),
        ("ещё", "Остался еще вопрос"),
        ("Ёлка", "ЕЛКА"),
        ("сұрақ", "ЖИІ ҚОЙЫЛАТЫН СҰРАҚТАР"),
        ("ҚАРЫЗ", "тұрғын үйге қарыз шарты"),
        ("өтініш", "Өтініш беру"),
    ],
)
def test_a_word_matches_whatever_its_case_and_e_or_yo(query: str, text: str) -> None:
    assert Query(query).matches(text)


@pytest.mark.parametrize(("query", "text"), [("смс", "Не приходит код."), ("ё", "Это ж"), ("қ", "к")])
def test_a_word_that_does_not_occur_does_not_match(query: str, text: str) -> None:
    assert not Query(query).matches(text)


def test_every_word_must_occur_in_the_question_or_the_answer() -> None:
    query = Query("пароль  забыл")

    assert query.matches("Я забыл пароль.", "")
    assert query.matches("Я забыл", "Новый пароль создается так")
    assert not query.matches("Я забыл логин.", "Обратитесь в Компанию")


def test_an_empty_or_blank_query_matches_everything() -> None:
    for raw in (None, "", "   \t\n "):
        query = Query(raw)
        assert not query
        assert query.matches("любой текст")
        assert query.matches()


@pytest.mark.parametrize("raw", ["(", "+", "*", "a+b", "[x]", "1.5", "\\d", "?", "^$", "|"])
def test_regex_metacharacters_in_the_query_are_plain_characters(raw: str) -> None:
    assert Query(raw).matches(f"before {raw} after")
    assert not Query(raw).matches("before after 1x5 d")


def test_the_query_is_trimmed_and_cut_to_100_characters() -> None:
    assert clean_query("  пеня  ") == "пеня"
    assert clean_query("я" * 5_000) == "я" * MAX_QUERY_LENGTH
    assert clean_query(None) == ""
    assert Query(" " + "ж" * 150).text == "ж" * 100


def test_matches_are_marked_in_their_original_spelling() -> None:
    marked = Query("еще код").highlight("Ещё один КОД? Нет, код ещё раз.")

    assert marked == "<mark>Ещё</mark> один <mark>КОД</mark>? Нет, <mark>код</mark> <mark>ещё</mark> раз."
    assert isinstance(marked, Markup)


def test_overlapping_and_adjacent_matches_make_one_mark() -> None:
    assert Query("абв бвг").highlight("абвгд") == "<mark>абвг</mark>д"
    assert Query("аб вг").highlight("абвг") == "<mark>абвг</mark>"


def test_html_in_the_text_and_in_the_query_is_escaped_never_injected() -> None:
    marked = Query("<script>").highlight("Текст <script>alert(1)</script> & <b>жирный</b>")

    assert "<script>" not in marked and "<b>" not in marked
    assert marked == ("Текст <mark>&lt;script&gt;</mark>alert(1)&lt;/script&gt; &amp; &lt;b&gt;жирный&lt;/b&gt;")


def test_a_query_that_looks_like_markup_does_not_break_the_marks() -> None:
    assert Query("mark>").highlight("a mark> b") == "a <mark>mark&gt;</mark> b"
    assert Query("&amp;").highlight("&amp; &") == "<mark>&amp;amp;</mark> &amp;"


def test_without_a_query_the_text_is_only_escaped() -> None:
    assert Query("").highlight("Пеня <5%>") == "Пеня &lt;5%&gt;"


@pytest.mark.parametrize("query", ["смс", "СМС", "sms", "SmS", "смс-код"])
def test_sms_in_cyrillic_or_latin_letters_finds_both_spellings(query: str) -> None:
    assert Query(query).matches("Не приходит SMS-код")
    assert Query(query).matches("Не приходит СМС-код")
    assert "<mark>SMS" in Query(query).highlight("SMS-код")
    assert "<mark>СМС" in Query(query).highlight("СМС-код")


def test_sms_spelled_half_in_latin_is_not_a_match() -> None:
    assert not Query("смs").matches("SMS-код, смс-код")
