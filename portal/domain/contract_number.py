"""Contract numbers as clients type them: a phone keyboard's Latin letters (DA-2023-00318), any case, any
spaces and dashes, are read as the company writes the number (ДА-2023-00318)."""

from typing import Final

# Latin letters that look like Cyrillic ones, then the Latin spelling of the letters the company's prefixes use
# (ДА, ЗМ: «DA», «ZM»).
LATIN_TO_CYRILLIC: Final = str.maketrans("ABCEHKMOPTXYDZLGFINRSUV", "АВСЕНКМОРТХУДЗЛГФИНРСУВ")
# Hyphens, dashes and minus signs as keyboards and autocorrect type them, and every kind of space.
SEPARATORS: Final = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d_/."


def contract_number_key(text: str) -> str:
    """What two spellings of one contract number have in common: upper case, Cyrillic letters, no separators."""
    kept = "".join(ch for ch in text if not ch.isspace() and ch not in SEPARATORS)
    return kept.upper().replace("Ё", "Е").translate(LATIN_TO_CYRILLIC)


def same_contract_number(typed: str, stored: str) -> bool:
    return contract_number_key(typed) == contract_number_key(stored)
