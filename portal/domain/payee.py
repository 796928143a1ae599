"""The payee's bank details: the IBAN (Kazakhstan's ИИК, KZ + 2 check digits + 16 characters) and the BIN."""

import re
from typing import Final

_KZ_IBAN: Final = re.compile(r"KZ[0-9]{2}[0-9A-Z]{16}")
_BIN: Final = re.compile(r"[0-9]{12}")


def compact_iban(raw: str) -> str:
    """The IBAN without the spaces people group it with, in capitals."""
    return re.sub(r"\s+", "", raw).upper()


def iban_is_valid(raw: str) -> bool:
    """A Kazakhstan IBAN whose check digits hold (ISO 13616: the rearranged number mod 97 is 1)."""
    iban = compact_iban(raw)
    if not _KZ_IBAN.fullmatch(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(character, 36)) for character in rearranged)) % 97 == 1


def group_iban(raw: str) -> str:
    """The IBAN in groups of four, as printed on payment slips: KZ18 6010 0012 3456 7890."""
    iban = compact_iban(raw)
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def bin_is_well_formed(raw: str) -> bool:
    """A business identification number (БИН) is 12 digits."""
    return bool(_BIN.fullmatch(raw))
