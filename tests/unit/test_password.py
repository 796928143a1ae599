"""The password rules of the manual, each failing alone, in the manual's order."""

import pytest

from portal.domain.password import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    PasswordRule,
    failed_rules,
    too_long,
)

GOOD = "Demo2026!"


def test_password_meeting_every_rule_fails_none() -> None:
    assert failed_rules(GOOD, GOOD) == []


def test_rules_are_in_the_manuals_order() -> None:
    assert list(PasswordRule) == [
        PasswordRule.LENGTH,
        PasswordRule.LOWERCASE,
        PasswordRule.UPPERCASE,
        PasswordRule.DIGIT,
        PasswordRule.SYMBOL,
        PasswordRule.MATCH,
    ]


@pytest.mark.parametrize(
    ("password", "failed"),
    [
        pytest.param("Dem26!x", PasswordRule.LENGTH, id="seven-characters"),
        pytest.param("DEMO2026!", PasswordRule.LOWERCASE, id="no-lowercase"),
        pytest.param("demo2026!", PasswordRule.UPPERCASE, id="no-uppercase"),
        pytest.param("DemoDemo!", PasswordRule.DIGIT, id="no-digit"),
        pytest.param("Demo2026a", PasswordRule.SYMBOL, id="no-symbol"),
        pytest.param("Demo 2026", PasswordRule.SYMBOL, id="space-is-no-symbol"),
        pytest.param("Demo\t2026", PasswordRule.SYMBOL, id="tab-is-no-symbol"),
        pytest.param("Demo\u00a02026", PasswordRule.SYMBOL, id="nbsp-is-no-symbol"),
        pytest.param("Demo\u0663\u0660!x", PasswordRule.DIGIT, id="arabic-digits"),
        pytest.param("Demo\uff12\uff10!x", PasswordRule.DIGIT, id="full-width-digits"),
    ],
)
def test_each_rule_fails_alone(password: str, failed: PasswordRule) -> None:
    assert failed_rules(password, password) == [failed]


def test_different_confirmation_fails_match() -> None:
    assert failed_rules(GOOD, "Demo2026?") == [PasswordRule.MATCH]
    assert failed_rules(GOOD, "") == [PasswordRule.MATCH]


def test_empty_password_fails_every_rule_but_match() -> None:
    assert failed_rules("", "") == [
        PasswordRule.LENGTH,
        PasswordRule.LOWERCASE,
        PasswordRule.UPPERCASE,
        PasswordRule.DIGIT,
        PasswordRule.SYMBOL,
    ]


def test_failed_rules_come_in_the_manuals_order() -> None:
    assert failed_rules("abc", "abd") == [
        PasswordRule.LENGTH,
        PasswordRule.UPPERCASE,
        PasswordRule.DIGIT,
        PasswordRule.SYMBOL,
        PasswordRule.MATCH,
    ]


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("Пароль2026!", id="cyrillic"),
        pytest.param("Құпия2026!", id="kazakh"),
        pytest.param("Straße2026!", id="german"),
    ],
)
def test_letters_of_any_alphabet_count_for_case(password: str) -> None:
    assert failed_rules(password, password) == []


@pytest.mark.parametrize("symbol", ["!", "_", "-", "№", "₸", "«", "€", "😀", "\u0663"])
def test_any_non_letter_non_ascii_digit_non_space_counts_as_symbol(
    symbol: str,
) -> None:
    password = f"Demo2026{symbol}"
    assert failed_rules(password, password) == []


def test_length_counts_characters_not_bytes() -> None:
    password = "Жд1!жджд"
    assert len(password) == MIN_PASSWORD_LENGTH
    assert failed_rules(password, password) == []


def test_length_limit_is_reported_apart() -> None:
    longest = "Aa1!" * (MAX_PASSWORD_LENGTH // 4)
    assert len(longest) == MAX_PASSWORD_LENGTH
    assert not too_long(longest)
    assert too_long(longest + "x")
    assert failed_rules(longest + "x", longest + "x") == []
