"""Kazakhstan mobile phone numbers: normalization to E.164, display and masking."""

import re
from typing import Final

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

_REGION: Final = "KZ"
# phonenumbers reads letters as keypad digits and takes digits of any script; a client
# who types either has mistyped.
_ALLOWED_INPUT: Final = re.compile(r"\+?[0-9\s()\-]+")
_E164_KZ_MOBILE: Final = re.compile(r"\+77[0-9]{9}")
_MOBILE_TYPES: Final = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


class InvalidPhone(ValueError):
    """The string is not a Kazakhstan mobile number."""


def normalize_phone(raw: str) -> str:
    """Return a Kazakhstan mobile number as ``+77XXXXXXXXX``, however it was typed."""
    text = raw.strip()
    if not _ALLOWED_INPUT.fullmatch(text):
        raise InvalidPhone(raw)
    try:
        number = phonenumbers.parse(text, _REGION)
    except phonenumbers.NumberParseException:
        raise InvalidPhone(raw) from None
    # Russia shares the country code +7: the region must be checked, not just validity.
    if phonenumbers.region_code_for_number(number) != _REGION or phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise InvalidPhone(raw)
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if not _E164_KZ_MOBILE.fullmatch(e164):
        raise InvalidPhone(raw)
    return e164


def _national_digits(e164: str) -> str:
    if not _E164_KZ_MOBILE.fullmatch(e164):
        raise InvalidPhone(e164)
    return e164[2:]


def format_phone(e164: str) -> str:
    """``+77011234567`` → ``+7 701 123 45 67``."""
    d = _national_digits(e164)
    return f"+7 {d[0:3]} {d[3:6]} {d[6:8]} {d[8:10]}"


def mask_phone(e164: str) -> str:
    """``+77011234567`` → ``+7 701 *** ** 67``; enough for its owner to know it."""
    d = _national_digits(e164)
    return f"+7 {d[0:3]} *** ** {d[8:10]}"
