"""Kazakhstan mobile numbers: the forms clients type, what is refused, display, mask."""

import pytest

from portal.domain.phone import InvalidPhone, format_phone, mask_phone, normalize_phone


@pytest.mark.parametrize(
    "raw",
    [
        "+7 701 123 45 67",
        "87011234567",
        "7011234567",
        "+77011234567",
        "8 (701) 123-45-67",
        "77011234567",
        "+7 (701) 123-45-67",
        "+7-701-123-45-67",
        "7 701 123 45 67",
        " 8 701 123 45 67 ",
        "+7\u00a0701\u00a0123\u00a045\u00a067",
    ],
)
def test_usual_forms_of_one_number_normalize_to_e164(raw: str) -> None:
    assert normalize_phone(raw) == "+77011234567"


@pytest.mark.parametrize(
    "operator_code",
    ["700", "701", "702", "705", "707", "708", "747", "771", "775", "776", "777", "778"],
)
def test_kazakhstan_mobile_operator_codes_are_accepted(operator_code: str) -> None:
    assert normalize_phone(f"8 {operator_code} 765 43 21") == f"+7{operator_code}7654321"


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="spaces-only"),
        pytest.param("+7 916 123 45 67", id="russian-mobile"),
        pytest.param("89161234567", id="russian-mobile-with-8"),
        pytest.param("+7 495 123 45 67", id="moscow-landline"),
        pytest.param("+7 727 258 12 34", id="almaty-landline"),
        pytest.param("+7 717 255 12 34", id="astana-landline"),
        pytest.param("+7 751 123 45 67", id="voip"),
        pytest.param("+7 750 123 45 67", id="unassigned-code"),
        pytest.param("8701123456", id="too-short"),
        pytest.param("870112345678", id="too-long"),
        pytest.param("+7701123456", id="too-short-e164"),
        pytest.param("+770112345678", id="too-long-e164"),
        pytest.param("1234567", id="seven-digits"),
        pytest.param("abc", id="letters"),
        pytest.param("+7 701 ABC 45 67", id="keypad-letters"),
        pytest.param("+7 701 123 45 67 ext 5", id="extension"),
        pytest.param("\uff18\uff17\uff10\uff11" + "1234567", id="full-width-digits"),
        pytest.param("+380501234567", id="ukrainian"),
        pytest.param("++77011234567", id="double-plus"),
        pytest.param("7+7011234567", id="plus-inside"),
        pytest.param("+7 701 123 45 67#", id="hash"),
        pytest.param("0077011234567", id="international-prefix"),
        pytest.param("+8 701 123 45 67", id="plus-eight"),
    ],
)
def test_anything_but_a_kazakhstan_mobile_is_refused(raw: str) -> None:
    with pytest.raises(InvalidPhone):
        normalize_phone(raw)


def test_invalid_phone_is_a_value_error() -> None:
    assert issubclass(InvalidPhone, ValueError)


def test_format_groups_digits_with_plain_spaces() -> None:
    assert format_phone("+77011234567") == "+7 701 123 45 67"
    assert format_phone("+77017654321") == "+7 701 765 43 21"


def test_mask_keeps_operator_code_and_last_two_digits() -> None:
    assert mask_phone("+77011234567") == "+7 701 *** ** 67"
    assert mask_phone("+77777654321") == "+7 777 *** ** 21"


@pytest.mark.parametrize("stored", ["", "87011234567", "+7 701 123 45 67", "+79161234567", "+770112345678"])
def test_format_and_mask_refuse_what_is_not_a_stored_number(stored: str) -> None:
    with pytest.raises(InvalidPhone):
        format_phone(stored)
    with pytest.raises(InvalidPhone):
        mask_phone(stored)


def test_normalized_number_formats_back_to_what_was_typed() -> None:
    assert format_phone(normalize_phone("8 (701) 765-43-21")) == "+7 701 765 43 21"
