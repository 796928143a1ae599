"""The password policy: which of the manual's rules a new password fails."""

import enum
from collections.abc import Callable
from typing import Final

MIN_PASSWORD_LENGTH: Final = 8
MAX_PASSWORD_LENGTH: Final = 128


class PasswordRule(enum.Enum):
    """The manual's rules in the manual's order, which is the checklist's order."""

    LENGTH = "length"
    LOWERCASE = "lowercase"
    UPPERCASE = "uppercase"
    DIGIT = "digit"
    SYMBOL = "symbol"
    MATCH = "match"


def _is_ascii_digit(char: str) -> bool:
    return "0" <= char <= "9"


def _is_symbol(char: str) -> bool:
    # A digit of another script does not meet DIGIT, so it must meet SYMBOL: otherwise
    # it would count for nothing.
    return not (char.isalpha() or _is_ascii_digit(char) or char.isspace())


# Rules on the password alone; a new rule is one more row.
_PASSWORD_CHECKS: Final[tuple[tuple[PasswordRule, Callable[[str], bool]], ...]] = (
    (PasswordRule.LENGTH, lambda p: len(p) >= MIN_PASSWORD_LENGTH),
    (PasswordRule.LOWERCASE, lambda p: any(c.islower() for c in p)),
    (PasswordRule.UPPERCASE, lambda p: any(c.isupper() for c in p)),
    (PasswordRule.DIGIT, lambda p: any(_is_ascii_digit(c) for c in p)),
    (PasswordRule.SYMBOL, lambda p: any(_is_symbol(c) for c in p)),
)


def failed_rules(password: str, confirmation: str) -> list[PasswordRule]:
    """The rules that the two entries do not meet, in the manual's order."""
    failed = [rule for rule, is_met in _PASSWORD_CHECKS if not is_met(password)]
    if password != confirmation:
        failed.append(PasswordRule.MATCH)
    return failed


def too_long(password: str) -> bool:
    """Past the bound that keeps hashing cheap; not one of the manual's rules."""
    return len(password) > MAX_PASSWORD_LENGTH
