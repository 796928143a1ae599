"""Money parsing: plain decimals in, two-place Decimals out, everything else refused."""

from decimal import Decimal

import pytest

from portal.domain.money import MONEY_QUANT, InvalidMoney, MoneyProblem, parse_money


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("18000000.00", "18000000.00"),
        ("0", "0.00"),
        ("61234.5", "61234.50"),
        ("151234.56", "151234.56"),
        ("1.000", "1.00"),
        ("007.10", "7.10"),
        (" 42.00 ", "42.00"),
        ("999999999999.99", "999999999999.99"),
        ("0000000000000001", "1.00"),
        (0, "0.00"),
        (18000000, "18000000.00"),
        (Decimal("61234.5"), "61234.50"),
        (Decimal("1E+5"), "100000.00"),
        (Decimal("1.000"), "1.00"),
    ],
)
def test_amount_is_quantized_to_two_places(raw: str | int | Decimal, expected: str) -> None:
    amount = parse_money(raw)
    assert amount == Decimal(expected)
    assert str(amount) == expected
    assert amount.as_tuple().exponent == MONEY_QUANT.as_tuple().exponent


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        pytest.param("", MoneyProblem.NOT_A_NUMBER, id="empty"),
        pytest.param("   ", MoneyProblem.NOT_A_NUMBER, id="whitespace-only"),
        pytest.param("NaN", MoneyProblem.NOT_A_NUMBER, id="nan"),
        pytest.param("sNaN", MoneyProblem.NOT_A_NUMBER, id="snan"),
        pytest.param("Infinity", MoneyProblem.NOT_A_NUMBER, id="infinity"),
        pytest.param("inf", MoneyProblem.NOT_A_NUMBER, id="inf"),
        pytest.param("1e5", MoneyProblem.NOT_A_NUMBER, id="exponent"),
        pytest.param("1E+5", MoneyProblem.NOT_A_NUMBER, id="exponent-upper"),
        pytest.param("1,50", MoneyProblem.NOT_A_NUMBER, id="decimal-comma"),
        pytest.param("1 000.00", MoneyProblem.NOT_A_NUMBER, id="grouping-space"),
        pytest.param("1_000", MoneyProblem.NOT_A_NUMBER, id="underscore"),
        pytest.param(".5", MoneyProblem.NOT_A_NUMBER, id="no-whole-part"),
        pytest.param("5.", MoneyProblem.NOT_A_NUMBER, id="no-fraction-digits"),
        pytest.param("+5", MoneyProblem.NOT_A_NUMBER, id="plus-sign"),
        pytest.param("5 ₸", MoneyProblem.NOT_A_NUMBER, id="currency-sign"),
        pytest.param("\uff15", MoneyProblem.NOT_A_NUMBER, id="full-width-digit"),
        pytest.param("abc", MoneyProblem.NOT_A_NUMBER, id="letters"),
        pytest.param("-1.00", MoneyProblem.NEGATIVE, id="negative"),
        pytest.param("-0", MoneyProblem.NEGATIVE, id="negative-zero"),
        pytest.param("1.005", MoneyProblem.TOO_PRECISE, id="three-places"),
        pytest.param("0.001", MoneyProblem.TOO_PRECISE, id="below-a-tiyn"),
        pytest.param("1000000000000", MoneyProblem.TOO_LARGE, id="13-digits"),
        pytest.param("1000000000000.00", MoneyProblem.TOO_LARGE, id="13-digits-2dp"),
        pytest.param("9" * 100_000, MoneyProblem.TOO_LARGE, id="huge"),
        pytest.param(Decimal("NaN"), MoneyProblem.NOT_A_NUMBER, id="decimal-nan"),
        pytest.param(Decimal("sNaN"), MoneyProblem.NOT_A_NUMBER, id="decimal-snan"),
        pytest.param(Decimal("Infinity"), MoneyProblem.NOT_A_NUMBER, id="decimal-inf"),
        pytest.param(Decimal("-1"), MoneyProblem.NEGATIVE, id="decimal-negative"),
        pytest.param(Decimal("-0.00"), MoneyProblem.NEGATIVE, id="decimal-neg-zero"),
        pytest.param(Decimal("1.005"), MoneyProblem.TOO_PRECISE, id="decimal-3dp"),
        pytest.param(Decimal("1E-30"), MoneyProblem.TOO_PRECISE, id="decimal-tiny"),
        pytest.param(Decimal("1E+12"), MoneyProblem.TOO_LARGE, id="decimal-1e12"),
        pytest.param(Decimal("1E+40"), MoneyProblem.TOO_LARGE, id="decimal-1e40"),
        pytest.param(-5, MoneyProblem.NEGATIVE, id="int-negative"),
        pytest.param(10**12, MoneyProblem.TOO_LARGE, id="int-13-digits"),
    ],
)
def test_bad_amount_is_refused_with_its_reason(raw: str | int | Decimal, problem: MoneyProblem) -> None:
    with pytest.raises(InvalidMoney) as caught:
        parse_money(raw)
    assert caught.value.reason is problem
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("raw", [1.5, 0.0, float("nan"), True, None, b"1.00"])
def test_float_and_other_types_are_a_type_error(raw: object) -> None:
    with pytest.raises(TypeError):
        parse_money(raw)  # type: ignore[arg-type]
