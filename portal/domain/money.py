"""Amounts in tenge: parsing into two-place Decimals that fit Numeric(14, 2)."""

import enum
import re
from decimal import Decimal
from typing import Final

MONEY_QUANT: Final = Decimal("0.01")
MAX_INTEGER_DIGITS: Final = 12
_LIMIT: Final = Decimal(10) ** MAX_INTEGER_DIGITS
_MONEY_PATTERN: Final = re.compile(r"(?P<whole>[0-9]+)(?:\.(?P<fraction>[0-9]+))?")


class MoneyProblem(enum.Enum):
    NOT_A_NUMBER = "not_a_number"
    NEGATIVE = "negative"
    TOO_PRECISE = "too_precise"
    TOO_LARGE = "too_large"


class InvalidMoney(ValueError):
    """Not an amount of money; ``reason`` says why."""

    def __init__(self, reason: MoneyProblem) -> None:
        super().__init__(reason.value)
        self.reason = reason


def parse_money(raw: str | int | Decimal) -> Decimal:
    """Return the amount quantized to two places.

    Strings must be plain decimals such as ``"61234.5"``: no sign, exponent or NaN.
    Floats are refused: their binary value is seldom the amount that was meant.
    """
    if isinstance(raw, str):
        return _parse_money_text(raw)
    # bool is an int, but True tenge is a bug, not an amount.
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal):
        raise TypeError(f"money must be str, int or Decimal, not {type(raw).__name__}")
    amount = Decimal(raw)
    if not amount.is_finite():
        raise InvalidMoney(MoneyProblem.NOT_A_NUMBER)
    if amount.is_signed():
        raise InvalidMoney(MoneyProblem.NEGATIVE)
    if amount >= _LIMIT:
        raise InvalidMoney(MoneyProblem.TOO_LARGE)
    quantized = amount.quantize(MONEY_QUANT)
    if quantized != amount:
        raise InvalidMoney(MoneyProblem.TOO_PRECISE)
    return quantized


def _parse_money_text(raw: str) -> Decimal:
    text = raw.strip()
    if text.startswith("-") and _MONEY_PATTERN.fullmatch(text[1:]):
        raise InvalidMoney(MoneyProblem.NEGATIVE)
    match = _MONEY_PATTERN.fullmatch(text)
    if match is None:
        raise InvalidMoney(MoneyProblem.NOT_A_NUMBER)
    # Judged on the digits before Decimal sees them: a megabyte of zeros costs nothing.
    whole = match["whole"].lstrip("0") or "0"
    fraction = (match["fraction"] or "").rstrip("0")
    if len(whole) > MAX_INTEGER_DIGITS:
        raise InvalidMoney(MoneyProblem.TOO_LARGE)
    if len(fraction) > 2:
        raise InvalidMoney(MoneyProblem.TOO_PRECISE)
    return Decimal(f"{whole}.{fraction:0<2}")
