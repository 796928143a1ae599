"""A contract number typed on a phone: Latin look-alikes, «DA»-style prefixes, any case, spaces and dashes."""

import pytest

from portal.domain.contract_number import same_contract_number


@pytest.mark.parametrize(
    "typed",
    [
        "ДА-2023-00318",
        "да-2023-00318",
        "DA-2023-00318",  # a phone keyboard's default
        "da 2023 00318",
        "ДА–2023—00318",  # autocorrect's dashes
        "ДА\u20112023\u221200318",
        "ДA-2023-00318",  # one Latin letter among Cyrillic
        " ДА - 2023 - 00318 ",
        "ДА202300318",
    ],
)
def test_the_ways_a_client_types_the_number_match(typed: str) -> None:
    assert same_contract_number(typed, "ДА-2023-00318")


def test_the_loan_prefix_in_latin_letters() -> None:
    assert same_contract_number("ZM-2025-00542", "ЗМ-2025-00542")
    assert same_contract_number("zm2025 00542", "ЗМ-2025-00542")


@pytest.mark.parametrize("typed", ["ДА-2023-00319", "ЗМ-2023-00318", "DB-2023-00318", "ДА-2023-0318", ""])
def test_another_number_does_not_match(typed: str) -> None:
    assert not same_contract_number(typed, "ДА-2023-00318")
