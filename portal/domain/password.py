"""The password policy: which of the manual's rules a new password fails, and what else makes it weak."""

import enum
from collections.abc import Callable, Container, Iterable
from datetime import date
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


class Weakness(enum.Enum):
    """Why a password that meets the manual's rules is refused anyway."""

    COMMON = "common"  # one of the passwords people use most, perhaps dressed up with digits and a symbol
    PERSONAL = "personal"  # holds the client's IIN, birth date, phone or account number


_DRESSING: Final = "0123456789!@#$%^&*()_+-=.,?;:'\"`~[]{}<>/\\| "
_SEPARATORS: Final = str.maketrans("", "", " .-/_")
# Shorter pieces of personal data (a year, a day) would refuse half of all passwords.
_MIN_PERSONAL_TOKEN: Final = 6


def _cores(password: str) -> set[str]:
    """The password and what is left of it without the digits and symbols people add to meet the rules."""
    lowered = password.casefold()
    return {lowered, lowered.rstrip(_DRESSING), lowered.strip(_DRESSING)} - {""}


def weaknesses(password: str, personal: Iterable[str], common: Container[str]) -> list[Weakness]:
    """The weaknesses of a password against a list of common ones and the client's own data."""
    found = []
    if any(core in common for core in _cores(password) if len(core) >= 4):
        found.append(Weakness.COMMON)
    compact = password.casefold().translate(_SEPARATORS)
    tokens = {token.casefold().translate(_SEPARATORS) for token in personal}
    if any(len(token) >= _MIN_PERSONAL_TOKEN and token in compact for token in tokens):
        found.append(Weakness.PERSONAL)
    return found


def personal_tokens(iin: str, birth_date: date, phone: str, accounts: Iterable[str]) -> list[str]:
    """The pieces of a client's data that a password must not contain, in the forms people write them."""
    national = phone.removeprefix("+7")
    return [
        iin,
        birth_date.strftime("%d%m%Y"),
        birth_date.strftime("%Y%m%d"),
        birth_date.strftime("%d%m%y"),
        birth_date.strftime("%y%m%d"),
        phone.removeprefix("+"),
        national,
        "8" + national,
        *accounts,
    ]
