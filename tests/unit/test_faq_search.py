"""FAQ search over plain strings: a word finds its other forms (Snowball for ru and en, endings stripped for kk),
case, ё/е and СМС/SMS aside; every word must occur; questions holding the words rank first; matches are marked
safely, each whole word form found."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from portal.faq.search import MAX_QUERY_LENGTH, Query, clean_query, kazakh_stems


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
    assert not Query(raw).matches("zz 0x9 yy")


def test_a_query_without_letters_or_digits_is_found_as_typed_anywhere() -> None:
    assert Query("!").matches("например, ! или #")
    assert not Query("!").matches("например, или #")
    assert Query("# пароль").highlight("пароль#1") == "<mark>пароль#</mark>1"


def test_the_query_is_trimmed_and_cut_to_100_characters() -> None:
    assert clean_query("  пеня  ") == "пеня"
    assert clean_query("я" * 5_000) == "я" * MAX_QUERY_LENGTH
    assert clean_query(None) == ""
    assert Query(" " + "ж" * 150).text == "ж" * 100


def test_matches_are_marked_in_their_original_spelling() -> None:
    marked = Query("еще код").highlight("Ещё один КОД? Нет, код ещё раз.")

    assert marked == "<mark>Ещё</mark> один <mark>КОД</mark>? Нет, <mark>код</mark> <mark>ещё</mark> раз."
    assert isinstance(marked, Markup)


def test_a_word_form_found_by_two_query_words_is_marked_once_and_whole() -> None:
    assert Query("абв абвг").highlight("абвгд ё") == "<mark>абвгд</mark> ё"
    assert Query("выписка").highlight("Получить выписку.") == "Получить <mark>выписку</mark>."


def test_html_in_the_text_and_in_the_query_is_escaped_never_injected() -> None:
    marked = Query("<script>").highlight("Текст <script>alert(1)</script> & <b>жирный</b>")

    assert "<script>" not in marked and "<b>" not in marked
    assert marked == (
        "Текст &lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt; &amp; &lt;b&gt;жирный&lt;/b&gt;"
    )


def test_a_query_that_looks_like_markup_does_not_break_the_marks() -> None:
    assert Query("mark>").highlight("a mark> b") == "a <mark>mark</mark>&gt; b"
    assert Query("&amp;").highlight("&amp; &") == "&amp;<mark>amp</mark>; &amp;"


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


@pytest.mark.parametrize(
    ("language", "query", "text"),
    [
        ("ru", "выписка", "Как получить выписку?"),
        ("ru", "выписку", "Выписка по договору за период"),
        ("ru", "оплатить", "Я оплатил, а платежа нет"),
        ("ru", "оплатить", "Способы оплаты"),
        ("ru", "оплатил", "Как оплатить"),
        ("ru", "платежи", "Сумма внесенных платежей"),
        ("ru", "договоров", "Мои договора"),
        ("en", "payments", "The payment is late"),
        ("en", "payment", "Ways to make payments"),
        ("en", "statement", "Contract statements for a period"),
        ("en", "paying", "How to pay"),
        ("en", "applies", "Apply the rules"),  # Snowball ends both in «appli», a stem the word «apply» does not begin
        ("kk", "төлем", "Төлемдерді кестеге сәйкес енгізіңіз"),
        ("kk", "төлемдерді", "Ай сайынғы төлем"),
        ("kk", "кесте", "Төлем кестесінің бағандары"),
        ("kk", "кестесінің", "Төлем кестесі"),
        ("kk", "шарты", "Менің шарттарым"),
        ("kk", "шарт", "Сіздің шартыңыз"),
    ],
)
def test_a_word_finds_its_other_forms(language: str, query: str, text: str) -> None:
    assert Query(query, language).matches(text)


@pytest.mark.parametrize(
    ("language", "query", "text"),
    [
        # Snowball leaves «paid» whole and stems «pay», «paying», «payment» apart from it: «paid» finds neither.
        ("en", "paid", "How to pay the payment"),
        ("ru", "оплатить", "Платеж списан"),
        ("ru", "выписка", "Пропись"),
        ("kk", "төлем", "Кесте"),
        ("kk", "кесте", "Кезең"),
    ],
)
def test_words_that_share_no_stem_do_not_match(language: str, query: str, text: str) -> None:
    assert not Query(query, language).matches(text)


def test_what_snowball_makes_of_pay_and_paid_is_what_the_search_does() -> None:
    assert Query("pay", "en").matches("Payments")  # what was typed begins the word
    assert Query("payments", "en").matches("payment")
    assert not Query("paid", "en").matches("pay")
    assert not Query("pay", "en").matches("paid")


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("төлемдерді", "төлем"),
        ("кестесінің", "кесте"),
        ("шарттарым", "шарт"),
        ("шарты", "шарт"),
        ("құпиясөзді", "құпиясөз"),
    ],
)
def test_kazakh_endings_are_stripped_down_to_the_stem(word: str, stem: str) -> None:
    assert stem in kazakh_stems(word)


def test_kazakh_stems_keep_three_letters_at_least() -> None:
    assert kazakh_stems("үйге") == {"үйге"}
    assert min(map(len, kazakh_stems("кестесінің"))) >= 3


def test_the_whole_word_form_found_is_marked_in_each_language() -> None:
    assert Query("оплатить").highlight("Я оплатил; оплаты нет") == "Я <mark>оплатил</mark>; <mark>оплаты</mark> нет"
    assert Query("payments", "en").highlight("One payment.") == "One <mark>payment</mark>."
    assert Query("кесте", "kk").highlight("Төлем кестесінің") == "Төлем <mark>кестесінің</mark>"


def test_questions_holding_the_words_rank_before_answers_holding_them() -> None:
    entries = [
        ("Что такое пеня?", "Неустойка за просрочку."),
        ("Как получить документ?", "Выписку можно скачать."),
        ("Где выписка по договору?", "В разделе «Мои договора»."),
        ("Как оплатить?", "Реквизиты."),
        ("Что в выписках и справках?", "Поступления и списания."),
    ]

    assert Query("выписка").rank(entries) == [2, 4, 1]
    assert Query("выписка договор").rank(entries) == [2]
    assert Query("выписку справка").rank(entries) == [4]
    assert Query("").rank(entries) == [0, 1, 2, 3, 4]
    assert Query("абракадабра").rank(entries) == []


def test_a_question_holding_more_of_the_words_ranks_first() -> None:
    entries = [
        ("Пароль", "Сменить пароль можно в профиле."),
        ("Как сменить пароль?", "В профиле."),
        ("Профиль", "Пароль и напоминания."),
    ]

    assert Query("сменить пароль").rank(entries) == [1, 0]
