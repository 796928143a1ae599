"""The Kazakhstan individual identification number (ИИН): parsing and validation."""

import enum
import re
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

_IIN_PATTERN: Final = re.compile(r"[0-9]{12}")

# Digit 7 gives the century of birth and the gender: odd for men, even for women.
_CENTURIES: Final[dict[str, tuple[int, Literal["M", "F"]]]] = {
    "1": (1800, "M"),
    "2": (1800, "F"),
    "3": (1900, "M"),
    "4": (1900, "F"),
    "5": (2000, "M"),
    "6": (2000, "F"),
}

_FIRST_PASS_WEIGHTS: Final = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_SECOND_PASS_WEIGHTS: Final = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
# A remainder of 10 is no digit; when the second pass gives 10 too, the IIN is never
# issued.
_NO_CHECK_DIGIT: Final = 10


class IINProblem(enum.Enum):
    """Why a string is not a valid IIN, in the order the checks run."""

    FORMAT = "format"
    CENTURY = "century"
    DATE = "date"
    CHECKSUM = "checksum"


class InvalidIIN(ValueError):
    """The string is not a valid IIN; ``reason`` says which check failed."""

    def __init__(self, reason: IINProblem) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class IIN:
    value: str
    birth_date: date
    gender: Literal["M", "F"]


def _check_digit(digits: str) -> int:
    for weights in (_FIRST_PASS_WEIGHTS, _SECOND_PASS_WEIGHTS):
        remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != _NO_CHECK_DIGIT:
            return remainder
    return _NO_CHECK_DIGIT


def parse_iin(raw: str) -> IIN:
    """Parse an IIN: 12 ASCII digits, surrounding whitespace ignored.

    The century is checked before the date because it decides whether 29 February
    exists.
    """
    value = raw.strip()
    if not _IIN_PATTERN.fullmatch(value):
        raise InvalidIIN(IINProblem.FORMAT)
    century = _CENTURIES.get(value[6])
    if century is None:
        raise InvalidIIN(IINProblem.CENTURY)
    century_start, gender = century
    year, month, day = int(value[0:2]), int(value[2:4]), int(value[4:6])
    try:
        birth_date = date(century_start + year, month, day)
    except ValueError:
        raise InvalidIIN(IINProblem.DATE) from None
    if _check_digit(value[:11]) != int(value[11]):
        raise InvalidIIN(IINProblem.CHECKSUM)
    return IIN(value=value, birth_date=birth_date, gender=gender)


def is_valid_iin(raw: str) -> bool:
    try:
        parse_iin(raw)
    except InvalidIIN:
        return False
    return True


def mask_iin(iin: str) -> str:
    """``880515301238`` → ``8805****1238``: enough to tell two clients apart in a list, not to know the IIN."""
    return f"{iin[:4]}****{iin[-4:]}"
